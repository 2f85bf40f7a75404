// Output scanning: what a model writes is checked before the caller reads it, sentence by
// sentence (so it works on streams: a sentence is released once it is complete and clean).
//
//  - secrets: API keys and tokens (OpenAI/Stripe-style "sk-…", AWS access keys, GitHub and
//    Slack tokens, JWTs, PEM private keys, "password: …") are replaced by "[secret removed]";
//  - personal data the caller may not see: for callers without privacy/reveal, every value the
//    PII detector finds in the output — also ones the model made up or copied from text the
//    anonymiser did not recognise — is masked (Anonymizer::Mask);
//  - abusive language: a sentence with a word of a small English insult lexicon is dropped;
//  - policy topics: a sentence about a configured topic (crmi.toml [[llm.topics]]: phrases) the
//    caller may not receive (the policy's decision on resource topic:<name>, action receive) is
//    withheld, and Finish appends a notice naming the topics; blocked_topics() lists them.
//
// risk() is the highest of the findings' weights (secret 0.9, topic 0.8, abuse 0.7, personal
// data 0.5) — the answer's scores.output_risk; reasons() names the kinds found.
//
// Thread-safety: one guard per answer; the detector and names it reads are shared and immutable.
#ifndef CRMI_LLM_OUTPUT_GUARD_H_
#define CRMI_LLM_OUTPUT_GUARD_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace crmi::privacy {
class Detector;
class NameDictionary;
}  // namespace crmi::privacy

namespace crmi::llm {

// Subjects the policy governs, each recognised by phrases (whole words, any case).
struct PolicyTopic {
  std::string name;  // [a-z0-9-]+: the policy resource is topic:<name>
  std::vector<std::string> phrases;
};

class TopicSet {
 public:
  // kInvalidArgument for a bad name, no phrases or a phrase RE2 cannot take.
  static Result<std::shared_ptr<const TopicSet>> Compile(const std::vector<PolicyTopic>& topics);
  ~TopicSet();
  // The topics `sentence` touches, in configuration order.
  std::vector<std::string> Match(std::string_view sentence) const;
  size_t size() const { return names_.size(); }
  const std::string& name(size_t i) const { return names_[i]; }

 private:
  TopicSet() = default;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<re2::RE2>> patterns_;
};

class OutputGuard {
 public:
  // `detector` and `names` (may be null) must outlive the guard; `mask_pii` for callers who may
  // not see personal data.
  OutputGuard(const privacy::Detector* detector, const privacy::NameDictionary* names,
              bool mask_pii);
  ~OutputGuard();

  // Takes the next piece of output; returns the complete sentences it finished, cleaned.
  std::string Push(std::string_view piece);
  // The rest, cleaned.
  std::string Finish();
  // The whole text at once: Push + Finish.
  std::string Clean(std::string_view text);

  // Governs `topics` (may be null; must outlive the guard): a sentence about a topic for which
  // `may_receive(name)` is false is withheld. Decisions are asked once per topic.
  void SetTopics(const TopicSet* topics, std::function<bool(const std::string&)> may_receive);
  const std::vector<std::string>& blocked_topics() const { return blocked_topics_; }

  double risk() const { return risk_; }
  const std::vector<std::string>& reasons() const { return reasons_; }

 private:
  std::string CleanSentence(std::string sentence);
  void Found(const char* kind, double weight);

  const privacy::Detector* detector_;
  const privacy::NameDictionary* names_;
  bool mask_pii_;
  std::string pending_;
  bool in_key_ = false;  // inside a PEM private key block
  const TopicSet* topics_ = nullptr;
  std::function<bool(const std::string&)> may_receive_;
  std::map<std::string, bool> decided_;  // topic → may receive
  std::vector<std::string> blocked_topics_;
  double risk_ = 0;
  std::vector<std::string> reasons_;
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_OUTPUT_GUARD_H_
