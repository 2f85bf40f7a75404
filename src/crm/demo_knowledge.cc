// Knowledge bases of the demo data set: maple-bank's and orbit-retail's articles.
//
// They are what retrieval and question answering are evaluated on, so they are written as real
// articles with concrete, mutually consistent facts (fees, limits, cut-off times, return windows,
// warranty periods). The product catalogues (demo_catalogue.cc) and the generators' dialogues and
// emails (demo_bank_text.cc, demo_retail_text.cc) quote the same numbers; change them together.
#include "src/crm/demo_internal.h"

namespace crmi::crm::demo_internal {
namespace {

// ---- maple-bank knowledge base ----

constexpr Article kBankArticles[] = {
    {"How to reset your online banking password", "online-banking,password,sign-in,security",
     "en-US", "public",
     "You can reset your online banking password yourself at any time. On the sign-in page of "
     "maplebank.example or in the Maple mobile app, select \"Forgot password\", enter your client "
     "card number or username, and confirm the one-time code we send by text message to the "
     "mobile number on file. Codes expire after 10 minutes.\n\n"
     "Choose a password of at least 12 characters that you don't use anywhere else. Pass phrases "
     "of three or four unrelated words are easier to remember and harder to guess. After a "
     "reset, all other devices are signed out and you will be asked to confirm two-step "
     "verification again on each new device.\n\n"
     "If your mobile number has changed, we cannot send the code. Call client services at "
     "1-800-555-0199 (Monday to Friday 8 a.m. to 8 p.m. ET, Saturday 9 a.m. to 5 p.m. ET) or visit "
     "a branch with government-issued photo ID to update it. Maple Bank will never ask for your "
     "password or a one-time code by phone, email or text."},
    {"Unlocking your online banking profile", "online-banking,locked,sign-in,security", "en-US",
     "public",
     "After five failed sign-in attempts in a row, your online banking profile is locked for "
     "your protection. This stops anyone from guessing your password. Your accounts, cards and "
     "scheduled payments keep working normally while the profile is locked.\n\n"
     "To unlock it yourself, select \"Unlock my profile\" on the sign-in page, verify your "
     "identity with the one-time code sent to your mobile phone and then create a new password. "
     "The profile unlocks immediately. If you don't have access to your phone, call client "
     "services at 1-800-555-0199; an agent will verify your identity with security questions and "
     "unlock it during the call.\n\n"
     "If you did not attempt to sign in and your profile was locked, someone may be trying to "
     "access your account. Reset your password, review recent activity and report anything "
     "unusual through the fraud line. Repeated lockouts from a saved password on an old device "
     "are common: remove the saved password from that device's browser or app."},
    {"RRSP contribution limits and deadlines for 2026", "rrsp,contribution,tax,canada,deadline",
     "en-CA", "public",
     "Your RRSP deduction limit for 2026 is 18% of your 2025 earned income, up to a maximum of "
     "$33,810, minus any pension adjustment from a workplace pension plan, plus unused room "
     "carried forward from previous years. Your exact limit is printed on your latest notice of "
     "assessment and shown in CRA My Account.\n\n"
     "Contributions made between January 1 and the deadline 60 days into the year can be "
     "deducted on the previous year's return; for the 2025 tax year the deadline was March 2, "
     "2026. Contributions after that date count toward 2026. You may over-contribute up to "
     "$2,000 in total without penalty; beyond that the CRA charges a tax of 1% per month on the "
     "excess.\n\n"
     "Tax receipts for contributions made in the first 60 days are issued in March; receipts for "
     "the rest of the year are issued in January. They appear under Documents > Tax documents in "
     "online banking. Ask your advisor about spousal RRSP contributions, which can reduce your "
     "household's tax in retirement by splitting income."},
    {"TFSA contribution room explained", "tfsa,contribution,tax,canada", "en-CA", "public",
     "Every Canadian resident aged 18 or older accumulates TFSA contribution room each year, "
     "whether or not they open an account. The annual limit for 2026 is $7,000. Someone who was "
     "18 or older in 2009 and has never contributed has $109,000 of room in 2026.\n\n"
     "Withdrawals are tax-free and are added back to your room on January 1 of the following "
     "year, not immediately. Re-contributing in the same year can therefore create an "
     "over-contribution, which the CRA taxes at 1% per month. Transfers directly between "
     "financial institutions do not count as withdrawals or contributions.\n\n"
     "Your room is shown in CRA My Account, but it is updated only once a year and can miss "
     "recent transactions. Your Maple Bank advisor can reconcile it with your contributions at "
     "all institutions. Income earned in a TFSA, including interest, dividends and capital "
     "gains, is never taxed in Canada; US dividends are subject to 15% US withholding."},
    {"IRA and 401(k) contribution limits for 2026", "ira,401k,contribution,tax,us", "en-US",
     "public",
     "For 2026 the IRA contribution limit is $7,500, shared between Traditional and Roth IRAs, "
     "with an additional $1,100 catch-up contribution if you are 50 or older. Employee deferrals "
     "to a 401(k), 403(b) or most 457 plans are limited to $24,500, plus an $8,000 catch-up at 50 "
     "or older.\n\n"
     "IRA contributions for a tax year can be made until the federal filing deadline, usually "
     "April 15 of the following year. When you contribute between January 1 and April 15, tell "
     "us which year the contribution is for; it cannot be changed after the deadline. Roth IRA "
     "eligibility phases out at higher modified adjusted gross incomes, and the deductibility of "
     "Traditional IRA contributions depends on workplace plan coverage.\n\n"
     "Form 5498, which reports IRA contributions, is issued by May 31. Form 1099-R for "
     "distributions is issued by January 31. Both are available in online banking under "
     "Documents > Tax documents."},
    {"Wire transfer cut-off times and processing", "wire,transfer,cut-off,payments,fees", "en-US",
     "public",
     "Outgoing wires submitted in online banking or to your advisor before 3:00 p.m. Eastern Time "
     "on a business day are processed the same day. Requests received after the cut-off, on "
     "weekends or on bank holidays in Canada or the United States are processed the next "
     "business day. Wires over $50,000, or to a new recipient, need a callback verification "
     "before release, which can add up to two hours.\n\n"
     "Domestic wires usually arrive the same day. International wires take one to three "
     "business days depending on the currency, the destination country and any intermediary "
     "banks; some banks deduct their own fees from the amount received. Fees are $30 per "
     "outgoing international wire, $15 per domestic wire and $15 per incoming wire.\n\n"
     "If a wire has not arrived after three business days, contact client services with the "
     "wire reference number. We can trace the payment through the SWIFT network and confirm "
     "when it was credited. Recalls of a wire sent in error are possible but not guaranteed and "
     "require the recipient bank's cooperation."},
    {"Wealth management fee schedule", "fees,managed-portfolios,pricing", "en-US", "public",
     "Maple Managed Portfolios charge a single annual fee on household assets, billed quarterly "
     "in arrears: 1.25% on the first $1 million, 0.95% on the next $4 million and 0.65% on "
     "assets above $5 million. The fee covers portfolio management, trading, rebalancing and "
     "financial planning. Assets of all family members at the same address are combined to "
     "determine the tier.\n\n"
     "Underlying ETF costs are separate and typically average 0.15% to 0.25% a year; we do not "
     "use funds that pay trailing commissions. Other fees: $100 a year for an RRSP or RRIF when "
     "household assets are below $100,000; $150 per account transferred to another institution; "
     "$30 per outgoing international wire; $25 per paper statement mailed on request.\n\n"
     "Each year you receive an annual charges and compensation report showing, in dollars, "
     "everything you paid. If you believe a fee was charged in error, contact your advisor; "
     "fee disputes are reviewed within 10 business days and corrections are credited to the "
     "account that was charged."},
    {"How to report fraud or a suspicious transaction", "fraud,security,card,scam", "en-US",
     "public",
     "If you see a transaction you don't recognise, or you think someone has your card, "
     "password or personal information, call our 24/7 fraud line at 1-800-555-0142 right away. "
     "You can also lock your debit or credit card instantly in the Maple mobile app under Cards "
     "> Lock card.\n\n"
     "Our fraud team will block the affected cards, review recent activity with you and open an "
     "investigation. Under our online banking guarantee, you are reimbursed in full for "
     "unauthorised transactions as long as you protected your password and reported the problem "
     "promptly. Most claims are resolved within 10 business days.\n\n"
     "Common scams include calls from someone claiming to be from the bank asking you to move "
     "money to a \"safe account\", texts with links to fake sign-in pages, and investment offers "
     "promising guaranteed high returns. Maple Bank will never ask you for your password or a "
     "one-time code, and will never ask you to transfer money to protect it."},
    {"Transferring accounts to or from Maple Bank", "transfer,transfer-out,rrsp,tfsa,fees", "en-US",
     "public",
     "Account transfers between institutions are always started by the receiving institution. "
     "To move an account to Maple Bank, your advisor completes a transfer authorisation with you "
     "and sends it to your current institution; registered plans move directly, so there is no "
     "tax. Most transfers complete in 7 to 10 business days, although some institutions take "
     "up to 30 days.\n\n"
     "When you move an account away from Maple Bank, the other institution sends us the "
     "request. We charge a transfer-out fee of $150 per account, taken from the account before "
     "it moves. Investments can move \"in kind\" or be sold to cash first; funds with deferred "
     "sales charges or GICs before maturity may need to be cashed or held until maturity.\n\n"
     "During the Asset Transfer Bonus campaign we reimburse fees charged by your previous "
     "institution up to $300 per account when you move assets to Maple Managed Portfolios. If "
     "you are thinking of moving, please talk to your advisor first; we may be able to address "
     "your concerns."},
    {"Understanding your quarterly statement", "statement,reporting,performance", "en-US", "public",
     "Quarterly statements are available in online banking by the 10th business day after "
     "quarter-end. Each statement shows your holdings at market value, transactions during the "
     "period, fees charged, the book value (what you paid) of each holding and your asset mix "
     "compared with your target model.\n\n"
     "Performance is shown as a money-weighted rate of return, which reflects the timing of "
     "your deposits and withdrawals, for the last 3 months, year to date, 1, 3, 5 and 10 years "
     "and since inception. Returns are shown after fees. A separate annual report shows the "
     "dollar amount of all fees and commissions.\n\n"
     "Market values of bonds and thinly traded securities are estimates from pricing services "
     "on the last business day of the period. If something looks wrong, such as a missing "
     "transaction, a duplicate fee or an incorrect book value, contact your advisor; see "
     "\"Correcting an error on your statement\"."},
    {"Correcting an error on your statement", "statement,error,correction,complaint", "en-US",
     "public",
     "If your statement shows a transaction you don't recognise, a duplicate fee, a missing "
     "deposit or an incorrect book value, tell your advisor or client services within 45 days "
     "of the statement date. We open a case, investigate with our operations team and tell you "
     "the result within 10 business days.\n\n"
     "When an error is confirmed, we correct the account as if the error never happened, "
     "including any lost investment growth, and issue a corrected statement. Corrections to "
     "registered accounts may also require amended tax slips, which we send automatically.\n\n"
     "If you are not satisfied with the outcome, you can escalate to our Client Complaints "
     "Office, and after that to the independent ombudsman. Your advisor can help with each "
     "step, and the case number lets you follow progress in online banking."},
    {"Tax slips: when they are available", "tax,slips,t5,t4rrsp,1099,documents", "en-US", "public",
     "Tax documents appear in online banking under Documents > Tax documents as soon as they "
     "are issued, and paper copies are mailed if you have not chosen paperless delivery.\n\n"
     "Canadian clients: RRSP contribution receipts for the first 60 days are issued in March and "
     "for the rest of the year in January; T4RSP and T4RIF slips by the end of February; T5 "
     "(investment income) and T5008 (dispositions) slips by the end of February; T3 slips for "
     "trust units by March 31. US clients: Form 1099-DIV, 1099-INT and 1099-B are issued as a "
     "consolidated 1099 by February 15; 1099-R by January 31; Form 5498 by May 31.\n\n"
     "Amended slips are issued if a fund company reclassifies income after the original slip. "
     "Wait for the consolidated 1099 or all T3 slips before filing if you hold mutual funds or "
     "trusts. Your advisor can send a realised gains report and adjusted cost base summary to "
     "you or your accountant."},
    {"Setting up and updating beneficiaries", "beneficiary,estate,rrsp,tfsa,ira", "en-US", "public",
     "Registered accounts (RRSP, RRIF, TFSA, FHSA) and US retirement accounts (IRA, 401(k) "
     "rollover IRA) let you name beneficiaries directly on the account. Assets then pass to the "
     "beneficiary outside your will, usually faster and, in most provinces and states, without "
     "probate fees.\n\n"
     "For a TFSA you can name your spouse as successor holder, so the account continues in their "
     "name with no tax. For an RRSP or RRIF, naming your spouse allows a tax-free rollover. In "
     "Quebec, beneficiaries of registered plans must be named in your will, not on the "
     "account.\n\n"
     "Review your beneficiaries after marriage, separation, a birth or a death in the family. "
     "Your advisor can send a designation form for e-signature; changes take effect once "
     "processed, usually within two business days."},
    {"RRIF conversion and minimum withdrawals", "rrif,retirement,withdrawal,canada", "en-CA",
     "public",
     "Your RRSP must be converted to a RRIF, used to buy an annuity or withdrawn by December 31 "
     "of the year you turn 71. Many clients convert earlier, at retirement, to start a regular "
     "income. Conversion is a transfer, not a withdrawal, so there is no tax when you convert.\n\n"
     "Starting the year after you open the RRIF, you must withdraw a minimum each year. The "
     "minimum is a percentage of the plan value on January 1 that rises with age: 5.28% at 71, "
     "6.82% at 80 and 11.92% at 90. You can base the minimum on a younger spouse's age to keep "
     "more invested. Minimum withdrawals have no withholding tax; amounts above the minimum do.\n\n"
     "Your advisor sets up a payment schedule and keeps two to three years of payments in cash "
     "and short-term bonds so that withdrawals never force the sale of equities in a falling "
     "market."},
    {"Mortgage refinance: eligibility and steps", "mortgage,refinance,heloc,lending", "en-CA",
     "public",
     "Refinancing replaces your current mortgage with a new one, often to get a better rate, "
     "consolidate debt or access home equity for renovations. In Canada you can borrow up to 80% "
     "of your home's appraised value through a refinance. Breaking your current mortgage before "
     "the end of its term may cost a prepayment penalty; we show you the break-even point before "
     "you decide.\n\n"
     "Steps: complete a pre-qualification online or with your advisor (about 15 minutes); "
     "provide income documents such as two recent pay stubs or two years of notices of "
     "assessment for self-employed clients; we order an appraisal; you receive a commitment "
     "letter, usually within five business days; your lawyer or notary registers the new "
     "mortgage.\n\n"
     "Clients with $250,000 or more invested with Maple Bank qualify for the 5-year fixed special "
     "rate of 4.29%. We cover appraisal and legal fees on switches from other lenders up to "
     "$1,000,000."},
    {"Market volatility: how we manage your portfolio", "volatility,rebalancing,markets,risk",
     "en-US", "public",
     "Markets rise and fall, sometimes sharply. Your portfolio is built around a target asset "
     "mix that matches your risk profile (conservative, balanced, growth or aggressive) and your "
     "time horizon, so that a typical downturn does not force changes to your plans.\n\n"
     "We rebalance when an asset class drifts more than 5 percentage points from its target, and "
     "at least once a year. In a falling market, rebalancing means buying equities at lower "
     "prices with the proceeds of bonds; in a rising market it locks in gains. For clients "
     "drawing an income, we keep the next two to three years of withdrawals in cash and "
     "short-term bonds.\n\n"
     "Selling after a decline turns a temporary loss into a permanent one and risks missing the "
     "recovery, which historically has often started with a few strong days. If a drop has "
     "changed how you feel about risk, talk to your advisor; we can review your risk profile, "
     "but we recommend doing it calmly rather than on the worst day."},
    {"Fee disputes and refunds", "fees,dispute,refund,complaint", "en-US", "public",
     "If you believe you were charged a fee in error, such as a duplicate management fee, a "
     "fee at the wrong tier or an account fee that should have been waived, contact your advisor "
     "or client services. We open a case and review it within 10 business days.\n\n"
     "Confirmed errors are refunded to the account that was charged, with any lost growth, and "
     "the correction appears on your next statement. For registered accounts the refund is "
     "credited so that it does not use contribution room.\n\n"
     "If the fee was correctly charged but you disagree with it, your advisor can review your "
     "pricing: consolidating household accounts often moves you to a lower tier. Unresolved "
     "disputes can be escalated to the Client Complaints Office."},
    {"Retention playbook: client requests a transfer out", "retention,churn,transfer-out,internal",
     "en-US", "internal",
     "When a client says they are moving assets away, or a transfer request from another "
     "institution arrives, the advisor calls the client within one business day. The goal is to "
     "understand the reason, not to argue. Log the call as an activity and tag the reason: "
     "fees, performance, service issue, life event or consolidation with a spouse's "
     "institution.\n\n"
     "Early warning signs in the CRM are: a fee complaint or fee dispute case, a competitor "
     "mentioned in a call, online banking logins falling by more than half over three months, "
     "views of the transfer-out help article, and requests for full statements of all accounts. "
     "Two or more of these signals should trigger a proactive review call.\n\n"
     "Advisors may offer a fee review (tier consolidation), a waiver of the $150 transfer-out "
     "fee on remaining accounts, or a meeting with the branch manager. Discounts beyond the "
     "published schedule need regional approval. Never delay a transfer request: regulations "
     "require us to process it promptly."},
    {"Complaint handling and escalation", "complaint,escalation,service,internal", "en-US",
     "internal",
     "Every complaint, whether by phone, email, in branch or in a meeting, is logged as a case "
     "with category \"complaint\" on the day it is received. Acknowledge the client in writing "
     "within two business days with the case number and the name of the person handling it.\n\n"
     "Aim to resolve complaints within 14 days. Complaints about fees, statement errors or "
     "delays in transfers and wires are high priority. If the client is not satisfied with the "
     "first response, escalate to the Client Complaints Office, which replies within 56 days as "
     "required by regulation and informs the client of the external ombudsman.\n\n"
     "Record the root cause when closing the case. Trends are reviewed monthly: a rise in "
     "statement errors or wire delays is reported to operations, and a client with two or more "
     "complaints in six months is flagged to the advisor for a retention review."},
    {"Two-step verification in the Maple app", "security,two-step,mobile,app", "en-US", "public",
     "Two-step verification protects your accounts by asking for a second proof of identity "
     "when you sign in from a new device or make a sensitive change, such as adding a wire "
     "recipient or changing your address. You can receive a one-time code by text message, or "
     "approve the sign-in in the Maple mobile app on a trusted device.\n\n"
     "To manage it, open the app and go to Profile > Security > Two-step verification. You can "
     "see trusted devices and remove any you no longer use. If you replace your phone, sign in "
     "on the new phone and approve it with a code sent by text; your old phone is removed "
     "automatically after 30 days.\n\n"
     "Never share a one-time code. Our staff will never ask for it."},
    {"Planning retirement income", "retirement,income,planning,annuity", "en-US", "public",
     "A retirement income plan turns savings into a reliable paycheque. Your advisor starts "
     "with your spending needs, separating essential expenses from discretionary ones, and "
     "with guaranteed income such as CPP and OAS in Canada or Social Security in the US, "
     "workplace pensions and any annuities.\n\n"
     "The gap is filled from your investments in a tax-efficient order, usually drawing from "
     "non-registered savings and registered plans in proportions that keep your tax bracket "
     "steady over time. Delaying government pensions to age 70 increases them substantially "
     "and can be a good hedge against living longer than expected.\n\n"
     "We typically keep two to three years of withdrawals in cash and short-term bonds, a core "
     "of dividend and bond investments, and a growth portion for later years. The plan is "
     "reviewed every year and after major market moves."}};

// ---- orbit-retail knowledge base ----

constexpr Article kRetailArticles[] = {
    {"Return policy (United States)", "returns,refund,policy,us", "en-US", "public",
     "You can return most items bought from Orbit online or in store within 30 days of delivery "
     "for a full refund. Orbit Rewards Platinum members have 60 days. Items should be unused "
     "and in their original packaging; opened electronics are accepted if all accessories are "
     "included. Mattresses have a 100-night sleep trial instead.\n\n"
     "To return by mail, go to My orders, choose the item and print the prepaid UPS label, or "
     "show the QR code at a UPS Store. Returns by mail are free. You can also bring the item to "
     "any Orbit store with your order number.\n\n"
     "We refund the original payment method within 3 to 5 business days after the warehouse "
     "scans the return, including original shipping costs if the whole order is returned. "
     "Final-sale items, gift cards and personalised products can't be returned unless they are "
     "faulty."},
    {"Returns and right of withdrawal (Europe and United Kingdom)",
     "returns,refund,withdrawal,policy,eu,uk", "en-GB", "public",
     "In the EU and the UK you have a legal right to cancel an online purchase within 14 days "
     "of delivery without giving a reason. Orbit extends this to 30 days for all members, and "
     "to 60 days for Platinum members. Returns are free: register the return in My orders and "
     "use the DHL, DPD, Colissimo or Royal Mail label shown for your country.\n\n"
     "We refund the purchase price and the standard delivery cost within 14 days of receiving "
     "the returned item, using the original payment method. Items should be returned unused; "
     "we may reduce the refund if an item has been handled beyond what is needed to check it, "
     "as in a shop. For hygiene reasons, earbuds can only be returned sealed unless faulty.\n\n"
     "Your statutory rights for faulty goods are separate from this policy and last two years "
     "in the EU; in the UK, the Consumer Rights Act 2015 gives you 30 days to reject a faulty "
     "item and up to six years to claim."},
    {"Returns policy (Japan and Australia)", "returns,refund,policy,jp,au", "en-AU", "public",
     "Orbit accepts returns of unused items within 30 days of delivery in Japan and Australia, "
     "or 60 days for Platinum members. Start the return in My orders. In Japan, Yamato "
     "Transport collects the parcel from your home at a time you choose; in Australia, drop it "
     "at any Australia Post outlet with the prepaid label. Returns are free.\n\n"
     "Refunds are issued within 5 business days of the item reaching our warehouse. Card and "
     "PayPal payments are refunded to the same account; konbini (convenience store) payments in "
     "Japan are refunded by bank transfer, for which we email you a form; Afterpay orders in "
     "Australia are refunded to Afterpay and your instalments are adjusted.\n\n"
     "In Australia, our goods come with guarantees that cannot be excluded under the Australian "
     "Consumer Law. You are entitled to a replacement or refund for a major failure and "
     "compensation for any other reasonably foreseeable loss or damage."},
    {"Refund timelines by payment method", "refund,payment,timeline", "en-US", "public",
     "Refunds start when the returned item is scanned at our warehouse or store, or when a "
     "cancellation is confirmed before shipping. Once we issue the refund you receive an email "
     "with the amount.\n\n"
     "Typical times for the money to appear: credit and debit cards 3 to 5 business days "
     "(some banks take up to 10); PayPal and Apple Pay 1 to 2 business days; Klarna and "
     "Afterpay instalment plans are adjusted within 2 business days; Orbit gift cards and store "
     "credit instantly; bank transfers for konbini payments 5 to 7 business days.\n\n"
     "If a refund email arrived more than 10 business days ago and the money is still missing, "
     "contact us by chat with the order number. We will send the bank reference number (ARN) "
     "that your bank can use to trace the refund."},
    {"Warranty terms: electronics", "warranty,electronics,orbit-care", "en-US", "public",
     "Electronics sold by Orbit carry a 1-year limited warranty from the date of delivery "
     "against defects in materials and workmanship, covering repair or replacement. Batteries "
     "are covered for one year or until they hold less than 80% of their original capacity. In "
     "the EU and UK your 2-year statutory guarantee also applies.\n\n"
     "The warranty does not cover accidental damage such as drops and cracked screens, liquid "
     "damage, normal wear, or products that have been opened or modified by someone other than "
     "an authorised service centre.\n\n"
     "Orbit Care+ extends cover to 3 years from purchase and adds accidental damage, with no "
     "excess for headphones, speakers and wearables. It can be added within 60 days of "
     "purchase. Claims are made online; see \"How to make a warranty claim\"."},
    {"Warranty terms: home, furniture and kitchen", "warranty,home,furniture,kitchen", "en-US",
     "public",
     "Furniture frames (sofas, tables, desks, chairs) are guaranteed for 5 years against "
     "structural defects. Mechanisms such as desk motors and chair gas lifts, upholstery, "
     "mattresses and lighting are covered for 2 years. Small kitchen appliances such as "
     "espresso machines, blenders and air fryers have a 2-year warranty.\n\n"
     "Cookware and knives have a lifetime warranty against manufacturing defects when used as "
     "directed. It does not cover chips or rust from the dishwasher, knives used on glass or "
     "stone, or overheating damage to non-stick surfaces.\n\n"
     "Exclusions for all home products: fading from direct sunlight, pet damage, stains, "
     "normal wear of fabrics and damage caused by incorrect assembly. For espresso machines, "
     "faults caused by limescale are excluded if the machine has not been descaled as "
     "described in the manual."},
    {"Warranty terms: outdoor gear (Orbit Trail Guarantee)", "warranty,outdoor,trail-guarantee",
     "en-US", "public",
     "Backpacks, tents, sleeping bags and trekking poles are covered by the Orbit Trail "
     "Guarantee: a lifetime guarantee against defects in materials and workmanship for the "
     "original owner. Stoves, bottles and other items with moving parts or seals are covered "
     "for 2 years.\n\n"
     "If a seam, zip, buckle or pole section fails because of a defect, we repair it free of "
     "charge at our repair centre, usually within 3 weeks, and replace the item when a repair is "
     "not possible. Damage from normal wear, accidents, UV exposure and animals is not a defect, "
     "but we offer paid repairs at cost.\n\n"
     "Keep your order number: claims without proof of purchase are assessed case by case."},
    {"Warranty terms: apparel and footwear", "warranty,apparel,footwear", "en-US", "public",
     "Apparel is guaranteed for 1 year against defects in materials and workmanship, such as "
     "failed seams, broken zips and fabric faults. Waterproof jackets are covered for "
     "delamination of the membrane for 2 years. Footwear is guaranteed for 6 months against "
     "sole separation, broken stitching and leaking membranes.\n\n"
     "Normal wear, pilling, worn-out outsoles and damage from washing against the care label "
     "are not covered. If you are unsure whether a problem is a defect, send us photos by chat "
     "and we'll tell you within one business day."},
    {"How to make a warranty claim", "warranty,claim,repair,replacement", "en-US", "public",
     "Go to My orders, select the order and choose \"Report a problem\", then \"Warranty "
     "claim\". Describe the fault, upload one or two photos and, for electronics, the serial "
     "number printed on the product or in its settings menu. You'll receive a claim number by "
     "email immediately.\n\n"
     "We review claims within 5 business days. If the claim is approved, we either send a "
     "replacement, arrange a repair with a prepaid shipping label, or refund the purchase price "
     "when the product is no longer available. Don't send a product back until we ask for it.\n\n"
     "If you bought the item in store or no longer have an account, start a chat with the "
     "receipt or the card used for payment; we can find the purchase for you."},
    {"Shipping times and costs: North America", "shipping,delivery,us,times,costs", "en-US",
     "public",
     "Orders placed before 2 p.m. Eastern Time on a business day ship the same day. Standard "
     "delivery takes 3 to 5 business days within the contiguous United States and 5 to 8 "
     "business days to Alaska and Hawaii. Standard shipping is free on orders over 75 USD; "
     "otherwise it costs 6.95 USD. Express delivery in 1 to 2 business days costs 14.95 USD.\n\n"
     "We ship with UPS, FedEx and USPS and choose the fastest carrier for your address. Large "
     "furniture is delivered by appointment with a two-person team within 7 to 10 business days; "
     "the carrier calls to book a slot. Orbit Rewards Silver members get free standard shipping "
     "on every order, and Gold and Platinum members free express shipping.\n\n"
     "Tracking links are emailed when your order ships. If a parcel is more than two business "
     "days late, see \"Tracking your order and late deliveries\"."},
    {"Shipping times and costs: Europe and United Kingdom", "shipping,delivery,eu,uk,times,costs",
     "en-GB", "public",
     "Orders placed before 2 p.m. Central European Time on a working day leave our European "
     "warehouse the same day. Standard delivery takes 2 to 4 working days to Germany, France, "
     "Belgium and the Netherlands and 3 to 6 working days to the rest of the EU. Standard "
     "delivery is free on orders over 60 EUR, otherwise 4.95 EUR; express next-working-day "
     "delivery costs 9.95 EUR.\n\n"
     "UK orders ship from our UK warehouse, so there are no customs charges. Standard delivery "
     "with Royal Mail or DPD takes 2 to 3 working days and is free over 50 GBP, otherwise 3.95 "
     "GBP; next-day delivery costs 7.95 GBP. We deliver to parcel lockers and pickup points in "
     "most countries.\n\n"
     "Orbit Rewards Silver members get free standard delivery and Gold and Platinum members "
     "free express delivery."},
    {"Shipping times and costs: Asia-Pacific", "shipping,delivery,jp,au,times,costs", "en-AU",
     "public",
     "Japan: orders ship from our Chiba warehouse with Yamato Transport or Sagawa Express and "
     "arrive in 1 to 3 days, with a choice of delivery time slots. Shipping is free on orders "
     "over 8,000 JPY, otherwise 550 JPY. Konbini pickup is available at most convenience stores "
     "for parcels under 10 kg.\n\n"
     "Australia: orders ship from Sydney with Australia Post or StarTrack. Delivery takes 2 to "
     "4 business days to metropolitan areas and up to 8 business days to regional and remote "
     "areas. Standard shipping is free on orders over 100 AUD, otherwise 9.95 AUD; express "
     "delivery costs 14.95 AUD.\n\n"
     "Tracking links are emailed as soon as your order leaves the warehouse. Orbit Rewards "
     "benefits for shipping apply in both countries."},
    {"Orbit Rewards: how points work", "loyalty,points,rewards", "en-US", "public",
     "Orbit Rewards is free to join. Members earn 1 point for every 1 USD, EUR, GBP or AUD "
     "spent, and 1 point for every 150 JPY in Japan, on products, excluding gift cards, "
     "shipping and taxes. Gold members earn 1.25 points and Platinum members 1.5 points per "
     "unit spent.\n\n"
     "Points are added once an order has shipped and the 14-day return window has passed; "
     "until then they show as pending. Every 500 points can be redeemed for a 25 reward voucher "
     "in your currency (3,750 JPY in Japan) at checkout or in store. Returned items deduct the "
     "points they earned.\n\n"
     "Points expire if your account has no purchase or redemption for 18 months. We send a "
     "reminder 30 days before points expire. Bonus points from promotions and goodwill credits "
     "follow the same rules."},
    {"Orbit Rewards tiers and benefits", "loyalty,tiers,bronze,silver,gold,platinum", "en-US",
     "public",
     "Your tier depends on points earned in the current calendar year: Bronze from joining, "
     "Silver at 500 points, Gold at 1,500 points and Platinum at 4,000 points. Once reached, a "
     "tier is kept for the rest of that year and all of the next.\n\n"
     "Bronze: member prices and birthday voucher. Silver: free standard shipping on every order "
     "and early access to sales. Gold: free express shipping, 1.25 points per unit spent and "
     "free alterations on apparel. Platinum: 1.5 points per unit spent, 60-day returns, free "
     "Orbit Care+ on one electronics purchase a year and a dedicated support line.\n\n"
     "Tier status is shown in the app under Rewards, with the points needed to reach the next "
     "tier."},
    {"Apparel size guide", "size,fit,apparel,guide", "en-US", "public",
     "Orbit apparel uses international sizes. Chest measurements for tops and jackets: XS 84-88 "
     "cm (33-35 in), S 89-94 cm (35-37 in), M 95-101 cm (37-40 in), L 102-108 cm (40-42 in), XL "
     "109-116 cm (43-46 in), XXL 117-124 cm (46-49 in). Waist for trousers follows the inch "
     "size on the label (a 32 fits a 81-83 cm waist).\n\n"
     "Fit notes: the Stormline jacket is a regular fit with room for a fleece underneath; the "
     "Merino base layer is a close fit; the Cloudknit hoodie is relaxed, so size down for a "
     "closer fit; the Tailored chinos are slim through the thigh.\n\n"
     "Measure your chest at the widest point with the tape under your arms. If you are between "
     "sizes, choose the larger size for layering. Exchanges for a different size are free "
     "within the return window."},
    {"Footwear size conversion guide", "size,footwear,shoes,conversion", "en-US", "public",
     "Orbit footwear is labelled in US, UK, EU and JP (centimetre) sizes. Common conversions for "
     "men's sizes: US 8 = UK 7 = EU 41 = JP 26; US 9 = UK 8 = EU 42.5 = JP 27; US 10 = UK 9 = "
     "EU 44 = JP 28; US 11 = UK 10 = EU 45 = JP 29. Women's sizes: US 6 = UK 4 = EU 37 = JP 23; "
     "US 7 = UK 5 = EU 38 = JP 24; US 8 = UK 6 = EU 39 = JP 25.\n\n"
     "Fit notes: the Ridge GTX boot is true to size, but order half a size up if you wear thick "
     "hiking socks; the City Leather Sneaker runs slightly large, so consider half a size down; "
     "the Trailrunner 3 has a roomy toe box.\n\n"
     "Measure your foot in the evening, standing, from heel to longest toe, and add 1 cm for "
     "hiking boots."},
    {"Damaged or missing items on delivery", "damaged,missing,delivery,claim", "en-US", "public",
     "If your order arrives damaged, or an item is missing from the parcel, tell us within 14 "
     "days of delivery by chat or in My orders > Report a problem. Please upload photos of the "
     "item and the outer packaging; keep the packaging until the claim is settled.\n\n"
     "For damaged items we send a free replacement by express delivery or issue a full refund, "
     "whichever you prefer. You don't need to return low-value damaged items; for furniture and "
     "large electronics the carrier collects the damaged item when delivering the replacement. "
     "For missing items we check the packing record and ship the missing item the same day.\n\n"
     "If the tracking shows \"delivered\" but you have no parcel, check with neighbours and the "
     "pickup point first, then contact us: we open an investigation with the carrier and "
     "reship or refund within 5 business days."},
    {"Tracking your order and late deliveries", "tracking,late,delivery,carrier", "en-US", "public",
     "Every order gets a tracking link by email and in the app when it ships. Tracking updates "
     "can lag by up to 24 hours after a parcel is handed to the carrier, and estimated dates "
     "assume business days only.\n\n"
     "If your parcel is more than two business days past its estimated delivery date, contact "
     "us by chat. We check with the carrier, redirect the parcel to a pickup point if you like, "
     "and refund the shipping cost for late express orders. If the carrier confirms the parcel "
     "is lost, we reship the order by express or refund it in full.\n\n"
     "Peak periods, such as the weeks before major holidays, and severe weather can add one to "
     "three days to delivery times; we show revised estimates at checkout during those periods."},
    {"Price adjustment policy", "price,adjustment,sale,refund", "en-US", "public",
     "If an item you bought from Orbit drops in price within 14 days of your purchase, we refund "
     "the difference. Start a chat or ask in store with your order number; the refund goes to "
     "your original payment method.\n\n"
     "Price adjustments apply to the same item in the same market and colour, and not to "
     "clearance, flash sales lasting less than 24 hours, bundle offers or competitors' prices. "
     "Members' vouchers used on the original order are taken into account."},
    {"Goodwill credits: guidelines for agents", "goodwill,compensation,agents,internal", "en-US",
     "internal",
     "Goodwill is for customers whose experience fell short even when policy was followed. "
     "Agents can give, without approval: a refund of the shipping cost for late deliveries, "
     "100 to 250 bonus Orbit Rewards points, or a voucher of up to 25 in the customer's "
     "currency (3,000 JPY in Japan). Anything above needs a team lead.\n\n"
     "Give more weight to repeat problems: a second late delivery or a refund that took more "
     "than 10 business days should get a voucher rather than points. Check the customer's "
     "recent cases before deciding, and log the goodwill on the case.\n\n"
     "Signals that a member may stop shopping with us include two or more complaints in 90 "
     "days, unsubscribing from marketing emails after a complaint, and a drop in app sessions. "
     "Flag these customers to the retention team with the tag \"at-risk\"."},
    {"Rückgabe und Widerrufsrecht", "rueckgabe,widerruf,erstattung,de", "de-DE", "public",
     "Sie können Artikel, die Sie bei Orbit online gekauft haben, innerhalb von 30 Tagen nach "
     "Erhalt ohne Angabe von Gründen zurückgeben. Damit gehen wir über das gesetzliche "
     "Widerrufsrecht von 14 Tagen hinaus; Platinum-Mitglieder von Orbit Rewards haben 60 Tage "
     "Zeit. Die Rücksendung ist kostenlos: Melden Sie sie unter „Meine Bestellungen“ an und "
     "drucken Sie das DHL-Etikett aus oder zeigen Sie den QR-Code in einer Filiale vor.\n\n"
     "Die Artikel sollten unbenutzt sein. Ohrhörer können aus hygienischen Gründen nur "
     "originalverpackt zurückgenommen werden, sofern sie nicht defekt sind. Sobald die "
     "Rücksendung in unserem Lager eingegangen ist, erstatten wir den Kaufpreis einschließlich "
     "der Standardversandkosten innerhalb von 14 Tagen über die ursprüngliche Zahlungsart.\n\n"
     "Unabhängig davon gilt für alle Produkte die gesetzliche Gewährleistung von zwei Jahren. "
     "Bei einem Mangel wenden Sie sich bitte per Chat an unseren Kundenservice; wir reparieren "
     "oder ersetzen den Artikel oder erstatten den Kaufpreis."},
    {"Délais et frais de livraison en Europe", "livraison,delais,frais,fr", "fr-FR", "public",
     "Les commandes passées avant 14 h (heure de Paris) un jour ouvré quittent notre entrepôt "
     "européen le jour même. La livraison standard prend 2 à 4 jours ouvrés en France, en "
     "Allemagne, en Belgique et aux Pays-Bas, et 3 à 6 jours ouvrés vers les autres pays de "
     "l'UE. Elle est offerte dès 60 EUR d'achat ; en dessous, elle coûte 4,95 EUR. La "
     "livraison express, le jour ouvré suivant, coûte 9,95 EUR.\n\n"
     "En France, nous livrons avec Colissimo et DPD, à domicile ou en point relais. Vous "
     "recevez un e-mail avec le numéro de suivi dès l'expédition. Les membres Silver d'Orbit "
     "Rewards bénéficient de la livraison standard gratuite, et les membres Gold et Platinum de "
     "la livraison express gratuite.\n\n"
     "Si votre colis a plus de deux jours ouvrés de retard sur la date estimée, contactez-nous "
     "par chat : nous ouvrons une enquête auprès du transporteur et, si le colis est perdu, "
     "nous renvoyons la commande en express ou la remboursons intégralement."},
    {"製品保証について", "保証,修理,交換,jp", "ja-JP", "public",
     "オービットでお買い上げいただいた製品には、カテゴリーごとに保証が付いています。電子機器は"
     "お届け日から1年間、材料および製造上の欠陥について無償で修理または交換いたします。家具の"
     "フレームは5年間、小型キッチン家電は2年間の保証です。バックパック、テント、寝袋、トレッ"
     "キングポールは「Orbit Trail保証」により、最初の所有者様に限り永久保証となります。\n\n"
     "保証を申請するには、マイページの「注文履歴」から該当する注文を選び、「問題を報告」から"
     "「保証の申請」を選択して、不具合の写真と製品のシリアル番号をアップロードしてください。"
     "通常5営業日以内に審査結果をメールでお知らせします。承認された場合は、交換品をヤマト運輸"
     "で無料でお届けします。\n\n"
     "落下や水濡れなどの事故による損傷、通常の使用による摩耗、改造された製品は保証の対象外"
     "です。Orbit Care+にご加入の場合、電子機器の保証期間は3年間に延長され、事故による損傷も"
     "補償されます。ご不明な点はチャットサポート（毎日9時〜21時）までお問い合わせください。"}};

}  // namespace

std::span<const Article> BankArticles() { return kBankArticles; }
std::span<const Article> RetailArticles() { return kRetailArticles; }

}  // namespace crmi::crm::demo_internal
