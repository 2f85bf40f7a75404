// Text of the orbit-retail tenant (demo_retail.h): markets, support chats, emails, case and
// opportunity texts and word lists. Template syntax: see Render ('|' alternatives, '?' optional
// lines, '+' lines that come and go with them).
//
// Figures quoted here (return windows, warranty periods, points rules, delivery times) are those
// of the catalogue and articles (demo_catalogue.cc, demo_knowledge.cc); change them together.
#include "src/crm/demo_retail.h"

namespace crmi::crm::demo_internal::retail {
namespace {

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

constexpr std::string_view kEmailShipped[] = {
    "Hi {greet},\n"
    "Good news: your order {order} is on its way with {carrier}. Tracking number: {tracking}.\n"
    "Estimated delivery: {eta}.|It should arrive within {eta_text}.\n"
    "?You can redirect the parcel to a pickup point from the tracking page.\n"
    "Orbit"};

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

constexpr std::string_view kEmailReview[] = {
    "Hi {greet},\nHow are you getting on with your {item}? Share a quick review and earn 25 bonus "
    "points.\nOrbit"};

constexpr std::string_view kSmsDelivered[] = {
    "Orbit: your order {order} has been delivered. Problems? Reply HELP or chat with us in the "
    "app."};

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

// An opportunity's thread: the consultation note and, from the proposal stage on, the quote.
constexpr std::string_view kConsultationNote[] = {
    "Consultation with {client} about: {opp}.\nCustomer compared options in store and "
    "asked for a written quote.|Customer wants delivery before the holidays and a bundle "
    "price.\nNext step: send the quote within three days."};
constexpr std::string_view kQuoteEmail[] = {
    "Hi {greet},\nThank you for visiting us. As promised, here is your quote for the "
    "{opp}, including delivery. The quote is valid for 30 days.\nOrbit Business and "
    "Projects team"};

}  // namespace

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

constexpr std::string_view kCohortNames[] = {"steady", "lapsing", "intent_purchase"};
constexpr std::string_view kTiers[] = {"bronze", "silver", "gold", "platinum"};

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

constexpr CaseText kCaseTexts[] = {
    {"delivery_issue", "Late delivery: order {order}",
     "Order {order} ({items}) was due by {promised} and has not arrived. Tracking with {carrier} "
     "has not updated for several days. Customer needs it urgently.|Customer reports order "
     "{order} is late; {carrier} shows the parcel held at a depot near {city}.",
     kChatLate,
     "Hi {greet},\nYour order {order} was delivered. We've refunded the shipping cost and added "
     "{bonus_points} bonus points for the delay.\nOrbit Customer Care"},
    {"damaged_item", "Damaged on arrival: {item} (order {order})",
     "The {item} from order {order} arrived damaged: {damage}. Photos provided. Customer asks for "
     "a replacement or refund.",
     kChatDamaged,
     "Hi {greet},\nYour replacement {item} has shipped by express delivery. {carrier} will "
     "collect the damaged item.\nOrbit Customer Care"},
    {"missing_refund", "Refund not received for {item} (order {order})",
     "Customer returned the {item} from order {order}; the warehouse received it on {received}, "
     "but the refund of {total_item} has not been issued. Customer is frustrated and has chased "
     "twice.",
     kChatRefund,
     "Hi {greet},\nYour refund of {total_item} for the {item} has been issued to your {payment}. "
     "It should appear within 3 to 5 business days.\nOrbit Customer Care"},
    {"warranty_claim", "Warranty claim: {item}",
     "Customer reports a fault with the {item} bought {months} months ago (order {order}): "
     "{fault} Within the warranty period.",
     kChatWarranty,
     "Hi {greet},\nYour warranty claim {case_ref} for the {item} has been approved. A replacement "
     "is on its way; you don't need to return the faulty one.\nOrbit Customer Care"},
    {"exchange", "Size exchange: {item} (order {order})",
     "Customer wants to exchange the {item} from order {order} for a larger size.", kChatExchange,
     "Hi {greet},\nWe've received your return and your exchanged {item} has shipped.\nOrbit "
     "Customer Care"},
    {"loyalty_points", "Missing points for order {order}",
     "Customer says Orbit Rewards points for order {order} ({total}) are missing.", kChatPoints,
     "Hi {greet},\nThe {order_points} points for order {order} have been added to your Orbit "
     "Rewards account.\nOrbit Customer Care"}};

constexpr ChatText kSupportChats[] = {
    {"Chat: sizing for {item}", "sizing", kChatSizing},
    {"Chat: missing loyalty points", "loyalty_points", kChatPoints},
    {"Chat: cancel order {order}", "order_cancellation", kChatCancel},
    {"Chat: price adjustment for {item}", "price_adjustment", kChatPriceAdjust}};

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

// In the order of ThreadStep.
constexpr EventText kThreadTexts[] = {
    {"chat", "inbound", "Chat: {item}", "case_contact"},  // body: the case's CaseText::chat
    {"email", "outbound", "Update on your case {case_ref}", "case_update"},
    {"note", "internal", "Case note", "case_note"},
    {"meeting", "outbound", "Consultation: {opp}", "consultation", kConsultationNote},
    {"email", "outbound", "Your quote: {opp}", "quote", kQuoteEmail}};

constexpr std::string_view kLeadSources[] = {"newsletter-popup", "in-store-wifi",
                                             "instagram-giveaway", "pop-up-event",
                                             "corporate-gifting-form"};
constexpr std::string_view kLeadCompanies[] = {
    "Brightline GmbH",    "Kestrel Analytics Ltd", "Maison Lumière SARL",
    "Harbor & Finch LLC", "Sakura Design K.K.",    "Southern Cross Logistics Pty Ltd"};

// In the order of Event.
constexpr EventText kEventTexts[] = {
    {"", "inbound", "Order {order} placed", "order_placed"},
    {"email", "outbound", "Order confirmation {order}", "order_confirmation"},
    {"email", "outbound", "Your order {order} is on its way", "shipping_notice", kEmailShipped},
    {"sms", "outbound", "Delivery notification", "delivered", kSmsDelivered},
    {"email", "outbound", "How is your {item}?", "review_request", kEmailReview},
    {"", "inbound", "Browsing summary", "browsing"},
    {"email", "outbound", "News from Orbit", "marketing", kEmailPromo},
    {"", "inbound", "Cart abandoned", "cart_abandoned"},
    {"chat", "inbound", "", ""},  // subject, topic and body: kSupportChats
    {"email", "inbound", "Warranty question: {item}", "warranty_question", kEmailWarrantyQuestion},
    // lapsing members
    {"email", "inbound", "Very disappointed", "complaint", kEmailComplaint},
    {"web", "inbound", "Email preferences changed", "unsubscribe"},
    {"app", "inbound", "App activity summary", "app_activity"},
    {"email", "outbound", "Your Orbit Rewards points", "win_back", kEmailPointsExpiry},
    // members intending to buy one item
    {"", "inbound", "Browsing summary", "browsing"},
    {"", "inbound", "Browsing summary", "browsing"},
    {"", "inbound", "Cart abandoned", "cart_abandoned"},
    {"email", "outbound", "{item}: an update", "price_alert", kEmailPriceDrop}};

}  // namespace crmi::crm::demo_internal::retail
