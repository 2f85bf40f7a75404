// Tenant "orbit-retail": a global retailer's loyalty members in five markets.
//
// Markets: US (na, USD), EU (eu, EUR: Germany and France), UK (eu, GBP), JP (apac, JPY) and AU
// (apac, AUD). The catalogue (demo_text.cc) is listed once per market, so product records are
// priced in the market's currency and carry that market's legal warranty and returns wording.
//
// Each member's orders are a pure function of (seed, member), so orders can be re-derived where
// they are referenced: order events and emails in the member's timeline, and the cases about
// them (which name the order number and point at the product listing). Storylines (Cohort):
//   steady    ordinary shopping;
//   lapsing   orders stop ~5 months before the anchor after a late delivery or slow refund,
//             followed by a complaint, an unsubscribe and a silent app;
//   intent    in the last month, repeated views of one expensive item, a wishlist with a
//             price-drop alert and an abandoned cart containing it.
#include <algorithm>
#include <utility>
#include <vector>

#include "src/crm/demo_internal.h"

namespace crmi::crm::demo_internal {
namespace {

constexpr std::string_view kTenant = "orbit-retail";
constexpr char kTag = 'r';

struct Market {
  std::string_view code;
  std::string_view region;
  std::string_view currency;
  int city_first;
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

constexpr Market kMarkets[] = {
    {"US",
     "na",
     "USD",
     0,
     8,
     7500,
     695,
     {"UPS", "FedEx"},
     {"Visa", "Mastercard", "PayPal"},
     "3 to 5 business days",
     "Orbit Care+ protection plans are available for this item.",
     "Free returns within 30 days (60 days for Platinum members) by mail or in store.",
     {"Jordan", "Maya", "Chris", "Alex"},
     "US 9",
     5000},
    {"EU",
     "eu",
     "EUR",
     11,
     6,
     6000,
     495,
     {"DHL", "DPD"},
     {"Visa", "Klarna", "PayPal"},
     "2 to 4 working days",
     "Your 2-year legal guarantee of conformity under EU law applies in addition to this "
     "warranty.",
     "30-day free returns, beyond the 14-day statutory right of withdrawal.",
     {"Lena", "Tom", "Chloé", "Marco"},
     "EU 42",
     5000},
    {"UK",
     "eu",
     "GBP",
     8,
     3,
     5000,
     395,
     {"Royal Mail", "DPD"},
     {"Visa", "Mastercard", "PayPal"},
     "2 to 3 working days",
     "This warranty does not affect your statutory rights under the Consumer Rights Act 2015.",
     "30-day free returns, beyond the 14-day cancellation right.",
     {"Hannah", "Josh", "Priya", "Callum"},
     "UK 8",
     4000},
    {"JP",
     "apac",
     "JPY",
     17,
     6,
     8000,
     550,
     {"Yamato Transport", "Sagawa Express"},
     {"Visa", "konbini payment", "PayPay"},
     "1 to 3 days",
     "Warranty service is provided by Orbit Japan; keep your order number as proof of purchase.",
     "Free returns within 30 days with home pickup by Yamato Transport.",
     {"Yuki", "Kenji", "Aya", "Sho"},
     "27 cm",
     7500},
    {"AU",
     "apac",
     "AUD",
     23,
     3,
     10000,
     995,
     {"Australia Post", "StarTrack"},
     {"Visa", "Afterpay", "PayPal"},
     "2 to 4 business days",
     "Our goods come with guarantees that cannot be excluded under the Australian Consumer Law.",
     "Free returns within 30 days at any Australia Post outlet.",
     {"Mia", "Lachlan", "Sophie", "Ethan"},
     "UK 8",
     7500}};
constexpr int kMarketCount = 5;

enum class Cohort : uint8_t { kSteady, kLapsing, kIntent };
constexpr std::string_view kCohortNames[] = {"steady", "lapsing", "intent_purchase"};
constexpr std::string_view kTiers[] = {"bronze", "silver", "gold", "platinum"};

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

struct CaseSpec {
  uint32_t member;
  CaseKind kind;
  uint8_t order;  // index into MemberOrders(member)
  uint8_t slot;   // item of the order the case is about
  int64_t opened;
  int status;
};

struct OppSpec {
  uint32_t member;
  int kind;
  int64_t created;
  int stage;
};

constexpr std::string_view kCaseStatus[] = {"new",       "open",     "pending",
                                            "escalated", "resolved", "closed"};
constexpr std::string_view kStages[] = {"prospecting", "qualification", "proposal",
                                        "negotiation", "closed_won",    "closed_lost"};
constexpr int kStageProbability[] = {10, 20, 50, 75, 100, 0};

// ---- Templates (syntax: see Render) ----

constexpr std::string_view kChatLate =
    "Customer: Hi, my order {order} was supposed to arrive by {promised} and it still hasn't "
    "come.|Customer: Where is my order {order}? Tracking hasn't updated in four days.\n"
    "Agent: Hi {greet}, I'm {agent}, and I'm sorry about the wait. Let me check with {carrier}.\n"
    "Agent: The parcel reached the {carrier} depot near {city} but missed the last delivery run. "
    "It's now scheduled for tomorrow.|Agent: Tracking shows a delay at the {carrier} sorting "
    "centre. The parcel is moving again and should arrive within two days.\n"
    "Customer: That's annoying, I needed it for the weekend.|Customer: Okay, but this is the "
    "second time an order has been late.\n"
    "Agent: I completely understand. I've refunded the shipping cost and added {bonus_points} "
    "bonus points to your Orbit Rewards account.\n"
    "?Customer: Can I collect it from a pickup point instead?\n"
    "+Agent: I've asked {carrier} to redirect it to the nearest pickup point; you'll get a text "
    "with the collection code.\n"
    "Customer: Thanks, I appreciate it.|Customer: Fine. Please make sure it actually arrives this "
    "time.\n"
    "Agent: I'll keep an eye on it. Is there anything else I can help with?";

constexpr std::string_view kChatDamaged =
    "Customer: My {item} arrived damaged. The box was crushed and {damage}.|Customer: Order "
    "{order} came today and the {item} is broken.\n"
    "Agent: Hi {greet}, I'm {agent}. I'm so sorry. Could you send a photo of the item and the "
    "packaging?\n"
    "Customer: Just uploaded them.\n"
    "Agent: Thank you. I've arranged a free replacement by express delivery, and {carrier} will "
    "collect the damaged one when they deliver the new one.|Agent: Thanks. I've issued a full "
    "refund of {total_item}; you don't need to send the damaged item back.\n"
    "Customer: Thank you, that was easier than I expected.";

constexpr std::string_view kChatRefund =
    "Customer: I returned the {item} two weeks ago and still haven't got my refund.|Customer: My "
    "refund for order {order} hasn't arrived. Tracking says the return was delivered.\n"
    "Agent: Hi {greet}, {agent} here. Sorry about that, let me look at the return.\n"
    "Agent: The warehouse received it on {received}, but the refund was held for a manual check. "
    "I've released it now: {total_item} back to your {payment}.\n"
    "Customer: How long will it take to show up?\n"
    "Agent: Usually 3 to 5 business days, depending on your bank.\n"
    "?Customer: This really shouldn't take this long.|Customer: Honestly, I'm thinking of shopping "
    "elsewhere after this.\n"
    "+Agent: You're right, and I apologise. I've added {bonus_points} bonus points as a goodwill "
    "gesture.\n"
    "Customer: Okay. Thanks for sorting it out.";

constexpr std::string_view kChatWarranty =
    "Customer: Hi, my {item} has stopped working properly. I bought it {months} months "
    "ago.|Customer: The {item} I bought from you has a fault. Is it still under warranty?\n"
    "Agent: Hi {greet}, I'm {agent}. Sorry to hear that. Can you describe what's happening?\n"
    "Customer: {fault}\n"
    "Agent: Thanks. That's covered by the warranty. I've opened claim {case_ref}; please upload a "
    "photo of the fault and the serial number or order number using the link I've emailed you.\n"
    "Customer: Will I get a replacement or a repair?\n"
    "Agent: For this product we normally send a replacement once the claim is approved, usually "
    "within 5 business days. Please don't send the old one back unless we ask.|Agent: We'll repair "
    "it first; you'll get a prepaid label, and repairs take about 3 weeks. If it can't be "
    "repaired, we'll replace it.\n"
    "Customer: Great, thanks.";

constexpr std::string_view kChatExchange =
    "Customer: The {item} I ordered is too small. Can I swap it for a bigger size?|Customer: Hi, I "
    "need to exchange the {item} from order {order}, it doesn't fit.\n"
    "Agent: Hi {greet}, {agent} here. Of course: exchanges are free within {return_days} days. "
    "Which size would you like?\n"
    "Customer: One size up, please.\n"
    "Agent: Done. I've reserved the new size and emailed you a prepaid return label; the "
    "replacement ships as soon as the return is scanned.\n"
    "Customer: Perfect, thank you.";

constexpr std::string_view kChatPoints =
    "Customer: I didn't get points for my order {order}.|Customer: My points balance looks wrong "
    "after my last purchase.\n"
    "Agent: Hi {greet}, {agent} here. Let me check your Orbit Rewards account.\n"
    "Agent: Points are added once an order has shipped and the 14-day return window has passed, so "
    "they weren't missing, just pending. I can see {order_points} points pending now.\n"
    "Customer: Ah, I didn't know that. When will they show up?\n"
    "Agent: They'll be added in the next few days. You're {to_next} points away from {next_tier}.\n"
    "Customer: Good to know, thanks.";

constexpr std::string_view kChatSizing =
    "Customer: Hi, I'm between sizes for the {item}. I'm usually a size {size} in other "
    "brands.|Customer: Does the {item} run small? I'm thinking of ordering a size {size}.\n"
    "Agent: Hi {greet}, {agent} here. The {item} is true to size for most customers; if you're "
    "between sizes or wear thick socks or layers, go up.\n"
    "Customer: What are the measurements?\n"
    "Agent: The size guide has the measurements for every size; I've sent you the link. If it "
    "doesn't fit, exchanges are free within {return_days} days.\n"
    "Customer: Perfect, I'll go with the larger one.|Customer: Okay, thanks, I'll order my usual "
    "size.";

constexpr std::string_view kChatCancel =
    "Customer: Hi, can I cancel order {order}? I ordered the wrong colour.|Customer: I placed an "
    "order by mistake, please cancel it: {order}.\n"
    "Agent: Hi {greet}, let me check whether it has left the warehouse.\n"
    "Agent: Good news, it hadn't been picked yet, so I've cancelled it. The refund of {total} will "
    "reach your {payment} in 3 to 5 business days.|Agent: It has already shipped, so I can't "
    "cancel it, but you can refuse delivery or return it for free within {return_days} days.\n"
    "Customer: Thank you.";

constexpr std::string_view kChatPriceAdjust =
    "Customer: I bought the {item} last week and now it's on sale. Can I get the difference back?\n"
    "Agent: Hi {greet}, {agent} here. Yes, we adjust prices within 14 days of purchase. I've "
    "refunded the difference to your {payment}.\n"
    "Customer: Nice, thanks!";

constexpr std::string_view kEmailShipped =
    "Hi {greet},\n"
    "Good news: your order {order} is on its way with {carrier}. Tracking number: {tracking}.\n"
    "Estimated delivery: {eta}.|It should arrive within {eta_text}.\n"
    "?You can redirect the parcel to a pickup point from the tracking page.\n"
    "Orbit";

constexpr std::string_view kEmailPromo[] = {
    "Hi {greet},\nMembers Week is here: 20% off outdoor gear, including the Summit 2P Tent and the "
    "Trailblazer 40L Backpack, until November 8.\nOrbit Rewards members also earn double points "
    "this week.\nOrbit",
    "Hi {greet},\nNew in home: the Nordic 3-Seat Sofa now comes in forest green, and the Arc LED "
    "Floor Lamp is back in stock.\nSilver, Gold and Platinum members get free delivery.\nOrbit",
    "Hi {greet},\nYou have {points} Orbit Rewards points. Every 500 points is a 25 voucher in your "
    "currency.\nRedeem them at checkout or in store.\nOrbit",
    "Hi {greet},\nReady for rain? The Stormline Waterproof Jacket and Harbor Rain Boot are 15% off "
    "this weekend.\nOrbit",
    "Hi {greet},\nHappy birthday from all of us at Orbit! Here is a birthday voucher for your next "
    "order, valid for 30 days.\nOrbit"};

constexpr std::string_view kEmailReview =
    "Hi {greet},\nHow are you getting on with your {item}? Share a quick review and earn 25 bonus "
    "points.\nOrbit";

constexpr std::string_view kEmailWarrantyQuestion[] = {
    "Hello,\nI bought the {item} about {months} months ago and I'm worried about how it's holding "
    "up. How long is the warranty, and what does it cover?\nThanks,\n{client}",
    "Hi,\nIf I buy Orbit Care+ for my {item} now, does it cover accidental damage, and from which "
    "date?\nThanks,\n{client}"};

constexpr std::string_view kEmailComplaint[] = {
    "Hello,\nI'm very disappointed. My order {order} was late, and when I returned the {item} the "
    "refund took weeks. I've been a member for years, but I don't think I'll keep shopping with "
    "Orbit.\n{client}",
    "Hi,\nThis is the second problem in a row with my orders: a late delivery, then two weeks "
    "chasing a refund for order {order}. Please stop sending me marketing emails.\n{client}"};

constexpr std::string_view kEmailPointsExpiry[] = {
    "Hi {greet},\nYour {points} Orbit Rewards points will expire in 30 days because there has been "
    "no purchase or redemption on your account for 17 months. Make a purchase or redeem points to "
    "keep them.\nOrbit",
    "Hi {greet},\nWe miss you! Here is 15% off your next order, and your {points} points are still "
    "waiting.\nOrbit"};

constexpr std::string_view kEmailPriceDrop[] = {
    "Hi {greet},\nGood news: the {item} on your wishlist has dropped to {price_drop}. Stock is "
    "limited at this price.\nOrbit",
    "Hi {greet},\nYou left the {item} in your cart. It's still available at {price}, and it ships "
    "free.\nOrbit"};

constexpr std::string_view kFaults[] = {
    // electronics, home, kitchen, apparel, footwear, outdoor
    "It won't charge any more and the light doesn't come on.|The left side cuts out unless I hold "
    "the cable.|The screen flickers and then goes black.",
    "One of the legs has started to crack at the joint.|The gas lift no longer holds the seat "
    "up.|The motor makes a grinding noise and stops halfway.",
    "It trips the breaker whenever I turn it on.|The pump runs but no water comes through.|The "
    "enamel has started chipping inside even though I hand wash it.",
    "The seam on the shoulder came apart after a few washes.|The main zip split and won't "
    "close.|The fabric has delaminated on the back.",
    "The sole is peeling away from the upper at the toe.|The stitching on the heel came "
    "undone.|They started leaking after a couple of months.",
    "The zip on the main compartment split along the seam.|One of the pole sections cracked while "
    "pitching.|The buckle on the hip belt snapped."};
constexpr std::string_view kCategories[] = {"electronics", "home",     "kitchen",
                                            "apparel",     "footwear", "outdoor"};

struct OppText {
  std::string_view name;
  std::string_view description;
  int64_t min_units;  // in USD; scaled per market
  int64_t max_units;
};
constexpr OppText kOppTexts[] = {
    {"Home office fit-out",
     "In-store consultation: {client} is furnishing a home office (Oslo Standing Desk, Haven "
     "Ergonomic Office Chair, lighting). Quote requested with delivery and assembly.",
     900, 2500},
    {"Living room refresh",
     "Customer is replacing living room furniture: Nordic 3-Seat Sofa, Arc LED Floor Lamp and "
     "accessories. Interested in a bundle price and two-person delivery.",
     1500, 4000},
    {"Expedition kit",
     "Customer is preparing a multi-day trek and wants a complete kit: Summit 2P Tent, Glacier "
     "sleeping bags, Trailblazer packs and stove for two.",
     900, 2000},
    {"Kitchen upgrade",
     "Customer is renovating the kitchen and asked for a quote on the Barista Pro, the cookware "
     "set and knives, with Orbit Care+ on the espresso machine.",
     800, 1800},
    {"Corporate gift cards",
     "{client} organises employee gifts at their company and asked for a volume quote on Orbit "
     "gift cards with custom messages, delivered before the holidays.",
     2000, 20000},
    {"Team kit order",
     "{client} coaches a local running club and wants a team order of Trail Running Shorts, tees "
     "and Stormline jackets with a club logo.",
     1500, 8000}};

constexpr std::string_view kLeadSources[] = {"newsletter-popup", "in-store-wifi",
                                             "instagram-giveaway", "pop-up-event",
                                             "corporate-gifting-form"};
constexpr std::string_view kLeadCompanies[] = {
    "Brightline GmbH",    "Kestrel Analytics Ltd", "Maison Lumière SARL",
    "Harbor & Finch LLC", "Sakura Design K.K.",    "Southern Cross Logistics Pty Ltd"};

// Price of item `i` in market `m`, in minor units, with the market's usual price endings.
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

int CategoryIndex(std::string_view category) {
  for (int i = 0; i < 6; ++i) {
    if (kCategories[i] == category) return i;
  }
  return 5;
}

class RetailGenerator {
 public:
  RetailGenerator(const DemoOptions& options, int scale, const DemoSink& sink)
      : seed_(options.seed),
        anchor_(options.anchor_unix_ms),
        anchor_day_(options.anchor_unix_ms / kDayMs),
        scale_(scale),
        sink_(sink) {}

  Status Run() {
    BuildMembers();
    BuildCases();
    BuildOpportunities();
    RETURN_IF_ERROR(EmitAccounts());
    RETURN_IF_ERROR(EmitContacts());
    RETURN_IF_ERROR(EmitProducts());
    RETURN_IF_ERROR(EmitKnowledge());
    RETURN_IF_ERROR(EmitLeads());
    RETURN_IF_ERROR(EmitOpportunities());
    RETURN_IF_ERROR(EmitCases());
    return EmitActivities();
  }

 private:
  Rng R(std::string_view stream, uint64_t index) const {
    return Rng(seed_, StreamId(stream), index);
  }
  Status Emit(std::string_view collection) { return sink_(kTenant, collection, json_); }
  const Market& MarketOf(uint32_t m) const { return kMarkets[members_[m].market]; }
  const City& CityOf(uint32_t m) const { return RetailCities()[members_[m].city]; }
  int64_t HistoryStartDay() const { return anchor_day_ - kHistoryDays; }
  // An instant on a random day in [first_day, last_day], 07:00-22:59 in a rough local day.
  int64_t ShopTime(int64_t first_day, int64_t last_day, int market, Rng* r) const {
    static constexpr int kUtcOffsetHours[] = {-5, 1, 0, 9, 10};
    const int64_t day = r->Between(first_day, std::max(first_day, last_day));
    const int64_t minute = r->Between(7 * 60, 23 * 60 - 1);
    const int64_t local = minute * kMinuteMs + r->Between(0, 59) * 1000;
    const int64_t at = day * kDayMs + local - kUtcOffsetHours[market] * kHourMs;
    return std::min(at, anchor_ - kHourMs);
  }

  static std::string AccountId(uint32_t h) { return Id("acc", kTag, h + 1, 6); }
  static std::string ContactId(uint32_t m) { return Id("con", kTag, m + 1, 6); }
  static std::string CaseId(size_t k) { return Id("cas", kTag, k + 1, 6); }
  static std::string OppId(size_t k) { return Id("opp", kTag, k + 1, 6); }
  static std::string ProductId(int market, size_t item) {
    return Id("prd", kTag, static_cast<uint64_t>(market) * RetailItems().size() + item + 1, 4);
  }
  static std::string OrderNumber(uint32_t number) { return "R-" + std::to_string(number); }
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
  Status EmitKnowledge();
  Status EmitLeads();
  Status EmitOpportunities();
  Status EmitCases();
  Status EmitActivities();
  Status EmitMemberTimeline(uint32_t m);
  // Writes one activity with body_ as the body; `subject` is rendered with vars_.
  Status EmitActivity(std::string_view parent_type, const std::string& parent_id,
                      std::string_view channel, std::string_view direction, int64_t at,
                      std::string_view subject, std::string_view topic, int64_t duration,
                      std::string_view owner, Rng* r);

  const uint64_t seed_;
  const int64_t anchor_;
  const int64_t anchor_day_;
  const int scale_;
  const DemoSink& sink_;

  std::vector<Household> households_;
  std::vector<Member> members_;
  std::vector<CaseSpec> cases_;
  std::vector<OppSpec> opps_;
  uint64_t next_activity_ = 1;

  std::string json_;
  std::string body_;
  std::string scratch_;
  std::string_view region_;  // region of the member whose activities are being written
  Vars vars_;
};

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
    JsonWriter w(&json_);
    w.Str("id", AccountId(h))
        .Str("owner_id", "cx-" + std::string(MarketOf(m).region))
        .Str("region", MarketOf(m).region)
        .Str("name", name)
        .Str("type", "customer")
        .Str("segment", "consumer");
    Rng address = R("retail/address", h);
    WriteAddress(&w, "billing_address", CityOf(m), &address);
    w.Begin("custom")
        .Str("market", MarketOf(m).code)
        .Str("loyalty_account", "OL-" + FillPattern("#########", &r))
        .Int("members", households_[h].size)
        .End();
    w.Finish();
    RETURN_IF_ERROR(Emit("accounts"));
  }
  return Status::Ok();
}

Status RetailGenerator::EmitContacts() {
  static constexpr std::string_view kChannels[] = {"email", "push", "sms", "none"};
  for (uint32_t m = 0; m < members_.size(); ++m) {
    const Member& mb = members_[m];
    const Market& mk = MarketOf(m);
    const Culture culture = CityOf(m).culture;
    Rng r = R("retail/contact", m);
    const auto [ltv, points] = Loyalty(m);
    static constexpr std::string_view kValue[] = {"value", "core", "core", "premium"};
    JsonWriter w(&json_);
    w.Str("id", ContactId(m))
        .Str("owner_id", "cx-" + std::string(mk.region))
        .Str("region", mk.region)
        .Str("first_name", FirstNames(culture)[mb.first].text)
        .Str("last_name", LastNames(culture)[mb.last].text)
        .Str("email", EmailOf(m))
        .Str("phone", FillPattern(CityOf(m).phone, &r))
        .Str("account_id", AccountId(mb.household))
        .Str("preferred_channel", kChannels[r.Weighted({50, 25, 15, 10})])
        .Begin("consent")
        .Bool("marketing", mb.cohort != Cohort::kLapsing && r.Percent(65))
        .Bool("profiling", r.Percent(45))
        .End()
        .Str("segment", kValue[mb.tier]);
    if (r.Percent(60)) {
      const int64_t dob = anchor_day_ - mb.age * 365 - mb.age / 4 - r.Between(1, 364);
      w.Str("date_of_birth", DateText(dob * kDayMs));
    }
    Rng address = R("retail/address", mb.household);
    WriteAddress(&w, "mailing_address", CityOf(m), &address);
    w.Str("locale", LocaleOf(culture))
        .Begin("custom")
        .Str("loyalty_tier", kTiers[mb.tier])
        .Int("points", points)
        .Num("lifetime_value", Decimal(ltv, CurrencyDecimals(mk.currency)))
        .Str("currency", mk.currency)
        .Str("member_since", DateText(anchor_ - r.Between(200, 3650) * kDayMs))
        .Str("demo_cohort", kCohortNames[static_cast<int>(mb.cohort)])
        .End();
    w.Finish();
    RETURN_IF_ERROR(Emit("contacts"));
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
      JsonWriter w(&json_);
      w.Str("id", ProductId(m, i))
          .Str("owner_id", "merch-" + std::string(mk.region))
          .Str("region", mk.region)
          .Str("sku", std::string(item.code) + "-" + std::string(mk.code))
          .Str("name", item.name)
          .Str("description", body_)
          .Str("category", item.category)
          .Str("kind", "product")
          .Num("price", Decimal(Price(m, i), CurrencyDecimals(mk.currency)))
          .Str("currency", mk.currency)
          .Bool("active", true)
          .Begin("custom")
          .Str("market", mk.code)
          .Num("avg_rating", std::to_string(rating / 10) + "." + std::to_string(rating % 10))
          .Int("review_count", r.Between(3, 900))
          .End();
      w.Finish();
      RETURN_IF_ERROR(Emit("products"));
    }
  }
  // Three offers per market: a running members' sale, a trade-in bonus and an expired sale.
  uint64_t next = static_cast<uint64_t>(kMarketCount) * items.size() + 1;
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
      JsonWriter w(&json_);
      w.Str("id", Id("prd", kTag, next++, 4))
          .Str("owner_id", "merch-" + std::string(mk.region))
          .Str("region", mk.region)
          .Str("sku", "OFR-" + std::string(o.from.substr(0, 4)) + "-" + std::string(mk.code) + "-" +
                          std::to_string(&o - offers + 1))
          .Str("name", o.name)
          .Str("description", o.description)
          .Str("category", "promotion")
          .Str("kind", "offer")
          .Num("price", "0")
          .Str("currency", mk.currency)
          .Bool("active", o.active)
          .Str("valid_from", o.from)
          .Str("valid_to", o.to)
          .Begin("custom")
          .Str("market", mk.code)
          .End();
      w.Finish();
      RETURN_IF_ERROR(Emit("products"));
    }
  }
  return Status::Ok();
}

Status RetailGenerator::EmitKnowledge() {
  const auto articles = RetailArticles();
  for (size_t i = 0; i < articles.size(); ++i) {
    const Article& a = articles[i];
    Rng r = R("retail/knowledge", i);
    JsonWriter w(&json_);
    w.Str("id", Id("kno", kTag, i + 1, 4))
        .Str("owner_id", "kb-editors")
        .Str("region", a.locale == "ja-JP" || a.locale == "en-AU" ? "apac"
                       : a.locale == "en-US"                      ? "na"
                                                                  : "eu")
        .Str("title", a.title)
        .Str("body", a.body)
        .List("tags", a.tags)
        .Str("locale", a.locale)
        .Str("status", "published")
        .Str("audience", a.audience)
        .Begin("custom")
        .Str("last_reviewed", DateText(anchor_ - r.Between(14, 300) * kDayMs))
        .End();
    w.Finish();
    RETURN_IF_ERROR(Emit("knowledge"));
  }
  return Status::Ok();
}

Status RetailGenerator::EmitLeads() {
  static constexpr std::string_view kStatus[] = {"new", "working", "qualified", "unqualified",
                                                 "converted"};
  static constexpr int kScoreLo[] = {10, 30, 55, 0, 60};
  static constexpr int kScoreHi[] = {50, 70, 90, 25, 100};
  const size_t count = static_cast<size_t>(200) * static_cast<size_t>(scale_);
  for (size_t i = 0; i < count; ++i) {
    Rng r = R("retail/lead", i);
    const size_t status = r.Weighted({35, 15, 10, 25, 15});
    const size_t source = r.Weighted({35, 25, 20, 10, 10});
    int market = 0;
    std::string first, last, email, converted;
    if (status == 4) {
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
      const NameEntry& f = r.Pick(FirstNames(city.culture));
      const NameEntry& l = r.Pick(LastNames(city.culture));
      first = f.text;
      last = l.text;
      // Leads use example.org, which contacts never do, so their emails cannot collide.
      email = EmailAddress(f, l, i + 1, "example.org", &r);
    }
    const Market& mk = kMarkets[market];
    JsonWriter w(&json_);
    w.Str("id", Id("lea", kTag, i + 1, 6))
        .Str("owner_id", "growth-" + std::string(mk.region))
        .Str("region", mk.region)
        .Str("first_name", first)
        .Str("last_name", last);
    if (source == 4) w.Str("company", r.Pick(kLeadCompanies));
    w.Str("email", email)
        .Str("status", kStatus[status])
        .Str("source", kLeadSources[source])
        .Int("score", r.Between(kScoreLo[status], kScoreHi[status]));
    if (!converted.empty()) w.Str("converted_contact_id", converted);
    w.Begin("custom").Str("market", mk.code).Str("interest", kCategories[r.Below(6)]).End();
    w.Finish();
    RETURN_IF_ERROR(Emit("leads"));
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
    body_.clear();
    Render(&body_, text.description, vars_, &r, "\n");
    JsonWriter w(&json_);
    w.Str("id", OppId(k))
        .Str("owner_id", "sales-" + std::string(mk.region))
        .Str("region", mk.region)
        .Str("name", std::string(text.name) + " - " + *vars_.Find("client"))
        .Str("account_id", AccountId(mb.household))
        .Str("contact_id", ContactId(o.member))
        .Int("amount", amount)
        .Str("currency", mk.currency)
        .Str("stage", kStages[o.stage])
        .Int("probability", kStageProbability[o.stage])
        .Str("close_date", DateText(close))
        .Str("description", body_)
        .Begin("custom")
        .Str("opened_on", DateText(o.created))
        .End();
    w.Finish();
    RETURN_IF_ERROR(Emit("opportunities"));
  }
  return Status::Ok();
}

Status RetailGenerator::EmitCases() {
  static constexpr std::string_view kCategory[] = {"delivery_issue", "damaged_item",
                                                   "missing_refund", "warranty_claim",
                                                   "exchange",       "loyalty_points"};
  static constexpr std::string_view kSubject[] = {"Late delivery: order {order}",
                                                  "Damaged on arrival: {item} (order {order})",
                                                  "Refund not received for {item} (order {order})",
                                                  "Warranty claim: {item}",
                                                  "Size exchange: {item} (order {order})",
                                                  "Missing points for order {order}"};
  static constexpr std::string_view kDescription[] = {
      "Order {order} ({items}) was due by {promised} and has not arrived. Tracking with {carrier} "
      "has not updated for several days. Customer needs it urgently.|Customer reports order "
      "{order} is late; {carrier} shows the parcel held at a depot near {city}.",
      "The {item} from order {order} arrived damaged: {damage}. Photos provided. Customer asks for "
      "a replacement or refund.",
      "Customer returned the {item} from order {order}; the warehouse received it on {received}, "
      "but the refund of {total_item} has not been issued. Customer is frustrated and has chased "
      "twice.",
      "Customer reports a fault with the {item} bought {months} months ago (order {order}): "
      "{fault} Within the warranty period.",
      "Customer wants to exchange the {item} from order {order} for a larger size.",
      "Customer says Orbit Rewards points for order {order} ({total}) are missing."};
  static constexpr std::string_view kPriority[] = {"low", "medium", "high", "urgent"};
  static constexpr std::string_view kOrigin[] = {"chat", "email", "phone", "app"};
  for (size_t k = 0; k < cases_.size(); ++k) {
    const CaseSpec& cs = cases_[k];
    const Member& mb = members_[cs.member];
    const Market& mk = MarketOf(cs.member);
    const auto orders = MemberOrders(cs.member);
    const Order& o = orders[cs.order];
    Rng r = R("retail/case", k);
    SetMemberVars(cs.member);
    SetOrderVars(cs.member, o, cs.slot);
    std::string subject;
    Render(&subject, kSubject[cs.kind], vars_, &r, " ");
    body_.clear();
    Render(&body_, kDescription[cs.kind], vars_, &r, " ");
    size_t priority = r.Weighted({20, 55, 20, 5});
    if (mb.cohort == Cohort::kLapsing && (cs.kind == kLate || cs.kind == kRefund)) priority = 2;
    JsonWriter w(&json_);
    w.Str("id", CaseId(k))
        .Str("owner_id", "agent-" + std::string(mk.region) + "-" + std::to_string(10 + k % 12))
        .Str("region", mk.region)
        .Str("subject", subject)
        .Str("description", body_)
        .Str("status", kCaseStatus[cs.status])
        .Str("priority", kPriority[priority])
        .Str("contact_id", ContactId(cs.member))
        .Str("account_id", AccountId(mb.household))
        .Str("origin", kOrigin[r.Weighted({60, 20, 10, 10})])
        .Str("category", kCategory[cs.kind])
        .Str("product_id", ProductId(mb.market, o.items[cs.slot]))
        .Begin("custom")
        .Str("order_number", OrderNumber(o.number))
        .Str("case_number", "OC-" + std::to_string(700000 + k))
        .End();
    w.Finish();
    RETURN_IF_ERROR(Emit("cases"));
  }
  return Status::Ok();
}

Status RetailGenerator::EmitActivity(std::string_view parent_type, const std::string& parent_id,
                                     std::string_view channel, std::string_view direction,
                                     int64_t at, std::string_view subject, std::string_view topic,
                                     int64_t duration, std::string_view owner, Rng* r) {
  scratch_.clear();
  Render(&scratch_, subject, vars_, r, " ");
  JsonWriter w(&json_);
  w.Str("id", Id("act", kTag, next_activity_++, 7))
      .Str("owner_id", owner)
      .Str("region", region_)
      .Str("parent_type", parent_type)
      .Str("parent_id", parent_id)
      .Str("channel", channel)
      .Str("direction", direction)
      .Str("occurred_at", TimeText(at))
      .Str("subject", scratch_)
      .Str("body", body_);
  if (duration >= 0) w.Int("duration_seconds", duration);
  w.Begin("custom").Str("topic", topic).End();
  w.Finish();
  return Emit("activities");
}

Status RetailGenerator::EmitMemberTimeline(uint32_t m) {
  const Member& mb = members_[m];
  const Market& mk = MarketOf(m);
  const std::string parent = ContactId(m);
  const std::string owner = "cx-" + std::string(mk.region);
  Rng r = R("retail/activity", m);
  SetMemberVars(m);
  region_ = mk.region;
  const auto orders = MemberOrders(m);
  const auto items = RetailItems();
  const int64_t limit = anchor_ - kHourMs;
  struct Event {
    int64_t at;
    int kind;  // see the switch below
    int order;
    int slot;
  };
  std::vector<Event> events;
  for (size_t j = 0; j < orders.size(); ++j) {
    const Order& o = orders[j];
    const int jj = static_cast<int>(j);
    events.push_back({o.at, 0, jj, 0});
    events.push_back({o.at + r.Between(1, 4) * kMinuteMs, 1, jj, 0});
    if (r.Percent(30)) events.push_back({o.at + r.Between(12, 40) * kHourMs, 2, jj, 0});
    if (r.Percent(20)) events.push_back({o.at + r.Between(2, 5) * kDayMs, 3, jj, 0});
    if (r.Percent(8)) events.push_back({o.at + r.Between(7, 20) * kDayMs, 4, jj, 0});
    if (r.Percent(4)) events.push_back({o.at + r.Between(30, 200) * kDayMs, 9, jj, 0});
  }
  const int64_t last_day = mb.cohort == Cohort::kLapsing ? anchor_day_ - 150 : anchor_day_ - 1;
  const int browse = static_cast<int>(r.Between(0, 2));
  for (int i = 0; i < browse; ++i) {
    events.push_back({ShopTime(HistoryStartDay(), last_day, mb.market, &r), 5, -1, 0});
  }
  const int promos = static_cast<int>(r.Weighted({45, 40, 15}));
  for (int i = 0; i < promos; ++i) {
    events.push_back({ShopTime(HistoryStartDay(), anchor_day_ - 1, mb.market, &r), 6, -1, 0});
  }
  if (r.Percent(25)) {
    events.push_back({ShopTime(HistoryStartDay(), last_day, mb.market, &r), 7, -1, 0});
  }
  if (r.Percent(25)) {
    events.push_back({ShopTime(HistoryStartDay(), last_day, mb.market, &r), 8, -1, 0});
  }
  if (mb.cohort == Cohort::kLapsing && !orders.empty()) {
    const int64_t last_order = orders.back().at;
    const int lo = static_cast<int>(orders.size()) - 1;
    events.push_back({std::min(last_order + r.Between(25, 35) * kDayMs, limit), 20, lo, 0});
    events.push_back({std::min(last_order + r.Between(36, 45) * kDayMs, limit), 21, lo, 0});
    events.push_back({(anchor_day_ - r.Between(20, 40)) * kDayMs + 6 * kHourMs, 22, -1, 0});
    events.push_back({ShopTime(anchor_day_ - 35, anchor_day_ - 5, mb.market, &r), 23, -1, 0});
  }
  int target_item = -1;
  if (mb.cohort == Cohort::kIntent) {
    // An expensive item the member has not bought.
    do {
      target_item = static_cast<int>(r.Below(items.size()));
    } while (items[static_cast<size_t>(target_item)].usd_cents < 12900);
    events.push_back({ShopTime(anchor_day_ - 28, anchor_day_ - 20, mb.market, &r), 30, -1, 0});
    events.push_back({ShopTime(anchor_day_ - 18, anchor_day_ - 12, mb.market, &r), 31, -1, 0});
    events.push_back({ShopTime(anchor_day_ - 10, anchor_day_ - 3, mb.market, &r), 32, -1, 0});
    events.push_back({ShopTime(anchor_day_ - 3, anchor_day_ - 1, mb.market, &r), 33, -1, 0});
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });

  auto rendered = [&](std::string_view tmpl, std::string_view joiner = "\n") {
    body_.clear();
    Render(&body_, tmpl, vars_, &r, joiner);
  };
  auto random_item = [&](std::string_view category) {
    size_t i = r.Below(items.size());
    for (size_t tries = 0;
         tries < items.size() && !category.empty() && items[i].category != category; ++tries) {
      i = (i + 1) % items.size();
    }
    return i;
  };
  for (const Event& e : events) {
    if (e.at >= anchor_) continue;
    if (e.order >= 0) SetOrderVars(m, orders[static_cast<size_t>(e.order)], 0);
    switch (e.kind) {
      case 0: {
        const Order& o = orders[static_cast<size_t>(e.order)];
        body_ = "Order " + OrderNumber(o.number) + " placed on the " + (o.app ? "app" : "website") +
                ": " + std::to_string(o.n) + (o.n == 1 ? " item (" : " items (") + ItemList(o) +
                "), total " + Money(o.total, m);
        body_ += " including " + Money(o.shipping, m) + " shipping. Paid with " +
                 *vars_.Find("payment") + ". Delivery to " + *vars_.Find("city") + " with " +
                 *vars_.Find("carrier") + ", estimated " + std::string(mk.eta) + ".";
        RETURN_IF_ERROR(EmitActivity("contacts", parent, o.app ? "app" : "web", "inbound", e.at,
                                     "Order {order} placed", "order_placed", -1, owner, &r));
        break;
      }
      case 1:
        body_ = "Hi " + *vars_.Find("greet") + ",\nThanks for your order " + *vars_.Find("order") +
                ".\nItems: " + *vars_.Find("items") + "\nTotal: " + *vars_.Find("total") +
                "\nWe'll email you again when it ships.\nOrbit";
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "email", "outbound", e.at,
                                     "Order confirmation {order}", "order_confirmation", -1, owner,
                                     &r));
        break;
      case 2:
        rendered(kEmailShipped);
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "email", "outbound", e.at,
                                     "Your order {order} is on its way", "shipping_notice", -1,
                                     owner, &r));
        break;
      case 3:
        rendered(
            "Orbit: your order {order} has been delivered. Problems? Reply HELP or chat with us "
            "in the app.");
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "sms", "outbound", e.at,
                                     "Delivery notification", "delivered", -1, owner, &r));
        break;
      case 4:
        rendered(kEmailReview);
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "email", "outbound", e.at,
                                     "How is your {item}?", "review_request", -1, owner, &r));
        break;
      case 5: {
        const size_t a = random_item("");
        const size_t b = random_item(items[a].category);
        // One draw per statement: operands of + are unsequenced.
        body_ = "Browsing summary (7 days): " + std::to_string(r.Between(2, 6));
        body_ += " sessions; viewed " + std::string(items[a].category) + " products ";
        body_ += std::to_string(r.Between(3, 12)) + " times; viewed " + std::string(items[a].name);
        body_ += " " + std::to_string(r.Between(1, 3)) + " times";
        if (a != b) body_ += "; compared it with " + std::string(items[b].name);
        body_ += ".";
        const bool app = r.Percent(50);
        RETURN_IF_ERROR(EmitActivity("contacts", parent, app ? "app" : "web", "inbound", e.at,
                                     "Browsing summary", "browsing", -1, owner, &r));
        break;
      }
      case 6:
        rendered(r.Pick(kEmailPromo));
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "email", "outbound", e.at,
                                     "News from Orbit", "marketing", -1, owner, &r));
        break;
      case 7: {
        const size_t a = random_item("");
        const size_t b = random_item("");
        const int64_t value = Price(mb.market, a) + (a != b ? Price(mb.market, b) : 0);
        body_ = "Cart abandoned with " + std::string(a != b ? "2 items (" : "1 item (") +
                std::string(items[a].name) +
                (a != b ? ", " + std::string(items[b].name) : std::string()) + "), value " +
                Money(value, m) + ". Checkout left at the " +
                (r.Percent(50) ? "shipping" : "payment") + " step.";
        RETURN_IF_ERROR(EmitActivity("contacts", parent, r.Percent(50) ? "app" : "web", "inbound",
                                     e.at, "Cart abandoned", "cart_abandoned", -1, owner, &r));
        break;
      }
      case 8: {
        // A support chat that did not need a case.
        static constexpr std::string_view kChats[] = {kChatSizing, kChatPoints, kChatCancel,
                                                      kChatPriceAdjust};
        static constexpr std::string_view kTopics[] = {"sizing", "loyalty_points",
                                                       "order_cancellation", "price_adjustment"};
        static constexpr std::string_view kSubjects[] = {
            "Chat: sizing for {item}", "Chat: missing loyalty points", "Chat: cancel order {order}",
            "Chat: price adjustment for {item}"};
        size_t which = r.Below(4);
        if (which != 0 && orders.empty()) which = 0;
        if (which != 0) {
          SetOrderVars(m, orders[r.Below(orders.size())], 0);
        } else {
          const bool shoes = r.Percent(40);
          const size_t item = random_item(shoes ? "footwear" : "apparel");
          vars_.Set("item", items[item].name);
          vars_.Set("size", shoes ? std::string_view(mk.shoe_size) : r.Percent(50) ? "M" : "L");
        }
        rendered(kChats[which]);
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "chat", "inbound", e.at, kSubjects[which],
                                     kTopics[which], r.Between(120, 900), owner, &r));
        break;
      }
      case 9:
        rendered(r.Pick(kEmailWarrantyQuestion));
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "email", "inbound", e.at,
                                     "Warranty question: {item}", "warranty_question", -1, owner,
                                     &r));
        break;
      case 20:
        rendered(r.Pick(kEmailComplaint));
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "email", "inbound", e.at,
                                     "Very disappointed", "complaint", -1, owner, &r));
        break;
      case 21:
        body_ = "Unsubscribed from marketing emails (reason given: \"not interested any more\").";
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "web", "inbound", e.at,
                                     "Email preferences changed", "unsubscribe", -1, owner, &r));
        break;
      case 22:
        body_ = "App activity, 30 days to " + DateText(e.at) + ": 0 sessions (down from " +
                std::to_string(r.Between(6, 14)) +
                " a month before the last order); loyalty card not scanned in store; push "
                "notifications disabled.";
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "app", "inbound", e.at,
                                     "App activity summary", "app_activity", -1, owner, &r));
        break;
      case 23:
        rendered(r.Pick(kEmailPointsExpiry));
        RETURN_IF_ERROR(EmitActivity("contacts", parent, "email", "outbound", e.at,
                                     "Your Orbit Rewards points", "win_back", -1, owner, &r));
        break;
      case 30:
      case 31:
      case 32:
      case 33: {
        const RetailItem& t = items[static_cast<size_t>(target_item)];
        vars_.Set("item", t.name);
        const int64_t price = Price(mb.market, static_cast<size_t>(target_item));
        vars_.Set("price", Money(price, m));
        vars_.Set("price_drop", Money(mk.currency == "JPY" ? price * 85 / 10000 * 100
                                                           : price * 85 / 10000 * 100 + 99,
                                      m));
        std::string_view channel = r.Percent(50) ? "app" : "web";
        std::string_view subject = "Browsing summary";
        std::string_view topic = "browsing";
        std::string_view direction = "inbound";
        if (e.kind == 30 || e.kind == 31) {
          // One draw per statement: operands of + are unsequenced.
          body_ = "Browsing summary (7 days): " + std::to_string(r.Between(4, 9));
          body_ += " sessions; viewed " + std::string(t.name) + " ";
          body_ += std::to_string(r.Between(3, 7)) + " times; read ";
          body_ += std::to_string(r.Between(2, 8)) + " reviews of it; viewed ";
          body_ += std::string(t.category) + " products ";
          body_ += std::to_string(r.Between(8, 20)) + " times.";
          if (e.kind == 31) {
            body_ += " Added " + std::string(t.name) + " to wishlist and set a price-drop alert.";
          }
        } else if (e.kind == 32) {
          body_ = "Cart abandoned with 1 item (" + std::string(t.name) + "), value " +
                  *vars_.Find("price") + ". Checked delivery dates to " + *vars_.Find("city") +
                  " twice.";
          subject = "Cart abandoned";
          topic = "cart_abandoned";
        } else {
          rendered(r.Pick(kEmailPriceDrop));
          channel = "email";
          direction = "outbound";
          subject = "{item}: an update";
          topic = "price_alert";
        }
        RETURN_IF_ERROR(EmitActivity("contacts", parent, channel, direction, e.at, subject, topic,
                                     -1, owner, &r));
        break;
      }
      default:
        break;
    }
  }
  return Status::Ok();
}

Status RetailGenerator::EmitActivities() {
  for (uint32_t m = 0; m < members_.size(); ++m) RETURN_IF_ERROR(EmitMemberTimeline(m));
  static constexpr std::string_view kChat[] = {kChatLate,     kChatDamaged,  kChatRefund,
                                               kChatWarranty, kChatExchange, kChatPoints};
  static constexpr std::string_view kResolution[] = {
      "Hi {greet},\nYour order {order} was delivered. We've refunded the shipping cost and added "
      "{bonus_points} bonus points for the delay.\nOrbit Customer Care",
      "Hi {greet},\nYour replacement {item} has shipped by express delivery. {carrier} will "
      "collect the damaged item.\nOrbit Customer Care",
      "Hi {greet},\nYour refund of {total_item} for the {item} has been issued to your {payment}. "
      "It should appear within 3 to 5 business days.\nOrbit Customer Care",
      "Hi {greet},\nYour warranty claim {case_ref} for the {item} has been approved. A replacement "
      "is on its way; you don't need to return the faulty one.\nOrbit Customer Care",
      "Hi {greet},\nWe've received your return and your exchanged {item} has shipped.\nOrbit "
      "Customer Care",
      "Hi {greet},\nThe {order_points} points for order {order} have been added to your Orbit "
      "Rewards account.\nOrbit Customer Care"};
  for (size_t k = 0; k < cases_.size(); ++k) {
    const CaseSpec& cs = cases_[k];
    const Market& mk = MarketOf(cs.member);
    const auto orders = MemberOrders(cs.member);
    Rng r = R("retail/case_activity", k);
    SetMemberVars(cs.member);
    SetOrderVars(cs.member, orders[cs.order], cs.slot);
    region_ = mk.region;
    vars_.Set("case_ref", "OC-" + std::to_string(700000 + k));
    const std::string id = CaseId(k);
    const std::string agent = "agent-" + std::string(mk.region) + "-" + std::to_string(10 + k % 12);
    body_.clear();
    Render(&body_, kChat[cs.kind], vars_, &r, "\n");
    RETURN_IF_ERROR(EmitActivity("cases", id, "chat", "inbound", cs.opened, "Chat: {item}",
                                 "case_contact", r.Between(180, 1500), agent, &r));
    const int64_t limit = anchor_ - kHourMs;
    if (cs.status >= 4) {
      body_.clear();
      Render(&body_, kResolution[cs.kind], vars_, &r, "\n");
      RETURN_IF_ERROR(EmitActivity("cases", id, "email", "outbound",
                                   std::min(cs.opened + r.Between(1, 6) * kDayMs, limit),
                                   "Update on your case {case_ref}", "case_update", -1, agent, &r));
    } else {
      body_.assign(cs.status == 3 ? "Escalated to the team lead for a goodwill decision."
                                  : "Waiting for the carrier or warehouse to confirm.");
      RETURN_IF_ERROR(EmitActivity("cases", id, "note", "internal",
                                   std::min(cs.opened + r.Between(1, 20) * kHourMs, limit),
                                   "Case note", "case_note", -1, agent, &r));
    }
  }
  for (size_t k = 0; k < opps_.size(); ++k) {
    const OppSpec& o = opps_[k];
    const Market& mk = MarketOf(o.member);
    Rng r = R("retail/opp_activity", k);
    SetMemberVars(o.member);
    region_ = mk.region;
    vars_.Set("opp", kOppTexts[o.kind].name);
    const std::string id = OppId(k);
    const std::string owner = "sales-" + std::string(mk.region);
    body_.clear();
    Render(&body_,
           "Consultation with {client} about: {opp}.\nCustomer compared options in store and "
           "asked for a written quote.|Customer wants delivery before the holidays and a bundle "
           "price.\nNext step: send the quote within three days.",
           vars_, &r, "\n");
    RETURN_IF_ERROR(EmitActivity("opportunities", id, "meeting", "outbound", o.created,
                                 "Consultation: {opp}", "consultation", r.Between(20, 60) * 60,
                                 owner, &r));
    if (o.stage >= 2) {
      body_.clear();
      Render(&body_,
             "Hi {greet},\nThank you for visiting us. As promised, here is your quote for the "
             "{opp}, including delivery. The quote is valid for 30 days.\nOrbit Business and "
             "Projects team",
             vars_, &r, "\n");
      RETURN_IF_ERROR(
          EmitActivity("opportunities", id, "email", "outbound",
                       std::min(o.created + r.Between(2, 6) * kDayMs, anchor_ - kHourMs),
                       "Your quote: {opp}", "quote", -1, owner, &r));
    }
  }
  return Status::Ok();
}

}  // namespace

Status GenerateRetail(const DemoOptions& options, int scale, const DemoSink& sink) {
  return RetailGenerator(options, scale, sink).Run();
}

}  // namespace crmi::crm::demo_internal
