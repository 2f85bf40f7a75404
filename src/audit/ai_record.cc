#include "src/audit/ai_record.h"

#include "src/common/json_text.h"

namespace crmi::audit {

std::string AiRecord::ToJson() const {
  JsonObject o;
  o.Add("template", template_id).Add("template_version", template_version).Add("model", model);
  if (!backend.empty()) o.Add("backend", backend);
  std::string ids = "[";
  for (size_t i = 0; i < retrieved.size(); ++i) {
    if (i) ids += ",";
    AppendJsonString(&ids, retrieved[i]);
  }
  ids += "]";
  o.AddRaw("retrieved", ids);
  o.Add("input_sha256", input_sha256).Add("output_sha256", output_sha256);
  JsonObject s;
  for (const auto& [name, score] : safety) s.Add(name, score);
  o.AddRaw("safety", s.Finish());
  JsonObject sc;
  for (const auto& [name, score] : scores) sc.Add(name, score);
  o.AddRaw("scores", sc.Finish());
  JsonObject t;
  t.Add("prompt", prompt_tokens).Add("completion", completion_tokens);
  o.AddRaw("tokens", t.Finish());
  JsonObject l;
  for (const auto& [stage, ms] : latency_ms) l.Add(stage, ms);
  o.AddRaw("latency_ms", l.Finish());
  o.Add("anonymized", anonymized).Add("revealed", revealed);
  return o.Finish();
}

}  // namespace crmi::audit
