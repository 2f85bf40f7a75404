// The `ai` member of an audit record: what an LLM-backed request used and produced, so that an
// answer can be traced to its prompt template, model and sources without storing the text
// itself (only hashes). Defined with the audit trail; filled by the LLM layer.
//
//   "ai": {"template": "grounded-answer", "template_version": "3", "model": "builtin-extractive",
//          "retrieved": ["kb_01...", "act_01..."], "input_sha256": "...", "output_sha256": "...",
//          "safety": {"prompt_injection": 0.02, "leakage": 0}, "tokens": {"prompt": 812,
//          "completion": 96}}
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
  std::string model;
  std::vector<std::string> retrieved;                  // ids of the documents given to the model
  std::string input_sha256;                            // of the exact prompt sent
  std::string output_sha256;                           // of the exact answer returned
  std::vector<std::pair<std::string, double>> safety;  // check name → score
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;

  std::string ToJson() const;
};

}  // namespace crmi::audit

#endif  // CRMI_AUDIT_AI_RECORD_H_
