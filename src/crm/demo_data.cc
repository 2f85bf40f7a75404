#include "src/crm/demo_data.h"

#include <algorithm>

#include "src/common/json_text.h"
#include "src/common/time_format.h"
#include "src/crm/demo_bank.h"
#include "src/crm/demo_internal.h"
#include "src/crm/demo_retail.h"

namespace crmi::crm {
namespace demo_internal {
namespace {

constexpr uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void AppendUnsigned(std::string* out, uint64_t v, int width) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = n; i < width; ++i) out->push_back('0');
  while (n > 0) out->push_back(buf[--n]);
}

constexpr std::string_view kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};

}  // namespace

Rng::Rng(uint64_t seed, uint64_t stream, uint64_t index) {
  state_ = Mix(Mix(seed + 0x9e3779b97f4a7c15ull) ^ stream);
  state_ = Mix(state_ ^ ((index + 1) * 0xd1b54a32d192ed03ull));
}

uint64_t Rng::Next() {
  state_ += 0x9e3779b97f4a7c15ull;
  return Mix(state_);
}

size_t Rng::Weighted(std::initializer_list<int> weights) {
  int total = 0;
  for (int w : weights) total += w;
  int r = static_cast<int>(Below(static_cast<uint64_t>(total)));
  size_t i = 0;
  for (int w : weights) {
    if (r < w) return i;
    r -= w;
    ++i;
  }
  return weights.size() - 1;
}

std::string DateText(int64_t unix_ms) {
  const CivilDate c = CivilFromDays(FloorDiv(unix_ms, kDayMs));
  std::string out;
  AppendUnsigned(&out, static_cast<uint64_t>(c.year), 4);
  out.push_back('-');
  AppendUnsigned(&out, c.month, 2);
  out.push_back('-');
  AppendUnsigned(&out, c.day, 2);
  return out;
}

std::string TimeText(int64_t unix_ms) { return FormatRfc3339Millis(unix_ms); }

int64_t QuarterEndDay(int64_t day) {
  const CivilDate c = CivilFromDays(day);
  static constexpr unsigned kEndDay[] = {31, 30, 30, 31};  // Mar 31, Jun 30, Sep 30, Dec 31
  const unsigned q = (c.month - 1) / 3;                    // 0..3: quarter containing `day`
  const unsigned end_month = q * 3 + 3;
  const int64_t end = DaysFromCivil(c.year, end_month, kEndDay[q]);
  if (end == day) return end;
  // The previous quarter ends on the last day before this quarter's first day.
  return DaysFromCivil(c.year, q * 3 + 1, 1) - 1;
}

std::string LongDate(int64_t day) {
  const CivilDate c = CivilFromDays(day);
  std::string out(kMonths[c.month - 1]);
  out.push_back(' ');
  AppendUnsigned(&out, c.day, 1);
  out.append(", ");
  AppendUnsigned(&out, static_cast<uint64_t>(c.year), 4);
  return out;
}

std::string MonthText(int64_t unix_ms) {
  const CivilDate c = CivilFromDays(FloorDiv(unix_ms, kDayMs));
  std::string out(kMonths[c.month - 1]);
  out.push_back(' ');
  AppendUnsigned(&out, static_cast<uint64_t>(c.year), 4);
  return out;
}

std::string Id(std::string_view prefix, char tag, uint64_t number, int width) {
  std::string out(prefix);
  out.push_back('_');
  out.push_back(tag);
  AppendUnsigned(&out, number, width);
  return out;
}

std::string Grouped(int64_t v) {
  std::string digits;
  AppendUnsigned(&digits, static_cast<uint64_t>(v < 0 ? -v : v), 1);
  std::string out = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Decimal(int64_t minor, int decimals) {
  std::string out = minor < 0 ? "-" : "";
  const uint64_t m = static_cast<uint64_t>(minor < 0 ? -minor : minor);
  if (decimals == 0) {
    AppendUnsigned(&out, m, 1);
    return out;
  }
  AppendUnsigned(&out, m / 100, 1);
  out.push_back('.');
  AppendUnsigned(&out, m % 100, 2);
  return out;
}

int CurrencyDecimals(std::string_view currency) { return currency == "JPY" ? 0 : 2; }

std::string MoneyText(int64_t minor, std::string_view currency) {
  if (currency == "$") return "$" + Grouped(minor);
  std::string out;
  if (CurrencyDecimals(currency) == 0) {
    out = Grouped(minor);
  } else {
    out = Grouped(minor / 100);
    out.push_back('.');
    AppendUnsigned(&out, static_cast<uint64_t>(minor % 100), 2);
  }
  out.push_back(' ');
  out.append(currency);
  return out;
}

std::string FillPattern(std::string_view pattern, Rng* rng) {
  static constexpr std::string_view kLetters = "ABCEGHJKLMNPRSTVWXYZ";
  std::string out;
  out.reserve(pattern.size());
  for (char c : pattern) {
    if (c == '#') {
      out.push_back(static_cast<char>('0' + rng->Below(10)));
    } else if (c == '@') {
      out.push_back(kLetters[rng->Below(kLetters.size())]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

JsonWriter::JsonWriter(std::string* out) : out_(out) {
  out_->clear();
  out_->push_back('{');
}

void JsonWriter::Key(std::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  out_->push_back('"');
  out_->append(key);
  out_->append("\":");
}

JsonWriter& JsonWriter::Str(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  if (value < 0) out_->push_back('-');
  AppendUnsigned(out_, static_cast<uint64_t>(value < 0 ? -value : value), 1);
  return *this;
}

JsonWriter& JsonWriter::Num(std::string_view key, std::string_view number_text) {
  Key(key);
  out_->append(number_text);
  return *this;
}

JsonWriter& JsonWriter::Bool(std::string_view key, bool value) {
  Key(key);
  out_->append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::List(std::string_view key, std::string_view csv) {
  Key(key);
  out_->push_back('[');
  size_t start = 0;
  bool first = true;
  while (start < csv.size()) {
    size_t comma = csv.find(',', start);
    if (comma == std::string_view::npos) comma = csv.size();
    if (!first) out_->push_back(',');
    first = false;
    AppendJsonString(out_, csv.substr(start, comma - start));
    start = comma + 1;
  }
  out_->push_back(']');
  return *this;
}

JsonWriter& JsonWriter::Begin(std::string_view key) {
  Key(key);
  out_->push_back('{');
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::End() {
  out_->push_back('}');
  first_ = false;
  return *this;
}

void JsonWriter::Finish() { out_->push_back('}'); }

void Vars::Set(std::string_view name, std::string_view value) {
  for (size_t i = 0; i < size_; ++i) {
    if (names_[i] == name) {
      values_[i].assign(value);
      return;
    }
  }
  // Names are string literals at every call site; overflowing kMax is a programming error that
  // the tests catch as an unexpanded placeholder.
  if (size_ == kMax) return;
  names_[size_] = name;
  values_[size_].assign(value);
  ++size_;
}

const std::string* Vars::Find(std::string_view name) const {
  for (size_t i = 0; i < size_; ++i) {
    if (names_[i] == name) return &values_[i];
  }
  return nullptr;
}

void Render(std::string* out, std::string_view tmpl, const Vars& vars, Rng* rng,
            std::string_view joiner) {
  bool first_line = true;
  bool kept = true;  // outcome of the last '?' line, which '+' lines follow
  size_t start = 0;
  while (start < tmpl.size()) {
    size_t end = tmpl.find('\n', start);
    if (end == std::string_view::npos) end = tmpl.size();
    std::string_view line = tmpl.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line[0] == '?') {
      kept = rng->Percent(50);
      if (!kept) continue;
      line.remove_prefix(1);
    } else if (!line.empty() && line[0] == '+') {
      if (!kept) continue;
      line.remove_prefix(1);
    }
    const size_t alternatives = static_cast<size_t>(std::count(line.begin(), line.end(), '|')) + 1;
    for (size_t skip = rng->Below(alternatives); skip > 0; --skip) {
      line.remove_prefix(line.find('|') + 1);
    }
    line = line.substr(0, line.find('|'));
    if (line.empty()) continue;
    if (!first_line) out->append(joiner);
    first_line = false;
    while (!line.empty()) {
      const size_t open = line.find('{');
      const size_t close = open == std::string_view::npos ? open : line.find('}', open);
      if (close == std::string_view::npos) {
        out->append(line);
        break;
      }
      out->append(line.substr(0, open));
      const std::string* value = vars.Find(line.substr(open + 1, close - open - 1));
      if (value != nullptr) {
        out->append(*value);
      } else {
        out->append(line.substr(open, close - open + 1));
      }
      line.remove_prefix(close + 1);
    }
  }
}

TenantGenerator::TenantGenerator(const DemoOptions& options, int scale, const DemoSink& sink,
                                 std::string_view tenant, char tag)
    : anchor_(options.anchor_unix_ms),
      anchor_day_(options.anchor_unix_ms / kDayMs),
      scale_(scale),
      seed_(options.seed),
      tenant_(tenant),
      tag_(tag),
      sink_(sink) {}

JsonWriter TenantGenerator::Record(std::string_view id, std::string_view owner,
                                   std::string_view region) {
  JsonWriter w(&json_);
  w.Str("id", id).Str("owner_id", owner).Str("region", region);
  return w;
}

Status TenantGenerator::Emit(JsonWriter* record, std::string_view collection) {
  record->Finish();
  return sink_(tenant_, collection, json_);
}

Status TenantGenerator::EmitKnowledge(std::span<const Article> articles, std::string_view stream,
                                      std::string_view (*region_of)(const Article&)) {
  for (size_t i = 0; i < articles.size(); ++i) {
    const Article& a = articles[i];
    Rng r = R(stream, i);
    JsonWriter w = Record(Id("kno", tag_, i + 1, 4), "kb-editors", region_of(a));
    w.Str("title", a.title)
        .Str("body", a.body)
        .List("tags", a.tags)
        .Str("locale", a.locale)
        .Str("status", "published")
        .Str("audience", a.audience)
        .Begin("custom")
        .Str("last_reviewed", DateText(anchor_ - r.Between(14, 300) * kDayMs))
        .End();
    RETURN_IF_ERROR(Emit(&w, "knowledge"));
  }
  return Status::Ok();
}

void TenantGenerator::NewLeadPerson(const City& city, uint64_t index, Rng* r,
                                    std::string* first_name, std::string* last_name,
                                    std::string* email) {
  const NameEntry& first = r->Pick(FirstNames(city.culture));
  const NameEntry& last = r->Pick(LastNames(city.culture));
  first_name->assign(first.text);
  last_name->assign(last.text);
  // Leads use example.org, which contacts never do, so their emails cannot collide.
  *email = EmailAddress(first, last, index + 1, "example.org", r);
}

void TenantGenerator::WriteContact(const ContactFields& c, Rng* address, JsonWriter* w) {
  w->Str("first_name", c.first_name)
      .Str("last_name", c.last_name)
      .Str("email", c.email)
      .Str("phone", c.phone)
      .Str("account_id", c.account_id);
  if (!c.title.empty()) w->Str("title", c.title);
  w->Str("preferred_channel", c.preferred_channel)
      .Begin("consent")
      .Bool("marketing", c.marketing)
      .Bool("profiling", c.profiling)
      .End()
      .Str("segment", c.segment);
  if (!c.date_of_birth.empty()) w->Str("date_of_birth", c.date_of_birth);
  WriteAddress(w, "mailing_address", *c.city, address);
  w->Str("locale", LocaleOf(c.city->culture));
}

void TenantGenerator::WriteProduct(const ProductFields& p, JsonWriter* w) {
  w->Str("sku", p.sku)
      .Str("name", p.name)
      .Str("description", p.description)
      .Str("category", p.category)
      .Str("kind", p.kind)
      .Num("price", p.price)
      .Str("currency", p.currency)
      .Bool("active", p.active);
  if (!p.valid_from.empty()) w->Str("valid_from", p.valid_from).Str("valid_to", p.valid_to);
}

void TenantGenerator::WriteLead(const LeadFields& l, JsonWriter* w) {
  w->Str("first_name", l.first_name).Str("last_name", l.last_name);
  if (!l.company.empty()) w->Str("company", l.company);
  w->Str("email", l.email);
  if (!l.phone.empty()) w->Str("phone", l.phone);
  w->Str("status", kLeadStatuses[l.status]).Str("source", l.source).Int("score", l.score);
  if (!l.converted_contact_id.empty()) w->Str("converted_contact_id", l.converted_contact_id);
}

void TenantGenerator::WriteOpportunity(const OpportunityFields& o, JsonWriter* w) {
  w->Str("name", o.name)
      .Str("account_id", o.account_id)
      .Str("contact_id", o.contact_id)
      .Int("amount", o.amount)
      .Str("currency", o.currency)
      .Str("stage", kStages[o.stage])
      .Int("probability", kStageProbability[o.stage])
      .Str("close_date", DateText(o.close))
      .Str("description", o.description);
}

void TenantGenerator::WriteCase(const CaseFields& c, JsonWriter* w) {
  w->Str("subject", c.subject)
      .Str("description", c.description)
      .Str("status", kCaseStatuses[c.status])
      .Str("priority", kPriorities[c.priority])
      .Str("contact_id", c.contact_id)
      .Str("account_id", c.account_id)
      .Str("origin", c.origin)
      .Str("category", c.category)
      .Str("product_id", c.product_id);
}

Status TenantGenerator::EmitActivity(const Thread& thread, const Activity& a, const Vars& vars,
                                     Rng* r) {
  subject_.clear();
  Render(&subject_, a.subject, vars, r, " ");
  JsonWriter w = Record(Id("act", tag_, next_activity_++, 7), thread.owner, thread.region);
  w.Str("parent_type", thread.parent_type)
      .Str("parent_id", thread.parent_id)
      .Str("channel", a.channel)
      .Str("direction", a.direction)
      .Str("occurred_at", TimeText(a.at))
      .Str("subject", subject_)
      .Str("body", a.body);
  if (a.duration >= 0) w.Int("duration_seconds", a.duration);
  w.Begin("custom").Str("topic", a.topic).End();
  return Emit(&w, "activities");
}

}  // namespace demo_internal

Result<DemoSize> ParseDemoSize(std::string_view name) {
  if (name == "small") return DemoSize::kSmall;
  if (name == "medium") return DemoSize::kMedium;
  if (name == "large") return DemoSize::kLarge;
  return InvalidArgument("unknown demo size '" + std::string(name.substr(0, 32)) +
                         "': expected small, medium or large");
}

namespace {

int Scale(DemoSize size) {
  switch (size) {
    case DemoSize::kSmall:
      return 1;
    case DemoSize::kMedium:
      return 10;
    case DemoSize::kLarge:
      return 100;
  }
  return 1;
}

}  // namespace

Status GenerateDemo(const DemoOptions& options, const DemoSink& sink) {
  const int scale = Scale(options.size);
  RETURN_IF_ERROR(demo_internal::bank::BankGenerator(options, scale, sink).Run());
  return demo_internal::retail::RetailGenerator(options, scale, sink).Run();
}

const std::vector<std::string>& DemoTenants() {
  static const auto* tenants = new std::vector<std::string>{"maple-bank", "orbit-retail"};
  return *tenants;
}

DemoCounts ExpectedDemoCounts(DemoSize size) {
  const int64_t scale = Scale(size);
  return {2000 * scale, 20000 * scale};
}

}  // namespace crmi::crm
