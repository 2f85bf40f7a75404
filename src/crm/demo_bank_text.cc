// Text of the maple-bank tenant (demo_bank.h): word lists, call transcripts, emails, notes, and the
// case and opportunity texts. Template syntax: see Render ('|' alternatives, '?' optional lines,
// '+' lines that come and go with them).
//
// Figures quoted here (fees, rates, cut-off times, transfer fees) are those of the products and
// articles (demo_catalogue.cc, demo_knowledge.cc); change them together.
#include "src/crm/demo_bank.h"

namespace crmi::crm::demo_internal::bank {
namespace {

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

}  // namespace

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

// In the order of Topic.
constexpr TopicText kTopicTexts[] = {
    // calls
    {"rebalance", "call", "outbound", "Call: portfolio rebalancing", kCallRebalance},
    {"fee_question", "call", "inbound", "Call: question about fees", kCallFeeQuestion},
    {"retirement_planning", "call", "outbound", "Call: retirement planning", kCallRetirement},
    {"market_volatility", "call", "inbound", "Call: market volatility concerns", kCallVolatility},
    {"contribution", "call", "inbound", "Call: {reg_acct} contribution", kCallContribution},
    {"tax_slips", "call", "inbound", "Call: missing tax slip", kCallTaxSlips},
    {"beneficiary_update", "call", "inbound", "Call: beneficiary update", kCallBeneficiary},
    {"fee_complaint", "call", "inbound", "Call: complaint about fees", kCallFeeComplaint},
    {"transfer_out", "call", "inbound", "Call: client intends to transfer assets to {competitor}",
     kCallTransferOut},
    {"product_interest", "call", "inbound", "Call: interest in {intent}", "", kCallIntent},
    // emails
    {"statement_ready", "email", "outbound", "Your quarterly statement is ready", kEmailStatement},
    {"market_commentary", "email", "outbound", "Market commentary: {month}", kEmailCommentary},
    {"review_followup", "email", "outbound", "Follow-up from our review", kEmailFollowup},
    {"client_question", "email", "inbound", "Question about my accounts", kEmailQuestion},
    {"fee_complaint", "email", "inbound", "Concern about fees", kEmailFees},
    {"transfer_inquiry", "email", "inbound", "Account transfer questions", kEmailTransferPaperwork},
    {"product_interest", "email", "inbound", "Question about {intent}", "", kEmailIntentQuestion},
    {"product_info", "email", "outbound", "Information about {intent}", "", kEmailIntentInfo},
    {"retention_offer", "email", "outbound", "A proposal on your fees", kEmailRetention},
    // other channels
    {"annual_review", "meeting", "outbound", "Annual portfolio review", kMeetingReview},
    {"advisor_note", "note", "internal", "Advisor note", kAdvisorNote},
    {"retention_risk", "note", "internal", "Retention risk", kRetentionNote},
    {"web_activity", "web", "inbound", "Online banking activity summary"},
    {"app_activity", "app", "inbound", "Mobile app activity summary"},
    {"reminder", "sms", "outbound", "Text message", kSmsReminder},
    // case and opportunity threads; a case's first contact takes its subject from its CaseText
    {"case_contact", "call", "inbound"},
    {"case_update", "email", "outbound", "Update on your case"},
    {"case_note", "note", "internal", "Case note"},
    {"discovery_meeting", "meeting", "outbound", "Discovery meeting: {opp}",
     "Discovery meeting with {client_full} about the {opp} opportunity.\n"
     "Goals and timeline confirmed; client wants to compare options before deciding.|Client "
     "is motivated and asked for a written proposal within two weeks.\n"
     "Next step: prepare the proposal and book a follow-up."},
    {"proposal", "email", "outbound", "Proposal: {opp}",
     "Hi {client},\nAs discussed, attached is our proposal for your {opp}. I've included "
     "the costs, the timeline and the documents we'll need from you.\nHappy to walk "
     "through it whenever suits you.\n{advisor}"}};

}  // namespace crmi::crm::demo_internal::bank
