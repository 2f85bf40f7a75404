// Untrusted input of the decisioning layer: score request bodies (any bytes give ids or a
// kInvalidArgument), and the timeline text every score reads (cue matching and scoring of any
// bytes stay finite and in range; the rendered JSON stays valid).
#include <rapidjson/document.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/signals/decisioning.h"
#include "src/signals/scores.h"
#include "tests/fuzz/fuzz.h"

CRMI_FUZZ_TARGET(signals) {
  namespace s = crmi::signals;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto ids = s::ParseScoreRequest(in);
  if (!ids.ok() && ids.status().code() != crmi::StatusCode::kInvalidArgument) std::abort();

  const int64_t now = 1'767'225'600'000;
  s::ScoreInputs inputs;
  const int64_t at = now - static_cast<int64_t>(size % 200) * 86'400'000;
  inputs.activities.push_back({at, "call", size % 2 ? "inbound" : "outbound", std::string(in)});
  inputs.activities.push_back({now + 1000, "web", "", std::string(in)});  // in the future
  inputs.cases.push_back({"cas_1", "escalated", "urgent", at, std::string(in)});
  inputs.opportunities.push_back({std::string(in.substr(0, 12)), at});
  const s::ContactScores scores = s::ComputeScores(inputs, now);
  for (const s::Score* sc : {&scores.churn, &scores.intent}) {
    if (!(sc->value > 0 && sc->value < 1)) std::abort();
    for (const auto& r : sc->reasons) {
      if (!std::isfinite(r.value) || !(r.contribution > 0)) std::abort();
    }
  }
  s::Recommendations rec;
  rec.scored = true;
  rec.scores = scores;
  rec.actions.push_back({"offer", "marketing", std::string(in), "", std::string(in), 0.5});
  rec.excluded.push_back({"marketing", "consent.marketing"});
  // Contact ids reaching the renderer are valid record ids; the rest is escaped text.
  const std::string json = s::RecommendationsJson("con_1", rec);
  rapidjson::Document d;
  if (crmi::IsValidUtf8(in) && !crmi::ParseJson(json, &d).ok) std::abort();
  return 0;
}
