// Internals of the "maple-bank" tenant of the demo data set (demo_data.h): wealth-management
// households in the US and Canada. Shared by demo_bank.cc (people and records),
// demo_bank_timeline.cc (activities) and demo_bank_text.cc (text); not part of the crm API.
//
// Structure: households (accounts, type "household") of one to three clients (contacts), each
// household served by one advisor (owner_id "adv-NNN", about 60 clients per advisor). Each
// household follows a storyline (Cohort) that shapes its primary client's activity timeline:
//   steady      ordinary service: reviews, statements, contributions, market calls;
//   churn_risk  in the last ~4 months: fee complaint naming a competitor, falling logins, views of
//               the transfer-out article, a fee dispute case and often a transfer-out request;
//   intent_*    in the last ~3 months: repeated views of a product page or calculator, a call
//               and emails about it, and an open opportunity.
#ifndef CRMI_CRM_DEMO_BANK_H_
#define CRMI_CRM_DEMO_BANK_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/crm/demo_data.h"
#include "src/crm/demo_internal.h"

namespace crmi::crm::demo_internal::bank {

// The four intent cohorts, from kMortgage on, are intent kinds 0..3, which index the per-intent
// tables below.
enum class Cohort : uint8_t { kSteady, kChurn, kMortgage, kRetirement, kEstate, kManaged };
constexpr int kIntentKinds = 4;

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
constexpr int kTopicCount = static_cast<int>(Topic::kOppProposal) + 1;

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

// ---- Text (demo_bank_text.cc) ----
// Tables indexed by an enum have its size; lists drawn from have theirs, so that adding an entry
// is a change here too.

extern const std::string_view kCohortNames[6];  // custom.demo_cohort per Cohort
extern const std::string_view kSegments[3];
extern const std::string_view kRisks[4];  // risk profiles, from conservative to aggressive
extern const std::string_view kCompetitors[4];
extern const std::string_view kRoles[3];  // household roles
extern const std::string_view kOccupations[20];

// Per intent kind: what a digest says the client looked at ({n}: a count), and what they want.
extern const std::string_view kIntentPages[kIntentKinds][3];
extern const std::string_view kIntentNames[kIntentKinds];

// Case content per CaseKind: subject, description, inbound transcript, resolution email.
struct CaseText {
  std::string_view category;
  std::string_view product_key;
  std::string_view subject;
  std::string_view description;
  std::string_view contact;  // first inbound activity (call transcript)
  std::string_view resolution;
};
extern const CaseText kCaseTexts[7];

struct OppText {
  std::string_view name;
  std::string_view description;
  int64_t min_amount;
  int64_t max_amount;
};
extern const OppText kOppTexts[8];  // per OppKind

extern const std::string_view kLeadCompanies[12];
extern const std::string_view kLeadSources[7];
extern const std::string_view kLeadInterests[6];

// What a digest of ordinary use, and of each stage of a churn-risk client's decline, lists.
extern const std::string_view kDigestExtras[8];
extern const std::string_view kChurnExtras[4];

// How activities of each Topic are written. Templates are empty where the code that writes the
// topic supplies the text (digests, and case threads, whose text is the case's CaseText).
struct TopicText {
  std::string_view name;  // custom.topic
  std::string_view channel;
  std::string_view direction;
  std::string_view subject = {};  // template
  std::string_view body = {};     // template
  // One body template per intent kind, replacing `body`; empty for other topics.
  std::span<const std::string_view> by_intent = {};
};
extern const TopicText kTopicTexts[kTopicCount];

// ---- Generator (demo_bank.cc, demo_bank_timeline.cc) ----

// A business-hours instant (13:00-23:00 UTC, i.e. morning to evening in North America) on a
// random day in [first_day, last_day] (days since the epoch).
int64_t WorkTime(int64_t first_day, int64_t last_day, Rng* r);

class BankGenerator : public TenantGenerator {
 public:
  BankGenerator(const DemoOptions& options, int scale, const DemoSink& sink);

  Status Run();

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
    int status;  // index into kCaseStatuses
  };
  struct OppSpec {
    uint32_t household;
    OppKind kind;
    int64_t created;
    int stage;  // index into kStages
  };

  const City& CityOf(uint32_t h) const { return BankCities()[households_[h].city]; }
  Culture CultureOf(uint32_t h) const { return CityOf(h).culture; }
  // Whether a churn-risk household actually asks to move its assets (the rest only show signs).
  bool Leaving(uint32_t h) const { return R("bank/leaving", h).Percent(60); }
  static std::string AdvisorId(int a);
  std::string AdvisorName(int a) const;
  // Id of the product with BankProduct::key `key`.
  std::string ProductIdOf(std::string_view key) const;

  void BuildPeople();
  void BuildOpportunities();
  void BuildCases();
  Portfolio PortfolioOf(uint32_t h) const;
  std::string EmailOf(uint32_t c) const;
  void SetClientVars(uint32_t c, const Portfolio& p);

  Status EmitAccounts();
  Status EmitContacts();
  Status EmitProducts();
  Status EmitLeads();
  Status EmitOpportunities();
  Status EmitCases();

  // Activities: every client's timeline, then each case's and each opportunity's thread.
  Status EmitActivities();
  void PlanClient(uint32_t c, std::vector<Planned>* plan) const;
  Status EmitPlanned(uint32_t c, const Planned& p, const Portfolio& pf, Rng* r);
  void RenderDigest(bool app, const Planned& p, Rng* r);
  Status EmitCaseThread(size_t k);
  Status EmitOppThread(size_t k);
  // Replaces body_ by `tmpl` rendered with vars_.
  void RenderBody(std::string_view tmpl, Rng* r);
  // Emits an activity of `topic` in `thread` with body_ as its body, written as kTopicTexts says
  // unless `subject` replaces the topic's subject template. `duration` < 0: none.
  Status EmitTopic(Topic topic, const Thread& thread, int64_t at, int64_t duration, Rng* r,
                   std::string_view subject = {});

  const int anchor_year_;
  std::vector<Household> households_;
  std::vector<Client> clients_;
  std::vector<OppSpec> opps_;
  std::vector<CaseSpec> cases_;
  int advisors_ = 1;

  std::string body_;
  Vars vars_;
};

}  // namespace crmi::crm::demo_internal::bank

#endif  // CRMI_CRM_DEMO_BANK_H_
