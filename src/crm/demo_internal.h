// Internals of the demo data generator (demo_data.h): the PRNG, text and JSON helpers, the
// template renderer, people and places, the static text tables and what the two tenant generators
// share. Used by every src/crm/demo_*.cc file; not part of the crm API and free to change.
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

// ---- People and places (demo_people.cc) ----

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

// ---- Knowledge bases (demo_knowledge.cc) ----

struct Article {
  std::string_view title;
  std::string_view tags;      // comma-separated
  std::string_view locale;    // BCP 47
  std::string_view audience;  // "public" or "internal"
  std::string_view body;      // paragraphs separated by blank lines
};
std::span<const Article> BankArticles();
std::span<const Article> RetailArticles();

// ---- Product catalogues (demo_catalogue.cc) ----

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
// bank::BankGenerator (demo_bank.h) and retail::RetailGenerator (demo_retail.h) derive from
// TenantGenerator; each one's Run emits its tenant's collections in order.

// Values both tenants use: cases' "status", opportunities' "stage" with its win probability in
// percent, leads' "status" and cases' "priority".
inline constexpr std::string_view kCaseStatuses[] = {"new",       "open",     "pending",
                                                     "escalated", "resolved", "closed"};
inline constexpr std::string_view kStages[] = {"prospecting", "qualification", "proposal",
                                               "negotiation", "closed_won",    "closed_lost"};
inline constexpr int kStageProbability[] = {10, 20, 50, 75, 100, 0};
inline constexpr std::string_view kLeadStatuses[] = {"new", "working", "qualified", "unqualified",
                                                     "converted"};
inline constexpr std::string_view kPriorities[] = {"low", "medium", "high", "urgent"};

// The record a series of activities is about, and who writes them in which region.
struct Thread {
  std::string_view parent_type = {};  // "contacts", "cases" or "opportunities"
  std::string_view parent_id = {};
  std::string_view owner = {};
  std::string_view region = {};
};

// One activity of a Thread. `subject` is a template rendered with the generator's Vars.
struct Activity {
  std::string_view channel = {};
  std::string_view direction = {};
  int64_t at = 0;  // occurred_at
  std::string_view subject = {};
  std::string_view body = {};
  std::string_view topic = {};  // custom.topic
  int64_t duration = -1;        // seconds; negative for untimed channels (email, note, ...)
};

// The fields of records that both tenants write, in the schema's order, up to the custom object,
// which the tenant adds. Empty optional fields are left out.
struct ContactFields {
  std::string_view first_name = {};
  std::string_view last_name = {};
  std::string_view email = {};
  std::string_view phone = {};
  std::string_view account_id = {};
  std::string_view title = {};  // optional
  std::string_view preferred_channel = {};
  bool marketing = false;  // consent
  bool profiling = false;
  std::string_view segment = {};
  std::string_view date_of_birth = {};  // optional
  const City* city = nullptr;           // of the mailing address, also giving the locale
};
struct ProductFields {
  std::string_view sku = {};
  std::string_view name = {};
  std::string_view description = {};
  std::string_view category = {};
  std::string_view kind = {};
  std::string_view price = {};  // a JSON number
  std::string_view currency = {};
  bool active = true;
  std::string_view valid_from = {};  // optional (offers)
  std::string_view valid_to = {};    // optional (offers)
};
struct LeadFields {
  std::string_view first_name = {};
  std::string_view last_name = {};
  std::string_view company = {};  // optional
  std::string_view email = {};
  std::string_view phone = {};  // optional
  size_t status = 0;            // index into kLeadStatuses
  std::string_view source = {};
  int64_t score = 0;
  std::string_view converted_contact_id = {};  // optional
};
struct OpportunityFields {
  std::string_view name = {};
  std::string_view account_id = {};
  std::string_view contact_id = {};
  int64_t amount = 0;
  std::string_view currency = {};
  int stage = 0;  // index into kStages
  int64_t close = 0;
  std::string_view description = {};
};
struct CaseFields {
  std::string_view subject = {};
  std::string_view description = {};
  int status = 0;       // index into kCaseStatuses
  size_t priority = 0;  // index into kPriorities
  std::string_view contact_id = {};
  std::string_view account_id = {};
  std::string_view origin = {};
  std::string_view category = {};
  std::string_view product_id = {};
};

// What the generators of both tenants share: the options in the units they work in, per-entity
// Rngs, record ids, and the writers for what both tenants lay out the same way. Each tenant's
// generator derives from it and adds its story; every record goes through Record and Emit.
class TenantGenerator {
 protected:
  // `tag` marks the tenant in record ids ("con_b000001").
  TenantGenerator(const DemoOptions& options, int scale, const DemoSink& sink,
                  std::string_view tenant, char tag);

  // The generator of entity `index` of `stream` ("bank/contact"), see Rng.
  Rng R(std::string_view stream, uint64_t index) const {
    return Rng(seed_, StreamId(stream), index);
  }
  int64_t HistoryStartDay() const { return anchor_day_ - kHistoryDays; }

  // Ids of this tenant's records; indices count from 0, ids from 1.
  std::string AccountId(uint64_t index) const { return Id("acc", tag_, index + 1, 6); }
  std::string ContactId(uint64_t index) const { return Id("con", tag_, index + 1, 6); }
  std::string LeadId(uint64_t index) const { return Id("lea", tag_, index + 1, 6); }
  std::string OppId(uint64_t index) const { return Id("opp", tag_, index + 1, 6); }
  std::string CaseId(uint64_t index) const { return Id("cas", tag_, index + 1, 6); }
  std::string ProductId(uint64_t index) const { return Id("prd", tag_, index + 1, 4); }

  // Starts a record with the fields every record begins with.
  JsonWriter Record(std::string_view id, std::string_view owner, std::string_view region);
  // Closes the record started by Record and hands it to the sink as one of `collection`.
  Status Emit(JsonWriter* record, std::string_view collection);

  // Emits one knowledge record per article, each reviewed at a random time (stream `stream`) in
  // the ten months before the anchor.
  Status EmitKnowledge(std::span<const Article> articles, std::string_view stream,
                       std::string_view (*region_of)(const Article&));
  // The names and email of lead `index` when it is not a contact: a person of `city`'s culture.
  static void NewLeadPerson(const City& city, uint64_t index, Rng* r, std::string* first_name,
                            std::string* last_name, std::string* email);
  // Write the fields into a record started by Record. The contact's mailing address is drawn from
  // `address`.
  static void WriteContact(const ContactFields& c, Rng* address, JsonWriter* w);
  static void WriteProduct(const ProductFields& p, JsonWriter* w);
  static void WriteLead(const LeadFields& l, JsonWriter* w);
  static void WriteOpportunity(const OpportunityFields& o, JsonWriter* w);
  static void WriteCase(const CaseFields& c, JsonWriter* w);
  // Emits an activity of `thread` with the next activity id.
  Status EmitActivity(const Thread& thread, const Activity& activity, const Vars& vars, Rng* r);

  const int64_t anchor_;      // DemoOptions::anchor_unix_ms
  const int64_t anchor_day_;  // the anchor's day (days since the epoch)
  const int scale_;           // 1 (small), 10 (medium) or 100 (large); multiplies every count

 private:
  const uint64_t seed_;
  const std::string_view tenant_;
  const char tag_;
  const DemoSink& sink_;
  std::string json_;
  std::string subject_;
  uint64_t next_activity_ = 1;
};

}  // namespace crmi::crm::demo_internal

#endif  // CRMI_CRM_DEMO_INTERNAL_H_
