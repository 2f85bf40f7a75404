// Decisioning: churn and intent scores and next best actions for contacts, with consent
// applied before anything is computed.
//
//   consent.profiling false  → the contact is not scored: Score refuses (a consent refusal,
//                              crm::IsConsentRefusal), ScoreMany lists them under "excluded",
//                              Recommend offers only what needs no profile (open escalated
//                              cases) and says scoring was excluded;
//   consent.marketing false  → Recommend drops every marketing action and says so; creating one
//                              anyway is refused by the store-level rule (crm/consent.h).
//
// The contact is read under the caller's row restriction (what they may not see is not found);
// the timeline behind a score is read whole, since a score and its reasons (feature names and
// counts, never record content) should not differ by who asks. Everything is read from one
// snapshot of the store.
//
// Thread-safety: safe to call concurrently; holds no state besides its collaborators.
#ifndef CRMI_SIGNALS_DECISIONING_H_
#define CRMI_SIGNALS_DECISIONING_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/common/clock.h"
#include "src/common/status.h"
#include "src/crm/access.h"
#include "src/signals/scores.h"
#include "src/store/store.h"

namespace crmi::signals {

struct Recommendation {
  std::string kind;        // offer, message, call, loyalty, task (the actions collection's kinds)
  std::string purpose;     // marketing, service
  std::string channel;     // empty for tasks (internal work for the owner)
  std::string product_id;  // offers: the tenant's first active offer, if any
  std::string reason;
  double score = 0;  // the score that triggered it (1 for an escalated case)
};

struct Exclusion {
  std::string what;  // "scoring", "marketing"
  std::string why;   // "consent.profiling", "consent.marketing", "preferred_channel"
};

struct Recommendations {
  bool scored = false;
  ContactScores scores;                 // when scored
  std::vector<Recommendation> actions;  // most urgent first
  std::vector<Exclusion> excluded;
};

struct ScoredContact {
  std::string contact_id;
  ContactScores scores;
};

struct BatchScores {
  std::vector<ScoredContact> scored;
  std::vector<std::string> excluded;   // no consent.profiling
  std::vector<std::string> not_found;  // missing or outside the caller's rows
};

class Decisioning {
 public:
  static constexpr size_t kMaxBatch = 1000;
  static constexpr int kTimelineLimit = 500;  // newest activities read per contact

  Decisioning(store::Store* store, Clock* clock) : store_(store), clock_(clock) {}

  // kNotFound when the contact does not exist or lies outside `contacts.rows`; a consent
  // refusal (kPermissionDenied) when it has not consented to profiling.
  Result<ContactScores> Score(std::string_view tenant, std::string_view contact_id,
                              const crm::Access& contacts);
  // kInvalidArgument for more than kMaxBatch ids (or the access's max_rows); ids are answered
  // in the order given,
  // duplicates once.
  Result<BatchScores> ScoreMany(std::string_view tenant, const std::vector<std::string>& ids,
                                const crm::Access& contacts);
  // kNotFound as Score; never a consent refusal (exclusions are part of the answer).
  Result<Recommendations> Recommend(std::string_view tenant, std::string_view contact_id,
                                    const crm::Access& contacts);

 private:
  store::Store* store_;
  Clock* clock_;
};

// Parses the body of POST /v1/customers:score, {"contact_ids": ["con_1", ...]} (nothing else);
// kInvalidArgument naming what is wrong. Ids are not validated here (an invalid one is simply
// not found).
Result<std::vector<std::string>> ParseScoreRequest(std::string_view body);

// {"churn": {"score", "band", "reasons": [{"feature", "value", "contribution"}]}, "intent": ...}
std::string ScoresJson(const ContactScores& s);
// {"contact_id", "scores": {...} | null, "actions": [...], "excluded": [...]}; each action is
// a body POST /v1/actions accepts (plus nothing else), so a caller can trigger it as is.
std::string RecommendationsJson(std::string_view contact_id, const Recommendations& r);

}  // namespace crmi::signals

#endif  // CRMI_SIGNALS_DECISIONING_H_
