// POST /v1/ask: a thin adapter over llm::AskService. The route's decision (resource assistant,
// action ask) has been made; here the model alias is a second decision (resource model:<alias>,
// action use), what the answer may draw on is the caller's search scopes, and whether it shows
// original personal values or masks is a third (resource privacy, action reveal). The audit
// record gets the `ai` object: template, model, sources, hashes, scores, tokens, stage latency.
#include <rapidjson/document.h>

#include "src/audit/ai_record.h"
#include "src/audit/audit_log.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/http/handlers/ask.h"
#include "src/http/handlers/handlers.h"
#include "src/http/handlers/search.h"
#include "src/http/problem.h"
#include "src/llm/ask.h"

namespace crmi::http::handlers {
namespace {

constexpr size_t kMaxK = 20;

}  // namespace

Status ParseAskRequest(std::string_view body, llm::AskRequest* req, bool* stream) {
  rapidjson::Document d;
  auto parsed = ParseJson(body, &d);
  if (!parsed.ok) return InvalidArgument("malformed JSON: " + parsed.error);
  if (!d.IsObject()) return InvalidArgument("the body must be a JSON object");
  bool has_question = false;
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    const auto& v = m->value;
    auto str = [&](std::string* out) {
      if (!v.IsString()) return InvalidArgument(std::string(key) + " must be a string");
      out->assign(v.GetString(), v.GetStringLength());
      return Status::Ok();
    };
    if (key == "question") {
      RETURN_IF_ERROR(str(&req->question));
      has_question = true;
    } else if (key == "contact_id") {
      RETURN_IF_ERROR(str(&req->contact_id));
      if (req->contact_id.empty()) return InvalidArgument("contact_id must not be empty");
    } else if (key == "model") {
      RETURN_IF_ERROR(str(&req->model));
      if (req->model.size() > 128) return InvalidArgument("model names are at most 128 bytes");
    } else if (key == "template") {
      std::string name;
      RETURN_IF_ERROR(str(&name));
      if (name != "grounded-answer") {
        return InvalidArgument("unknown template '" + name + "' (known: grounded-answer)");
      }
    } else if (key == "k") {
      if (!v.IsUint64() || v.GetUint64() == 0 || v.GetUint64() > kMaxK) {
        return InvalidArgument("k must be an integer from 1 to " + std::to_string(kMaxK));
      }
      req->k = static_cast<size_t>(v.GetUint64());
    } else if (key == "stream") {
      if (!v.IsBool()) return InvalidArgument("stream must be a boolean");
      if (stream != nullptr) *stream = v.GetBool();
    } else {
      return InvalidArgument("unknown member '" + std::string(key) +
                             "' (known: question, contact_id, model, template, k, stream)");
    }
  }
  if (!has_question) return InvalidArgument("question is required");
  return Status::Ok();
}

namespace {

std::string AskJson(const llm::AskResult& r, const std::string& trace_id) {
  std::string citations = "[";
  for (const auto& c : r.citations) {
    if (citations.size() > 1) citations += ",";
    const std::string source = JsonObject()
                                   .Add("collection", c.passage.collection)
                                   .Add("id", c.passage.record_id)
                                   .Add("field", c.passage.field)
                                   .Finish();
    JsonObject o;
    o.Add("n", c.n).Add("id", c.passage.id).AddRaw("source", source);
    if (!c.passage.title.empty()) o.Add("title", c.passage.title);
    o.Add("snippet", c.passage.text);
    citations += o.Finish();
  }
  citations += "]";
  std::string fallbacks = "[";
  for (const auto& f : r.fallbacks) {
    if (fallbacks.size() > 1) fallbacks += ",";
    AppendJsonString(&fallbacks, f);
  }
  fallbacks += "]";
  JsonObject scores;
  scores.Add("groundedness", r.groundedness)
      .Add("injection", r.injection)
      .Add("output_risk", r.output_risk);
  std::string safety = "[";
  for (const auto& f : r.safety) {
    if (safety.size() > 1) safety += ",";
    std::string reasons = "[";
    for (const auto& why : f.reasons) {
      if (reasons.size() > 1) reasons += ",";
      AppendJsonString(&reasons, why);
    }
    reasons += "]";
    safety += JsonObject()
                  .Add("id", f.id)
                  .Add("score", f.score)
                  .AddRaw("reasons", reasons)
                  .Add("action", llm::SafetyActionName(f.action))
                  .Finish();
  }
  if (!r.output_reasons.empty()) {
    if (safety.size() > 1) safety += ",";
    std::string reasons = "[";
    for (const auto& why : r.output_reasons) {
      if (reasons.size() > 1) reasons += ",";
      AppendJsonString(&reasons, why);
    }
    reasons += "]";
    safety += JsonObject()
                  .Add("id", "output")
                  .Add("score", r.output_risk)
                  .AddRaw("reasons", reasons)
                  .Add("action", "strip")
                  .Finish();
  }
  safety += "]";
  JsonObject usage;
  usage.Add("prompt_tokens", r.usage.prompt)
      .Add("completion_tokens", r.usage.completion)
      .Add("estimated", r.usage.estimated);
  JsonObject latency;
  for (const auto& [stage, ms] : r.stage_ms) latency.Add(stage, ms);
  JsonObject backend;
  backend.Add("name", r.backend.name).Add("model", r.backend.model);
  JsonObject o;
  o.Add("answer", r.answer)
      .Add("cached", r.cached)
      .AddRaw("citations", citations)
      .Add("model", r.model_alias)
      .AddRaw("backend", backend.Finish())
      .Add("extractive", r.backend.extractive)
      .AddRaw("scores", scores.Finish())
      .AddRaw("safety", safety)
      .AddRaw("usage", usage.Finish())
      .AddRaw("latency_ms", latency.Finish())
      .AddRaw("fallbacks", fallbacks)
      .Add("template", r.template_name)
      .Add("template_version", r.template_version)
      .Add("trace_id", trace_id);
  return o.Finish();
}

}  // namespace

std::string AiJson(const llm::AskResult& r, bool revealed,
                   std::vector<std::pair<std::string, double>> extra_safety) {
  audit::AiRecord ai;
  ai.template_id = r.template_name;
  ai.template_version = r.template_version;
  ai.model = r.model_alias;
  ai.backend = r.backend.name;
  ai.retrieved = r.retrieved;
  ai.input_sha256 = r.input_sha256;
  ai.output_sha256 = r.output_sha256;
  ai.scores = {{"groundedness", r.groundedness}};
  size_t neutralised = 0;
  for (const auto& f : r.safety) {
    neutralised += f.id != "question" && f.id != "output" && f.action != llm::SafetyAction::kFlag;
  }
  ai.safety = {{"prompt_injection", r.injection},
               {"passages_neutralised", static_cast<double>(neutralised)},
               {"output_risk", r.output_risk}};
  for (auto& extra : extra_safety) ai.safety.push_back(std::move(extra));
  ai.prompt_tokens = r.usage.prompt;
  ai.completion_tokens = r.usage.completion;
  ai.latency_ms = r.stage_ms;
  ai.anonymized = static_cast<int64_t>(r.anonymized);
  ai.revealed = revealed;
  return ai.ToJson();
}

std::string SseEvent(std::string_view event, std::string_view data) {
  std::string out;
  if (!event.empty()) {
    out += "event: ";
    out += event;
    out += '\n';
  }
  out += "data: ";
  out += data;
  out += "\n\n";
  return out;
}

std::string ProblemJson(const Status& status, const std::string& request_id) {
  RequestContext tmp;
  tmp.request_id = request_id;
  SetProblem(tmp, status);
  return tmp.response.body;
}

std::string PrincipalKey(const RequestContext& ctx) {
  return ctx.tenant + "/" + (ctx.security.principal ? ctx.security.principal->subject : "");
}

Status AuditStreamCompletion(App& app, const StreamAuditInfo& info, const std::string& ai_json) {
  if (app.audit == nullptr) return Status::Ok();
  return app.audit->AppendSync(audit::AuditEntry{audit::StreamCompletionMembers(
      info.request_id, info.tenant, info.subject, info.action, info.resource, ai_json)});
}

void Ask(App& app, RequestContext& ctx) {
  if (app.ask == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "answers are not enabled on this server");
  }
  llm::AskRequest req;
  req.tenant = ctx.tenant;
  bool stream = false;
  Status s = ParseAskRequest(ctx.request.body, &req, &stream);
  if (!s.ok()) return SetProblem(ctx, s);
  const std::string alias = req.model.empty() ? app.ask_default_model : req.model;
  if (ctx.security.authorizer == nullptr) {
    return SetProblem(ctx, PermissionDenied("no policy decision is available"));
  }
  // The model is a resource of its own: an allow-list per role.
  if (auto use = ctx.security.authorizer->AccessFor(ctx, "model:" + alias, "use"); !use.ok()) {
    return SetProblem(ctx, PermissionDenied("the policy does not permit model '" + alias + "'"));
  }
  if (!req.contact_id.empty()) {
    // Asking about a contact the caller cannot read reveals nothing, not even that it exists.
    auto access = ctx.security.authorizer->AccessFor(ctx, "contacts", "read");
    const crm::Collection* contacts = app.schema->Find("contacts");
    if (!access.ok() || contacts == nullptr ||
        !app.records->Get(*contacts, ctx.tenant, req.contact_id, *access).ok()) {
      return SetProblem(ctx, NotFound("no contact '" + req.contact_id + "'"));
    }
  }
  req.scopes = SearchScopesOf(app, ctx);
  req.caller_regions = CallerRegions(ctx);
  req.reveal = ctx.security.authorizer->AccessFor(ctx, "privacy", "reveal").ok();
  req.principal = PrincipalKey(ctx);
  if (stream) {
    // Server-sent events: "delta" events with the answer's text as it is produced (re-identified,
    // never half a value), then "done" with the whole response, or "error" with a problem.
    // Failures before the first delta are plain problem responses with their status.
    StreamAuditInfo info{ctx.request_id, ctx.tenant,
                         ctx.security.principal ? ctx.security.principal->subject : "", "ask",
                         "assistant"};
    ctx.security.detail_json = R"({"stream":true})";
    ctx.response.status = 200;
    ctx.response.content_type = "text/event-stream";
    ctx.response.headers.Set("Cache-Control", "no-cache");
    App* a = &app;
    ctx.response.stream = [a, req, info](StreamWriter& w) {
      bool wrote = false;
      llm::DeltaFn on_delta = [&](std::string_view text) {
        wrote = true;
        return w.Write(SseEvent("delta", JsonObject().Add("text", text).Finish()));
      };
      int retry_after = -1;
      llm::AskRequest asked = req;
      asked.retry_after_s = &retry_after;
      auto r = a->ask->Ask(asked, &on_delta);
      if (!r.ok()) {
        if (!wrote) return w.Fail(r.status(), retry_after);
        w.Write(SseEvent("error", ProblemJson(r.status(), info.request_id)));
        return;
      }
      if (!wrote) w.Write("");  // start the stream: the request's record is committed now
      Status audited = AuditStreamCompletion(*a, info, AiJson(*r, req.reveal));
      if (!audited.ok()) {
        w.Write(SseEvent("error", ProblemJson(Unavailable("the answer could not be recorded in "
                                                          "the audit trail"),
                                              info.request_id)));
        return;
      }
      w.Write(SseEvent("done", AskJson(*r, info.request_id)));
    };
    return;
  }
  int retry_after = -1;
  req.retry_after_s = &retry_after;
  auto r = app.ask->Ask(req, nullptr);
  if (!r.ok()) return SetProblem(ctx, r.status(), retry_after);
  ctx.security.ai_json = AiJson(*r, req.reveal);

  ctx.response.status = 200;
  ctx.response.content_type = "application/json";
  ctx.response.body = AskJson(*r, ctx.request_id);
}

}  // namespace crmi::http::handlers
