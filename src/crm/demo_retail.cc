// Tenant "orbit-retail" (demo_retail.h): its members, their orders and loyalty, and its records
// other than activities (demo_retail_timeline.cc).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "src/crm/demo_retail.h"

namespace crmi::crm::demo_internal::retail {
namespace {

constexpr std::string_view kTenant = "orbit-retail";
constexpr char kTag = 'r';

// Articles are filed under the region whose markets read their locale.
std::string_view RegionOfArticle(const Article& a) {
  if (a.locale == "ja-JP" || a.locale == "en-AU") return "apac";
  return a.locale == "en-US" ? "na" : "eu";
}

int CategoryIndex(std::string_view category) {
  for (int i = 0; i < 6; ++i) {
    if (kCategories[i] == category) return i;
  }
  return 5;
}

// 16 digits in a Visa (4...) or Mastercard (51-55...) range with a valid Luhn check digit.
std::string TestCardNumber(Rng* rng) {
  std::string digits = rng->Below(2) == 0 ? "4" : "5" + std::to_string(rng->Between(1, 5));
  while (digits.size() < 15) digits.push_back(static_cast<char>('0' + rng->Below(10)));
  int sum = 0;
  // Walking right to left from the digit before the check digit, every first digit is doubled.
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    if (i % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  digits.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  return digits;
}

}  // namespace

int64_t Price(int m, size_t i) {
  const int64_t usd = RetailItems()[i].usd_cents;
  switch (m) {
    case 1:
      return (usd * 95 / 100 + 50) / 100 * 100 - 1;  // EUR: 236.99
    case 2:
      return (usd * 82 / 100 + 50) / 100 * 100 - 1;  // GBP
    case 3:
      return (usd * 150 / 100 + 50) / 100 * 100;  // JPY: 37,400
    case 4:
      return (usd * 155 / 100 + 50) / 100 * 100 - 5;  // AUD: 385.95
    default:
      return usd;
  }
}

RetailGenerator::RetailGenerator(const DemoOptions& options, int scale, const DemoSink& sink)
    : TenantGenerator(options, scale, sink, kTenant, kTag) {}

Status RetailGenerator::Run() {
  BuildMembers();
  BuildCases();
  BuildOpportunities();
  RETURN_IF_ERROR(EmitAccounts());
  RETURN_IF_ERROR(EmitContacts());
  RETURN_IF_ERROR(EmitProducts());
  RETURN_IF_ERROR(EmitOffers());
  RETURN_IF_ERROR(EmitKnowledge(RetailArticles(), "retail/knowledge", RegionOfArticle));
  RETURN_IF_ERROR(EmitLeads());
  RETURN_IF_ERROR(EmitOpportunities());
  RETURN_IF_ERROR(EmitCases());
  return EmitActivities();
}

int64_t RetailGenerator::ShopTime(int64_t first_day, int64_t last_day, int market, Rng* r) const {
  static constexpr int kUtcOffsetHours[] = {-5, 1, 0, 9, 10};
  const int64_t day = r->Between(first_day, std::max(first_day, last_day));
  const int64_t minute = r->Between(7 * 60, 23 * 60 - 1);
  const int64_t local = minute * kMinuteMs + r->Between(0, 59) * 1000;
  const int64_t at = day * kDayMs + local - kUtcOffsetHours[market] * kHourMs;
  return std::min(at, anchor_ - kHourMs);
}

void RetailGenerator::BuildMembers() {
  const size_t target = static_cast<size_t>(1200) * static_cast<size_t>(scale_);
  members_.reserve(target);
  for (uint32_t h = 0; members_.size() < target; ++h) {
    Rng r = R("retail/household", h);
    // na 45%; eu 35% (UK 12, Germany/France 23); apac 20% (Japan 11, Australia 9).
    const int market = static_cast<int>(r.Weighted({45, 23, 12, 11, 9}));
    const Market& mk = kMarkets[market];
    const uint8_t city = static_cast<uint8_t>(mk.city_first + r.Below(mk.city_count));
    const Culture culture = RetailCities()[city].culture;
    const uint16_t last = static_cast<uint16_t>(r.Below(LastNames(culture).size()));
    size_t size = r.Percent(15) ? 2 : 1;
    size = std::min(size, target - members_.size());
    households_.push_back({static_cast<uint32_t>(members_.size()), static_cast<uint8_t>(size)});
    for (size_t i = 0; i < size; ++i) {
      Member m{};
      m.household = h;
      m.first = static_cast<uint16_t>(r.Below(FirstNames(culture).size()));
      m.last = (i == 0 || r.Percent(70))
                   ? last
                   : static_cast<uint16_t>(r.Below(LastNames(culture).size()));
      m.city = city;
      m.market = static_cast<uint8_t>(market);
      m.tier = static_cast<uint8_t>(r.Weighted({50, 30, 15, 5}));
      m.cohort = static_cast<Cohort>(r.Weighted({72, 12, 16}));
      m.age = static_cast<uint8_t>(r.Between(19, 74));
      members_.push_back(m);
    }
  }
}

std::vector<Order> RetailGenerator::MemberOrders(uint32_t m) const {
  const Member& mb = members_[m];
  Rng r = R("retail/orders", m);
  static constexpr int kMin[] = {0, 1, 2, 4};
  static constexpr int kMax[] = {2, 4, 6, 9};
  int count = static_cast<int>(r.Between(kMin[mb.tier], kMax[mb.tier]));
  int64_t last_day = anchor_day_ - 1;
  if (mb.cohort == Cohort::kLapsing) {
    // Lapsing members stopped ordering ~5 months ago; their last order went wrong.
    count = std::max(count, 2);
    last_day = anchor_day_ - 150;
  }
  const auto items = RetailItems();
  std::vector<Order> orders;
  for (int j = 0; j < count; ++j) {
    Order o{};
    o.at = ShopTime(HistoryStartDay(), last_day, mb.market, &r);
    // Bijective scramble of (member, j) in [0, 2^26): unique order numbers that look random.
    const uint64_t key =
        (static_cast<uint64_t>(m) * 16 + static_cast<uint64_t>(j)) * 2654435761ull % (1ull << 26);
    o.number = static_cast<uint32_t>(10'000'000 + key);
    o.n = static_cast<int>(r.Weighted({55, 30, 15})) + 1;
    for (int k = 0; k < o.n; ++k) {
      size_t item = r.Below(items.size());
      const size_t other = r.Below(items.size());
      // Cheaper items sell more often.
      if (items[other].usd_cents < items[item].usd_cents && r.Percent(70)) item = other;
      o.items[k] = static_cast<uint8_t>(item);
      o.qty[k] = items[item].usd_cents < 5000 && r.Percent(30) ? 2 : 1;
      o.subtotal += Price(mb.market, item) * o.qty[k];
    }
    const Market& mk = kMarkets[mb.market];
    o.shipping = (o.subtotal >= mk.free_over || mb.tier >= 1) ? 0 : mk.shipping;
    o.total = o.subtotal + o.shipping;
    o.app = r.Percent(45);
    orders.push_back(o);
  }
  std::stable_sort(orders.begin(), orders.end(),
                   [](const Order& a, const Order& b) { return a.at < b.at; });
  return orders;
}

std::pair<int64_t, int64_t> RetailGenerator::Loyalty(uint32_t m) const {
  const Member& mb = members_[m];
  Rng r = R("retail/loyalty", m);
  int64_t spent = 0;
  for (const Order& o : MemberOrders(m)) spent += o.total;
  // Points are earned per currency unit (per 150 JPY); lifetime value includes purchases made
  // before the 18 months of history, and part of the points has been redeemed.
  const int64_t unit = kMarkets[mb.market].currency == "JPY" ? 150 : 100;
  const int64_t ltv = spent + r.Between(0, 40 + 200 * mb.tier) * unit;
  const int64_t points = std::max<int64_t>(0, ltv / unit * (4 + mb.tier) / 10 - r.Between(0, 100));
  return {ltv, points};
}

void RetailGenerator::BuildCases() {
  const size_t target = static_cast<size_t>(240) * static_cast<size_t>(scale_);
  const int64_t cutoff = anchor_ - 10 * kDayMs;
  for (uint32_t m = 0; m < members_.size() && cases_.size() < target / 4; ++m) {
    if (members_[m].cohort != Cohort::kLapsing) continue;
    Rng r = R("retail/case_plan", m);
    if (!r.Percent(70)) continue;
    const auto orders = MemberOrders(m);
    const uint8_t last = static_cast<uint8_t>(orders.size() - 1);
    const CaseKind kind = r.Percent(50) ? kLate : kRefund;
    const int64_t opened =
        orders[last].at + (kind == kLate ? r.Between(5, 9) : r.Between(20, 30)) * kDayMs;
    cases_.push_back({m, kind, last, 0, opened, 0});
  }
  for (uint64_t i = 0; cases_.size() < target; ++i) {
    Rng r = R("retail/case_fill", i);
    const uint32_t m = static_cast<uint32_t>(r.Below(members_.size()));
    const auto orders = MemberOrders(m);
    if (orders.empty() || orders[0].at > cutoff) continue;
    uint8_t idx = static_cast<uint8_t>(r.Below(orders.size()));
    while (orders[idx].at > cutoff) --idx;
    const Order& o = orders[idx];
    CaseKind kind = static_cast<CaseKind>(r.Weighted({25, 20, 15, 25, 10, 5}));
    const uint8_t slot = static_cast<uint8_t>(r.Below(static_cast<uint64_t>(o.n)));
    const std::string_view category = RetailItems()[o.items[slot]].category;
    if (kind == kExchange && category != "apparel" && category != "footwear") kind = kLate;
    if (kind == kWarranty && o.at > anchor_ - 45 * kDayMs) kind = kDamaged;
    static constexpr int64_t kLo[] = {5, 2, 20, 40, 3, 16};
    static constexpr int64_t kHi[] = {9, 6, 30, 300, 12, 30};
    const int64_t days = r.Between(kLo[kind], kHi[kind]);
    const int64_t opened = o.at + days * kDayMs + r.Between(0, 8 * 60) * kMinuteMs;
    cases_.push_back(
        {m, kind, idx, slot, std::min(opened, anchor_ - r.Between(2, 30) * kHourMs), 0});
  }
  for (size_t k = 0; k < cases_.size(); ++k) {
    Rng r = R("retail/case_status", k);
    CaseSpec& cs = cases_[k];
    const int64_t age_days = (anchor_ - cs.opened) / kDayMs;
    if (age_days > 14) {
      cs.status = r.Percent(30) ? 4 : 5;
    } else if (age_days > 4) {
      cs.status = static_cast<int>(r.Weighted({0, 20, 30, 10, 40}));
    } else {
      cs.status = static_cast<int>(r.Weighted({35, 40, 15, 10}));
    }
  }
}

void RetailGenerator::BuildOpportunities() {
  const size_t target = static_cast<size_t>(60) * static_cast<size_t>(scale_);
  for (uint64_t i = 0; opps_.size() < target; ++i) {
    Rng r = R("retail/opp_plan", i);
    OppSpec o{};
    o.member = static_cast<uint32_t>(r.Below(members_.size()));
    o.kind = static_cast<int>(r.Below(std::size(kOppTexts)));
    o.created = ShopTime(HistoryStartDay(), anchor_day_ - 10, members_[o.member].market, &r);
    const bool recent = o.created > anchor_ - 90 * kDayMs;
    o.stage = recent && r.Percent(70) ? static_cast<int>(r.Weighted({20, 35, 30, 15}))
                                      : (r.Percent(50) ? 4 : 5);
    opps_.push_back(o);
  }
}

std::string RetailGenerator::EmailOf(uint32_t m) const {
  const Member& mb = members_[m];
  const Culture culture = RetailCities()[mb.city].culture;
  Rng r = R("retail/email", m);
  const std::string_view domain = EmailDomain(culture, &r);
  return EmailAddress(FirstNames(culture)[mb.first], LastNames(culture)[mb.last], m + 1, domain,
                      &r);
}

std::string RetailGenerator::ItemList(const Order& o) const {
  std::string out;
  for (int k = 0; k < o.n; ++k) {
    if (k) out += ", ";
    out += RetailItems()[o.items[k]].name;
    if (o.qty[k] > 1) out += " x" + std::to_string(o.qty[k]);
  }
  return out;
}

void RetailGenerator::SetMemberVars(uint32_t m) {
  const Member& mb = members_[m];
  const Market& mk = kMarkets[mb.market];
  const Culture culture = RetailCities()[mb.city].culture;
  const NameEntry& first = FirstNames(culture)[mb.first];
  const NameEntry& last = LastNames(culture)[mb.last];
  Rng r = R("retail/vars", m);
  vars_.Set("greet", GreetingName(culture, first, last));
  vars_.Set("client", FullName(culture, first, last));
  vars_.Set("agent", r.Pick(mk.agents));
  vars_.Set("city", RetailCities()[mb.city].label);
  vars_.Set("tier", kTiers[mb.tier]);
  vars_.Set("return_days", mb.tier == 3 ? "60" : "30");
  vars_.Set("payment", r.Pick(mk.payments));
  vars_.Set("bonus_points", std::to_string(r.Between(2, 5) * 50));
  vars_.Set("points", Grouped(Loyalty(m).second));
  vars_.Set("next_tier",
            mb.tier == 3 ? std::string_view("keeping Platinum next year") : kTiers[mb.tier + 1]);
  vars_.Set("to_next", std::to_string(r.Between(40, 400)));
}

void RetailGenerator::SetOrderVars(uint32_t m, const Order& o, int slot) {
  const Market& mk = MarketOf(m);
  const RetailItem& item = RetailItems()[o.items[slot]];
  Rng r = R("retail/order_vars", o.number);
  vars_.Set("order", OrderNumber(o.number));
  vars_.Set("item", item.name);
  vars_.Set("items", ItemList(o));
  vars_.Set("total", Money(o.total, m));
  vars_.Set("total_item", Money(Price(members_[m].market, o.items[slot]) * o.qty[slot], m));
  vars_.Set("carrier", mk.carriers[o.number % 2]);
  vars_.Set("promised", DateText(o.at + 4 * kDayMs));
  vars_.Set("received", DateText(o.at + r.Between(8, 12) * kDayMs));
  vars_.Set("tracking", FillPattern("1Z##########", &r));
  vars_.Set("eta", DateText(o.at + r.Between(2, 4) * kDayMs));
  vars_.Set("eta_text", mk.eta);
  vars_.Set("months", std::to_string(std::max<int64_t>(1, (anchor_ - o.at) / (30 * kDayMs))));
  scratch_.clear();
  Render(&scratch_, kFaults[CategoryIndex(item.category)], vars_, &r, "");  // picks one fault
  vars_.Set("fault", scratch_);
  vars_.Set("fault_short", "normal wear");
  vars_.Set("damage", r.Percent(50) ? "the corner is dented" : "one part is cracked");
  const int64_t units = o.total / (mk.currency == "JPY" ? 150 : 100);
  vars_.Set("order_points", std::to_string(std::max<int64_t>(1, units)));
}

void RetailGenerator::RenderBody(std::string_view tmpl, Rng* r) {
  body_.clear();
  Render(&body_, tmpl, vars_, r, "\n");
}

Status RetailGenerator::EmitAccounts() {
  for (uint32_t h = 0; h < households_.size(); ++h) {
    const uint32_t m = households_[h].first_member;
    const Member& mb = members_[m];
    const Culture culture = CityOf(m).culture;
    Rng r = R("retail/account", h);
    const NameEntry& first = FirstNames(culture)[mb.first];
    const NameEntry& last = LastNames(culture)[mb.last];
    std::string name = FullName(culture, first, last);
    if (households_[h].size > 1) name = std::string(last.text) + " household";
    JsonWriter w =
        Record(AccountId(h), "cx-" + std::string(MarketOf(m).region), MarketOf(m).region);
    w.Str("name", name).Str("type", "customer").Str("segment", "consumer");
    Rng address = R("retail/address", h);
    WriteAddress(&w, "billing_address", CityOf(m), &address);
    w.Begin("custom")
        .Str("market", MarketOf(m).code)
        .Str("loyalty_account", "OL-" + FillPattern("#########", &r))
        .Int("members", households_[h].size)
        .End();
    RETURN_IF_ERROR(Emit(&w, "accounts"));
  }
  return Status::Ok();
}

Status RetailGenerator::EmitContacts() {
  static constexpr std::string_view kChannels[] = {"email", "push", "sms", "none"};
  static constexpr std::string_view kValue[] = {"value", "core", "core", "premium"};
  for (uint32_t m = 0; m < members_.size(); ++m) {
    const Member& mb = members_[m];
    const Market& mk = MarketOf(m);
    const Culture culture = CityOf(m).culture;
    Rng r = R("retail/contact", m);
    const auto [ltv, points] = Loyalty(m);
    const std::string email = EmailOf(m);
    const std::string phone = FillPattern(CityOf(m).phone, &r);
    const std::string account_id = AccountId(mb.household);
    const std::string_view channel = kChannels[r.Weighted({50, 25, 15, 10})];
    const bool marketing = mb.cohort != Cohort::kLapsing && r.Percent(65);
    const bool profiling = r.Percent(45);
    std::string date_of_birth;
    if (r.Percent(60)) {
      const int64_t dob = anchor_day_ - mb.age * 365 - mb.age / 4 - r.Between(1, 364);
      date_of_birth = DateText(dob * kDayMs);
    }
    Rng address = R("retail/address", mb.household);
    JsonWriter w = Record(ContactId(m), "cx-" + std::string(mk.region), mk.region);
    WriteContact({.first_name = FirstNames(culture)[mb.first].text,
                  .last_name = LastNames(culture)[mb.last].text,
                  .email = email,
                  .phone = phone,
                  .account_id = account_id,
                  .preferred_channel = channel,
                  .marketing = marketing,
                  .profiling = profiling,
                  .segment = kValue[mb.tier],
                  .date_of_birth = date_of_birth,
                  .city = &CityOf(m)},
                 &address, &w);
    w.Begin("custom")
        .Str("loyalty_tier", kTiers[mb.tier])
        .Int("points", points)
        .Num("lifetime_value", Decimal(ltv, CurrencyDecimals(mk.currency)))
        .Str("currency", mk.currency)
        .Str("member_since", DateText(anchor_ - r.Between(200, 3650) * kDayMs))
        .Str("demo_cohort", kCohortNames[static_cast<int>(mb.cohort)]);
    // Two members in three keep a card on file: a Luhn-valid test number (Visa or Mastercard
    // ranges), the payment data support agents must never see.
    if (Rng card = R("retail/card", m); card.Below(3) != 0) {
      w.Str("payment_card", TestCardNumber(&card));
    }
    w.End();
    RETURN_IF_ERROR(Emit(&w, "contacts"));
  }
  return Status::Ok();
}

Status RetailGenerator::EmitProducts() {
  const auto items = RetailItems();
  for (int m = 0; m < kMarketCount; ++m) {
    const Market& mk = kMarkets[m];
    for (size_t i = 0; i < items.size(); ++i) {
      const RetailItem& item = items[i];
      Rng r = R("retail/product", static_cast<uint64_t>(m) * items.size() + i);
      body_.assign(item.features);
      body_ += "\n\n";
      body_ += RetailWarranty(item.category);
      body_ += " ";
      body_ += mk.legal;
      body_ += "\n\nDelivery in ";
      body_ += mk.eta;
      body_ += ". ";
      body_ += mk.returns;
      const int64_t rating = r.Between(36, 49);
      JsonWriter w = Record(ListingId(m, i), "merch-" + std::string(mk.region), mk.region);
      WriteProduct({.sku = std::string(item.code) + "-" + std::string(mk.code),
                    .name = item.name,
                    .description = body_,
                    .category = item.category,
                    .kind = "product",
                    .price = Decimal(Price(m, i), CurrencyDecimals(mk.currency)),
                    .currency = mk.currency},
                   &w);
      w.Begin("custom")
          .Str("market", mk.code)
          .Num("avg_rating", std::to_string(rating / 10) + "." + std::to_string(rating % 10))
          .Int("review_count", r.Between(3, 900))
          .End();
      RETURN_IF_ERROR(Emit(&w, "products"));
    }
  }
  return Status::Ok();
}

Status RetailGenerator::EmitOffers() {
  // Three offers per market, listed after the catalogue: a running members' sale, a trade-in
  // bonus and an expired sale.
  uint64_t next = static_cast<uint64_t>(kMarketCount) * RetailItems().size();
  for (int m = 0; m < kMarketCount; ++m) {
    const Market& mk = kMarkets[m];
    const std::string bonus = MoneyText(mk.bonus, mk.currency);
    struct Offer {
      std::string name, description, from, to;
      bool active;
    };
    const Offer offers[] = {
        {"Orbit Members Week: 20% off outdoor gear",
         "Orbit Rewards members save 20% on all outdoor gear, including tents, sleeping bags, "
         "backpacks, stoves and trekking poles, and earn double points on every order during "
         "Members Week. The discount is applied automatically at checkout when you are signed "
         "in and cannot be combined with other vouchers. Outdoor gear is covered by the Orbit "
         "Trail Guarantee.",
         "2026-10-26", "2026-11-08", true},
        {"Headphone trade-in bonus: " + bonus + " off Aurora ANC",
         "Trade in any pair of working or broken headphones in store or by mail and get " + bonus +
             " off the Aurora ANC Wireless Headphones. Old headphones are refurbished or "
             "recycled responsibly. One trade-in per purchase; the bonus is applied after we "
             "receive the trade-in.",
         "2026-09-01", "2026-11-30", true},
        {"Summer Sale: up to 30% off home and kitchen",
         "Up to 30% off selected furniture, lighting, cookware and small kitchen appliances. "
         "Sale prices applied to orders placed between June 20 and July 15, 2026. The sale has "
         "ended; sale purchases keep the standard warranty and returns window.",
         "2026-06-20", "2026-07-15", false}};
    for (const Offer& o : offers) {
      JsonWriter w = Record(ProductId(next++), "merch-" + std::string(mk.region), mk.region);
      WriteProduct({.sku = "OFR-" + o.from.substr(0, 4) + "-" + std::string(mk.code) + "-" +
                           std::to_string(&o - offers + 1),
                    .name = o.name,
                    .description = o.description,
                    .category = "promotion",
                    .kind = "offer",
                    .price = "0",
                    .currency = mk.currency,
                    .active = o.active,
                    .valid_from = o.from,
                    .valid_to = o.to},
                   &w);
      w.Begin("custom").Str("market", mk.code).End();
      RETURN_IF_ERROR(Emit(&w, "products"));
    }
  }
  return Status::Ok();
}

Status RetailGenerator::EmitLeads() {
  static constexpr int kScoreLo[] = {10, 30, 55, 0, 60};
  static constexpr int kScoreHi[] = {50, 70, 90, 25, 100};
  const size_t count = static_cast<size_t>(200) * static_cast<size_t>(scale_);
  for (size_t i = 0; i < count; ++i) {
    Rng r = R("retail/lead", i);
    LeadFields lead;
    lead.status = r.Weighted({35, 15, 10, 25, 15});
    const size_t source = r.Weighted({35, 25, 20, 10, 10});
    int market = 0;
    std::string first, last, email, converted;
    if (lead.status == 4) {
      const uint32_t m = static_cast<uint32_t>(r.Below(members_.size()));
      const Culture culture = CityOf(m).culture;
      first = FirstNames(culture)[members_[m].first].text;
      last = LastNames(culture)[members_[m].last].text;
      email = EmailOf(m);
      market = members_[m].market;
      converted = ContactId(m);
    } else {
      market = static_cast<int>(r.Weighted({45, 23, 12, 11, 9}));
      const Market& mk = kMarkets[market];
      const City& city = RetailCities()[static_cast<size_t>(mk.city_first) +
                                        r.Below(static_cast<uint64_t>(mk.city_count))];
      NewLeadPerson(city, i, &r, &first, &last, &email);
    }
    const Market& mk = kMarkets[market];
    lead.first_name = first;
    lead.last_name = last;
    if (source == 4) lead.company = r.Pick(kLeadCompanies);
    lead.email = email;
    lead.source = kLeadSources[source];
    lead.score = r.Between(kScoreLo[lead.status], kScoreHi[lead.status]);
    lead.converted_contact_id = converted;
    JsonWriter w = Record(LeadId(i), "growth-" + std::string(mk.region), mk.region);
    WriteLead(lead, &w);
    w.Begin("custom").Str("market", mk.code).Str("interest", kCategories[r.Below(6)]).End();
    RETURN_IF_ERROR(Emit(&w, "leads"));
  }
  return Status::Ok();
}

Status RetailGenerator::EmitOpportunities() {
  for (size_t k = 0; k < opps_.size(); ++k) {
    const OppSpec& o = opps_[k];
    const Member& mb = members_[o.member];
    const Market& mk = MarketOf(o.member);
    const OppText& text = kOppTexts[o.kind];
    Rng r = R("retail/opp", k);
    SetMemberVars(o.member);
    // Amount in whole units of the market currency (USD-equivalent range, JPY scaled).
    int64_t amount = r.Between(text.min_units / 10, text.max_units / 10) * 10;
    if (mk.currency == "JPY") amount *= 150;
    if (mk.currency == "AUD") amount = amount * 155 / 100;
    const bool closed = o.stage >= 4;
    const int64_t close =
        closed ? std::min(o.created + r.Between(10, 60) * kDayMs, (anchor_day_ - 1) * kDayMs)
               : anchor_ + r.Between(7, 90) * kDayMs;
    RenderBody(text.description, &r);
    const std::string name = std::string(text.name) + " - " + *vars_.Find("client");
    const std::string account_id = AccountId(mb.household);
    const std::string contact_id = ContactId(o.member);
    JsonWriter w = Record(OppId(k), "sales-" + std::string(mk.region), mk.region);
    WriteOpportunity({.name = name,
                      .account_id = account_id,
                      .contact_id = contact_id,
                      .amount = amount,
                      .currency = mk.currency,
                      .stage = o.stage,
                      .close = close,
                      .description = body_},
                     &w);
    w.Begin("custom").Str("opened_on", DateText(o.created)).End();
    RETURN_IF_ERROR(Emit(&w, "opportunities"));
  }
  return Status::Ok();
}

Status RetailGenerator::EmitCases() {
  static constexpr std::string_view kOrigin[] = {"chat", "email", "phone", "app"};
  for (size_t k = 0; k < cases_.size(); ++k) {
    const CaseSpec& cs = cases_[k];
    const Member& mb = members_[cs.member];
    const CaseText& text = kCaseTexts[cs.kind];
    const auto orders = MemberOrders(cs.member);
    const Order& o = orders[cs.order];
    Rng r = R("retail/case", k);
    SetMemberVars(cs.member);
    SetOrderVars(cs.member, o, cs.slot);
    std::string subject;
    Render(&subject, text.subject, vars_, &r, " ");
    body_.clear();
    Render(&body_, text.description, vars_, &r, " ");
    size_t priority = r.Weighted({20, 55, 20, 5});
    if (mb.cohort == Cohort::kLapsing && (cs.kind == kLate || cs.kind == kRefund)) priority = 2;
    const std::string contact_id = ContactId(cs.member);
    const std::string account_id = AccountId(mb.household);
    const std::string_view origin = kOrigin[r.Weighted({60, 20, 10, 10})];
    const std::string product_id = ListingId(mb.market, o.items[cs.slot]);
    JsonWriter w = Record(CaseId(k), CaseAgent(k), MarketOf(cs.member).region);
    WriteCase({.subject = subject,
               .description = body_,
               .status = cs.status,
               .priority = priority,
               .contact_id = contact_id,
               .account_id = account_id,
               .origin = origin,
               .category = text.category,
               .product_id = product_id},
              &w);
    w.Begin("custom")
        .Str("order_number", OrderNumber(o.number))
        .Str("case_number", CaseNumber(k))
        .End();
    RETURN_IF_ERROR(Emit(&w, "cases"));
  }
  return Status::Ok();
}

}  // namespace crmi::crm::demo_internal::retail
