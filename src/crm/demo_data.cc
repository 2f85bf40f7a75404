#include "src/crm/demo_data.h"

#include <algorithm>
#include <cstdio>

#include "src/common/json_text.h"
#include "src/common/time_format.h"
#include "src/crm/demo_internal.h"

namespace crmi::crm {
namespace demo_internal {
namespace {

constexpr uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

// Howard Hinnant's civil_from_days (the inverse of DaysFromCivil).
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
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

// Transliterations for the Latin letters that occur in the name tables.
constexpr std::pair<std::string_view, std::string_view> kFold[] = {
    {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}, {"Ä", "ae"}, {"Ö", "oe"}, {"Ü", "ue"},
    {"é", "e"},  {"è", "e"},  {"ê", "e"},  {"ë", "e"},  {"É", "e"},  {"à", "a"},  {"â", "a"},
    {"ç", "c"},  {"î", "i"},  {"ï", "i"},  {"ô", "o"},  {"û", "u"},  {"ù", "u"},  {"ł", "l"}};

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
  const Civil c = CivilFromDays(FloorDiv(unix_ms, kDayMs));
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
  const Civil c = CivilFromDays(day);
  static constexpr unsigned kEndDay[] = {31, 30, 30, 31};  // Mar 31, Jun 30, Sep 30, Dec 31
  const unsigned q = (c.month - 1) / 3;                    // 0..3: quarter containing `day`
  const unsigned end_month = q * 3 + 3;
  const int64_t end = DaysFromCivil(c.year, end_month, kEndDay[q]);
  if (end == day) return end;
  // The previous quarter ends on the last day before this quarter's first day.
  return DaysFromCivil(c.year, q * 3 + 1, 1) - 1;
}

std::string LongDate(int64_t day) {
  const Civil c = CivilFromDays(day);
  std::string out(kMonths[c.month - 1]);
  out.push_back(' ');
  AppendUnsigned(&out, c.day, 1);
  out.append(", ");
  AppendUnsigned(&out, static_cast<uint64_t>(c.year), 4);
  return out;
}

std::string MonthText(int64_t unix_ms) {
  const Civil c = CivilFromDays(FloorDiv(unix_ms, kDayMs));
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

std::string_view LocaleOf(Culture c) {
  switch (c) {
    case Culture::kEnUS:
      return "en-US";
    case Culture::kEnCA:
      return "en-CA";
    case Culture::kFrCA:
      return "fr-CA";
    case Culture::kEnGB:
      return "en-GB";
    case Culture::kDeDE:
      return "de-DE";
    case Culture::kFrFR:
      return "fr-FR";
    case Culture::kJaJP:
      return "ja-JP";
    case Culture::kEnAU:
      return "en-AU";
  }
  return "en-US";
}

std::string_view EmailDomain(Culture c, Rng* rng) {
  // Reserved example domains (RFC 2606) dressed per country; bare example.org is kept for leads.
  static constexpr std::string_view kDomains[][2] = {
      {"example.com", "mail.example.com"},        {"ca.example.com", "example.net"},
      {"qc.example.net", "courriel.example.com"}, {"uk.example.net", "mail.example.net"},
      {"de.example.net", "post.example.com"},     {"fr.example.com", "courriel.example.net"},
      {"jp.example.com", "mail.example.net"},     {"au.example.com", "example.net"}};
  return kDomains[static_cast<int>(c)][rng->Below(2)];
}

std::string AsciiName(const NameEntry& n) {
  const std::string_view text = n.ascii.empty() ? n.text : n.ascii;
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
      ++i;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out.push_back(c);
      ++i;
    } else if (static_cast<unsigned char>(c) < 0x80) {
      ++i;  // apostrophes, hyphens, spaces
    } else {
      const auto* fold = std::find_if(std::begin(kFold), std::end(kFold), [&](const auto& f) {
        return text.substr(i, f.first.size()) == f.first;
      });
      if (fold != std::end(kFold)) {
        out.append(fold->second);
        i += fold->first.size();
      } else {
        ++i;  // other non-ASCII bytes are dropped
      }
    }
  }
  return out;
}

std::string GreetingName(Culture c, const NameEntry& first, const NameEntry& last) {
  if (c == Culture::kJaJP) return std::string(last.ascii) + "-san";
  return std::string(first.text);
}

std::string FullName(Culture c, const NameEntry& first, const NameEntry& last) {
  if (c == Culture::kJaJP) return std::string(last.text) + " " + std::string(first.text);
  return std::string(first.text) + " " + std::string(last.text);
}

std::string EmailAddress(const NameEntry& first, const NameEntry& last, uint64_t unique,
                         std::string_view domain, Rng* rng) {
  const std::string f = AsciiName(first);
  const std::string l = AsciiName(last);
  std::string out;
  switch (rng->Below(5)) {
    case 0:
      out = f + "." + l;
      break;
    case 1:
      out = f + l;
      break;
    case 2:
      out = f.substr(0, 1) + "." + l;
      break;
    case 3:
      out = f + "_" + l;
      break;
    default:
      out = l + "." + f;
      break;
  }
  AppendUnsigned(&out, unique, 1);
  out.push_back('@');
  out.append(domain);
  return out;
}

void WriteAddress(JsonWriter* w, std::string_view key, const City& city, Rng* rng) {
  const auto streets = Streets(city.culture);
  std::string street;
  switch (city.culture) {
    // One draw per statement: operands of + are unsequenced, and the output must not depend
    // on the compiler's evaluation order.
    case Culture::kJaJP:
      street = std::string(city.area) + std::to_string(rng->Between(1, 6));
      street += "-" + std::to_string(rng->Between(1, 24));
      street += "-" + std::to_string(rng->Between(1, 18));
      break;
    case Culture::kDeDE:
      street = std::string(rng->Pick(streets));
      street += " " + std::to_string(rng->Between(1, 140));
      break;
    default:
      street = std::to_string(rng->Between(1, 2400));
      street += " " + std::string(rng->Pick(streets));
      break;
  }
  w->Begin(key)
      .Str("street", street)
      .Str("city", city.city)
      .Str("state", city.state)
      .Str("postal_code", FillPattern(city.postal, rng))
      .Str("country", city.country)
      .End();
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
  RETURN_IF_ERROR(demo_internal::GenerateBank(options, scale, sink));
  return demo_internal::GenerateRetail(options, scale, sink);
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
