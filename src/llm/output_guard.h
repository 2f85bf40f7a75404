// Output scanning: what a model writes is checked before the caller reads it, sentence by
// sentence (so it works on streams: a sentence is released once it is complete and clean).
//
//  - secrets: API keys and tokens (OpenAI/Stripe-style "sk-…", AWS access keys, GitHub and
//    Slack tokens, JWTs, PEM private keys, "password: …") are replaced by "[secret removed]";
//  - personal data the caller may not see: for callers without privacy/reveal, every value the
//    PII detector finds in the output — also ones the model made up or copied from text the
//    anonymiser did not recognise — is masked (Anonymizer::Mask);
//  - abusive language: a sentence with a word of a small English insult lexicon is dropped.
//
// risk() is the highest of the findings' weights (secret 0.9, abuse 0.7, personal data 0.5) —
// the answer's scores.output_risk; reasons() names the kinds found.
//
// Thread-safety: one guard per answer; the detector and names it reads are shared and immutable.
#ifndef CRMI_LLM_OUTPUT_GUARD_H_
#define CRMI_LLM_OUTPUT_GUARD_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace crmi::privacy {
class Detector;
class NameDictionary;
}  // namespace crmi::privacy

namespace crmi::llm {

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
  double risk_ = 0;
  std::vector<std::string> reasons_;
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_OUTPUT_GUARD_H_
