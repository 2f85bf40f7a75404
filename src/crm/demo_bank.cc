// Tenant "maple-bank" (demo_bank.h): its households, clients and advisors, and its records other
// than activities (demo_bank_timeline.cc).
#include <algorithm>
#include <string>
#include <vector>

#include "src/crm/demo_bank.h"

namespace crmi::crm::demo_internal::bank {
namespace {

constexpr std::string_view kTenant = "maple-bank";
constexpr char kTag = 'b';

// The bank serves North America only.
std::string_view RegionOfArticle(const Article&) { return "na"; }

// "12.34%" from basis points.
std::string Percent(int bp) {
  std::string out = std::to_string(bp / 100) + ".";
  if (bp % 100 < 10) out += "0";
  return out + std::to_string(bp % 100) + "%";
}

}  // namespace

int64_t WorkTime(int64_t first_day, int64_t last_day, Rng* r) {
  const int64_t day = r->Between(first_day, std::max(first_day, last_day));
  const int64_t minute = r->Between(0, 10 * 60 - 1);
  const int64_t second = r->Between(0, 59);
  return day * kDayMs + 13 * kHourMs + minute * kMinuteMs + second * 1000;
}

BankGenerator::BankGenerator(const DemoOptions& options, int scale, const DemoSink& sink)
    : TenantGenerator(options, scale, sink, kTenant, kTag),
      anchor_year_(std::stoi(DateText(options.anchor_unix_ms).substr(0, 4))) {}

Status BankGenerator::Run() {
  BuildPeople();
  BuildOpportunities();
  BuildCases();
  RETURN_IF_ERROR(EmitAccounts());
  RETURN_IF_ERROR(EmitContacts());
  RETURN_IF_ERROR(EmitProducts());
  RETURN_IF_ERROR(EmitKnowledge(BankArticles(), "bank/knowledge", RegionOfArticle));
  RETURN_IF_ERROR(EmitLeads());
  RETURN_IF_ERROR(EmitOpportunities());
  RETURN_IF_ERROR(EmitCases());
  return EmitActivities();
}

std::string BankGenerator::AdvisorId(int a) {
  std::string id = "adv-";
  if (a + 1 < 100) id += "0";
  if (a + 1 < 10) id += "0";
  return id + std::to_string(a + 1);
}

std::string BankGenerator::AdvisorName(int a) const {
  Rng r = R("bank/advisor", static_cast<uint64_t>(a));
  const std::string_view first = r.Pick(FirstNames(Culture::kEnCA)).text;
  const std::string_view last = r.Pick(LastNames(Culture::kEnCA)).text;
  return std::string(first) + " " + std::string(last);
}

std::string BankGenerator::ProductIdOf(std::string_view key) const {
  const auto products = BankProducts();
  for (size_t i = 0; i < products.size(); ++i) {
    if (products[i].key == key) return ProductId(i);
  }
  return ProductId(0);
}

void BankGenerator::BuildPeople() {
  const size_t target = static_cast<size_t>(800) * static_cast<size_t>(scale_);
  advisors_ = std::max<int>(1, static_cast<int>(target / 60));
  clients_.reserve(target);
  for (uint32_t h = 0; clients_.size() < target; ++h) {
    Rng r = R("bank/household", h);
    Household hh{};
    hh.first_member = static_cast<uint32_t>(clients_.size());
    // US 45%, English-speaking Canada 40%, Quebec 15% (see BankCities()).
    switch (r.Weighted({45, 40, 15})) {
      case 0:
        hh.city = static_cast<uint8_t>(r.Below(8));
        break;
      case 1:
        hh.city = static_cast<uint8_t>(8 + r.Below(6));
        break;
      default:
        hh.city = static_cast<uint8_t>(14 + r.Below(2));
        break;
    }
    const Culture culture = BankCities()[hh.city].culture;
    hh.last = static_cast<uint16_t>(r.Below(LastNames(culture).size()));
    hh.advisor = static_cast<uint16_t>(h % static_cast<uint32_t>(advisors_));
    hh.segment = static_cast<uint8_t>(r.Weighted({65, 30, 5}));
    hh.cohort = static_cast<Cohort>(r.Weighted({74, 10, 5, 5, 3, 3}));
    const int64_t age_a = r.Between(30, 86);
    const int64_t age_b = r.Between(40, 80);
    hh.age = static_cast<uint8_t>((age_a + age_b) / 2);
    size_t size = r.Weighted({45, 45, 10}) + 1;
    if (hh.age < 50) size = std::min<size_t>(size, 2);
    size = std::min(size, target - clients_.size());
    hh.size = static_cast<uint8_t>(size);
    for (size_t m = 0; m < size; ++m) {
      Client c{};
      c.household = h;
      c.role = static_cast<uint8_t>(m);
      c.first = static_cast<uint16_t>(r.Below(FirstNames(culture).size()));
      c.last = hh.last;
      if (m == 1 && r.Percent(25))
        c.last = static_cast<uint16_t>(r.Below(LastNames(culture).size()));
      c.age = hh.age;
      if (m == 1) c.age = static_cast<uint8_t>(std::max<int64_t>(25, hh.age + r.Between(-6, 6)));
      if (m == 2) c.age = static_cast<uint8_t>(std::max<int64_t>(19, hh.age - r.Between(26, 34)));
      clients_.push_back(c);
    }
    households_.push_back(hh);
  }
}

void BankGenerator::BuildOpportunities() {
  const size_t target = static_cast<size_t>(200) * static_cast<size_t>(scale_);
  for (uint32_t h = 0; h < households_.size() && opps_.size() < target; ++h) {
    const Cohort cohort = households_[h].cohort;
    if (cohort == Cohort::kSteady || cohort == Cohort::kChurn) continue;
    static constexpr OppKind kByCohort[] = {kOppRetirement, kOppRetirement, kOppMortgage,
                                            kOppRetirement, kOppEstate,     kOppManaged};
    Rng r = R("bank/opp_plan", h);
    const int stage = static_cast<int>(r.Weighted({0, 40, 40, 20}));
    opps_.push_back({h, kByCohort[static_cast<int>(cohort)],
                     WorkTime(anchor_day_ - 60, anchor_day_ - 20, &r), stage});
  }
  for (uint64_t i = 0; opps_.size() < target; ++i) {
    Rng r = R("bank/opp_fill", i);
    OppSpec o{};
    o.household = static_cast<uint32_t>(r.Below(households_.size()));
    o.kind = static_cast<OppKind>(r.Weighted({15, 12, 8, 15, 10, 15, 10, 15}));
    o.created = WorkTime(HistoryStartDay(), anchor_day_ - 15, &r);
    const bool recent = o.created > anchor_ - 120 * kDayMs;
    if (recent && r.Percent(60)) {
      o.stage = static_cast<int>(r.Weighted({15, 35, 30, 20}));
    } else {
      o.stage = r.Percent(55) ? 4 : 5;
    }
    opps_.push_back(o);
  }
}

void BankGenerator::BuildCases() {
  const size_t target = static_cast<size_t>(150) * static_cast<size_t>(scale_);
  for (uint32_t h = 0; h < households_.size(); ++h) {
    if (households_[h].cohort != Cohort::kChurn) continue;
    Rng r = R("bank/case_plan", h);
    const uint32_t c = households_[h].first_member;
    if (r.Percent(75)) {
      cases_.push_back({c, kFeeDispute, WorkTime(anchor_day_ - 100, anchor_day_ - 40, &r), 0});
    }
    if (Leaving(h)) {
      cases_.push_back({c, kTransferRequest, WorkTime(anchor_day_ - 12, anchor_day_ - 2, &r), 0});
    }
  }
  for (uint64_t i = 0; cases_.size() < target; ++i) {
    Rng r = R("bank/case_fill", i);
    const uint32_t c = static_cast<uint32_t>(r.Below(clients_.size()));
    const auto kind = static_cast<CaseKind>(r.Weighted({30, 20, 15, 8, 12, 10}));
    cases_.push_back({c, kind, WorkTime(HistoryStartDay(), anchor_day_ - 1, &r), 0});
  }
  for (size_t k = 0; k < cases_.size(); ++k) {
    Rng r = R("bank/case_status", k);
    CaseSpec& cs = cases_[k];
    const int64_t age_days = (anchor_ - cs.opened) / kDayMs;
    if (cs.kind == kTransferRequest) {
      cs.status = 2;
    } else if (age_days > 21) {
      cs.status = r.Percent(40) ? 4 : 5;
    } else if (age_days > 7) {
      cs.status = static_cast<int>(r.Weighted({0, 25, 25, 0, 50}));
    } else {
      cs.status = static_cast<int>(r.Weighted({30, 40, 15, 15}));
    }
  }
}

Portfolio BankGenerator::PortfolioOf(uint32_t h) const {
  const Household& hh = households_[h];
  Rng r = R("bank/portfolio", h);
  Portfolio p;
  p.canadian = CityOf(h).country == "CA";
  static constexpr int64_t kLo[] = {100'000, 1'000'000, 10'000'000};
  static constexpr int64_t kHi[] = {1'000'000, 10'000'000, 60'000'000};
  // Skewed toward the low end of each segment, as wealth is.
  const int64_t u = r.Between(0, 1000);
  p.aum = kLo[hh.segment] + (kHi[hh.segment] - kLo[hh.segment]) / 1000 * u * u / 1000;
  p.aum = p.aum / 100 * 100;
  // Older clients lean conservative, younger ones toward growth.
  const int base = hh.age >= 70 ? 0 : hh.age >= 55 ? 1 : 2;
  p.risk = std::clamp<int>(base + static_cast<int>(r.Weighted({20, 60, 20})) - 1, 0, 3);
  std::vector<std::string_view> accounts;
  if (p.canadian) {
    accounts.push_back(hh.age >= 71 ? "RRIF" : "RRSP");
    accounts.push_back("TFSA");
    if (hh.age < 55 && r.Percent(50)) accounts.push_back("RESP");
    if (hh.age < 40 && r.Percent(40)) accounts.push_back("FHSA");
  } else {
    accounts.push_back(r.Percent(60) ? "401(k) rollover IRA" : "Traditional IRA");
    if (r.Percent(55)) accounts.push_back("Roth IRA");
    if (hh.age < 60 && r.Percent(40)) accounts.push_back("529 plan");
  }
  accounts.push_back("Brokerage");
  if (hh.cohort != Cohort::kManaged && r.Percent(60)) accounts.push_back("Managed portfolio");
  p.first_account = std::string(accounts[0]);
  for (size_t i = 0; i < accounts.size(); ++i) {
    if (i) p.accounts.push_back(',');
    p.accounts.append(accounts[i]);
  }
  // The published tiers: 1.25% to $1M, 0.95% to $5M, 0.65% above.
  const int64_t a = p.aum;
  p.fee_dollars = std::min<int64_t>(a, 1'000'000) * 125 / 10000 +
                  std::clamp<int64_t>(a - 1'000'000, 0, 4'000'000) * 95 / 10000 +
                  std::max<int64_t>(a - 5'000'000, 0) * 65 / 10000;
  p.fee_bp = static_cast<int>(p.fee_dollars * 10000 / std::max<int64_t>(a, 1));
  p.client_since_ms = anchor_ - r.Between(2 * 365, 25 * 365) * kDayMs;
  return p;
}

std::string BankGenerator::EmailOf(uint32_t c) const {
  const Client& cl = clients_[c];
  const Culture culture = CultureOf(cl.household);
  Rng r = R("bank/email", c);
  const std::string_view domain = EmailDomain(culture, &r);
  return EmailAddress(FirstNames(culture)[cl.first], LastNames(culture)[cl.last], c + 1, domain,
                      &r);
}

void BankGenerator::SetClientVars(uint32_t c, const Portfolio& p) {
  const Client& cl = clients_[c];
  const Household& hh = households_[cl.household];
  const Culture culture = CultureOf(cl.household);
  const NameEntry& first = FirstNames(culture)[cl.first];
  const NameEntry& last = LastNames(culture)[cl.last];
  const std::string advisor = AdvisorName(hh.advisor);
  Rng r = R("bank/vars", c);
  Vars& v = vars_;
  v.Set("client", first.text);
  v.Set("client_last", last.text);
  v.Set("client_full", FullName(culture, first, last));
  v.Set("advisor", advisor);
  v.Set("advisor_first", advisor.substr(0, advisor.find(' ')));
  v.Set("acct", p.first_account);
  v.Set("aum", MoneyText(p.aum, "$"));
  v.Set("risk", kRisks[p.risk]);
  v.Set("fee", Percent(p.fee_bp));
  v.Set("new_fee", Percent(p.fee_bp * 3 / 4));
  v.Set("fees_paid", MoneyText(p.fee_dollars / 10 * 10, "$"));
  v.Set("saving", MoneyText(p.fee_dollars / 4 / 10 * 10, "$"));
  v.Set("refund", MoneyText(p.fee_dollars / 8 / 10 * 10, "$"));
  v.Set("competitor", kCompetitors[R("bank/competitor", cl.household).Below(4)]);
  v.Set("competitor_fee", r.Percent(50) ? "0.40%" : "0.60%");
  v.Set("reg_acct", p.canadian ? (cl.age >= 71 ? "RRIF" : "RRSP") : "IRA");
  v.Set("chequing", p.canadian ? "chequing" : "checking");
  const int retire_age = std::max<int>(cl.age + 1, static_cast<int>(r.Between(60, 67)));
  v.Set("retire_age", std::to_string(retire_age));
  v.Set("retire_year", std::to_string(anchor_year_ + retire_age - cl.age));
  v.Set("income", MoneyText(p.aum * 4 / 100 / 1000 * 1000, "$"));
  // The contribution always fits in the room the advisor quotes.
  const int64_t room = r.Between(40, 340);
  v.Set("room", MoneyText(room * 100, "$"));
  v.Set("contrib", MoneyText(r.Between(10, room - 10) * 100, "$"));
  v.Set("monthly", MoneyText(r.Between(2, 25) * 50, "$"));
  v.Set("mortgage_balance", MoneyText(r.Between(25, 120) * 10'000, "$"));
  v.Set("renewal_month", MonthText(anchor_ + r.Between(60, 240) * kDayMs));
  v.Set("amount", MoneyText(std::max<int64_t>(p.aum / 5 / 1000 * 1000, 50'000), "$"));
}

Status BankGenerator::EmitAccounts() {
  for (uint32_t h = 0; h < households_.size(); ++h) {
    const Household& hh = households_[h];
    const Culture culture = CultureOf(h);
    const Portfolio p = PortfolioOf(h);
    Rng r = R("bank/account", h);
    std::string name = std::string(LastNames(culture)[hh.last].text) + " Household";
    if (hh.size == 1) {
      name = std::string(FirstNames(culture)[clients_[hh.first_member].first].text) + " " + name;
    }
    JsonWriter w = Record(AccountId(h), AdvisorId(hh.advisor), "na");
    w.Str("name", name)
        .Str("type", "household")
        .Str("phone", FillPattern(CityOf(h).phone, &r))
        .Str("segment", kSegments[hh.segment]);
    Rng address = R("bank/address", h);
    WriteAddress(&w, "billing_address", CityOf(h), &address);
    w.Begin("custom")
        .Int("aum", p.aum)
        .Str("currency", p.canadian ? "CAD" : "USD")
        .Str("risk_profile", kRisks[p.risk])
        .List("products", p.accounts)
        .Str("client_since", DateText(p.client_since_ms))
        .Str("advisor_name", AdvisorName(hh.advisor))
        .End();
    RETURN_IF_ERROR(Emit(&w, "accounts"));
  }
  return Status::Ok();
}

Status BankGenerator::EmitContacts() {
  static constexpr std::string_view kChannels[] = {"email", "phone", "sms", "mail", "none"};
  for (uint32_t c = 0; c < clients_.size(); ++c) {
    const Client& cl = clients_[c];
    const Household& hh = households_[cl.household];
    const Culture culture = CultureOf(cl.household);
    Rng r = R("bank/contact", c);
    const Cohort cohort = cl.role == 0 ? hh.cohort : Cohort::kSteady;
    std::string_view title = r.Pick(kOccupations);
    if (cl.age >= 66 && r.Percent(85)) title = "Retired";
    if (cl.age < 23) title = "Student";
    const int64_t dob_day = anchor_day_ - cl.age * 365 - cl.age / 4 - r.Between(1, 364);
    const std::string email = EmailOf(c);
    const std::string phone = FillPattern(CityOf(cl.household).phone, &r);
    const std::string account_id = AccountId(cl.household);
    const std::string_view channel = kChannels[r.Weighted({45, 30, 12, 8, 5})];
    const bool marketing = r.Percent(55);
    const bool profiling = r.Percent(40);
    const std::string date_of_birth = DateText(dob_day * kDayMs);
    Rng address = R("bank/address", cl.household);
    JsonWriter w = Record(ContactId(c), AdvisorId(hh.advisor), "na");
    WriteContact({.first_name = FirstNames(culture)[cl.first].text,
                  .last_name = LastNames(culture)[cl.last].text,
                  .email = email,
                  .phone = phone,
                  .account_id = account_id,
                  .title = title,
                  .preferred_channel = channel,
                  .marketing = marketing,
                  .profiling = profiling,
                  .segment = kSegments[hh.segment],
                  .date_of_birth = date_of_birth,
                  .city = &CityOf(cl.household)},
                 &address, &w);
    w.Begin("custom")
        .Str("household_role", kRoles[cl.role])
        .Str("demo_cohort", kCohortNames[static_cast<int>(cohort)])
        .End();
    RETURN_IF_ERROR(Emit(&w, "contacts"));
  }
  return Status::Ok();
}

Status BankGenerator::EmitProducts() {
  const auto products = BankProducts();
  for (size_t i = 0; i < products.size(); ++i) {
    const BankProduct& p = products[i];
    JsonWriter w = Record(ProductId(i), "product-mgmt", "na");
    WriteProduct({.sku = p.sku,
                  .name = p.name,
                  .description = p.description,
                  .category = p.category,
                  .kind = p.kind,
                  .price = Decimal(p.price_cents, 2),
                  .currency = p.currency,
                  .active = p.active,
                  .valid_from = p.valid_from,
                  .valid_to = p.valid_to},
                 &w);
    RETURN_IF_ERROR(Emit(&w, "products"));
  }
  return Status::Ok();
}

Status BankGenerator::EmitLeads() {
  static constexpr int kScoreLo[] = {20, 30, 60, 0, 70};
  static constexpr int kScoreHi[] = {60, 75, 95, 30, 100};
  const size_t count = static_cast<size_t>(120) * static_cast<size_t>(scale_);
  for (size_t i = 0; i < count; ++i) {
    Rng r = R("bank/lead", i);
    LeadFields lead;
    lead.status = r.Weighted({25, 25, 15, 20, 15});
    std::string first, last, email, phone, converted;
    if (lead.status == 4) {
      const uint32_t c = static_cast<uint32_t>(r.Below(clients_.size()));
      const Culture culture = CultureOf(clients_[c].household);
      first = FirstNames(culture)[clients_[c].first].text;
      last = LastNames(culture)[clients_[c].last].text;
      email = EmailOf(c);
      phone = FillPattern(CityOf(clients_[c].household).phone, &r);
      converted = ContactId(c);
    } else {
      const City& city = BankCities()[r.Below(BankCities().size())];
      NewLeadPerson(city, i, &r, &first, &last, &email);
      phone = FillPattern(city.phone, &r);
    }
    const std::string owner =
        AdvisorId(static_cast<int>(r.Below(static_cast<uint64_t>(advisors_))));
    lead.first_name = first;
    lead.last_name = last;
    if (r.Percent(60)) lead.company = r.Pick(kLeadCompanies);
    lead.email = email;
    lead.phone = phone;
    lead.source = r.Pick(kLeadSources);
    lead.score = r.Between(kScoreLo[lead.status], kScoreHi[lead.status]);
    lead.converted_contact_id = converted;
    JsonWriter w = Record(LeadId(i), owner, "na");
    WriteLead(lead, &w);
    w.Begin("custom")
        .Str("interest", r.Pick(kLeadInterests))
        .Int("estimated_assets", r.Between(5, 400) * 5'000)
        .End();
    RETURN_IF_ERROR(Emit(&w, "leads"));
  }
  return Status::Ok();
}

Status BankGenerator::EmitOpportunities() {
  for (size_t k = 0; k < opps_.size(); ++k) {
    const OppSpec& o = opps_[k];
    const Household& hh = households_[o.household];
    const Portfolio p = PortfolioOf(o.household);
    const OppText& text = kOppTexts[o.kind];
    Rng r = R("bank/opp", k);
    int64_t amount = r.Between(text.min_amount / 1000, text.max_amount / 1000) * 1000;
    if (o.kind == kOppRetirement || o.kind == kOppManaged || o.kind == kOppConsolidate) {
      amount = std::min(amount, std::max<int64_t>(p.aum / 1000 * 1000, text.min_amount));
    }
    const bool closed = o.stage >= 4;
    const int64_t close =
        closed ? std::min(o.created + r.Between(14, 90) * kDayMs, (anchor_day_ - 1) * kDayMs)
               : anchor_ + r.Between(7, 120) * kDayMs;
    SetClientVars(hh.first_member, p);
    vars_.Set("amount", MoneyText(amount, "$"));
    RenderBody(text.description, &r);
    const std::string name = std::string(text.name) + " - " +
                             std::string(LastNames(CultureOf(o.household))[hh.last].text) +
                             " household";
    const std::string account_id = AccountId(o.household);
    const std::string contact_id = ContactId(hh.first_member);
    JsonWriter w = Record(OppId(k), AdvisorId(hh.advisor), "na");
    WriteOpportunity({.name = name,
                      .account_id = account_id,
                      .contact_id = contact_id,
                      .amount = amount,
                      .currency = p.canadian ? "CAD" : "USD",
                      .stage = o.stage,
                      .close = close,
                      .description = body_},
                     &w);
    w.Begin("custom")
        .Str("opened_on", DateText(o.created))
        .Str("source", hh.cohort == Cohort::kSteady ? "advisor review" : "digital signals")
        .End();
    RETURN_IF_ERROR(Emit(&w, "opportunities"));
  }
  return Status::Ok();
}

Status BankGenerator::EmitCases() {
  const int agents = std::max(3, 2 * scale_);
  for (size_t k = 0; k < cases_.size(); ++k) {
    const CaseSpec& cs = cases_[k];
    const Client& cl = clients_[cs.client];
    const CaseText& text = kCaseTexts[cs.kind];
    Rng r = R("bank/case", k);
    SetClientVars(cs.client, PortfolioOf(cl.household));
    vars_.Set("n", std::to_string(r.Between(3, 6)));
    std::string subject;
    Render(&subject, text.subject, vars_, &r, " ");
    body_.clear();
    Render(&body_, text.description, vars_, &r, " ");
    size_t priority = r.Weighted({15, 55, 30});
    if (cs.kind == kFraud) priority = 3;
    if (cs.kind == kWireDelay || cs.kind == kFeeDispute) priority = 2;
    const std::string agent = "csr-" + std::to_string(100 + r.Below(static_cast<uint64_t>(agents)));
    const std::string contact_id = ContactId(cs.client);
    const std::string account_id = AccountId(cl.household);
    const std::string product_id = ProductIdOf(text.product_key);
    JsonWriter w = Record(CaseId(k), agent, "na");
    WriteCase({.subject = subject,
               .description = body_,
               .status = cs.status,
               .priority = priority,
               .contact_id = contact_id,
               .account_id = account_id,
               .origin = "phone",
               .category = text.category,
               .product_id = product_id},
              &w);
    w.Begin("custom")
        .Str("case_number", "MB-" + std::to_string(400000 + k * 7 + r.Below(7)))
        .Str("opened_at", TimeText(cs.opened))
        .End();
    RETURN_IF_ERROR(Emit(&w, "cases"));
  }
  return Status::Ok();
}

}  // namespace crmi::crm::demo_internal::bank
