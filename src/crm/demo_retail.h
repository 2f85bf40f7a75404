// Internals of the "orbit-retail" tenant of the demo data set (demo_data.h): a global retailer's
// loyalty members in five markets. Shared by demo_retail.cc (members, orders and records),
// demo_retail_timeline.cc (activities) and demo_retail_text.cc (text); not part of the crm API.
//
// Markets: US (na, USD), EU (eu, EUR: Germany and France), UK (eu, GBP), JP (apac, JPY) and AU
// (apac, AUD). The catalogue (demo_catalogue.cc) is listed once per market, so product records
// are priced in the market's currency and carry that market's legal warranty and returns wording.
//
// Each member's orders are a pure function of (seed, member), so orders can be re-derived where
// they are referenced: order events and emails in the member's timeline, and the cases about
// them (which name the order number and point at the product listing). Storylines (Cohort):
//   steady    ordinary shopping;
//   lapsing   orders stop ~5 months before the anchor after a late delivery or slow refund,
//             followed by a complaint, an unsubscribe and a silent app;
//   intent    in the last month, repeated views of one expensive item, a wishlist with a
//             price-drop alert and an abandoned cart containing it.
#ifndef CRMI_CRM_DEMO_RETAIL_H_
#define CRMI_CRM_DEMO_RETAIL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/status.h"
#include "src/crm/demo_data.h"
#include "src/crm/demo_internal.h"

namespace crmi::crm::demo_internal::retail {

struct Market {
  std::string_view code;
  std::string_view region;
  std::string_view currency;
  int city_first;  // the market's cities in RetailCities()
  int city_count;
  int64_t free_over;  // minor units
  int64_t shipping;   // minor units
  std::string_view carriers[2];
  std::string_view payments[3];
  std::string_view eta;
  std::string_view legal;
  std::string_view returns;
  std::string_view agents[4];
  std::string_view shoe_size;
  int64_t bonus;  // trade-in bonus in minor units
};
constexpr int kMarketCount = 5;

enum class Cohort : uint8_t { kSteady, kLapsing, kIntent };

struct Member {
  uint32_t household;
  uint16_t first;
  uint16_t last;
  uint8_t city;  // index into RetailCities()
  uint8_t market;
  uint8_t tier;
  Cohort cohort;
  uint8_t age;
};

struct Household {
  uint32_t first_member;
  uint8_t size;
};

struct Order {
  int64_t at;
  uint32_t number;
  int n;
  uint8_t items[3];
  uint8_t qty[3];
  int64_t subtotal;
  int64_t shipping;
  int64_t total;
  bool app;
};

enum CaseKind : uint8_t { kLate, kDamaged, kRefund, kWarranty, kExchange, kPoints };

// What can happen in a member's timeline; each becomes one activity.
enum class Event : uint8_t {
  kOrderPlaced,
  kOrderConfirmation,
  kShipped,
  kDelivered,
  kReviewRequest,
  kBrowsing,
  kPromotion,
  kCartAbandoned,
  kSupportChat,
  kWarrantyQuestion,
  // lapsing members
  kComplaint,
  kUnsubscribe,
  kSilentApp,
  kWinBack,
  // members intending to buy one item
  kItemViews,
  kWishlist,
  kItemInCart,
  kPriceAlert,
};
constexpr int kEventCount = static_cast<int>(Event::kPriceAlert) + 1;

// ---- Text (demo_retail_text.cc) ----
// Tables indexed by an enum have its size; lists drawn from have theirs, so that adding an entry
// is a change here too.

extern const Market kMarkets[kMarketCount];
extern const std::string_view kCohortNames[3];  // custom.demo_cohort per Cohort
extern const std::string_view kTiers[4];        // loyalty tiers, from bronze to platinum
// The catalogue's categories, and per category the faults a warranty claim describes.
extern const std::string_view kCategories[6];
extern const std::string_view kFaults[6];

// Case content per CaseKind: the case's subject and description, the chat that opens it and the
// email that resolves it.
struct CaseText {
  std::string_view category;
  std::string_view subject;
  std::string_view description;
  std::string_view chat;
  std::string_view resolution;
};
extern const CaseText kCaseTexts[6];

// Support chats in members' timelines that did not need a case. The first is about sizing an
// item, the others about an order.
struct ChatText {
  std::string_view subject;
  std::string_view topic;
  std::string_view body;
};
extern const ChatText kSupportChats[4];

// How each timeline Event is written. A channel is empty where the member's device decides (app
// or web); bodies are empty where the code that writes the event builds the text.
struct EventText {
  std::string_view channel;
  std::string_view direction;
  std::string_view subject;  // template
  std::string_view topic;
  // Body templates, one drawn at random when there are several.
  std::span<const std::string_view> bodies = {};
};
extern const EventText kEventTexts[kEventCount];

// How the activities of case and opportunity threads are written, per ThreadStep.
enum class ThreadStep : uint8_t { kCaseChat, kCaseUpdate, kCaseNote, kConsultation, kQuote };
extern const EventText kThreadTexts[5];

struct OppText {
  std::string_view name;
  std::string_view description;
  int64_t min_units;  // in USD; scaled per market
  int64_t max_units;
};
extern const OppText kOppTexts[6];

extern const std::string_view kLeadSources[5];
extern const std::string_view kLeadCompanies[6];

// ---- Generator (demo_retail.cc, demo_retail_timeline.cc) ----

// Price of item `i` in market `m`, in minor units, with the market's usual price endings.
int64_t Price(int m, size_t i);

class RetailGenerator : public TenantGenerator {
 public:
  RetailGenerator(const DemoOptions& options, int scale, const DemoSink& sink);

  Status Run();

 private:
  struct CaseSpec {
    uint32_t member;
    CaseKind kind;
    uint8_t order;  // index into MemberOrders(member)
    uint8_t slot;   // item of the order the case is about
    int64_t opened;
    int status;  // index into kCaseStatuses
  };
  struct OppSpec {
    uint32_t member;
    int kind;  // index into kOppTexts
    int64_t created;
    int stage;  // index into kStages
  };

  const Market& MarketOf(uint32_t m) const { return kMarkets[members_[m].market]; }
  const City& CityOf(uint32_t m) const { return RetailCities()[members_[m].city]; }
  // An instant on a random day in [first_day, last_day], 07:00-22:59 in a rough local day.
  int64_t ShopTime(int64_t first_day, int64_t last_day, int market, Rng* r) const;
  std::string ListingId(int market, size_t item) const {
    return ProductId(static_cast<uint64_t>(market) * RetailItems().size() + item);
  }
  static std::string OrderNumber(uint32_t number) { return "R-" + std::to_string(number); }
  static std::string CaseNumber(size_t k) { return "OC-" + std::to_string(700000 + k); }
  // The support agent who owns case `k` and writes its thread.
  std::string CaseAgent(size_t k) const {
    return "agent-" + std::string(MarketOf(cases_[k].member).region) + "-" +
           std::to_string(10 + k % 12);
  }
  std::string Money(int64_t minor, uint32_t m) const {
    return MoneyText(minor, MarketOf(m).currency);
  }

  void BuildMembers();
  void BuildCases();
  void BuildOpportunities();
  std::vector<Order> MemberOrders(uint32_t m) const;
  // Lifetime value (minor units) and current points balance, consistent with the orders.
  std::pair<int64_t, int64_t> Loyalty(uint32_t m) const;
  std::string EmailOf(uint32_t m) const;
  void SetMemberVars(uint32_t m);
  void SetOrderVars(uint32_t m, const Order& o, int slot);
  std::string ItemList(const Order& o) const;

  Status EmitAccounts();
  Status EmitContacts();
  Status EmitProducts();
  Status EmitOffers();
  Status EmitLeads();
  Status EmitOpportunities();
  Status EmitCases();

  // Activities: every member's timeline, then each case's and each opportunity's thread.
  Status EmitActivities();
  Status EmitMemberTimeline(uint32_t m);
  Status EmitCaseThread(size_t k);
  Status EmitOppThread(size_t k);
  // Emits the activity `step` of `thread` with body_ as its body. `duration` < 0: none.
  Status EmitStep(ThreadStep step, const Thread& thread, int64_t at, int64_t duration, Rng* r);
  // Replaces body_ by `tmpl` rendered with vars_.
  void RenderBody(std::string_view tmpl, Rng* r);

  std::vector<Household> households_;
  std::vector<Member> members_;
  std::vector<CaseSpec> cases_;
  std::vector<OppSpec> opps_;

  std::string body_;
  std::string scratch_;
  Vars vars_;
};

}  // namespace crmi::crm::demo_internal::retail

#endif  // CRMI_CRM_DEMO_RETAIL_H_
