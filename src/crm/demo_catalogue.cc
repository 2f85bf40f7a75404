// Product catalogues of the demo data set: maple-bank's products, services and offers, and
// orbit-retail's items (each listed in five markets) with their warranty terms.
//
// Product descriptions are what retrieval and question answering are evaluated on, so they state
// concrete facts (fees, rates, limits, warranty periods) consistent with the knowledge bases
// (demo_knowledge.cc). The generators' dialogues and emails (demo_bank_text.cc,
// demo_retail_text.cc) quote the same numbers; change them together.
#include "src/crm/demo_internal.h"

namespace crmi::crm::demo_internal {
namespace {

// ---- maple-bank products ----

constexpr BankProduct kBankProducts[] = {
    {"rrsp", "MB-REG-RRSP", "Maple RRSP (Registered Retirement Savings Plan)", "registered-plans",
     "plan", "CAD", 0, "", "", true,
     "A self-directed or advisor-managed Registered Retirement Savings Plan for Canadian "
     "residents. Contributions are tax-deductible up to your RRSP deduction limit (18% of the "
     "previous year's earned income, to a maximum of $33,810 for 2026), and investment growth is "
     "tax-deferred until withdrawal. Hold GICs, mutual funds, ETFs, stocks and bonds in one "
     "account. There is no annual account fee when your household holds more than $100,000 with "
     "Maple Bank; otherwise the fee is $100 a year. Contributions made in the first 60 days of the "
     "year can be deducted on the previous year's return. The plan must be converted to a RRIF "
     "or an annuity by the end of the year you turn 71."},
    {"tfsa", "MB-REG-TFSA", "Maple TFSA (Tax-Free Savings Account)", "registered-plans", "plan",
     "CAD", 0, "", "", true,
     "A Tax-Free Savings Account for Canadian residents aged 18 and over. Investment income and "
     "withdrawals are tax-free, and amounts you withdraw are added back to your contribution room "
     "on January 1 of the following year. The annual limit for 2026 is $7,000 and unused room "
     "carries forward indefinitely. Hold high-interest savings, GICs, ETFs and stocks. "
     "Over-contributions are taxed by the CRA at 1% per month, so check your room in CRA My "
     "Account before a large deposit. No account fee."},
    {"resp", "MB-REG-RESP", "Maple Family RESP", "registered-plans", "plan", "CAD", 0, "", "", true,
     "A Registered Education Savings Plan for children's post-secondary education. The Canada "
     "Education Savings Grant adds 20% on the first $2,500 contributed per child each year, up to "
     "$500 a year and $7,200 per child over the life of the plan. A family plan lets siblings "
     "share growth and grants. The lifetime contribution limit is $50,000 per beneficiary. "
     "Investment options range from GICs to target-date portfolios that reduce risk as the child "
     "approaches 18."},
    {"rrif", "MB-REG-RRIF", "Maple RRIF (Registered Retirement Income Fund)", "registered-plans",
     "plan", "CAD", 0, "", "", true,
     "Turns RRSP savings into retirement income. An RRSP must be converted by December 31 of the "
     "year you turn 71. A minimum amount must be withdrawn every year starting the year after the "
     "plan is opened, based on your age (or your spouse's, if younger) and the plan value on "
     "January 1. Payments can be monthly, quarterly or annual; withdrawals above the minimum are "
     "subject to withholding tax. Your advisor can build a bond and GIC ladder so scheduled "
     "payments never force the sale of equities in a falling market."},
    {"fhsa", "MB-REG-FHSA", "Maple FHSA (First Home Savings Account)", "registered-plans", "plan",
     "CAD", 0, "", "", true,
     "For first-time home buyers in Canada. Contributions are tax-deductible like an RRSP and "
     "qualifying withdrawals to buy a first home are tax-free like a TFSA. The annual limit is "
     "$8,000 with a lifetime limit of $40,000, and up to $8,000 of unused room carries forward to "
     "the next year. The account can stay open for up to 15 years. Savings you don't use for a "
     "home can be transferred to your RRSP without using RRSP contribution room."},
    {"brokerage", "MB-INV-DIRECT", "Maple Direct Investing Account", "brokerage", "product", "CAD",
     0, "", "", true,
     "A non-registered (taxable) brokerage account for Canadian and US stocks, ETFs, options, "
     "bonds and mutual funds. Online equity trades cost $6.95 and ETF purchases are "
     "commission-free. Hold both CAD and USD cash to avoid conversion fees on US trades. Annual "
     "tax reporting includes a T5 for interest and dividends and a T5008 for dispositions, with "
     "adjusted cost base tracking on every holding. Available as a US brokerage account for US "
     "residents, with Form 1099 reporting."},
    {"ira", "MB-US-IRA", "Maple Traditional IRA", "retirement-us", "plan", "USD", 0, "", "", true,
     "An Individual Retirement Account for US clients. Contributions may be tax-deductible "
     "depending on your income and workplace plan coverage, and growth is tax-deferred until "
     "withdrawal. The 2026 contribution limit is $7,500, plus a $1,100 catch-up contribution if "
     "you are 50 or older. Contributions for a tax year can be made until the federal filing "
     "deadline, usually April 15 of the following year. Required minimum distributions begin at "
     "age 73."},
    {"roth", "MB-US-ROTH", "Maple Roth IRA", "retirement-us", "plan", "USD", 0, "", "", true,
     "Contributions are made with after-tax dollars and qualified withdrawals in retirement are "
     "tax-free. Eligibility phases out at higher incomes, and the contribution limit is shared "
     "with a Traditional IRA: $7,500 for 2026, plus $1,100 catch-up at age 50 and over. The "
     "original owner has no required minimum distributions. Converting part of a Traditional IRA "
     "to a Roth IRA in a lower-income year can reduce lifetime taxes; ask your advisor to model "
     "the tax cost first."},
    {"rollover", "MB-US-ROLL", "401(k) Rollover to IRA", "retirement-us", "service", "USD", 0, "",
     "", true,
     "We move a former employer's 401(k) or 403(b) into a Maple Rollover IRA through a direct "
     "trustee-to-trustee transfer, so no tax is withheld and there is no 60-day deadline. Your "
     "advisor reviews the old plan's investments, any company stock that may qualify for net "
     "unrealized appreciation treatment, and after-tax balances that could go to a Roth IRA. A "
     "rollover typically completes in two to four weeks, depending on the former plan's "
     "administrator. The 2026 employee deferral limit for 401(k) plans is $24,500."},
    {"plan529", "MB-US-529", "Maple 529 College Savings Plan", "education", "plan", "USD", 0, "",
     "", true,
     "A tax-advantaged US education savings plan. Earnings grow federally tax-free, and "
     "withdrawals for qualified education expenses, including up to $10,000 a year of K-12 "
     "tuition, are tax-free. Many states offer a deduction for contributions to their own plan. "
     "Age-based portfolios move from growth to capital preservation as the beneficiary "
     "approaches college. Unused funds can be rolled into a Roth IRA for the beneficiary, "
     "subject to a $35,000 lifetime limit and other conditions."},
    {"managed", "MB-WM-MANAGED", "Maple Managed Portfolios", "wealth-management", "service", "CAD",
     0, "", "", true,
     "Discretionary portfolio management with automatic rebalancing to one of four models: "
     "conservative, balanced, growth or aggressive. Portfolios use low-cost ETFs and individual "
     "bonds, with tax-loss harvesting in non-registered accounts. Fees are tiered on household "
     "assets: 1.25% a year on the first $1 million, 0.95% on the next $4 million and 0.65% above "
     "$5 million, with no trading commissions. The minimum investment is $100,000. An annual "
     "financial plan review with your advisor is included."},
    {"private_wealth", "MB-WM-PRIVATE", "Maple Private Wealth", "wealth-management", "service",
     "CAD", 0, "", "", true,
     "For households with $5 million or more in investable assets. A dedicated team of portfolio "
     "manager, financial planner, tax specialist and estate specialist coordinates your family's "
     "affairs, including holding companies, family trusts and philanthropic giving. Custom "
     "portfolios can include private credit and alternative strategies for eligible investors. "
     "Fees are negotiated and disclosed in your investment policy statement; the published "
     "starting rate is 0.85% a year."},
    {"financial_plan", "MB-WM-PLAN", "Comprehensive Financial Plan", "planning", "service", "CAD",
     250000, "", "", true,
     "A written plan covering cash flow, retirement income, tax, insurance, education funding "
     "and estate planning, prepared by a Certified Financial Planner. It includes two meetings, a "
     "projection of your retirement income under several market scenarios and a prioritised "
     "action list. The $2,500 fee is waived for households in Maple Managed Portfolios. Plans "
     "are updated every year and after life events such as marriage, a new child, a home "
     "purchase or an inheritance."},
    {"estate", "MB-WM-ESTATE", "Estate and Trust Planning Consultation", "planning", "service",
     "CAD", 75000, "", "", true,
     "A meeting with our estate specialist to review your wills, powers of attorney, beneficiary "
     "designations and the probate exposure of your assets. We coordinate with your lawyer and "
     "accountant and can set up testamentary or family trusts through Maple Trust Company. "
     "Common outcomes include naming direct beneficiaries on registered accounts, joint "
     "ownership where appropriate and a letter of wishes for executors. The $750 fee is waived "
     "for Maple Private Wealth clients."},
    {"gic", "MB-DEP-GIC", "Maple GIC (Guaranteed Investment Certificate)", "deposits", "product",
     "CAD", 0, "", "", true,
     "Terms from 90 days to 5 years with a guaranteed rate, available in RRSP, TFSA, RRIF, FHSA "
     "and non-registered accounts. Current posted rates are 3.10% for 1 year, 3.25% for 3 years "
     "and 3.40% for 5 years, with interest paid annually. The minimum deposit is $500. "
     "Non-redeemable GICs cannot be cashed before maturity; cashable 1-year GICs pay a lower rate "
     "but can be redeemed after 30 days. Eligible deposits are protected by CDIC up to $100,000 "
     "per insured category."},
    {"savings", "MB-DEP-HISA", "High-Interest Savings Account", "deposits", "product", "CAD", 0, "",
     "", true,
     "Earns 2.75% interest, calculated daily and paid monthly, on every dollar, with no minimum "
     "balance and no monthly fee. Transfers to and from your chequing account are instant in "
     "online and mobile banking. Also available inside a TFSA or FHSA. The rate is variable and "
     "may change without notice."},
    {"usd_account", "MB-DEP-USD", "US Dollar Account", "deposits", "product", "CAD", 0, "", "",
     true,
     "Hold US dollars without converting on every transaction, which suits snowbirds, US "
     "dividend income and cross-border payments. There is no monthly fee with a $1,000 minimum "
     "balance; otherwise the fee is $4 a month. US dollar wires and bill payments are available "
     "in online banking."},
    {"mortgage_fixed", "MB-LEND-FIX5", "5-Year Fixed Rate Mortgage", "lending", "product", "CAD", 0,
     "", "", true,
     "Predictable payments for five years at a posted rate of 4.79%, or a special rate of 4.29% "
     "for clients with $250,000 or more invested with Maple Bank. Prepay up to 20% of the "
     "original principal each year and increase your payment by up to 20% without penalty. "
     "Amortisation of up to 30 years for insured first-time buyers, otherwise 25 years. The "
     "penalty for breaking the mortgage early is the greater of three months' interest and the "
     "interest rate differential."},
    {"mortgage_variable", "MB-LEND-VAR5", "5-Year Variable Rate Mortgage", "lending", "product",
     "CAD", 0, "", "", true,
     "The rate moves with the Maple Bank prime rate and is currently prime minus 0.60%. Payments "
     "stay the same while the split between interest and principal changes. You can lock into a "
     "fixed rate at any time without a fee. The penalty for breaking the mortgage early is three "
     "months' interest."},
    {"heloc", "MB-LEND-HELOC", "Home Equity Line of Credit", "lending", "product", "CAD", 0, "", "",
     true,
     "Borrow up to 65% of your home's value at prime plus 0.50%, and up to 80% together with your "
     "mortgage. Minimum payments are interest-only and you can re-borrow as you repay. Clients "
     "use it for renovations, bridge financing and investment loans. We cover appraisal and "
     "legal fees on lines of $100,000 or more."},
    {"visa_infinite", "MB-CARD-VI", "Maple Infinite Travel Visa", "cards", "product", "CAD", 13900,
     "", "", true,
     "Earn 3 points per dollar on travel and dining and 1 point per dollar on everything else. "
     "Includes travel medical insurance for trips of up to 15 days for cardholders under 65, trip "
     "cancellation, rental car collision coverage and four airport lounge passes a year. The "
     "annual fee is $139, rebated for Maple Private Wealth clients. Requires a personal income of "
     "$60,000 or a household income of $100,000."},
    {"cashback", "MB-CARD-CB", "Maple Cash Back Mastercard", "cards", "product", "CAD", 0, "", "",
     true,
     "2% cash back on groceries and gas, 1% on recurring bills and 0.5% on everything else, "
     "deposited to your account every January. No annual fee. Includes 90 days of purchase "
     "protection and one additional year of extended warranty on eligible purchases."},
    {"online_banking", "MB-SVC-ONLINE", "Online and Mobile Banking", "digital", "service", "CAD", 0,
     "", "", true,
     "Secure access to all your Maple Bank and Maple Wealth accounts on the web and in the Maple "
     "mobile app. View holdings and statements, download tax documents, move money, pay bills, "
     "send Interac e-Transfers and domestic or international wires, and message your advisor. "
     "Two-step verification is required on new devices. After five failed sign-in attempts your "
     "profile is locked for your protection; unlock it with a one-time code sent to your phone "
     "or by calling client services at 1-800-555-0199."},
    {"wire", "MB-SVC-WIRE", "International Wire Transfer", "payments", "service", "CAD", 3000, "",
     "", true,
     "Send money worldwide in more than 30 currencies from online banking or through your "
     "advisor. The fee is $30 per outgoing international wire, $15 per domestic wire and $15 per "
     "incoming wire. Wires submitted before 3:00 p.m. Eastern Time on a business day are "
     "processed the same day; later requests go out the next business day. Delivery usually "
     "takes one to three business days, depending on the destination and intermediary banks."},
    {"safety_box", "MB-SVC-SDB", "Safety Deposit Box", "services", "service", "CAD", 6000, "", "",
     true,
     "Secure storage in branch vaults for wills, deeds, jewellery and other valuables. Small "
     "boxes cost $60 a year, medium $120 and large $250. Access during branch hours with "
     "identification. Contents are not insured by the bank, so we recommend a rider on your home "
     "insurance policy."},
    {"term_life", "MB-INS-TERM", "Maple Term Life Insurance", "insurance", "product", "CAD", 0, "",
     "", true,
     "10- or 20-year term life coverage from $100,000 to $5 million, underwritten by Maple Life "
     "Insurance Company. Premiums are fixed for the term, and coverage can be converted to "
     "permanent insurance without a medical exam before age 70. Often used to protect a mortgage "
     "balance and family income during working years."},
    {"offer_mortgage", "MB-OFR-MORT26", "Mortgage Renewal Special: 4.29% 5-Year Fixed", "lending",
     "offer", "CAD", 0, "2026-09-01", "2026-12-31", true,
     "Renew or switch your mortgage to Maple Bank and get a 5-year fixed rate of 4.29% when you "
     "hold $250,000 or more in investments with us. We cover appraisal and legal fees on "
     "switches of up to $1,000,000, and a pre-approval holds the rate for 120 days. The offer "
     "applies to owner-occupied homes in Canada and can be combined with a home equity line of "
     "credit."},
    {"offer_transfer", "MB-OFR-XFER26", "Asset Transfer Bonus: up to $2,500", "wealth-management",
     "offer", "CAD", 0, "2026-10-01", "2027-03-02", true,
     "Transfer $100,000 or more in new assets to Maple Managed Portfolios and receive a cash "
     "bonus of 0.5% of the amount transferred, up to $2,500. We also reimburse transfer-out fees "
     "charged by your previous institution, up to $300 per account. Assets must stay invested "
     "for 12 months. The bonus is paid within 60 days after the campaign ends."},
    {"offer_plan", "MB-OFR-PLAN26", "Free Financial Plan with a New Managed Portfolio", "planning",
     "offer", "CAD", 0, "2026-01-15", "2026-12-31", true,
     "Open a Maple Managed Portfolio with at least $250,000 and receive a Comprehensive "
     "Financial Plan, normally $2,500, at no charge. The plan includes a retirement income "
     "projection under several market scenarios, a tax review and an estate checklist. The offer "
     "applies to new clients and to existing clients adding assets from another institution, "
     "one plan per household."},
    {"offer_tfsa", "MB-OFR-TFSA26", "TFSA Savings Boost: 4.00% for 120 days", "deposits", "offer",
     "CAD", 0, "2026-01-02", "2026-03-31", false,
     "New deposits to a TFSA High-Interest Savings Account earned a promotional rate of 4.00% "
     "for 120 days. The offer ended on March 31, 2026; balances now earn the regular posted rate "
     "of 2.75%. Clients looking for a higher guaranteed rate can consider a 1-year GIC at 3.10% "
     "inside their TFSA."},
    {"offer_rollover", "MB-OFR-ROLL26", "IRA Rollover Bonus: up to $1,000", "retirement-us",
     "offer", "USD", 0, "2026-06-01", "2026-12-31", true,
     "Roll over $50,000 or more from a former employer's 401(k) into a Maple Rollover IRA and "
     "receive $300; roll over $250,000 or more and receive $1,000. The bonus is deposited into "
     "the IRA within 30 days after the assets arrive and must stay in the account for 12 months. "
     "We reimburse up to $150 of closing fees charged by the former plan."}};

// ---- orbit-retail catalogue (one entry per item; listed in five markets) ----

constexpr RetailItem kRetailItems[] = {
    {"ELE-1001", "Aurora ANC Wireless Headphones", "electronics", 24900,
     "Over-ear headphones with adaptive active noise cancelling and 30 hours of battery life. "
     "Multipoint Bluetooth 5.3 connects a laptop and a phone at the same time, and a 10-minute "
     "USB-C charge gives 5 hours of playback. Memory-foam ear cushions are replaceable."},
    {"ELE-1002", "Aurora Buds Pro", "electronics", 17900,
     "True wireless earbuds with noise cancelling, a transparency mode and IPX4 splash "
     "resistance. 8 hours per charge plus 24 hours from the wirelessly charged case. Three sizes "
     "of silicone and one pair of foam tips are included."},
    {"ELE-1003", "Pulse 6 Smartwatch", "electronics", 29900,
     "GPS smartwatch with heart-rate, SpO2 and sleep tracking, a 1.4-inch AMOLED display and up "
     "to 7 days of battery life. Water-resistant to 5 ATM for swimming. Works with iOS and "
     "Android; contactless payments supported in most markets."},
    {"ELE-1004", "Lumen 55-inch 4K QLED TV", "electronics", 69900,
     "55-inch 4K quantum-dot TV with HDR10+ and Dolby Vision, a 120 Hz panel for gaming and "
     "three HDMI 2.1 ports. Built-in streaming apps and voice assistant. Wall-mount pattern VESA "
     "300 x 300; stand included."},
    {"ELE-1005", "Vista 10 Tablet 128 GB", "electronics", 32900,
     "10.9-inch tablet with a 2360 x 1640 display, 128 GB of storage expandable by microSD and a "
     "12-hour battery. Supports the Vista Pen stylus and keyboard cover (sold separately)."},
    {"ELE-1006", "Beacon Portable Speaker", "electronics", 12900,
     "Rugged Bluetooth speaker, waterproof and dustproof to IP67, with 20 hours of playback. "
     "Pair two Beacons for stereo sound. Floats in water and charges over USB-C."},
    {"ELE-1007", "Spark 20,000 mAh Power Bank", "electronics", 5900,
     "High-capacity power bank with 65 W USB-C Power Delivery, enough to charge most laptops, "
     "plus a USB-A port. At 74 Wh it is allowed in aircraft cabin baggage."},
    {"ELE-1008", "Halo Smart Doorbell", "electronics", 14900,
     "2K video doorbell with a 160-degree field of view, motion zones and two-way audio. Records "
     "to a local microSD card, so no subscription is required. Runs on battery or existing "
     "doorbell wiring."},
    {"HOM-2001", "Nordic 3-Seat Sofa", "home", 129900,
     "Three-seat sofa with a kiln-dried hardwood frame, pocket-spring seats and removable, "
     "machine-washable covers in sand, slate or forest green. 214 cm wide, 92 cm deep. Delivered "
     "in two boxes; assembly takes about 20 minutes."},
    {"HOM-2002", "Fjord Oak Dining Table", "home", 89900,
     "Solid oak dining table with an oiled finish that seats six. 180 x 90 cm, 75 cm high. The "
     "legs detach for moving. Re-oil once a year to keep the surface protected."},
    {"HOM-2003", "Cloudrest Memory Foam Mattress (Queen)", "home", 74900,
     "Three-layer medium-firm mattress with cooling gel memory foam and a supportive base "
     "foam, 25 cm deep. Comes rolled in a box. Includes a 100-night sleep trial; returns within "
     "the trial are collected free of charge."},
    {"HOM-2004", "Linen Duvet Cover Set", "home", 11900,
     "Stonewashed French linen duvet cover with two pillowcases, queen size. Gets softer with "
     "every wash; machine wash at 40 degrees and tumble dry low."},
    {"HOM-2005", "Arc LED Floor Lamp", "home", 17900,
     "Arched floor lamp with a marble base and a dimmable LED head adjustable from 2700 K warm "
     "white to 4000 K neutral white. 190 cm high with a 160 cm reach over a sofa."},
    {"HOM-2006", "Terra Ceramic Vase Set", "home", 4900,
     "Set of three handmade stoneware vases with a matte glaze, 12, 18 and 25 cm tall. Each piece "
     "varies slightly in shape and colour. Watertight for fresh flowers."},
    {"HOM-2007", "Haven Ergonomic Office Chair", "home", 42900,
     "Mesh-back office chair with adjustable lumbar support, 4D armrests, seat depth "
     "adjustment and a synchronised tilt. Supports up to 130 kg. Assembly takes about 15 "
     "minutes with the included tool."},
    {"HOM-2008", "Oslo Standing Desk", "home", 59900,
     "Dual-motor sit-stand desk adjustable from 62 to 127 cm with four memory presets and "
     "anti-collision detection. 140 x 70 cm top in oak veneer or white. Quiet at under 50 dB."},
    {"KIT-3001", "Barista Pro Espresso Machine", "kitchen", 54900,
     "15-bar pump espresso machine with PID temperature control, a built-in conical burr "
     "grinder and a commercial-style steam wand for latte art. 2-litre removable water tank. "
     "Descale every two months with the included descaler."},
    {"KIT-3002", "Chef's Cast Iron Dutch Oven 5.5 L", "kitchen", 18900,
     "Enamelled cast-iron casserole for braising, baking bread and slow cooking. Works on gas, "
     "electric and induction hobs and in the oven up to 260 degrees Celsius. Hand wash to "
     "preserve the enamel."},
    {"KIT-3003", "Precision Chef Knife 20 cm", "kitchen", 12900,
     "Forged chef's knife in German X50CrMoV15 stainless steel with a full tang and a 15-degree "
     "edge per side. Balanced for rocking cuts. Hand wash and hone regularly."},
    {"KIT-3004", "AirCrisp 6 L Air Fryer", "kitchen", 14900,
     "6-litre air fryer with eight presets, a shake reminder and a dishwasher-safe non-stick "
     "basket. Cooks with up to 80% less oil than deep frying. 1,700 W."},
    {"KIT-3005", "PureBlend High-Speed Blender", "kitchen", 22900,
     "1,500 W blender with a 2-litre BPA-free jar, variable speed and a self-cleaning "
     "programme. Crushes ice and makes nut butters and hot soups."},
    {"KIT-3006", "Everyday Cookware Set 10-Piece", "kitchen", 29900,
     "Tri-ply stainless steel cookware: two frying pans, three saucepans with lids and a "
     "stockpot. Induction-compatible, oven-safe to 260 degrees Celsius and dishwasher-safe."},
    {"APP-4001", "Merino Crew Base Layer", "apparel", 7900,
     "Long-sleeve base layer in 200 gsm merino wool that regulates temperature and resists "
     "odour for days of wear. Flatlock seams prevent chafing under a pack. Sizes XS to XXL."},
    {"APP-4002", "Stormline Waterproof Jacket", "apparel", 22900,
     "Three-layer waterproof, breathable shell rated 20,000 mm with fully taped seams, pit zips "
     "and a helmet-compatible hood. Packs into its own pocket. Regular fit, sizes XS to XXL."},
    {"APP-4003", "Everyday Organic Cotton Tee", "apparel", 2500,
     "Mid-weight T-shirt in 180 gsm GOTS-certified organic cotton with a relaxed fit. Pre-shrunk; "
     "machine wash at 30 degrees."},
    {"APP-4004", "Alpine Down Jacket", "apparel", 27900,
     "Lightweight down jacket insulated with 700-fill-power, RDS-certified down and a "
     "water-repellent shell. Packs into a stuff sack. Warm to about minus 10 degrees Celsius "
     "when layered."},
    {"APP-4005", "Tailored Stretch Chinos", "apparel", 6900,
     "Slim-fit chinos in stretch cotton twill with a hidden phone pocket. Waist 28 to 40 inches, "
     "inseams 30, 32 and 34 inches."},
    {"APP-4006", "Cloudknit Hoodie", "apparel", 6500,
     "Brushed-back fleece hoodie in a recycled cotton blend with a double-layer hood and "
     "kangaroo pocket. Relaxed fit; size down for a closer fit."},
    {"APP-4007", "Trail Running Shorts", "apparel", 4500,
     "Lightweight 5-inch running shorts with a built-in liner, a zipped back pocket and "
     "reflective details. Quick-drying recycled polyester."},
    {"APP-4008", "Merino Hiking Socks 3-Pack", "apparel", 3900,
     "Cushioned hiking socks in a merino wool blend with a reinforced heel and toe. Three pairs "
     "per pack; sizes S (EU 35-38), M (39-42), L (43-46)."},
    {"FTW-5001", "Ridge GTX Hiking Boot", "footwear", 18900,
     "Mid-height hiking boot with a waterproof, breathable membrane, a Vibram outsole and a "
     "nubuck leather upper. Weighs 560 g per boot. True to size; order half a size up for thick "
     "socks."},
    {"FTW-5002", "Trailrunner 3 Running Shoe", "footwear", 13900,
     "Trail running shoe with a rock plate, 5 mm lugs and a cushioned 8 mm drop midsole. "
     "Breathable mesh upper with a gusseted tongue to keep out debris."},
    {"FTW-5003", "City Leather Sneaker", "footwear", 11900,
     "Minimal leather sneaker with a stitched rubber cupsole and a cushioned footbed. Full-grain "
     "leather upper that softens with wear. Runs slightly large; consider half a size down."},
    {"FTW-5004", "Harbor Rain Boot", "footwear", 7900,
     "Natural rubber rain boot with a cushioned insole and a slip-resistant sole. Mid-calf "
     "height with an adjustable side gusset."},
    {"OUT-6001", "Trailblazer 40L Backpack", "outdoor", 14900,
     "40-litre trekking pack with a ventilated, adjustable back panel, hip-belt pockets, "
     "side access to the main compartment and an integrated rain cover. Made from recycled 210D "
     "ripstop nylon; weighs 1.4 kg."},
    {"OUT-6002", "Summit 2P Tent", "outdoor", 34900,
     "Freestanding three-season tent for two with two doors and two vestibules. Weighs 1.9 kg "
     "with aluminium poles and pitches in under five minutes. Fly rated 3,000 mm with taped "
     "seams."},
    {"OUT-6003", "Glacier -5 Sleeping Bag", "outdoor", 19900,
     "Mummy sleeping bag with synthetic insulation rated for a comfort temperature of 0 degrees "
     "Celsius and a limit of minus 5. Full-length two-way zip and a compression sack included."},
    {"OUT-6004", "Basecamp Camping Stove", "outdoor", 8900,
     "Compact canister stove with piezo ignition and a wind-resistant burner that boils a litre "
     "of water in about 4 minutes. Folds into a 300 ml pot."},
    {"OUT-6005", "Ultralight Trekking Poles", "outdoor", 9900,
     "Carbon-fibre trekking poles that fold to 38 cm, weighing 290 g per pair. Cork grips, "
     "tungsten tips and rubber feet included. Adjustable from 110 to 130 cm."},
    {"OUT-6006", "Hydra 1 L Insulated Bottle", "outdoor", 3500,
     "Double-wall vacuum-insulated stainless steel bottle that keeps drinks cold for 24 hours "
     "and hot for 12. Leak-proof lid; dishwasher-safe."}};

}  // namespace

std::span<const BankProduct> BankProducts() { return kBankProducts; }
std::span<const RetailItem> RetailItems() { return kRetailItems; }

std::string_view RetailWarranty(std::string_view category) {
  if (category == "electronics") {
    return "Warranty: 1-year Orbit limited warranty against defects in materials and "
           "workmanship, including the battery (until it holds less than 80% of its capacity). "
           "Accidental and liquid damage are not covered; Orbit Care+ extends cover to 3 years "
           "and adds accidental damage.";
  }
  if (category == "home") {
    return "Warranty: furniture frames are guaranteed for 5 years; mechanisms, upholstery, "
           "mattresses and lighting for 2 years. Sun fading, pet damage and normal wear of "
           "fabrics are excluded.";
  }
  if (category == "kitchen") {
    return "Warranty: small appliances are covered for 2 years; cookware and knives carry a "
           "lifetime warranty against manufacturing defects when used as directed. Limescale "
           "damage from skipped descaling and dishwasher damage to knives are excluded.";
  }
  if (category == "apparel") {
    return "Warranty: 1 year against defects in materials and workmanship such as failed "
           "seams, broken zips and fabric faults (2 years for waterproof membrane "
           "delamination). Pilling and normal wear are not defects.";
  }
  if (category == "footwear") {
    return "Warranty: 6 months against sole separation, broken stitching and leaking "
           "membranes. Worn-out outsoles are normal wear.";
  }
  return "Warranty: Orbit Trail Guarantee, a lifetime guarantee against defects in materials "
         "and workmanship for the original owner (2 years for stoves, bottles and parts with "
         "seals). We repair first and replace when a repair is not possible.";
}

}  // namespace crmi::crm::demo_internal
