// The `ai` member of an audit record: what an LLM-backed request used and produced, so that an
// answer can be traced to its prompt template, model and sources without storing the text
// itself (only hashes). Defined with the audit trail; filled by the LLM layer.
//
//   "ai": {"template": "grounded-answer", "template_version": "1", "model": "default",
//          "backend": "extractive", "retrieved": ["kno_01...", "act_01..."],
//          "input_sha256": "...", "output_sha256": "...", "safety": {}, "scores":
//          {"groundedness": 1}, "tokens": {"prompt": 812, "completion": 96}, "latency_ms":
//          {"retrieve": 3.1, "anonymize": 0.4, "model": 1.2, "total": 5.0}, "anonymized": 3,
//          "revealed": true}
#ifndef CRMI_AUDIT_AI_RECORD_H_
#define CRMI_AUDIT_AI_RECORD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace crmi::audit {

struct AiRecord {
  std::string template_id;
  std::string template_version;
  std::string model;                                   // the alias the caller asked for
  std::string backend;                                 // the backend that answered
  std::vector<std::string> retrieved;                  // ids of the documents given to the model
  std::string input_sha256;                            // of the exact prompt sent
  std::string output_sha256;                           // of the exact answer returned
  std::vector<std::pair<std::string, double>> safety;  // check name → score
  std::vector<std::pair<std::string, double>> scores;  // groundedness, ...
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  std::vector<std::pair<std::string, double>> latency_ms;  // stage → milliseconds
  int64_t anonymized = 0;  // distinct values the model saw only as placeholders
  bool revealed = false;   // the answer showed original values (else masks)

  std::string ToJson() const;
};

}  // namespace crmi::audit

#endif  // CRMI_AUDIT_AI_RECORD_H_
