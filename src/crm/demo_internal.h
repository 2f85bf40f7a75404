// Internals of the demo data generator (demo_data.h): the PRNG, text and JSON helpers, the
// template renderer, people and places, and the static text tables. Shared by demo_data.cc,
// demo_bank.cc, demo_retail.cc and demo_text.cc; not part of the crm API and free to change.
//
// Determinism rules for everything here: all randomness comes from Rng, all arithmetic on money
// and time is integer, and no output depends on the standard library's distributions, locale or
// floating-point formatting. An expression draws from an Rng at most once unless its parts are
// sequenced (separate statements, `?:`, `&&`, braced lists, chained calls): the operands of `+`
// and the arguments of one call are evaluated in a compiler-specific order.
#ifndef CRMI_CRM_DEMO_INTERNAL_H_
#define CRMI_CRM_DEMO_INTERNAL_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "src/common/status.h"
#include "src/crm/demo_data.h"

namespace crmi::crm::demo_internal {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;
// Length of the history before the anchor (~18 months).
constexpr int64_t kHistoryDays = 548;

// FNV-1a, used to derive stream ids from names at compile time.
constexpr uint64_t StreamId(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// splitmix64. One generator per entity, keyed by (seed, stream, index), so an entity's content
// does not depend on what was generated before it and can be recomputed anywhere (a case can
// re-derive the order it is about).
class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream, uint64_t index);

  uint64_t Next();
  // Uniform in [0, n) by modulo (bias below n / 2^64, irrelevant here); 0 when n == 0.
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Percent(int p) { return static_cast<int>(Below(100)) < p; }
  // Index drawn with the given relative weights. REQUIRES: weights sum > 0.
  size_t Weighted(std::initializer_list<int> weights);
  template <typename C>
  const auto& Pick(const C& items) {
    return items[Below(std::size(items))];
  }

 private:
  uint64_t state_;
};

// ---- Text formatting (integer arithmetic only) ----

std::string DateText(int64_t unix_ms);   // "2026-03-14" (UTC)
std::string TimeText(int64_t unix_ms);   // "2026-03-14T09:30:00.000Z"
std::string MonthText(int64_t unix_ms);  // "March 2026"
// Days since the epoch of the last calendar-quarter end (Mar 31, Jun 30, ...) on or before `day`.
int64_t QuarterEndDay(int64_t day);
std::string LongDate(int64_t day);  // "June 30, 2026"
// "<prefix>_<tag><number zero-padded to width>", e.g. Id("con", 'b', 123, 6) = "con_b000123".
std::string Id(std::string_view prefix, char tag, uint64_t number, int width);
std::string Grouped(int64_t v);  // 1234567 -> "1,234,567"
// Minor units as a JSON number: (12990, 2) -> "129.90", (12800, 0) -> "12800".
std::string Decimal(int64_t minor, int decimals);
int CurrencyDecimals(std::string_view currency);  // JPY 0, others 2
// Display amount: "129.90 EUR", "12,800 JPY", "$1,250,000" (currency "$": whole dollars).
std::string MoneyText(int64_t minor, std::string_view currency);
// Replaces '#' by a random digit and '@' by a random letter valid in Canadian postal codes.
std::string FillPattern(std::string_view pattern, Rng* rng);

// ---- JSON ----

// Appends one flat-or-nested JSON object to a string. Keys are trusted ASCII literals; values are
// escaped with AppendJsonString.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out);  // clears *out and opens the object
  JsonWriter& Str(std::string_view key, std::string_view value);
  JsonWriter& Int(std::string_view key, int64_t value);
  JsonWriter& Num(std::string_view key, std::string_view number_text);  // already valid JSON
  JsonWriter& Bool(std::string_view key, bool value);
  JsonWriter& List(std::string_view key, std::string_view csv);  // "a,b" -> ["a","b"]
  JsonWriter& Begin(std::string_view key);                       // opens a nested object
  JsonWriter& End();                                             // closes it
  void Finish();                                                 // closes the record

 private:
  void Key(std::string_view key);
  std::string* out_;
  bool first_ = true;
};

// ---- Templates ----

// Named values for {placeholders}. Values are copied, so temporaries are fine.
class Vars {
 public:
  void Set(std::string_view name, std::string_view value);
  // The value of `name`, or nullptr when unset.
  const std::string* Find(std::string_view name) const;

 private:
  static constexpr size_t kMax = 64;
  std::array<std::string_view, kMax> names_{};
  std::array<std::string, kMax> values_{};
  size_t size_ = 0;
};

// Renders a line template, appending to *out. Lines are separated by '\n' in `tmpl` and joined
// with `joiner` in the output. In each line, alternatives are separated by '|' and one is picked
// at random; a line starting with '?' is kept with probability 1/2; {name} is replaced by the
// variable's value (unknown names are left as is, which tests detect). A line starting with '+'
// is kept exactly when the nearest '?' line above it was, so that an optional question and its
// answer come and go together.
void Render(std::string* out, std::string_view tmpl, const Vars& vars, Rng* rng,
            std::string_view joiner);

// ---- People and places ----

enum class Culture : uint8_t { kEnUS, kEnCA, kFrCA, kEnGB, kDeDE, kFrFR, kJaJP, kEnAU };

struct NameEntry {
  std::string_view text;   // as written: "Müller", "佐藤"
  std::string_view ascii;  // romanisation when text is not Latin ("Sato"); empty otherwise
};

struct City {
  Culture culture;
  std::string_view label;    // English name for prose: "Tokyo"
  std::string_view city;     // address field: "渋谷区", "Berlin"
  std::string_view state;    // province, state, prefecture or county
  std::string_view country;  // ISO 3166-1 alpha-2
  std::string_view postal;   // FillPattern pattern
  std::string_view phone;    // FillPattern pattern, E.164-style with spaces
  std::string_view area;     // Japanese addresses: district before the block number
};

std::string_view LocaleOf(Culture c);
std::span<const NameEntry> FirstNames(Culture c);
std::span<const NameEntry> LastNames(Culture c);
std::span<const std::string_view> Streets(Culture c);
std::span<const City> BankCities();    // US and Canada
std::span<const City> RetailCities();  // indices grouped by RetailMarket, see demo_retail.cc

// Lower-case ASCII for email local parts: "Müller" -> "mueller", "O'Brien" -> "obrien", "佐藤"
// (ascii "Sato") -> "sato".
std::string AsciiName(const NameEntry& n);
// "Sato-san" for Japanese, the first name otherwise: how agents address the person in prose.
std::string GreetingName(Culture c, const NameEntry& first, const NameEntry& last);
std::string FullName(Culture c, const NameEntry& first, const NameEntry& last);
// A plausible mail domain for a person of culture `c` (always a reserved example domain).
std::string_view EmailDomain(Culture c, Rng* rng);
// Email unique per `unique` (the digits suffix keeps same-named people apart).
std::string EmailAddress(const NameEntry& first, const NameEntry& last, uint64_t unique,
                         std::string_view domain, Rng* rng);
// Writes a postal-address object under `key`; the street is drawn from *rng.
void WriteAddress(JsonWriter* w, std::string_view key, const City& city, Rng* rng);

// ---- Static text (demo_text.cc) ----

struct Article {
  std::string_view title;
  std::string_view tags;      // comma-separated
  std::string_view locale;    // BCP 47
  std::string_view audience;  // "public" or "internal"
  std::string_view body;      // paragraphs separated by blank lines
};
std::span<const Article> BankArticles();
std::span<const Article> RetailArticles();

struct BankProduct {
  std::string_view key;  // stable handle used by generators ("online_banking")
  std::string_view sku;
  std::string_view name;
  std::string_view category;
  std::string_view kind;  // product, service, offer, plan
  std::string_view currency;
  int64_t price_cents;
  std::string_view valid_from;  // offers only; empty otherwise
  std::string_view valid_to;
  bool active;
  std::string_view description;
};
std::span<const BankProduct> BankProducts();

struct RetailItem {
  std::string_view code;  // "OUT-1204"
  std::string_view name;
  std::string_view category;  // electronics, home, kitchen, apparel, footwear, outdoor
  int64_t usd_cents;
  std::string_view features;  // two or three sentences
};
std::span<const RetailItem> RetailItems();
// Warranty paragraph for a category (market-independent part).
std::string_view RetailWarranty(std::string_view category);

// ---- Tenant generators ----

// Scale 1 (small), 10 (medium) or 100 (large). Each emits its tenant's collections in order.
Status GenerateBank(const DemoOptions& options, int scale, const DemoSink& sink);
Status GenerateRetail(const DemoOptions& options, int scale, const DemoSink& sink);

}  // namespace crmi::crm::demo_internal

#endif  // CRMI_CRM_DEMO_INTERNAL_H_
