// Tenant "orbit-retail" (demo_retail.h): activities. Each member's timeline is collected as events
// (orders and their notifications, browsing, marketing, support chats, and the cohort's storyline),
// sorted by time and written event by event; then each case and each opportunity gets its thread.
#include <algorithm>
#include <string>
#include <vector>

#include "src/crm/demo_retail.h"

namespace crmi::crm::demo_internal::retail {

Status RetailGenerator::EmitMemberTimeline(uint32_t m) {
  const Member& mb = members_[m];
  const Market& mk = MarketOf(m);
  const std::string parent = ContactId(m);
  const std::string owner = "cx-" + std::string(mk.region);
  const Thread thread{"contacts", parent, owner, mk.region};
  Rng r = R("retail/activity", m);
  SetMemberVars(m);
  const auto orders = MemberOrders(m);
  const auto items = RetailItems();
  const int64_t limit = anchor_ - kHourMs;
  struct Planned {
    int64_t at;
    Event event;
    int order;  // index into orders, or -1
  };
  std::vector<Planned> events;
  for (size_t j = 0; j < orders.size(); ++j) {
    const Order& o = orders[j];
    const int jj = static_cast<int>(j);
    events.push_back({o.at, Event::kOrderPlaced, jj});
    events.push_back({o.at + r.Between(1, 4) * kMinuteMs, Event::kOrderConfirmation, jj});
    if (r.Percent(30)) events.push_back({o.at + r.Between(12, 40) * kHourMs, Event::kShipped, jj});
    if (r.Percent(20)) events.push_back({o.at + r.Between(2, 5) * kDayMs, Event::kDelivered, jj});
    if (r.Percent(8)) {
      events.push_back({o.at + r.Between(7, 20) * kDayMs, Event::kReviewRequest, jj});
    }
    if (r.Percent(4)) {
      events.push_back({o.at + r.Between(30, 200) * kDayMs, Event::kWarrantyQuestion, jj});
    }
  }
  const int64_t last_day = mb.cohort == Cohort::kLapsing ? anchor_day_ - 150 : anchor_day_ - 1;
  // An event at a random shopping time between `from_day` and `to_day`.
  auto add = [&](int64_t from_day, int64_t to_day, Event event) {
    events.push_back({ShopTime(from_day, to_day, mb.market, &r), event, -1});
  };
  const int browse = static_cast<int>(r.Between(0, 2));
  for (int i = 0; i < browse; ++i) add(HistoryStartDay(), last_day, Event::kBrowsing);
  const int promos = static_cast<int>(r.Weighted({45, 40, 15}));
  for (int i = 0; i < promos; ++i) add(HistoryStartDay(), anchor_day_ - 1, Event::kPromotion);
  if (r.Percent(25)) add(HistoryStartDay(), last_day, Event::kCartAbandoned);
  if (r.Percent(25)) add(HistoryStartDay(), last_day, Event::kSupportChat);
  if (mb.cohort == Cohort::kLapsing && !orders.empty()) {
    const int64_t last_order = orders.back().at;
    const int lo = static_cast<int>(orders.size()) - 1;
    events.push_back(
        {std::min(last_order + r.Between(25, 35) * kDayMs, limit), Event::kComplaint, lo});
    events.push_back(
        {std::min(last_order + r.Between(36, 45) * kDayMs, limit), Event::kUnsubscribe, lo});
    events.push_back(
        {(anchor_day_ - r.Between(20, 40)) * kDayMs + 6 * kHourMs, Event::kSilentApp, -1});
    add(anchor_day_ - 35, anchor_day_ - 5, Event::kWinBack);
  }
  size_t target_item = 0;
  if (mb.cohort == Cohort::kIntent) {
    // An expensive item the member has not bought.
    do {
      target_item = r.Below(items.size());
    } while (items[target_item].usd_cents < 12900);
    add(anchor_day_ - 28, anchor_day_ - 20, Event::kItemViews);
    add(anchor_day_ - 18, anchor_day_ - 12, Event::kWishlist);
    add(anchor_day_ - 10, anchor_day_ - 3, Event::kItemInCart);
    add(anchor_day_ - 3, anchor_day_ - 1, Event::kPriceAlert);
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Planned& a, const Planned& b) { return a.at < b.at; });

  auto random_item = [&](std::string_view category) {
    size_t i = r.Below(items.size());
    for (size_t tries = 0;
         tries < items.size() && !category.empty() && items[i].category != category; ++tries) {
      i = (i + 1) % items.size();
    }
    return i;
  };
  // Where a member browses or shops: the app or the website, half and half.
  auto device = [&] { return std::string_view(r.Percent(50) ? "app" : "web"); };
  for (const Planned& e : events) {
    if (e.at >= anchor_) continue;
    if (e.order >= 0) SetOrderVars(m, orders[static_cast<size_t>(e.order)], 0);
    const EventText& text = kEventTexts[static_cast<int>(e.event)];
    Activity a{.channel = text.channel,
               .direction = text.direction,
               .at = e.at,
               .subject = text.subject,
               .topic = text.topic};
    switch (e.event) {
      case Event::kOrderPlaced: {
        const Order& o = orders[static_cast<size_t>(e.order)];
        body_ = "Order " + OrderNumber(o.number) + " placed on the " + (o.app ? "app" : "website") +
                ": " + std::to_string(o.n) + (o.n == 1 ? " item (" : " items (") + ItemList(o) +
                "), total " + Money(o.total, m);
        body_ += " including " + Money(o.shipping, m) + " shipping. Paid with " +
                 *vars_.Find("payment") + ". Delivery to " + *vars_.Find("city") + " with " +
                 *vars_.Find("carrier") + ", estimated " + std::string(mk.eta) + ".";
        a.channel = o.app ? "app" : "web";
        break;
      }
      case Event::kOrderConfirmation:
        body_ = "Hi " + *vars_.Find("greet") + ",\nThanks for your order " + *vars_.Find("order") +
                ".\nItems: " + *vars_.Find("items") + "\nTotal: " + *vars_.Find("total") +
                "\nWe'll email you again when it ships.\nOrbit";
        break;
      case Event::kBrowsing: {
        const size_t i = random_item("");
        const size_t j = random_item(items[i].category);
        // One draw per statement: operands of + are unsequenced.
        body_ = "Browsing summary (7 days): " + std::to_string(r.Between(2, 6));
        body_ += " sessions; viewed " + std::string(items[i].category) + " products ";
        body_ += std::to_string(r.Between(3, 12)) + " times; viewed " + std::string(items[i].name);
        body_ += " " + std::to_string(r.Between(1, 3)) + " times";
        if (i != j) body_ += "; compared it with " + std::string(items[j].name);
        body_ += ".";
        a.channel = device();
        break;
      }
      case Event::kCartAbandoned: {
        const size_t i = random_item("");
        const size_t j = random_item("");
        const int64_t value = Price(mb.market, i) + (i != j ? Price(mb.market, j) : 0);
        body_ = "Cart abandoned with " + std::string(i != j ? "2 items (" : "1 item (") +
                std::string(items[i].name) +
                (i != j ? ", " + std::string(items[j].name) : std::string()) + "), value " +
                Money(value, m) + ". Checkout left at the " +
                (r.Percent(50) ? "shipping" : "payment") + " step.";
        a.channel = device();
        break;
      }
      case Event::kSupportChat: {
        size_t which = r.Below(std::size(kSupportChats));
        if (which != 0 && orders.empty()) which = 0;
        if (which != 0) {
          SetOrderVars(m, orders[r.Below(orders.size())], 0);
        } else {
          const bool shoes = r.Percent(40);
          const size_t item = random_item(shoes ? "footwear" : "apparel");
          vars_.Set("item", items[item].name);
          vars_.Set("size", shoes ? std::string_view(mk.shoe_size) : r.Percent(50) ? "M" : "L");
        }
        const ChatText& chat = kSupportChats[which];
        RenderBody(chat.body, &r);
        a.subject = chat.subject;
        a.topic = chat.topic;
        a.duration = r.Between(120, 900);
        break;
      }
      case Event::kUnsubscribe:
        body_ = "Unsubscribed from marketing emails (reason given: \"not interested any more\").";
        break;
      case Event::kSilentApp:
        body_ = "App activity, 30 days to " + DateText(e.at) + ": 0 sessions (down from " +
                std::to_string(r.Between(6, 14)) +
                " a month before the last order); loyalty card not scanned in store; push "
                "notifications disabled.";
        break;
      case Event::kItemViews:
      case Event::kWishlist:
      case Event::kItemInCart:
      case Event::kPriceAlert: {
        const RetailItem& t = items[target_item];
        vars_.Set("item", t.name);
        const int64_t price = Price(mb.market, target_item);
        vars_.Set("price", Money(price, m));
        vars_.Set("price_drop", Money(mk.currency == "JPY" ? price * 85 / 10000 * 100
                                                           : price * 85 / 10000 * 100 + 99,
                                      m));
        const std::string_view channel = device();  // drawn for the email too
        if (a.channel.empty()) a.channel = channel;
        if (e.event == Event::kItemViews || e.event == Event::kWishlist) {
          // One draw per statement: operands of + are unsequenced.
          body_ = "Browsing summary (7 days): " + std::to_string(r.Between(4, 9));
          body_ += " sessions; viewed " + std::string(t.name) + " ";
          body_ += std::to_string(r.Between(3, 7)) + " times; read ";
          body_ += std::to_string(r.Between(2, 8)) + " reviews of it; viewed ";
          body_ += std::string(t.category) + " products ";
          body_ += std::to_string(r.Between(8, 20)) + " times.";
          if (e.event == Event::kWishlist) {
            body_ += " Added " + std::string(t.name) + " to wishlist and set a price-drop alert.";
          }
        } else if (e.event == Event::kItemInCart) {
          body_ = "Cart abandoned with 1 item (" + std::string(t.name) + "), value " +
                  *vars_.Find("price") + ". Checked delivery dates to " + *vars_.Find("city") +
                  " twice.";
        } else {
          RenderBody(r.Pick(text.bodies), &r);
        }
        break;
      }
      default:  // events written from their templates alone
        RenderBody(text.bodies.size() == 1 ? text.bodies[0] : r.Pick(text.bodies), &r);
        break;
    }
    a.body = body_;
    RETURN_IF_ERROR(EmitActivity(thread, a, vars_, &r));
  }
  return Status::Ok();
}

Status RetailGenerator::EmitStep(ThreadStep step, const Thread& thread, int64_t at,
                                 int64_t duration, Rng* r) {
  const EventText& text = kThreadTexts[static_cast<int>(step)];
  return EmitActivity(thread,
                      {.channel = text.channel,
                       .direction = text.direction,
                       .at = at,
                       .subject = text.subject,
                       .body = body_,
                       .topic = text.topic,
                       .duration = duration},
                      vars_, r);
}

Status RetailGenerator::EmitCaseThread(size_t k) {
  const CaseSpec& cs = cases_[k];
  const CaseText& text = kCaseTexts[cs.kind];
  const auto orders = MemberOrders(cs.member);
  Rng r = R("retail/case_activity", k);
  SetMemberVars(cs.member);
  SetOrderVars(cs.member, orders[cs.order], cs.slot);
  vars_.Set("case_ref", CaseNumber(k));
  const std::string id = CaseId(k);
  const std::string agent = CaseAgent(k);
  const Thread thread{"cases", id, agent, MarketOf(cs.member).region};
  RenderBody(text.chat, &r);
  RETURN_IF_ERROR(EmitStep(ThreadStep::kCaseChat, thread, cs.opened, r.Between(180, 1500), &r));
  const int64_t limit = anchor_ - kHourMs;
  if (cs.status >= 4) {
    RenderBody(text.resolution, &r);
    return EmitStep(ThreadStep::kCaseUpdate, thread,
                    std::min(cs.opened + r.Between(1, 6) * kDayMs, limit), -1, &r);
  }
  body_.assign(cs.status == 3 ? "Escalated to the team lead for a goodwill decision."
                              : "Waiting for the carrier or warehouse to confirm.");
  return EmitStep(ThreadStep::kCaseNote, thread,
                  std::min(cs.opened + r.Between(1, 20) * kHourMs, limit), -1, &r);
}

Status RetailGenerator::EmitOppThread(size_t k) {
  const OppSpec& o = opps_[k];
  Rng r = R("retail/opp_activity", k);
  SetMemberVars(o.member);
  vars_.Set("opp", kOppTexts[o.kind].name);
  const std::string id = OppId(k);
  const std::string_view region = MarketOf(o.member).region;
  const std::string owner = "sales-" + std::string(region);
  const Thread thread{"opportunities", id, owner, region};
  RenderBody(kThreadTexts[static_cast<int>(ThreadStep::kConsultation)].bodies[0], &r);
  RETURN_IF_ERROR(
      EmitStep(ThreadStep::kConsultation, thread, o.created, r.Between(20, 60) * 60, &r));
  if (o.stage < 2) return Status::Ok();
  RenderBody(kThreadTexts[static_cast<int>(ThreadStep::kQuote)].bodies[0], &r);
  return EmitStep(ThreadStep::kQuote, thread,
                  std::min(o.created + r.Between(2, 6) * kDayMs, anchor_ - kHourMs), -1, &r);
}

Status RetailGenerator::EmitActivities() {
  for (uint32_t m = 0; m < members_.size(); ++m) RETURN_IF_ERROR(EmitMemberTimeline(m));
  for (size_t k = 0; k < cases_.size(); ++k) RETURN_IF_ERROR(EmitCaseThread(k));
  for (size_t k = 0; k < opps_.size(); ++k) RETURN_IF_ERROR(EmitOppThread(k));
  return Status::Ok();
}

}  // namespace crmi::crm::demo_internal::retail
