// Churn and purchase-intent scores of one contact, computed from its CRM timeline (activities,
// cases, opportunities). The models are small and additive on purpose: every contribution is
// reported as a reason, so an advisor or a reviewer sees why a contact scored what it did.
//
// Evidence read from text is matched against fixed cue lists (whole words, ASCII
// case-insensitive; a cue ending in '*' matches as a prefix). Outbound activities are not
// evidence of what the customer wants; notes and inbound/web/app events are. Recency is
// weighted by half-lives, so a complaint last week weighs more than one last quarter.
//
// Weights are set by hand, not trained: crmi has no labelled outcomes per tenant yet. They are
// documented in docs/decisioning.md and pinned by tests/signals/scores_test.cc.
//
// Thread-safety: pure functions.
#ifndef CRMI_SIGNALS_SCORES_H_
#define CRMI_SIGNALS_SCORES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crmi::signals {

struct ActivityFact {
  int64_t at_ms = 0;
  std::string channel;    // email, chat, call, meeting, note, web, app, sms
  std::string direction;  // inbound, outbound, internal, or empty
  std::string text;       // subject + body
};

struct CaseFact {
  std::string id;
  std::string status;    // new, open, pending, escalated, resolved, closed
  std::string priority;  // low, medium, high, urgent
  int64_t opened_ms = 0;
  std::string text;  // subject + description
};

struct OpportunityFact {
  std::string stage;
  int64_t updated_ms = 0;
};

struct ScoreInputs {
  std::vector<ActivityFact> activities;
  std::vector<CaseFact> cases;
  std::vector<OpportunityFact> opportunities;
};

struct Reason {
  std::string feature;      // "exit_signals_90d"
  double value = 0;         // the feature's value
  double contribution = 0;  // to the logit
};

struct Score {
  double value = 0;             // 0..1
  std::string_view band;        // low (< 0.4), medium, high (>= 0.7)
  std::vector<Reason> reasons;  // contributions > 0, largest first
};

struct ContactScores {
  Score churn;
  Score intent;
};

ContactScores ComputeScores(const ScoreInputs& in, int64_t now_ms);

// Whether `text` holds any of the cues (exposed for tests).
bool HasCue(std::string_view text, const std::vector<std::string_view>& cues);

const std::vector<std::string_view>& ExitCues();
const std::vector<std::string_view>& ComplaintCues();
const std::vector<std::string_view>& IntentCues();

}  // namespace crmi::signals

#endif  // CRMI_SIGNALS_SCORES_H_
