#include "src/signals/scores.h"

#include <algorithm>
#include <cmath>

namespace crmi::signals {
namespace {

constexpr int64_t kDayMs = 86'400'000;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool Alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// exp(-ln2 · age / half_life): 1 now, 0.5 one half-life ago; future events count as now.
double Decay(int64_t at_ms, int64_t now_ms, double half_life_days) {
  const double age_days = std::max<double>(0, static_cast<double>(now_ms - at_ms) / kDayMs);
  return std::exp(-0.6931471805599453 * age_days / half_life_days);
}

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

class Model {
 public:
  explicit Model(double bias) : logit_(bias) {}
  void Add(std::string feature, double value, double weight) {
    AddContribution(std::move(feature), value, value * weight);
  }
  void AddContribution(std::string feature, double value, double contribution) {
    logit_ += contribution;
    if (contribution > 0) reasons_.push_back({std::move(feature), value, contribution});
  }
  Score Finish() {
    Score s;
    s.value = Sigmoid(logit_);
    s.band = s.value >= 0.7 ? "high" : s.value >= 0.4 ? "medium" : "low";
    std::sort(reasons_.begin(), reasons_.end(),
              [](const Reason& a, const Reason& b) { return a.contribution > b.contribution; });
    s.reasons = std::move(reasons_);
    return s;
  }

 private:
  double logit_;
  std::vector<Reason> reasons_;
};

bool CustomerVoice(const ActivityFact& a) { return a.direction != "outbound"; }
bool CustomerInitiated(const ActivityFact& a) {
  return a.direction == "inbound" || a.channel == "web" || a.channel == "app";
}
bool OpenCase(const CaseFact& c) { return c.status != "resolved" && c.status != "closed"; }

}  // namespace

const std::vector<std::string_view>& ExitCues() {
  // Phrases, not bare verbs: "leave a message", "move my appointment" and "transfer my call"
  // are not a customer leaving.
  static const std::vector<std::string_view> kCues = {"cancel*",
                                                      "close my account",
                                                      "closing my account",
                                                      "close the account",
                                                      "closing the account",
                                                      "transfer out",
                                                      "transferring out",
                                                      "transferring accounts",
                                                      "transfer my account*",
                                                      "move my account*",
                                                      "moving my account*",
                                                      "move my money",
                                                      "switch to another",
                                                      "switching to another",
                                                      "switch provider*",
                                                      "switching provider*",
                                                      "competitor*",
                                                      "want to leave",
                                                      "going to leave",
                                                      "thinking of leaving",
                                                      "leaving you",
                                                      "terminate*",
                                                      "port out",
                                                      "porting my",
                                                      "unsubscribe*"};
  return kCues;
}

const std::vector<std::string_view>& ComplaintCues() {
  static const std::vector<std::string_view> kCues = {
      "complain*",    "unhappy",       "frustrat*",     "disappoint*",   "refund*",
      "overcharg*",   "too expensive", "fees are too",  "fee complaint", "poor service",
      "unacceptable", "escalat*",      "still waiting", "not resolved",  "angry",
  };
  return kCues;
}

const std::vector<std::string_view>& IntentCues() {
  static const std::vector<std::string_view> kCues = {
      "pricing",     "price*",      "quote*",        "calculator*", "compare*",          "compared",
      "checkout",    "add to cart", "added to cart", "upgrade*",    "pre-qualification", "apply",
      "application",

      "demo",        "trial",       "buy*",          "purchas*",    "interested in",     "book a",

  };
  return kCues;
}

namespace {

std::string LowerCopy(std::string_view text) {
  std::string lower(text.size(), '\0');
  std::transform(text.begin(), text.end(), lower.begin(), Lower);
  return lower;
}

// `lower` is already ASCII lower-cased: a text is lowered once for all three cue lists.
bool HasLowerCue(std::string_view lower, const std::vector<std::string_view>& cues) {
  for (std::string_view cue : cues) {
    const bool prefix = !cue.empty() && cue.back() == '*';
    if (prefix) cue.remove_suffix(1);
    if (cue.empty()) continue;
    size_t pos = 0;
    while ((pos = lower.find(cue, pos)) != std::string::npos) {
      const size_t end = pos + cue.size();
      const bool starts = pos == 0 || !Alnum(lower[pos - 1]);
      const bool ends = prefix || end == lower.size() || !Alnum(lower[end]);
      if (starts && ends) return true;
      ++pos;
    }
  }
  return false;
}

}  // namespace

bool HasCue(std::string_view text, const std::vector<std::string_view>& cues) {
  return HasLowerCue(LowerCopy(text), cues);
}

ContactScores ComputeScores(const ScoreInputs& in, int64_t now_ms) {
  double exits = 0, complaints = 0, intents = 0;
  int inbound_30d = 0;
  int64_t last_contact = -1;
  for (const ActivityFact& a : in.activities) {
    if (CustomerInitiated(a)) {
      last_contact = std::max(last_contact, a.at_ms);
      if (now_ms - a.at_ms <= 30 * kDayMs && a.direction == "inbound") ++inbound_30d;
    }
    if (!CustomerVoice(a)) continue;
    const int64_t age = now_ms - a.at_ms;
    if (age > 90 * kDayMs) continue;  // the widest window
    const std::string lower = LowerCopy(a.text);
    if (HasLowerCue(lower, ExitCues())) exits += Decay(a.at_ms, now_ms, 45);
    if (HasLowerCue(lower, ComplaintCues())) complaints += Decay(a.at_ms, now_ms, 45);
    if (age <= 45 * kDayMs && HasLowerCue(lower, IntentCues())) {
      intents += Decay(a.at_ms, now_ms, 21);
    }
  }
  int escalated = 0, open = 0;
  for (const CaseFact& c : in.cases) {
    if (!OpenCase(c)) continue;
    ++open;
    if (c.status == "escalated" || c.priority == "urgent" || c.priority == "high") ++escalated;
    if (now_ms - c.opened_ms <= 90 * kDayMs) {
      const std::string lower = LowerCopy(c.text);
      if (HasLowerCue(lower, ExitCues())) exits += Decay(c.opened_ms, now_ms, 45);
      if (HasLowerCue(lower, ComplaintCues())) complaints += Decay(c.opened_ms, now_ms, 45);
    }
  }
  int lost = 0, late = 0, early = 0;
  for (const OpportunityFact& o : in.opportunities) {
    if (o.stage == "closed_lost") {
      if (now_ms - o.updated_ms <= 180 * kDayMs) ++lost;
    } else if (o.stage == "proposal" || o.stage == "negotiation") {
      ++late;
    } else if (o.stage == "prospecting" || o.stage == "qualification") {
      ++early;
    }
  }

  ContactScores out;
  Model churn(-2.5);
  churn.Add("exit_signals_90d", std::min(exits, 3.0), 1.6);
  churn.Add("complaint_signals_90d", std::min(complaints, 3.0), 0.9);
  churn.Add("open_escalated_cases", std::min(escalated, 3), 0.8);
  churn.Add("open_cases", std::min(open, 4), 0.25);
  churn.Add("lost_opportunities_180d", std::min(lost, 2), 0.5);
  if (!in.activities.empty()) {
    // Silence matters only once it is unusual: nothing from the customer for 30+ days ramps up
    // to the full weight at 150 days (no customer-initiated contact at all counts as 150).
    const double days =
        last_contact < 0 ? 150.0 : static_cast<double>(now_ms - last_contact) / kDayMs;
    churn.AddContribution("days_since_customer_contact", std::round(days),
                          std::clamp((days - 30) / 120, 0.0, 1.0) * 1.2);
  }
  out.churn = churn.Finish();

  Model intent(-2.3);
  intent.Add("intent_signals_45d", std::min(intents, 4.0), 1.1);
  intent.Add("late_stage_opportunities", std::min(late, 2), 0.9);
  intent.Add("early_stage_opportunities", std::min(early, 2), 0.4);
  intent.Add("inbound_contacts_30d", std::min(inbound_30d, 6), 0.15);
  out.intent = intent.Finish();
  return out;
}

}  // namespace crmi::signals
