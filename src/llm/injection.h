// Prompt-injection and jailbreak detection: a cascade over one normalised view of the text.
//
//  1. Normalisation: Unicode confusables folded to ASCII (fullwidth forms, mathematical
//     alphanumerics, circled letters, Cyrillic and Greek look-alikes), invisible characters
//     removed (zero-width, bidi controls, variation selectors) — and Unicode tag characters,
//     which smuggle invisible ASCII, decoded — ASCII lower-cased, whitespace collapsed.
//     Base64 and hex runs that decode to text are scanned as well.
//  2. Rules: a handful of RE2 patterns for the shapes injections take (override of prior
//     instructions, role hijack with jailbreak markers, system-prompt extraction, bulk
//     exfiltration, chat-template delimiters, notes addressed to the AI inside a document).
//  3. A logistic-regression classifier over hashed word 1–2-grams and character 3–5-grams,
//     trained offline (bench/llm/injection_eval.cc) and compiled in (models/injection.bin).
//
// The score is 1 − (1 − rules)(1 − classifier); the text is flagged at or above the model's
// threshold. Each verdict names its reasons (rule names, "classifier", "obfuscation").
//
// Thread-safety: an InjectionDetector is immutable after creation; Scan may be called from any
// number of threads at once.
#ifndef CRMI_LLM_INJECTION_H_
#define CRMI_LLM_INJECTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/status.h"

namespace crmi::llm {

struct Normalized {
  std::string text;                  // folded, lower-cased, whitespace collapsed
  int invisible = 0;                 // invisible characters removed
  int tag_characters = 0;            // Unicode tags decoded (ASCII smuggling)
  int confusables = 0;               // look-alike letters folded inside otherwise ASCII words
  std::vector<std::string> decoded;  // base64/hex payloads that decode to text, normalised
};

Normalized NormalizeForScan(std::string_view text);

// Hashed features of normalised text into 2^bits buckets, L2-normalised, in order of first
// occurrence.
std::vector<std::pair<uint32_t, float>> InjectionFeatures(std::string_view normalized,
                                                          uint32_t bits);

struct InjectionModel {
  uint32_t bits = 16;
  float bias = 0;
  float threshold = 0.5f;      // on the combined score
  std::vector<float> weights;  // 2^bits

  // The compact form (header + int8-quantised weights) and back; kInvalidArgument when
  // malformed.
  std::string Serialize() const;
  static Result<InjectionModel> Parse(std::string_view blob);
  // The model compiled into crmi.
  static const InjectionModel& Builtin();

  // P(injection) by the classifier alone.
  double Probability(std::string_view normalized) const;
};

struct InjectionVerdict {
  double score = 0;       // combined, in [0, 1]
  double rules = 0;       // the rules' part
  double classifier = 0;  // the classifier's part
  bool flagged = false;
  std::vector<std::string> reasons;
};

class InjectionDetector {
 public:
  // `model` must outlive the detector (Builtin() does).
  explicit InjectionDetector(const InjectionModel* model = &InjectionModel::Builtin());
  ~InjectionDetector();
  InjectionVerdict Scan(std::string_view text) const;
  const InjectionModel& model() const { return *model_; }

 private:
  struct Rules;
  const InjectionModel* model_;
  std::unique_ptr<Rules> rules_;
};

// Offline training (the evaluation tool; not used by the server).
struct InjectionTrainOptions {
  uint32_t bits = 16;
  int epochs = 12;
  double learning_rate = 0.3;
  double l2 = 1e-6;
  uint64_t seed = 1;
};
// `examples`: (text, is_injection). Classes are weighted to balance. The threshold is left at
// 0.5; callers tune it on held-out data.
InjectionModel TrainInjectionModel(const std::vector<std::pair<std::string, bool>>& examples,
                                   const InjectionTrainOptions& options);

}  // namespace crmi::llm

#endif  // CRMI_LLM_INJECTION_H_
