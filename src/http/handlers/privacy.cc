// POST /v1/privacy/scan: a thin adapter over privacy::Detector, with the tenant's contact names.
#include <rapidjson/document.h>

#include <cmath>
#include <set>

#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/http/handlers/handlers.h"
#include "src/http/problem.h"
#include "src/privacy/contact_names.h"
#include "src/privacy/detector.h"

namespace crmi::http::handlers {

void PrivacyScan(App& app, RequestContext& ctx) {
  if (app.detector == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "PII detection is not enabled on this server");
  }
  rapidjson::Document d;
  auto parsed = ParseJson(ctx.request.body, &d);
  if (!parsed.ok) return SetProblem(ctx, InvalidArgument("malformed JSON: " + parsed.error));
  if (!d.IsObject()) return SetProblem(ctx, InvalidArgument("the body must be a JSON object"));
  std::string_view text;
  bool has_text = false;
  std::set<privacy::PiiType> types;
  double min_confidence = 0;
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key == "text") {
      if (!m->value.IsString()) return SetProblem(ctx, InvalidArgument("text must be a string"));
      text = std::string_view(m->value.GetString(), m->value.GetStringLength());
      has_text = true;
    } else if (key == "types") {
      if (!m->value.IsArray()) {
        return SetProblem(ctx, InvalidArgument("types must be an array of type names"));
      }
      for (const auto& t : m->value.GetArray()) {
        const auto type =
            t.IsString()
                ? privacy::PiiTypeFromName(std::string_view(t.GetString(), t.GetStringLength()))
                : std::nullopt;
        if (!type) {
          return SetProblem(ctx,
                            InvalidArgument("types: unknown type (known: EMAIL, PHONE, CARD, IBAN, "
                                            "US_SSN, UK_NINO, IP, DATE_OF_BIRTH, ADDRESS, CRYPTO, "
                                            "PERSON, ACCOUNT_NUMBER)"));
        }
        types.insert(*type);
      }
    } else if (key == "min_confidence") {
      if (!m->value.IsNumber() || m->value.GetDouble() < 0 || m->value.GetDouble() > 1) {
        return SetProblem(ctx, InvalidArgument("min_confidence must be a number in [0, 1]"));
      }
      min_confidence = m->value.GetDouble();
    } else {
      return SetProblem(ctx, InvalidArgument("unknown member '" + std::string(key) +
                                             "' (known: text, types, min_confidence)"));
    }
  }
  if (!has_text) return SetProblem(ctx, InvalidArgument("text is required"));
  std::shared_ptr<const privacy::NameDictionary> names;
  if (app.contact_names != nullptr) names = app.contact_names->For(ctx.tenant);
  std::vector<privacy::Finding> findings;
  if (Status s = app.detector->Scan(text, names.get(), &findings); !s.ok()) {
    return SetProblem(ctx, s);
  }
  std::string array = "[";
  for (const privacy::Finding& f : findings) {
    if (!types.empty() && types.count(f.type) == 0) continue;
    if (f.confidence < min_confidence) continue;
    if (array.size() > 1) array += ',';
    array += JsonObject()
                 .Add("type", privacy::PiiTypeName(f.type))
                 .Add("start", static_cast<uint64_t>(f.start))
                 .Add("end", static_cast<uint64_t>(f.end))
                 .Add("confidence", std::round(static_cast<double>(f.confidence) * 100) / 100)
                 .Add("validated", f.validated)
                 .Finish();
  }
  array += ']';
  ctx.response.status = 200;
  ctx.response.content_type = "application/json";
  ctx.response.body = JsonObject().AddRaw("findings", array).Finish();
}

}  // namespace crmi::http::handlers
