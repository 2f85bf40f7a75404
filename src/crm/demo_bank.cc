// Tenant "maple-bank": wealth-management households in the US and Canada.
//
// Structure: households (accounts, type "household") of one to three clients (contacts), each
// household served by one advisor (owner_id "adv-NNN", about 60 clients per advisor). Each
// household follows a storyline (Cohort) that shapes its primary client's activity timeline:
//   steady      ordinary service: reviews, statements, contributions, market calls;
//   churn_risk  in the last ~4 months: fee complaint naming a competitor, falling logins, views of
//               the transfer-out article, a fee dispute case and often a transfer-out request;
//   intent_*    in the last ~3 months: repeated views of a product page or calculator, a call
//               and emails about it, and an open opportunity.
#include <algorithm>
#include <vector>

#include "src/crm/demo_internal.h"

namespace crmi::crm::demo_internal {
namespace {

constexpr std::string_view kTenant = "maple-bank";
constexpr char kTag = 'b';

enum class Cohort : uint8_t { kSteady, kChurn, kMortgage, kRetirement, kEstate, kManaged };
constexpr std::string_view kCohortNames[] = {"steady",          "churn_risk",
                                             "intent_mortgage", "intent_retirement_income",
                                             "intent_estate",   "intent_managed_portfolio"};
constexpr std::string_view kSegments[] = {"mass-affluent", "high-net-worth",
                                          "ultra-high-net-worth"};
constexpr std::string_view kRisks[] = {"conservative", "balanced", "growth", "aggressive"};
constexpr std::string_view kCompetitors[] = {"Northpeak Investments", "Harbourline Direct",
                                             "Summit Ridge Wealth", "Clearwater Robo"};
constexpr std::string_view kRoles[] = {"primary", "partner", "adult_child"};
constexpr std::string_view kOccupations[] = {
    "Physician",       "Software Engineer",  "Business Owner",  "Teacher",   "Lawyer",
    "Dentist",         "Civil Engineer",     "Accountant",      "Nurse",     "Professor",
    "Pharmacist",      "Real Estate Broker", "Product Manager", "Architect", "Sales Director",
    "Police Sergeant", "Veterinarian",       "Consultant",      "Pilot",     "Marketing Manager"};

struct Household {
  uint32_t first_member;
  uint8_t size;
  uint8_t city;
  uint16_t last;
  uint16_t advisor;
  uint8_t segment;
  Cohort cohort;
  uint8_t age;  // primary client's age at the anchor
};

struct Client {
  uint32_t household;
  uint16_t first;
  uint16_t last;
  uint8_t age;
  uint8_t role;  // index into kRoles
};

// Derived details of a household, recomputed wherever needed from its own stream.
struct Portfolio {
  int64_t aum = 0;  // dollars
  int risk = 0;
  bool canadian = false;
  std::string accounts;  // comma-separated: "RRSP,TFSA,Non-registered"
  std::string first_account;
  int64_t fee_dollars = 0;
  int fee_bp = 0;  // effective annual fee in basis points
  int64_t client_since_ms = 0;
};

enum class Topic : uint8_t {
  // calls
  kRebalance,
  kFeeQuestion,
  kRetirement,
  kVolatility,
  kContribution,
  kTaxSlips,
  kBeneficiary,
  kFeeComplaint,
  kTransferOut,
  kIntentCall,
  // emails
  kStatement,
  kCommentary,
  kReviewFollowup,
  kClientQuestion,
  kFeeEmail,
  kTransferPaperwork,
  kIntentQuestion,
  kIntentInfo,
  kRetentionOffer,
  // other channels
  kAnnualReview,
  kAdvisorNote,
  kRetentionNote,
  kWebDigest,
  kAppDigest,
  kReminder,
  // case and opportunity threads
  kCaseContact,
  kCaseUpdate,
  kCaseNote,
  kOppMeeting,
  kOppProposal,
};

enum CaseKind : uint8_t {
  kLockout,
  kStatementError,
  kWireDelay,
  kFeeDispute,
  kTaxSlip,
  kFraud,
  kTransferRequest
};

enum OppKind : uint8_t {
  kOppRetirement,
  kOppMortgage,
  kOppEstate,
  kOppManaged,
  kOppHeloc,
  kOppConsolidate,
  kOppInsurance,
  kOppRegistered
};

// ---- Templates: see Render() for the syntax ('|' alternatives, '?' optional lines) ----

constexpr std::string_view kCallRebalance =
    "Advisor: Hi {client}, it's {advisor} from Maple Bank Wealth. Is now still a good time for our "
    "portfolio check-in?|Advisor: Good morning {client}, {advisor_first} calling from Maple Bank. "
    "Thanks for making time for the rebalancing review.\n"
    "Client: Yes, go ahead. I saw the markets moved quite a bit this quarter.|Client: Sure. I was "
    "going to call you anyway, my last statement looked a little lopsided.\n"
    "Advisor: They did. Your equities have drifted to {drift}% of the portfolio against a target "
    "of {target}% in your {risk} model, mostly because US large caps ran up.\n"
    "Client: Is that a problem?|Client: So what do you suggest?\n"
    "Advisor: Not a problem, but it means you're carrying more risk than we agreed. I'd trim "
    "equities back to target and add to the short-term bond fund and the GIC ladder.\n"
    "?Advisor: Most of the selling happens inside your {acct}, so there's no tax on those trades.\n"
    "?Client: What about the taxable account? I don't want a big capital gains bill.|Client: Will "
    "any of this trigger capital gains?\n"
    "+Advisor: On the taxable side we'll use new contributions and dividends rather than sales, so "
    "realised gains stay small.\n"
    "Client: Okay, that makes sense. Go ahead with the rebalance.|Client: Fine by me, please "
    "proceed.\n"
    "Advisor: Great. I'll place the trades today; confirmations will be in your documents within "
    "two business days, and I'll email a one-page summary of the new allocation.\n"
    "Client: Thanks, {advisor_first}.|Client: Perfect, thank you.";

constexpr std::string_view kCallFeeQuestion =
    "Client: Hi {advisor_first}, I was going through my annual fee report and wanted to understand "
    "the numbers.|Client: Hello, I received the annual charges and compensation report and had a "
    "question about it.\n"
    "Advisor: Of course, {client}. Your household is on our tiered schedule, which works out to "
    "{fee} a year all-in, including trading and planning. Last year that came to {fees_paid}.\n"
    "Client: And the fund expenses are on top of that?\n"
    "Advisor: Yes, the ETFs in your model cost about 0.18% a year on average. We don't use funds "
    "with trailing commissions, so that's the complete picture.\n"
    "?Client: How does that compare with a robo-advisor?|Client: My neighbour says he pays much "
    "less at an online broker.\n"
    "+Advisor: A robo platform is cheaper on paper. What you get here is tax planning, estate "
    "coordination and someone who picks up the phone when markets drop. I'm happy to walk through "
    "the value side by side.\n"
    "Client: That's helpful. I just wanted to make sure I understood it.|Client: Okay, that's "
    "clearer. Thanks for explaining.\n"
    "Advisor: Anytime. I'll email you the fee schedule article so you have it in writing.";

constexpr std::string_view kCallRetirement =
    "Advisor: Hi {client}, {advisor_first} here. At our last review you mentioned you're thinking "
    "about retiring in {retire_year}.|Advisor: {client}, thanks for calling back. Let's talk about "
    "your retirement timeline.\n"
    "Client: Yes, I'd like to know whether we're on track. I'd like to stop working at "
    "{retire_age}.\n"
    "Advisor: Based on your savings of about {aum} and your current contributions, our projection "
    "supports an income of roughly {income} a year before tax, adjusted for inflation.\n"
    "Client: Does that include government benefits?|Client: Does that count the government "
    "pension?\n"
    "Advisor: It includes an estimate of your government benefits starting at 65. Delaying them to "
    "70 would raise that income noticeably.\n"
    "?Client: Should I be converting anything now?\n"
    "+Advisor: We'd convert your {acct} to an income plan in the year you retire and draw from "
    "taxable savings first, to keep your tax bracket steady.\n"
    "Client: Can you put that in writing so my family and I can review it?|Client: Let's set up a "
    "meeting to go through the details.\n"
    "Advisor: Absolutely. I'll prepare a retirement income plan and book a meeting for next month.";

constexpr std::string_view kCallVolatility =
    "Client: {advisor_first}, I'm a bit nervous. I watched the market drop {drop}% this week and "
    "I'm wondering if we should move to cash.|Client: Hi, it's {client}. The market news this week "
    "has me worried about my savings.\n"
    "Advisor: I understand, {client}. Your portfolio is down about {down}% from its peak, which is "
    "well within what we planned for a {risk} profile.\n"
    "Client: But what if it keeps going down?\n"
    "Advisor: It might, in the short term. Investors who sold during past drawdowns locked in "
    "their losses and missed the recovery. Your next three years of withdrawals are already set "
    "aside in short-term bonds and cash.\n"
    "?Client: So there's nothing I need to touch in the near term?|Client: That's reassuring. I "
    "forgot we did that.\n"
    "+Advisor: Exactly. The equity portion has time to recover, and we rebalance into weakness, "
    "not away from it.\n"
    "Client: Okay. I feel better. Let's stay the course.|Client: Alright, I'll stop checking the "
    "app every hour.\n"
    "Advisor: That's the plan. I'll send you our latest market commentary, and call me anytime.";

constexpr std::string_view kCallContribution =
    "Client: Hi {advisor_first}, I'd like to make my {reg_acct} contribution before the "
    "deadline.|Client: Quick question: how much can I still put into my {reg_acct} this year?\n"
    "Advisor: Good timing, {client}. Based on your latest tax assessment and what you've "
    "contributed so far, you have {room} of room available.\n"
    "Client: I was thinking of contributing {contrib}.\n"
    "Advisor: That works. Shall I take it from your {chequing} account or move it from the "
    "high-interest savings account?|Advisor: That fits within your room. I can set it up as a "
    "one-time transfer today.\n"
    "?Client: And can you set up something monthly so I don't scramble next year?\n"
    "+Advisor: Sure, a pre-authorised contribution of {monthly} a month would get you there "
    "comfortably.\n"
    "Client: Let's do that.|Client: Great, please go ahead.\n"
    "Advisor: Done. You'll get a confirmation email, and the tax receipt will appear under "
    "Documents in online banking.";

constexpr std::string_view kCallTaxSlips =
    "Client: Hello, I'm doing my taxes and I can't find the slip for my {acct}.|Client: Hi, my "
    "accountant is asking for my tax slips and one seems to be missing.\n"
    "Advisor: Let me check, {client}. Slips for registered accounts went out on the usual "
    "schedule; the investment income slip for the taxable account is issued later, by the end of "
    "February.\n"
    "Client: Where do I find them online?\n"
    "Advisor: In online banking, go to Documents, then Tax documents. You can filter by year and "
    "download the PDFs.\n"
    "?Client: My accountant also needs the cost base report.|Client: Can you send a copy directly "
    "to my accountant?\n"
    "+Advisor: I'll email you a realised gains report and an adjusted cost base summary today, and "
    "you can forward them.\n"
    "Client: Great, thank you.";

constexpr std::string_view kCallBeneficiary =
    "Client: Hi {advisor_first}, we just updated our wills and the lawyer told us to check the "
    "beneficiaries on my accounts.|Client: I'd like to review who is named as beneficiary on my "
    "{acct}.\n"
    "Advisor: Good idea, {client}. Right now your {acct} names your estate as beneficiary.\n"
    "Client: I'd like to name my spouse directly.|Client: I'd like to name my children instead.\n"
    "Advisor: Naming beneficiaries directly on the account can keep those assets out of probate. "
    "I'll send you the designation form for e-signature.\n"
    "?Client: Does this change anything for the taxable account?\n"
    "+Advisor: Taxable accounts follow your will unless they are held jointly. We can talk about "
    "joint ownership at your next review.\n"
    "Client: Please send the form.\n"
    "Advisor: It will be in your inbox within the hour.";

constexpr std::string_view kCallFeeComplaint =
    "Client: {advisor_first}, I have to be honest, I'm not happy with what I'm paying.|Client: Hi, "
    "it's {client}. I just looked at my annual fee report and frankly I'm shocked.\n"
    "Advisor: I'm sorry to hear that, {client}. Can you tell me what stood out?\n"
    "Client: I paid {fees_paid} in fees last year. {competitor} quoted me {competitor_fee} on the "
    "same amount.|Client: Over {fees_paid} last year. A friend moved to {competitor} and pays a "
    "fraction of that.\n"
    "Advisor: I understand. Your schedule works out to {fee}, which includes planning and tax "
    "work, but I take the point about the dollar amount.\n"
    "Client: And the returns haven't exactly justified it. I was also charged twice on my last "
    "statement.|Client: The service hasn't matched the price. It took three weeks to fix a "
    "statement error.\n"
    "Advisor: That's fair feedback. I can review your fee tier and see whether consolidating "
    "accounts gets you a better rate.\n"
    "Client: I'll think about it. I've already opened an account with {competitor}.|Client: I'm "
    "seriously considering moving everything to {competitor}.\n"
    "Advisor: I'd appreciate the chance to put a proposal in front of you before you decide. Can "
    "we meet next week?\n"
    "Client: Maybe. Send me something in writing first.|Client: I don't know. Put it in an email "
    "and I'll look at it.";

constexpr std::string_view kCallTransferOut =
    "Client: Hello, I'm calling to let you know I've decided to move my accounts to "
    "{competitor}.|Client: {advisor_first}, I wanted to tell you myself: I'm transferring my "
    "{acct} and the investment account out.\n"
    "Advisor: I'm sorry to hear that, {client}. May I ask what drove the decision?\n"
    "Client: Mainly fees. It's {fees_paid} a year and {competitor} is much cheaper. The statement "
    "errors didn't help.|Client: Cost, mostly. I haven't been happy since the fee dispute last "
    "quarter.\n"
    "Advisor: I understand. {competitor} will send us the transfer request; it usually completes "
    "in 7 to 10 business days. There is a $150 transfer-out fee per account.\n"
    "Client: Can you waive that fee?\n"
    "Advisor: I can request a waiver, and I'd still like to offer a fee review before anything "
    "moves. Would you consider it?|Advisor: I'll ask my manager. Before you go, would you let me "
    "show you a revised fee proposal?\n"
    "Client: I've made up my mind, but you can send it.|Client: I'll look at it, but I'm not "
    "promising anything.\n"
    "Advisor: Understood. I'll email it today and make sure the transfer goes smoothly either way.";

constexpr std::string_view kCallIntent[] = {
    // mortgage
    "Client: Hi {advisor_first}, our mortgage renewal is coming up and I've been looking at your "
    "rates online.|Client: Quick question: does Maple Bank do mortgage refinancing? We're thinking "
    "about renovating.\n"
    "Advisor: We do, {client}. What's the balance and when does your current term end?\n"
    "Client: About {mortgage_balance}, and the term ends in {renewal_month}. It's with another "
    "lender right now.\n"
    "Advisor: Our 5-year fixed special is 4.29% for clients with $250,000 or more invested here, "
    "and we cover appraisal and legal fees on a switch.\n"
    "?Client: Would I need a new appraisal?|Client: How long does approval take?\n"
    "+Advisor: We order the appraisal, and you'd usually have a commitment letter within five "
    "business days of sending income documents.\n"
    "Client: I'd like to see numbers.|Client: That's interesting. Can you send me a quote?\n"
    "Advisor: I'll connect you with our mortgage specialist and send you a pre-qualification link "
    "today.",
    // retirement income
    "Client: I'm starting to think seriously about turning my savings into income. What options do "
    "you have?|Client: {advisor_first}, I've been using the retirement calculator on your site a "
    "lot lately. Can we talk about an income plan?\n"
    "Advisor: Happy to, {client}. Do you have a date in mind?\n"
    "Client: Probably within the next year or two.\n"
    "Advisor: We'd build a retirement income plan: a bond and GIC ladder for the first five years, "
    "a dividend portion, and possibly an annuity to cover essential expenses.\n"
    "Client: An annuity? I hadn't considered that. What would it cost?|Client: How much income "
    "could {aum} realistically generate?\n"
    "Advisor: I'll run projections for a few scenarios. Planning is included for your household, "
    "so there's no extra fee.\n"
    "Client: Please do. I'd like to go through them together.",
    // estate
    "Client: {advisor_first}, we've been thinking about estate planning and how to pass money on "
    "to the kids.|Client: Does Maple have someone who can help with trusts and estate planning?\n"
    "Advisor: Yes, our estate planning team works with your lawyer and accountant. What's "
    "prompting the question?\n"
    "Client: We're getting older and the portfolio is bigger than we expected. I want to avoid a "
    "mess for the family.\n"
    "Advisor: Sensible. We'd look at beneficiary designations, probate exposure, a possible family "
    "trust and gifting while you're alive.\n"
    "Client: Let's set up a meeting with the specialist.\n"
    "Advisor: I'll send a few times for next week.",
    // managed portfolio
    "Client: Honestly, I don't have time to manage the self-directed account anymore. Do you have "
    "something more hands-off?|Client: I saw the managed portfolios page. Could that work for my "
    "investment account?\n"
    "Advisor: Maple Managed Portfolios would fit, {client}. We'd set the model to your {risk} "
    "profile and rebalance automatically.\n"
    "Client: What does it cost?\n"
    "Advisor: It's tiered: 1.25% on the first million, less above that, with no trading "
    "commissions. And during the current campaign we reimburse transfer fees.\n"
    "Client: Sounds good. Send me the details.|Client: I'd like to move about {amount} into it.\n"
    "Advisor: I'll prepare the account agreement and a proposal."};

constexpr std::string_view kIntentPages[][3] = {
    {"viewed the mortgage rates page {n} times", "used the mortgage payment calculator",
     "started a mortgage pre-qualification but did not finish it"},
    {"used the retirement income calculator {n} times", "read \"Planning retirement income\"",
     "viewed the RRIF and annuity pages"},
    {"read \"Setting up and updating beneficiaries\"", "viewed the estate planning page {n} times",
     "downloaded the beneficiary designation form"},
    {"viewed the Maple Managed Portfolios page {n} times", "compared the four model portfolios",
     "read the wealth management fee schedule"}};

constexpr std::string_view kIntentNames[] = {"a mortgage refinance", "a retirement income plan",
                                             "estate planning", "a managed portfolio"};

constexpr std::string_view kEmailStatement =
    "Hi {client},|Dear {client},\n"
    "Your statement for the quarter ended {quarter_end} is now available in online banking under "
    "Documents > Statements.\n"
    "Your household portfolio was valued at {aum} at quarter-end. Your asset mix remains within "
    "range of your {risk} target.|Your portfolio returned {ret}% for the quarter after fees, and "
    "your asset mix remains close to your {risk} target.\n"
    "?Reminder: the annual charges and compensation report is included with your fourth-quarter "
    "statement.\n"
    "If anything looks unfamiliar, reply to this email or call me directly.\n"
    "{advisor}\nMaple Bank Wealth";

constexpr std::string_view kEmailCommentary =
    "Hi {client},\n"
    "Here is our market commentary for {month}.\n"
    "Central banks held rates steady this month, and bond yields eased as inflation continued to "
    "cool.|Equity markets were volatile this month as investors reacted to weaker manufacturing "
    "data and mixed earnings.|Stocks reached new highs this month, led by technology and "
    "financials, while bonds delivered modest gains.\n"
    "For long-term investors our view is unchanged: stay diversified, rebalance when allocations "
    "drift, and keep near-term cash needs in safe assets.|We continue to favour high-quality bonds "
    "and a broad mix of global equities, and we rebalanced model portfolios where they drifted "
    "beyond their ranges.\n"
    "?If you'd like to discuss how this affects your plan, book a time with me online.\n"
    "{advisor}\nMaple Bank Wealth";

constexpr std::string_view kEmailFollowup =
    "Hi {client},\n"
    "Thank you for taking the time to meet today. Here is a summary of what we agreed.|Thanks "
    "again for the review this week. As promised, here are the next steps.\n"
    "1. Rebalance the portfolio back to the {risk} target, mainly within your {acct}.|1. Set up a "
    "pre-authorised contribution of {monthly} a month.\n"
    "2. Review beneficiary designations; I'll send the forms for e-signature.|2. Update your "
    "retirement projection with the new savings rate.\n"
    "?3. Book a call with our tax specialist before year-end.\n"
    "Let me know if I missed anything.\n"
    "{advisor}";

constexpr std::string_view kEmailQuestion =
    "Hi {advisor_first},\n"
    "Could you tell me how much contribution room I have left in my {reg_acct} this year?|I'm "
    "travelling for three months this winter; is there anything I should set up before I go?|We've "
    "moved. Could you update our mailing address on all accounts?|Could you send me the book value "
    "report for the taxable account for my accountant?|I received a letter about a dividend "
    "reinvestment, can you explain what it means?\n"
    "Thanks,\n{client}";

constexpr std::string_view kEmailFees =
    "Hi {advisor_first},\n"
    "I've been reviewing what I pay and I'm concerned. {fees_paid} in fees last year is a lot of "
    "money for the results we've had.|I noticed I was charged the management fee twice last "
    "quarter. This is the second billing problem this year.\n"
    "I've been offered {competitor_fee} by {competitor} for the same assets.|Frankly I'm "
    "questioning whether the fees are worth it.\n"
    "Please explain the charges and what can be done.\n"
    "{client}";

constexpr std::string_view kEmailTransferPaperwork =
    "Hi {advisor_first},\n"
    "Can you tell me what the transfer-out fee is for each account and how long a transfer to "
    "another institution takes?|Please send me full statements for all my accounts for the last 12 "
    "months.|I'd like a list of positions that can be moved in kind and any that would have to be "
    "sold.\n"
    "Thanks,\n{client}";

constexpr std::string_view kEmailIntentQuestion[] = {
    "Hi {advisor_first},\nOur mortgage term ends in {renewal_month}. Could you send me your "
    "current 5-year fixed rate and what documents you'd need for a switch?\nThanks,\n{client}",
    "Hi {advisor_first},\nI've been playing with the retirement calculator. Could we look at what "
    "income I could expect if I retired in {retire_year}?\nThanks,\n{client}",
    "Hi {advisor_first},\nWe'd like to talk to someone about setting up a trust for the "
    "grandchildren and reviewing our wills. Who should we speak to?\nThanks,\n{client}",
    "Hi {advisor_first},\nCould you send me the details of the managed portfolios, including fees, "
    "and what would happen to my current holdings?\nThanks,\n{client}"};

constexpr std::string_view kEmailIntentInfo[] = {
    "Hi {client},\nThanks for your interest in switching your mortgage to Maple Bank. Based on a "
    "balance of about {mortgage_balance}, our 5-year fixed special of 4.29% would save you roughly "
    "{saving} a year compared with your current rate. Here is the pre-qualification link; it takes "
    "about 15 minutes. We cover appraisal and legal fees on switches.\n{advisor}",
    "Hi {client},\nAttached are three retirement income scenarios based on your portfolio of "
    "{aum}. The middle scenario supports about {income} a year, indexed to inflation, with a 90% "
    "probability of lasting to age 95. Let's go through them at our meeting.\n{advisor}",
    "Hi {client},\nI've booked a meeting with our estate specialist. Please bring copies of your "
    "wills and powers of attorney, and a list of accounts held outside Maple Bank. The "
    "consultation fee is waived for your household.\n{advisor}",
    "Hi {client},\nHere is the proposal for Maple Managed Portfolios: a {risk} model, an all-in "
    "fee of {fee} on your household assets, and no trading commissions. Current holdings can move "
    "in kind; we'll rebalance gradually to limit capital gains.\n{advisor}"};

constexpr std::string_view kEmailRetention =
    "Hi {client},\n"
    "Thank you for your candid feedback about fees. I've reviewed your household's pricing: by "
    "combining all family accounts into one fee group, your rate would drop to {new_fee}, saving "
    "about {saving} a year.|Following our conversation, I've arranged a fee review: we can lower "
    "your rate to {new_fee} and waive the transfer-out fee on any account you still decide to "
    "move.\n"
    "I'd value the chance to keep working with you. Could we meet next week to discuss?\n"
    "{advisor}";

constexpr std::string_view kMeetingReview =
    "Annual review with {client_full}. Advisor: {advisor}.\n"
    "Portfolio value {aum}; {risk} model; allocation within 3 percentage points of "
    "target.|Portfolio value {aum}; returns in line with the {risk} benchmark after fees.\n"
    "Discussed: retirement timeline (target age {retire_age}), contribution plans for the "
    "{reg_acct}, and the household's cash needs for the next two years.|Discussed: recent market "
    "volatility, the client's comfort with risk (unchanged), and beneficiary "
    "designations.|Discussed: tax-loss harvesting opportunities, the children's education savings "
    "and an upcoming home renovation.\n"
    "?Client mentioned an inheritance of about {amount} expected next year.\n"
    "?Client asked about fees; explained the tiered schedule and the annual charges report.\n"
    "Actions: send follow-up summary; update financial plan; next review in 12 months.|Actions: "
    "rebalance within two weeks; send beneficiary forms; review again in six months.";

constexpr std::string_view kAdvisorNote =
    "Client called to confirm the wire details for a family gift; verified identity and "
    "payee.|Reviewed household for tax-loss harvesting; nothing material this year.|Client asked "
    "to be contacted by email rather than phone going forward.|Spoke with client's accountant "
    "(authorised) about the realised gains report.|Client confirmed receipt of the quarterly "
    "statement; no questions.|Left voicemail to schedule the annual review.|Client travelling "
    "until next month; hold non-urgent calls.|Updated risk questionnaire: answers unchanged, "
    "{risk} profile confirmed.";

constexpr std::string_view kRetentionNote =
    "Retention: client raised fees again and mentioned {competitor}. Logins down sharply in recent "
    "months. Offered fee review; client non-committal. Flag for branch manager.|Retention: "
    "transfer request expected from {competitor}. Client cites fees and the statement error. Sent "
    "revised proposal at {new_fee}.";

constexpr std::string_view kSmsReminder =
    "Maple Bank: reminder of your review with {advisor} on {date} at 10:00. Reply C to confirm or "
    "call to reschedule.|Maple Bank: your quarterly statement is ready in online banking.|Maple "
    "Bank: your contribution of {contrib} to your {reg_acct} has been processed.";

// Case content per CaseKind: subject, description, inbound transcript or email, resolution.
struct CaseText {
  std::string_view category;
  std::string_view product_key;
  std::string_view subject;
  std::string_view description;
  std::string_view contact;  // first inbound activity (call transcript)
  std::string_view resolution;
};

constexpr CaseText kCaseTexts[] = {
    {"online_banking", "online_banking",
     "Locked out of online banking|Cannot sign in to the mobile app after changing phones",
     "Client's online banking profile was locked after five failed sign-in attempts.|Client "
     "replaced their phone and can no longer receive the two-step verification code.\nClient needs "
     "access today to pay a bill and review the latest statement.|Client is travelling and relies "
     "on the app to monitor accounts.",
     "Client: I've been locked out of online banking after entering my password wrong a few "
     "times.|Client: I got a new phone and the app won't let me sign in without a code.\n"
     "Agent: I can help with that, {client}. For security, I'll send a one-time code to the mobile "
     "number on file.\n"
     "Client: Okay, I have it.\n"
     "Agent: Thank you, you're verified. I've unlocked your profile; you'll be asked to create a "
     "new password and confirm two-step verification when you sign in.\n"
     "?Client: Why did it lock me out so quickly?\n"
     "+Agent: After five failed attempts we lock the profile to protect against password guessing. "
     "It's the same for every client.\n"
     "Client: Got it, I'm in now. Thanks.",
     "Hi {client},\nYour online banking profile has been unlocked and your new password is active. "
     "For your security, sign-ins from new devices ask for a one-time code. Reply here if you have "
     "any trouble.\nMaple Bank Client Services"},
    {"statement", "managed",
     "Duplicate management fee on quarterly statement|Missing dividend on statement|Incorrect book "
     "value on statement",
     "Client reports that the quarterly statement shows the management fee charged twice for the "
     "same period.|Client reports a dividend from a Canadian bank stock missing from the "
     "statement.|Client says the book value of an ETF transferred in last year is understated, "
     "which would overstate gains.\nOperations asked to reconcile the account and issue a "
     "corrected statement if needed.",
     "Client: Hi, I think there's an error on my statement.|Client: My statement doesn't look "
     "right and I'd like someone to check it.\n"
     "Agent: I'm sorry about that, {client}. Can you tell me what you're seeing?\n"
     "Client: The fee for the quarter appears twice.|Client: A dividend I received isn't "
     "listed.|Client: The book value on one of my funds is much lower than what I paid.\n"
     "Agent: Thank you. I've opened a case with our operations team. They'll review the account "
     "and you'll hear back within 10 business days.\n"
     "Client: Please make sure it gets fixed this time.|Client: Okay, thank you.",
     "Hi {client},\nOur operations team reviewed your account and confirmed the error. We have "
     "corrected it, including any lost growth, and a corrected statement is now in online banking. "
     "We apologise for the inconvenience.\nMaple Bank Client Services"},
    {"wire_transfer", "wire", "International wire not received|Outgoing wire delayed",
     "Client sent an international wire {n} business days ago and the recipient has not received "
     "the funds.|Client's outgoing wire submitted after the 3:00 p.m. cut-off was expected the "
     "same day.\nClient needs confirmation of the credit date and a trace if the payment is stuck "
     "with an intermediary bank.",
     "Client: I sent a wire last week and my daughter still hasn't received it.|Client: The wire I "
     "sent hasn't arrived and the recipient is getting anxious.\n"
     "Agent: I'm sorry for the worry, {client}. Let me look it up. I can see it left us the next "
     "business day because it was submitted after the 3:00 p.m. cut-off.\n"
     "Client: So where is it now?\n"
     "Agent: It's with the intermediary bank. I've started a SWIFT trace and will call you as soon "
     "as we have a credit confirmation, usually within two business days.\n"
     "Client: Thank you. Please keep me posted.",
     "Hi {client},\nThe trace confirmed that your wire was credited to the recipient's account. "
     "The delay was caused by an intermediary bank's compliance review. We have refunded the $30 "
     "wire fee as a courtesy.\nMaple Bank Client Services"},
    {"fees", "managed",
     "Fee dispute: management fee higher than expected|Fee dispute: charged the wrong fee tier",
     "Client disputes the management fee on the household accounts, saying the assets of both "
     "spouses should be combined to reach a lower tier.|Client disputes the fee charged last "
     "quarter and says a competitor has offered a much lower rate.\nClient is unhappy and has "
     "mentioned moving assets.",
     "Client: I'm calling about the fees on my account. I think I've been overcharged.\n"
     "Agent: I understand, {client}. Let me pull up your fee schedule.\n"
     "Client: My wife's accounts should count toward our household tier, and they clearly "
     "haven't.|Client: I'm paying far more than I expected and I want an explanation.\n"
     "Agent: I've opened a fee dispute case and your advisor {advisor} will review it with our "
     "pricing team within 10 business days.\n"
     "Client: I'll be honest, I'm looking at other options.",
     "Hi {client},\nWe reviewed the fees on your household accounts. Your accounts have been "
     "grouped so that the combined assets determine your tier, and we have credited {refund} to "
     "your account for the past two quarters. Your advisor will follow up about your "
     "pricing.\nMaple Bank Client Services"},
    {"tax_documents", "brokerage",
     "Missing T5 slip|Missing consolidated 1099|Tax slip shows wrong amount",
     "Client cannot find the investment income tax slip for last year in online banking.|Client's "
     "accountant reports that the amount on the tax slip does not match the annual "
     "statement.\nClient's filing deadline is approaching.",
     "Client: My accountant says I'm missing a tax slip for the investment account.\n"
     "Agent: Let me check, {client}. That slip is issued by the end of February; I can see it was "
     "generated but not posted to your documents.\n"
     "Client: Can you send it to me?\n"
     "Agent: I've reposted it to Documents > Tax documents and I'll email you when it's available.",
     "Hi {client},\nYour tax slip is now available in online banking under Documents > Tax "
     "documents. If your accountant needs the realised gains report, your advisor can send "
     "it.\nMaple Bank Client Services"},
    {"fraud", "cashback",
     "Suspicious card transaction reported|Unrecognised online purchase on credit card",
     "Client reported card transactions they did not make: several online purchases in foreign "
     "currency over two days.\nCard blocked; replacement ordered; fraud investigation opened.",
     "Client: There are charges on my credit card I don't recognise.\n"
     "Agent: I'm sorry, {client}. I've locked the card right away. Let's go through the "
     "transactions together.\n"
     "Client: The three purchases on the 12th and 13th aren't mine.\n"
     "Agent: I've marked them as fraudulent. You won't be responsible for them; a new card will "
     "arrive in five to seven business days.",
     "Hi {client},\nOur investigation is complete and the unauthorised transactions have been "
     "permanently credited to your card. Your new card is active. Thank you for reporting this "
     "quickly.\nMaple Bank Fraud Services"},
    {"transfer_out", "managed", "Transfer-out request received from {competitor}",
     "A transfer request for the client's accounts has been received from {competitor}. Per the "
     "retention playbook, the advisor is to call the client within one business day. The transfer "
     "must not be delayed.",
     "Client: Hi, I've signed the transfer forms with {competitor}. I just wanted to confirm you "
     "received them.\n"
     "Agent: Yes, {client}, we received the request this morning. It will be processed within the "
     "normal timeline.\n"
     "Client: Will there be any fees?\n"
     "Agent: There is a $150 transfer-out fee per account. Your advisor has asked to speak with "
     "you before the transfer completes.",
     "Hi {client},\nYour transfer request from {competitor} is being processed and should complete "
     "within 7 to 10 business days. We're sorry to see you go; if there is anything we could have "
     "done better, please tell us.\nMaple Bank Client Services"}};

struct OppText {
  std::string_view name;
  std::string_view description;
  int64_t min_amount;
  int64_t max_amount;
};

constexpr OppText kOppTexts[] = {
    {"Retirement income plan",
     "Build a retirement income plan for the {client_last} household: bond and GIC ladder for the "
     "first five years of withdrawals, annuity quote to cover essential expenses, and a drawdown "
     "order that keeps taxes level. Assets in scope about {amount}.",
     200000, 2500000},
    {"Mortgage refinance",
     "Client's mortgage with another lender renews soon. Proposal: switch to the 4.29% 5-year "
     "fixed special (investment relationship over $250,000), with appraisal and legal fees "
     "covered. Balance about {amount}.",
     250000, 1200000},
    {"Estate and trust planning",
     "Estate planning engagement: review wills and powers of attorney, name direct beneficiaries "
     "on registered accounts, and assess a family trust. Assets in scope about {amount}.",
     500000, 8000000},
    {"Managed portfolio upgrade",
     "Move the client's self-directed holdings into Maple Managed Portfolios ({risk} model). "
     "In-kind transfer with gradual rebalancing to limit realised gains. Amount about {amount}.",
     100000, 3000000},
    {"Home equity line of credit",
     "HELOC for a home renovation at prime plus 0.50%, secured behind the existing mortgage. "
     "Requested limit {amount}.",
     50000, 400000},
    {"Consolidate outside assets",
     "Client holds assets at another institution. Proposal to consolidate with Maple Bank under "
     "the Asset Transfer Bonus (0.5% up to $2,500, transfer fees reimbursed up to $300 per "
     "account). Amount about {amount}.",
     100000, 2000000},
    {"Term life insurance review",
     "Review life insurance needs after a change in family circumstances; quote 20-year term "
     "coverage of {amount} to protect the mortgage and family income.",
     250000, 2000000},
    {"Registered plan top-up",
     "Catch-up contribution to use unused registered plan room, funded from the high-interest "
     "savings account, with a monthly pre-authorised contribution afterwards. Amount about "
     "{amount}.",
     10000, 120000}};

constexpr std::string_view kStages[] = {"prospecting", "qualification", "proposal",
                                        "negotiation", "closed_won",    "closed_lost"};
constexpr int kStageProbability[] = {10, 20, 50, 75, 100, 0};

constexpr std::string_view kLeadCompanies[] = {
    "Northwind Logistics", "Cobalt Health",     "Harbourfront Dental", "Lakeside Engineering",
    "Summit Legal LLP",    "Birchwood Capital", "Riverbend Clinic",    "Granite Software",
    "Prairie Agri Co-op",  "Beacon Architects", "Redwood Pharmacy",    "Atlas Consulting"};
constexpr std::string_view kLeadSources[] = {"referral",
                                             "web: retirement calculator",
                                             "seminar: Retiring in 2027",
                                             "mortgage rate alert",
                                             "partner: CPA referral",
                                             "web: contact form",
                                             "event: client appreciation"};
constexpr std::string_view kLeadInterests[] = {"retirement planning", "mortgage",
                                               "managed portfolio",   "estate planning",
                                               "education savings",   "tax planning"};

constexpr std::string_view kTopicNames[] = {
    "rebalance",         "fee_question",     "retirement_planning", "market_volatility",
    "contribution",      "tax_slips",        "beneficiary_update",  "fee_complaint",
    "transfer_out",      "product_interest", "statement_ready",     "market_commentary",
    "review_followup",   "client_question",  "fee_complaint",       "transfer_inquiry",
    "product_interest",  "product_info",     "retention_offer",     "annual_review",
    "advisor_note",      "retention_risk",   "web_activity",        "app_activity",
    "reminder",          "case_contact",     "case_update",         "case_note",
    "discovery_meeting", "proposal"};

constexpr std::string_view kDigestExtras[] = {"viewed holdings {n} times",
                                              "downloaded the latest statement",
                                              "paid {n} bills",
                                              "checked {reg_acct} contribution room",
                                              "read the market commentary",
                                              "viewed the performance report",
                                              "moved money between accounts {n} times",
                                              "updated notification preferences"};
constexpr std::string_view kChurnExtras[] = {
    "viewed the wealth management fee schedule {n} times",
    "read \"Transferring accounts to or from Maple Bank\"",
    "downloaded statements for all accounts for the past 12 months",
    "exported the full transaction history to CSV"};

// "12.34%" from basis points.
std::string Percent(int bp) {
  std::string out = std::to_string(bp / 100) + ".";
  if (bp % 100 < 10) out += "0";
  return out + std::to_string(bp % 100) + "%";
}

// A business-hours instant (13:00-23:00 UTC, i.e. morning to evening in North America) on a
// random day in [first_day, last_day] (days since the epoch).
int64_t WorkTime(int64_t first_day, int64_t last_day, Rng* r) {
  const int64_t day = r->Between(first_day, std::max(first_day, last_day));
  const int64_t minute = r->Between(0, 10 * 60 - 1);
  const int64_t second = r->Between(0, 59);
  return day * kDayMs + 13 * kHourMs + minute * kMinuteMs + second * 1000;
}

class BankGenerator {
 public:
  BankGenerator(const DemoOptions& options, int scale, const DemoSink& sink)
      : seed_(options.seed),
        anchor_(options.anchor_unix_ms),
        anchor_day_(options.anchor_unix_ms / kDayMs),
        anchor_year_(std::stoi(DateText(options.anchor_unix_ms).substr(0, 4))),
        scale_(scale),
        sink_(sink) {}

  Status Run() {
    BuildPeople();
    BuildOpportunities();
    BuildCases();
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
  struct Planned {
    int64_t at;
    Topic topic;
    int logins;  // digests: sign-ins in the period
    int extra;   // digests: 0 ordinary, 1-3 churn stage, 10+k intent kind k; else intent kind
    int usual;   // churn digests: the client's usual monthly sign-ins before the decline
  };
  struct CaseSpec {
    uint32_t client;
    CaseKind kind;
    int64_t opened;
    int status;  // index into kCaseStatus
  };
  struct OppSpec {
    uint32_t household;
    OppKind kind;
    int64_t created;
    int stage;  // index into kStages
  };

  Rng R(std::string_view stream, uint64_t index) const {
    return Rng(seed_, StreamId(stream), index);
  }
  Status Emit(std::string_view collection) { return sink_(kTenant, collection, json_); }
  const City& CityOf(uint32_t h) const { return BankCities()[households_[h].city]; }
  Culture CultureOf(uint32_t h) const { return CityOf(h).culture; }
  int64_t HistoryStartDay() const { return anchor_day_ - kHistoryDays; }
  // Whether a churn-risk household actually asks to move its assets (the rest only show signs).
  bool Leaving(uint32_t h) const { return R("bank/leaving", h).Percent(60); }

  static std::string AccountId(uint32_t h) { return Id("acc", kTag, h + 1, 6); }
  static std::string ContactId(uint32_t c) { return Id("con", kTag, c + 1, 6); }
  static std::string CaseId(size_t k) { return Id("cas", kTag, k + 1, 6); }
  static std::string OppId(size_t k) { return Id("opp", kTag, k + 1, 6); }
  static std::string AdvisorId(int a) {
    std::string id = "adv-";
    if (a + 1 < 100) id += "0";
    if (a + 1 < 10) id += "0";
    return id + std::to_string(a + 1);
  }
  std::string AdvisorName(int a) const {
    Rng r = R("bank/advisor", static_cast<uint64_t>(a));
    const std::string_view first = r.Pick(FirstNames(Culture::kEnCA)).text;
    const std::string_view last = r.Pick(LastNames(Culture::kEnCA)).text;
    return std::string(first) + " " + std::string(last);
  }
  static std::string ProductId(std::string_view key) {
    const auto products = BankProducts();
    for (size_t i = 0; i < products.size(); ++i) {
      if (products[i].key == key) return Id("prd", kTag, i + 1, 4);
    }
    return Id("prd", kTag, 1, 4);
  }

  void BuildPeople();
  void BuildOpportunities();
  void BuildCases();
  Portfolio PortfolioOf(uint32_t h) const;
  std::string EmailOf(uint32_t c) const;
  void SetClientVars(uint32_t c, const Portfolio& p);

  Status EmitAccounts();
  Status EmitContacts();
  Status EmitProducts();
  Status EmitKnowledge();
  Status EmitLeads();
  Status EmitOpportunities();
  Status EmitCases();
  Status EmitActivities();

  void PlanClient(uint32_t c, std::vector<Planned>* plan) const;
  Status EmitPlanned(uint32_t c, const Planned& p, const Portfolio& pf, Rng* r);
  void RenderDigest(bool app, const Planned& p, Rng* r);
  // Writes one activity from body_ and the arguments.
  Status EmitActivity(std::string_view parent_type, const std::string& parent_id,
                      std::string_view channel, std::string_view direction, int64_t at,
                      std::string_view subject_tmpl, Topic topic, int64_t duration,
                      const std::string& owner, Rng* r);

  const uint64_t seed_;
  const int64_t anchor_;
  const int64_t anchor_day_;
  const int anchor_year_;
  const int scale_;
  const DemoSink& sink_;

  std::vector<Household> households_;
  std::vector<Client> clients_;
  std::vector<OppSpec> opps_;
  std::vector<CaseSpec> cases_;
  int advisors_ = 1;
  uint64_t next_activity_ = 1;

  std::string json_;
  std::string body_;
  std::string scratch_;
  Vars vars_;
};

constexpr std::string_view kCaseStatus[] = {"new",       "open",     "pending",
                                            "escalated", "resolved", "closed"};

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
    JsonWriter w(&json_);
    w.Str("id", AccountId(h))
        .Str("owner_id", AdvisorId(hh.advisor))
        .Str("region", "na")
        .Str("name", name)
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
    w.Finish();
    RETURN_IF_ERROR(Emit("accounts"));
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
    JsonWriter w(&json_);
    w.Str("id", ContactId(c))
        .Str("owner_id", AdvisorId(hh.advisor))
        .Str("region", "na")
        .Str("first_name", FirstNames(culture)[cl.first].text)
        .Str("last_name", LastNames(culture)[cl.last].text)
        .Str("email", EmailOf(c))
        .Str("phone", FillPattern(CityOf(cl.household).phone, &r))
        .Str("account_id", AccountId(cl.household))
        .Str("title", title)
        .Str("preferred_channel", kChannels[r.Weighted({45, 30, 12, 8, 5})])
        .Begin("consent")
        .Bool("marketing", r.Percent(55))
        .Bool("profiling", r.Percent(40))
        .End()
        .Str("segment", kSegments[hh.segment])
        .Str("date_of_birth", DateText(dob_day * kDayMs));
    Rng address = R("bank/address", cl.household);
    WriteAddress(&w, "mailing_address", CityOf(cl.household), &address);
    w.Str("locale", LocaleOf(culture))
        .Begin("custom")
        .Str("household_role", kRoles[cl.role])
        .Str("demo_cohort", kCohortNames[static_cast<int>(cohort)])
        .End();
    w.Finish();
    RETURN_IF_ERROR(Emit("contacts"));
  }
  return Status::Ok();
}

Status BankGenerator::EmitProducts() {
  const auto products = BankProducts();
  for (size_t i = 0; i < products.size(); ++i) {
    const BankProduct& p = products[i];
    JsonWriter w(&json_);
    w.Str("id", Id("prd", kTag, i + 1, 4))
        .Str("owner_id", "product-mgmt")
        .Str("region", "na")
        .Str("sku", p.sku)
        .Str("name", p.name)
        .Str("description", p.description)
        .Str("category", p.category)
        .Str("kind", p.kind)
        .Num("price", Decimal(p.price_cents, 2))
        .Str("currency", p.currency)
        .Bool("active", p.active);
    if (!p.valid_from.empty()) w.Str("valid_from", p.valid_from).Str("valid_to", p.valid_to);
    w.Finish();
    RETURN_IF_ERROR(Emit("products"));
  }
  return Status::Ok();
}

Status BankGenerator::EmitKnowledge() {
  const auto articles = BankArticles();
  for (size_t i = 0; i < articles.size(); ++i) {
    const Article& a = articles[i];
    Rng r = R("bank/knowledge", i);
    JsonWriter w(&json_);
    w.Str("id", Id("kno", kTag, i + 1, 4))
        .Str("owner_id", "kb-editors")
        .Str("region", "na")
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

Status BankGenerator::EmitLeads() {
  static constexpr std::string_view kStatus[] = {"new", "working", "qualified", "unqualified",
                                                 "converted"};
  static constexpr int kScoreLo[] = {20, 30, 60, 0, 70};
  static constexpr int kScoreHi[] = {60, 75, 95, 30, 100};
  const size_t count = static_cast<size_t>(120) * static_cast<size_t>(scale_);
  for (size_t i = 0; i < count; ++i) {
    Rng r = R("bank/lead", i);
    const size_t status = r.Weighted({25, 25, 15, 20, 15});
    std::string first, last, email, phone;
    std::string converted;
    if (status == 4) {
      const uint32_t c = static_cast<uint32_t>(r.Below(clients_.size()));
      const Culture culture = CultureOf(clients_[c].household);
      first = FirstNames(culture)[clients_[c].first].text;
      last = LastNames(culture)[clients_[c].last].text;
      email = EmailOf(c);
      phone = FillPattern(CityOf(clients_[c].household).phone, &r);
      converted = ContactId(c);
    } else {
      const City& city = BankCities()[r.Below(BankCities().size())];
      const NameEntry& f = r.Pick(FirstNames(city.culture));
      const NameEntry& l = r.Pick(LastNames(city.culture));
      first = f.text;
      last = l.text;
      // Leads use example.org, which contacts never do, so their emails cannot collide.
      email = EmailAddress(f, l, i + 1, "example.org", &r);
      phone = FillPattern(city.phone, &r);
    }
    JsonWriter w(&json_);
    w.Str("id", Id("lea", kTag, i + 1, 6))
        .Str("owner_id", AdvisorId(static_cast<int>(r.Below(static_cast<uint64_t>(advisors_)))))
        .Str("region", "na")
        .Str("first_name", first)
        .Str("last_name", last);
    if (r.Percent(60)) w.Str("company", r.Pick(kLeadCompanies));
    w.Str("email", email)
        .Str("phone", phone)
        .Str("status", kStatus[status])
        .Str("source", r.Pick(kLeadSources))
        .Int("score", r.Between(kScoreLo[status], kScoreHi[status]));
    if (!converted.empty()) w.Str("converted_contact_id", converted);
    w.Begin("custom")
        .Str("interest", r.Pick(kLeadInterests))
        .Int("estimated_assets", r.Between(5, 400) * 5'000)
        .End();
    w.Finish();
    RETURN_IF_ERROR(Emit("leads"));
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
    body_.clear();
    Render(&body_, text.description, vars_, &r, "\n");
    JsonWriter w(&json_);
    w.Str("id", OppId(k))
        .Str("owner_id", AdvisorId(hh.advisor))
        .Str("region", "na")
        .Str("name", std::string(text.name) + " - " +
                         std::string(LastNames(CultureOf(o.household))[hh.last].text) +
                         " household")
        .Str("account_id", AccountId(o.household))
        .Str("contact_id", ContactId(hh.first_member))
        .Int("amount", amount)
        .Str("currency", p.canadian ? "CAD" : "USD")
        .Str("stage", kStages[o.stage])
        .Int("probability", kStageProbability[o.stage])
        .Str("close_date", DateText(close))
        .Str("description", body_)
        .Begin("custom")
        .Str("opened_on", DateText(o.created))
        .Str("source", hh.cohort == Cohort::kSteady ? "advisor review" : "digital signals")
        .End();
    w.Finish();
    RETURN_IF_ERROR(Emit("opportunities"));
  }
  return Status::Ok();
}

Status BankGenerator::EmitCases() {
  static constexpr std::string_view kPriority[] = {"low", "medium", "high", "urgent"};
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
    JsonWriter w(&json_);
    w.Str("id", CaseId(k))
        .Str("owner_id", "csr-" + std::to_string(100 + r.Below(static_cast<uint64_t>(agents))))
        .Str("region", "na")
        .Str("subject", subject)
        .Str("description", body_)
        .Str("status", kCaseStatus[cs.status])
        .Str("priority", kPriority[priority])
        .Str("contact_id", ContactId(cs.client))
        .Str("account_id", AccountId(cl.household))
        .Str("origin", "phone")
        .Str("category", text.category)
        .Str("product_id", ProductId(text.product_key))
        .Begin("custom")
        .Str("case_number", "MB-" + std::to_string(400000 + k * 7 + r.Below(7)))
        .Str("opened_at", TimeText(cs.opened))
        .End();
    w.Finish();
    RETURN_IF_ERROR(Emit("cases"));
  }
  return Status::Ok();
}

void BankGenerator::PlanClient(uint32_t c, std::vector<Planned>* plan) const {
  const Client& cl = clients_[c];
  const Household& hh = households_[cl.household];
  const bool primary = cl.role == 0;
  const Cohort cohort = primary ? hh.cohort : Cohort::kSteady;
  Rng r = R("bank/plan", c);
  int n = primary ? static_cast<int>(r.Between(5, 14)) + hh.segment * 2
                  : static_cast<int>(r.Between(2, 6));
  const int64_t last_day = cohort == Cohort::kChurn ? anchor_day_ - 130 : anchor_day_ - 1;
  const int base_logins = static_cast<int>(r.Between(4, 24));
  auto add = [&](int64_t at, Topic t, int logins = 0, int extra = 0) {
    plan->push_back({at, t, logins, extra, base_logins + 4});
  };
  for (int i = 0; i < n; ++i) {
    const int64_t at = WorkTime(HistoryStartDay(), last_day, &r);
    Topic t = Topic::kAdvisorNote;
    switch (r.Weighted({18, 20, 7, 7, 9, 17, 15, 7})) {
      case 0: {
        static constexpr Topic kCalls[] = {
            Topic::kRebalance,    Topic::kFeeQuestion, Topic::kRetirement, Topic::kVolatility,
            Topic::kContribution, Topic::kTaxSlips,    Topic::kBeneficiary};
        t = kCalls[r.Weighted({20, 12, cl.age > 45 ? 16 : 2, 14, 16, 10, 8})];
        break;
      }
      case 1:
        t = r.Percent(55)   ? Topic::kStatement
            : r.Percent(70) ? Topic::kCommentary
                            : Topic::kReviewFollowup;
        break;
      case 2:
        t = Topic::kClientQuestion;
        break;
      case 3:
        t = Topic::kAnnualReview;
        break;
      case 4:
        t = Topic::kAdvisorNote;
        break;
      case 5:
        t = Topic::kWebDigest;
        break;
      case 6:
        t = Topic::kAppDigest;
        break;
      default:
        t = Topic::kReminder;
        break;
    }
    if (t == Topic::kWebDigest || t == Topic::kAppDigest) {
      // Digests are produced by the nightly batch at 06:00 UTC.
      const int64_t day = r.Between(HistoryStartDay(), last_day);
      const int logins = std::max(0, base_logins + static_cast<int>(r.Between(-3, 3)));
      add(day * kDayMs + 6 * kHourMs, t, logins);
    } else if (t == Topic::kStatement) {
      // Statements go out one to two weeks after a quarter end.
      int64_t day = QuarterEndDay(at / kDayMs) + r.Between(6, 12);
      if (day > last_day) day = QuarterEndDay(QuarterEndDay(at / kDayMs) - 1) + r.Between(6, 12);
      add(WorkTime(day, day, &r), t);
    } else {
      add(at, t);
    }
  }
  if (cohort == Cohort::kChurn) {
    // Falling engagement, a fee complaint naming a competitor, transfer questions, and for
    // households that leave, a transfer-out call (their case is in BuildCases).
    static constexpr int kDigestDays[] = {120, 90, 60, 25};
    for (int s = 0; s < 4; ++s) {
      // Sign-ins fall to about a quarter, then to almost none; extras grow with the stage.
      const int logins = (base_logins + 4) * (3 - s) / 4 + (s == 3 ? 0 : 1);
      add((anchor_day_ - kDigestDays[s]) * kDayMs + 6 * kHourMs,
          s % 2 ? Topic::kAppDigest : Topic::kWebDigest, logins, s);
    }
    add(WorkTime(anchor_day_ - 115, anchor_day_ - 100, &r), Topic::kFeeComplaint);
    add(WorkTime(anchor_day_ - 97, anchor_day_ - 92, &r), Topic::kRetentionOffer);
    add(WorkTime(anchor_day_ - 85, anchor_day_ - 70, &r), Topic::kFeeEmail);
    add(WorkTime(anchor_day_ - 55, anchor_day_ - 40, &r), Topic::kTransferPaperwork);
    add(WorkTime(anchor_day_ - 35, anchor_day_ - 28, &r), Topic::kRetentionNote);
    if (Leaving(cl.household)) {
      add(WorkTime(anchor_day_ - 20, anchor_day_ - 13, &r), Topic::kTransferOut);
    }
  } else if (cohort != Cohort::kSteady) {
    const int kind = static_cast<int>(cohort) - static_cast<int>(Cohort::kMortgage);
    static constexpr int kDigestDays[] = {75, 40, 12};
    for (int s = 0; s < 3; ++s) {
      add((anchor_day_ - kDigestDays[s]) * kDayMs + 6 * kHourMs,
          s == 1 ? Topic::kAppDigest : Topic::kWebDigest,
          base_logins + 2 + static_cast<int>(r.Between(0, 6)), 10 + kind);
    }
    add(WorkTime(anchor_day_ - 50, anchor_day_ - 35, &r), Topic::kIntentQuestion, 0, kind);
    add(WorkTime(anchor_day_ - 30, anchor_day_ - 15, &r), Topic::kIntentCall, 0, kind);
    add(WorkTime(anchor_day_ - 14, anchor_day_ - 5, &r), Topic::kIntentInfo, 0, kind);
  }
}

void BankGenerator::RenderDigest(bool app, const Planned& p, Rng* r) {
  body_.assign(app ? "Maple app activity, 30 days to " : "Online banking activity, 30 days to ");
  body_ += DateText(p.at);
  body_ += ": signed in " + std::to_string(p.logins) + " times";
  std::vector<std::string_view> extras;
  if (p.extra >= 10) {
    for (std::string_view e : kIntentPages[p.extra - 10]) extras.push_back(e);
  } else if (p.extra > 0) {
    body_ += " (usually about " + std::to_string(p.usual) + " a month)";
    for (int i = 0; i <= p.extra && i < 4; ++i) extras.push_back(kChurnExtras[i]);
  } else {
    extras.push_back(r->Pick(kDigestExtras));
    if (r->Percent(60)) extras.push_back(r->Pick(kDigestExtras));
    if (app && r->Percent(40)) {
      extras.push_back(*vars_.Find("chequing") == "chequing" ? "deposited a cheque by photo"
                                                             : "deposited a check by photo");
    }
  }
  for (std::string_view e : extras) {
    body_ += "; ";
    vars_.Set("n", std::to_string(r->Between(2, 6)));
    Render(&body_, e, vars_, r, "");
  }
  body_ += ".";
}

Status BankGenerator::EmitActivity(std::string_view parent_type, const std::string& parent_id,
                                   std::string_view channel, std::string_view direction, int64_t at,
                                   std::string_view subject_tmpl, Topic topic, int64_t duration,
                                   const std::string& owner, Rng* r) {
  scratch_.clear();
  Render(&scratch_, subject_tmpl, vars_, r, " ");
  JsonWriter w(&json_);
  w.Str("id", Id("act", kTag, next_activity_++, 7))
      .Str("owner_id", owner)
      .Str("region", "na")
      .Str("parent_type", parent_type)
      .Str("parent_id", parent_id)
      .Str("channel", channel)
      .Str("direction", direction)
      .Str("occurred_at", TimeText(at))
      .Str("subject", scratch_)
      .Str("body", body_);
  if (duration >= 0) w.Int("duration_seconds", duration);
  w.Begin("custom").Str("topic", kTopicNames[static_cast<int>(topic)]).End();
  w.Finish();
  return Emit("activities");
}

Status BankGenerator::EmitPlanned(uint32_t c, const Planned& p, const Portfolio& pf, Rng* r) {
  const Household& hh = households_[clients_[c].household];
  const std::string owner = AdvisorId(hh.advisor);
  const std::string parent = ContactId(c);
  auto call = [&](std::string_view tmpl, std::string_view subject, std::string_view direction) {
    body_.clear();
    Render(&body_, tmpl, vars_, r, "\n");
    return EmitActivity("contacts", parent, "call", direction, p.at, subject, p.topic,
                        r->Between(180, 1500), owner, r);
  };
  auto email = [&](std::string_view tmpl, std::string_view subject, std::string_view direction) {
    body_.clear();
    Render(&body_, tmpl, vars_, r, "\n");
    return EmitActivity("contacts", parent, "email", direction, p.at, subject, p.topic, -1, owner,
                        r);
  };
  const int target = 35 + pf.risk * 15;
  switch (p.topic) {
    case Topic::kRebalance:
      vars_.Set("target", std::to_string(target));
      vars_.Set("drift", std::to_string(target + r->Between(4, 9)));
      return call(kCallRebalance, "Call: portfolio rebalancing", "outbound");
    case Topic::kFeeQuestion:
      return call(kCallFeeQuestion, "Call: question about fees", "inbound");
    case Topic::kRetirement:
      return call(kCallRetirement, "Call: retirement planning", "outbound");
    case Topic::kVolatility:
      vars_.Set("drop", std::to_string(r->Between(3, 7)));
      vars_.Set("down", std::to_string(r->Between(4, 12)));
      return call(kCallVolatility, "Call: market volatility concerns", "inbound");
    case Topic::kContribution:
      return call(kCallContribution, "Call: {reg_acct} contribution", "inbound");
    case Topic::kTaxSlips:
      return call(kCallTaxSlips, "Call: missing tax slip", "inbound");
    case Topic::kBeneficiary:
      return call(kCallBeneficiary, "Call: beneficiary update", "inbound");
    case Topic::kFeeComplaint:
      return call(kCallFeeComplaint, "Call: complaint about fees", "inbound");
    case Topic::kTransferOut:
      return call(kCallTransferOut, "Call: client intends to transfer assets to {competitor}",
                  "inbound");
    case Topic::kIntentCall:
      vars_.Set("intent", kIntentNames[p.extra]);
      return call(kCallIntent[p.extra], "Call: interest in {intent}", "inbound");
    case Topic::kStatement: {
      vars_.Set("quarter_end", LongDate(QuarterEndDay(p.at / kDayMs)));
      vars_.Set("ret", Decimal(r->Between(-450, 620), 2));
      return email(kEmailStatement, "Your quarterly statement is ready", "outbound");
    }
    case Topic::kCommentary:
      vars_.Set("month", MonthText(p.at));
      return email(kEmailCommentary, "Market commentary: {month}", "outbound");
    case Topic::kReviewFollowup:
      return email(kEmailFollowup, "Follow-up from our review", "outbound");
    case Topic::kClientQuestion:
      return email(kEmailQuestion, "Question about my accounts", "inbound");
    case Topic::kFeeEmail:
      return email(kEmailFees, "Concern about fees", "inbound");
    case Topic::kTransferPaperwork:
      return email(kEmailTransferPaperwork, "Account transfer questions", "inbound");
    case Topic::kIntentQuestion:
      vars_.Set("intent", kIntentNames[p.extra]);
      return email(kEmailIntentQuestion[p.extra], "Question about {intent}", "inbound");
    case Topic::kIntentInfo:
      vars_.Set("intent", kIntentNames[p.extra]);
      return email(kEmailIntentInfo[p.extra], "Information about {intent}", "outbound");
    case Topic::kRetentionOffer:
      return email(kEmailRetention, "A proposal on your fees", "outbound");
    case Topic::kAnnualReview:
      body_.clear();
      Render(&body_, kMeetingReview, vars_, r, "\n");
      return EmitActivity("contacts", parent, "meeting", "outbound", p.at,
                          "Annual portfolio review", p.topic, r->Between(45, 90) * 60, owner, r);
    case Topic::kAdvisorNote:
    case Topic::kRetentionNote:
      body_.clear();
      Render(&body_, p.topic == Topic::kAdvisorNote ? kAdvisorNote : kRetentionNote, vars_, r,
             "\n");
      return EmitActivity("contacts", parent, "note", "internal", p.at,
                          p.topic == Topic::kAdvisorNote ? "Advisor note" : "Retention risk",
                          p.topic, -1, owner, r);
    case Topic::kWebDigest:
    case Topic::kAppDigest: {
      const bool app = p.topic == Topic::kAppDigest;
      RenderDigest(app, p, r);
      return EmitActivity("contacts", parent, app ? "app" : "web", "inbound", p.at,
                          app ? "Mobile app activity summary" : "Online banking activity summary",
                          p.topic, -1, owner, r);
    }
    case Topic::kReminder:
      vars_.Set("date", DateText(p.at + r->Between(2, 7) * kDayMs));
      body_.clear();
      Render(&body_, kSmsReminder, vars_, r, "\n");
      return EmitActivity("contacts", parent, "sms", "outbound", p.at, "Text message", p.topic, -1,
                          owner, r);
    case Topic::kCaseContact:
    case Topic::kCaseUpdate:
    case Topic::kCaseNote:
    case Topic::kOppMeeting:
    case Topic::kOppProposal:
      break;  // written by EmitActivities, never planned on a contact
  }
  return Status::Ok();
}

Status BankGenerator::EmitActivities() {
  std::vector<Planned> plan;
  for (uint32_t c = 0; c < clients_.size(); ++c) {
    const Portfolio pf = PortfolioOf(clients_[c].household);
    SetClientVars(c, pf);
    plan.clear();
    PlanClient(c, &plan);
    // Stable: equal times keep their planning order, so the output is the same everywhere.
    std::stable_sort(plan.begin(), plan.end(),
                     [](const Planned& a, const Planned& b) { return a.at < b.at; });
    Rng r = R("bank/activity", c);
    for (const Planned& p : plan) RETURN_IF_ERROR(EmitPlanned(c, p, pf, &r));
  }
  for (size_t k = 0; k < cases_.size(); ++k) {
    const CaseSpec& cs = cases_[k];
    const CaseText& text = kCaseTexts[cs.kind];
    Rng r = R("bank/case_activity", k);
    SetClientVars(cs.client, PortfolioOf(clients_[cs.client].household));
    const std::string id = CaseId(k);
    const std::string agent = "csr-" + std::to_string(100 + k % 7);
    body_.clear();
    Render(&body_, text.contact, vars_, &r, "\n");
    RETURN_IF_ERROR(EmitActivity("cases", id, "call", "inbound", cs.opened, text.subject,
                                 Topic::kCaseContact, r.Between(240, 900), agent, &r));
    const int64_t limit = anchor_ - kHourMs;
    if (cs.status >= 4) {
      const int64_t at = std::min(cs.opened + r.Between(1, 10) * kDayMs, limit);
      body_.clear();
      Render(&body_, text.resolution, vars_, &r, "\n");
      RETURN_IF_ERROR(EmitActivity("cases", id, "email", "outbound", at, "Update on your case",
                                   Topic::kCaseUpdate, -1, agent, &r));
    } else {
      const int64_t at = std::min(cs.opened + r.Between(2, 30) * kHourMs, limit);
      body_.assign(cs.status == 3 ? "Escalated to the operations team lead; client to be updated "
                                    "within two business days."
                                  : "Investigation in progress; waiting on operations.");
      RETURN_IF_ERROR(EmitActivity("cases", id, "note", "internal", at, "Case note",
                                   Topic::kCaseNote, -1, agent, &r));
    }
  }
  for (size_t k = 0; k < opps_.size(); ++k) {
    const OppSpec& o = opps_[k];
    const Household& hh = households_[o.household];
    Rng r = R("bank/opp_activity", k);
    SetClientVars(hh.first_member, PortfolioOf(o.household));
    const std::string id = OppId(k);
    const std::string owner = AdvisorId(hh.advisor);
    vars_.Set("opp", kOppTexts[o.kind].name);
    body_.clear();
    Render(&body_,
           "Discovery meeting with {client_full} about the {opp} opportunity.\n"
           "Goals and timeline confirmed; client wants to compare options before deciding.|Client "
           "is motivated and asked for a written proposal within two weeks.\n"
           "Next step: prepare the proposal and book a follow-up.",
           vars_, &r, "\n");
    RETURN_IF_ERROR(EmitActivity("opportunities", id, "meeting", "outbound", o.created,
                                 "Discovery meeting: {opp}", Topic::kOppMeeting,
                                 r.Between(30, 60) * 60, owner, &r));
    if (o.stage >= 2) {
      const int64_t at = std::min(o.created + r.Between(5, 15) * kDayMs, anchor_ - kHourMs);
      body_.clear();
      Render(&body_,
             "Hi {client},\nAs discussed, attached is our proposal for your {opp}. I've included "
             "the costs, the timeline and the documents we'll need from you.\nHappy to walk "
             "through it whenever suits you.\n{advisor}",
             vars_, &r, "\n");
      RETURN_IF_ERROR(EmitActivity("opportunities", id, "email", "outbound", at, "Proposal: {opp}",
                                   Topic::kOppProposal, -1, owner, &r));
    }
  }
  return Status::Ok();
}

}  // namespace

Status GenerateBank(const DemoOptions& options, int scale, const DemoSink& sink) {
  return BankGenerator(options, scale, sink).Run();
}

}  // namespace crmi::crm::demo_internal
