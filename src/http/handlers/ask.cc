// POST /v1/ask: a thin adapter over llm::AskService. The route's decision (resource assistant,
// action ask) has been made; here the model alias is a second decision (resource model:<alias>,
// action use), what the answer may draw on is the caller's search scopes, and whether it shows
// original personal values or masks is a third (resource privacy, action reveal). The audit
// record gets the `ai` object: template, model, sources, hashes, scores, tokens, stage latency.
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "src/audit/ai_record.h"
#include "src/audit/audit_log.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"
#include "src/http/handlers/ask.h"
#include "src/http/handlers/handlers.h"
#include "src/http/handlers/search.h"
#include "src/http/problem.h"
#include "src/llm/ask.h"
#include "src/llm/templates.h"
#include "src/trust/approvals.h"
#include "src/trust/policy.h"

namespace crmi::http::handlers {
namespace {

constexpr size_t kMaxK = 20;

}  // namespace

Status ParseAskRequest(std::string_view body, AskParams* p) {
  llm::AskRequest* req = &p->request;
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
      // "name" (the latest version) or "name@version" (pinned).
      std::string name;
      RETURN_IF_ERROR(str(&name));
      if (const size_t at = name.rfind('@'); at != std::string::npos) {
        const std::string version = name.substr(at + 1);
        name.resize(at);
        int n = 0;
        for (char c : version) {
          if (c < '0' || c > '9' || n > 100000000) {
            return InvalidArgument("template versions are positive integers (name@3)");
          }
          n = n * 10 + (c - '0');
        }
        if (n <= 0) return InvalidArgument("template versions are positive integers (name@3)");
        p->template_version = n;
      }
      RETURN_IF_ERROR(llm::ValidateTemplateName(name).WithContext("template"));
      p->template_name = std::move(name);
    } else if (key == "variables") {
      if (!v.IsObject()) return InvalidArgument("variables must be an object of strings");
      for (auto f = v.MemberBegin(); f != v.MemberEnd(); ++f) {
        if (!f->value.IsString()) {
          return InvalidArgument("variables must be an object of strings");
        }
        p->variables[std::string(f->name.GetString(), f->name.GetStringLength())] =
            std::string(f->value.GetString(), f->value.GetStringLength());
      }
    } else if (key == "k") {
      if (!v.IsUint64() || v.GetUint64() == 0 || v.GetUint64() > kMaxK) {
        return InvalidArgument("k must be an integer from 1 to " + std::to_string(kMaxK));
      }
      req->k = static_cast<size_t>(v.GetUint64());
    } else if (key == "stream") {
      if (!v.IsBool()) return InvalidArgument("stream must be a boolean");
      p->stream = v.GetBool();
    } else {
      return InvalidArgument(
          "unknown member '" + std::string(key) +
          "' (known: question, contact_id, model, template, variables, k, stream)");
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
      .Add("cache", r.cache_kind)
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

std::string RefusalAiJson(const llm::AskResult& partial, bool revealed) {
  bool refused = false;
  for (const auto& f : partial.safety) refused = refused || f.action == llm::SafetyAction::kBlock;
  if (!refused) return "";
  return AiJson(partial, revealed, {{"refused_as_injection", 1}});
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

std::optional<llm::SafetyAction> InjectionAction(const RequestContext& ctx) {
  const trust::Obligations* ob = ctx.security.obligations;
  if (ob == nullptr || ob->injection.empty()) return std::nullopt;
  return llm::ParseSafetyAction(ob->injection);
}

std::vector<std::string> DeniedTopics(App& app, const RequestContext& ctx) {
  std::vector<std::string> denied;
  if (app.ask == nullptr || ctx.security.authorizer == nullptr) return denied;
  for (const auto& topic : app.ask->topic_names()) {
    if (!ctx.security.authorizer->PermitFor(ctx, "topic:" + topic, "receive").ok()) {
      denied.push_back(topic);
    }
  }
  return denied;
}

std::string PrincipalKey(const RequestContext& ctx) {
  return ctx.tenant + "/" + (ctx.security.principal ? ctx.security.principal->subject : "");
}

Status AuditStreamCompletion(App& app, const StreamAuditInfo& info, const std::string& ai_json) {
  if (app.audit == nullptr) return Status::Ok();
  return app.audit->AppendSync(audit::AuditEntry{audit::StreamCompletionMembers(
      info.request_id, info.tenant, info.subject, info.action, info.resource, ai_json)});
}

namespace {

std::string Fixed2(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

double AnswerRisk(const llm::AskResult& r) {
  // A pass-through chat claims no grounding: its unsupported sentences are not a risk signal.
  const double unsupported = r.grounded ? 1.0 - r.groundedness : 0.0;
  return std::max({r.injection, r.output_risk, unsupported});
}

Status ReleaseWithoutHold(const DecisionScope& scope, const llm::AskResult& r) {
  const double risk = AnswerRisk(r);
  auto release = scope.PermitFor("template:" + r.template_name, "release", risk);
  if (!release.ok()) {
    return PermissionDenied("the answer was withheld (risk " + Fixed2(risk) +
                            "): " + release.status().message());
  }
  if (release->require_approval) {
    return PermissionDenied("the answer (risk " + Fixed2(risk) +
                            ") needs a reviewer's approval "
                            "under policy rule '" +
                            release->rule +
                            "', and this endpoint cannot "
                            "hold an answer; ask through POST /v1/ask");
  }
  return Status::Ok();
}

namespace {

// What the handler needs to decide on an answer once it exists (also inside a stream's producer,
// after the RequestContext is gone).
struct ReleaseCheck {
  DecisionScope scope;
  std::string resource;  // template:<name>
  std::string template_id;
  Permit use;  // the template's use decision (require_approval: every answer is held)
  std::string request_id;
  std::string question;
  std::string contact_id;
};

// Releases, holds or refuses `r`. Ok(nullopt): hand it out; Ok(approval): held for a person;
// kPermissionDenied: withheld by the policy; others: the approval could not be kept.
Result<std::optional<trust::Approval>> Judge(App& app, const ReleaseCheck& check,
                                             const llm::AskResult& r,
                                             const std::string& response_json) {
  const double risk = AnswerRisk(r);
  auto release = check.scope.PermitFor(check.resource, "release", risk);
  if (!release.ok()) {
    return PermissionDenied("the answer was withheld (risk " + Fixed2(risk) +
                            "): " + release.status().message());
  }
  if (!check.use.require_approval && !release->require_approval) {
    return std::optional<trust::Approval>();
  }
  if (app.approvals == nullptr) {
    return PermissionDenied(
        "the policy requires a person to approve this answer, and approvals are not enabled on "
        "this server");
  }
  trust::Approval a;
  a.tenant = check.scope.tenant;
  a.requester = check.scope.principal ? check.scope.principal->subject : "";
  a.request_id = check.request_id;
  a.kind = "ask";
  a.resource = check.resource;
  a.risk = risk;
  if (check.use.require_approval) {
    a.rule = check.use.rule;
    a.summary = "every answer of template " + check.template_id + " for this caller needs approval";
  } else {
    a.rule = release->rule;
    a.summary = "answer risk " + Fixed2(risk) + " needs approval";
  }
  a.records = r.retrieved;
  if (!check.contact_id.empty() &&
      std::find(a.records.begin(), a.records.end(), check.contact_id) == a.records.end()) {
    a.records.push_back(check.contact_id);
  }
  JsonObject payload;
  payload.Add("question", check.question).AddRaw("response", response_json);
  ASSIGN_OR_RETURN(trust::Approval held, app.approvals->Submit(std::move(a), payload.Finish()));
  return std::optional<trust::Approval>(std::move(held));
}

std::string HeldJson(const trust::Approval& a, const llm::AskResult& r,
                     const std::string& trace_id) {
  return JsonObject()
      .Add("status", "pending")
      .Add("approval_id", a.id)
      .Add("approval_url", "/v1/approvals/" + a.id)
      .Add("summary", a.summary)
      .Add("expires_at", FormatRfc3339Millis(a.expires_ms))
      .Add("template", r.template_name)
      .Add("template_version", r.template_version)
      .Add("trace_id", trace_id)
      .Finish();
}

}  // namespace

void Ask(App& app, RequestContext& ctx) {
  if (app.ask == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "answers are not enabled on this server");
  }
  AskParams params;
  Status s = ParseAskRequest(ctx.request.body, &params);
  if (!s.ok()) return SetProblem(ctx, s);
  llm::AskRequest& req = params.request;
  req.tenant = ctx.tenant;
  if (ctx.security.authorizer == nullptr) {
    return SetProblem(ctx, PermissionDenied("no policy decision is available"));
  }
  const Authorizer& authz = *ctx.security.authorizer;

  // The template: a resource of its own (who may use which prompt), pinned to a version.
  std::shared_ptr<const llm::PromptTemplate> prompt;
  if (app.templates != nullptr) {
    auto t = app.templates->Get(ctx.tenant, params.template_name, params.template_version);
    if (!t.ok()) return SetProblem(ctx, t.status());
    prompt = *t;
  } else if (params.template_name == llm::kBuiltinTemplate && params.template_version <= 1) {
    prompt = llm::BuiltinTemplate();
  } else {
    return SetProblem(ctx, NotFound("no template '" + params.template_name + "'"));
  }
  ReleaseCheck check;
  check.resource = "template:" + prompt->name;
  check.template_id = prompt->Id();
  auto use = authz.PermitFor(ctx, check.resource, "use");
  if (!use.ok()) {
    return SetProblem(ctx, PermissionDenied("the policy does not permit template '" + prompt->name +
                                            "': " + use.status().message()));
  }
  check.use = *use;
  if (!check.use.require_approval && ctx.security.obligations != nullptr &&
      ctx.security.obligations->require_approval) {
    // The route's own permit (assistant/ask) asks for a person: every answer is held.
    check.use = Permit{ctx.security.rule, ctx.security.reason, true};
  }
  auto variables = llm::ResolveVariables(*prompt, params.variables);
  if (!variables.ok()) return SetProblem(ctx, variables.status());
  req.prompt = prompt;
  req.variables = std::move(variables).value();

  // The model is a resource of its own too: an allow-list per role (and one per template).
  const std::string alias = !req.model.empty()        ? req.model
                            : !prompt->models.empty() ? prompt->models.front()
                                                      : app.ask_default_model;
  req.model = alias;
  if (!prompt->AllowsModel(alias)) {
    return SetProblem(ctx, PermissionDenied("template " + prompt->Id() + " may not run on model '" +
                                            alias + "'"));
  }
  if (auto m = authz.AccessFor(ctx, "model:" + alias, "use"); !m.ok()) {
    return SetProblem(ctx, PermissionDenied("the policy does not permit model '" + alias + "'"));
  }
  if (!req.contact_id.empty()) {
    // Asking about a contact the caller cannot read reveals nothing, not even that it exists.
    auto access = authz.AccessFor(ctx, "contacts", "read");
    const crm::Collection* contacts = app.schema->Find("contacts");
    if (!access.ok() || contacts == nullptr ||
        !app.records->Get(*contacts, ctx.tenant, req.contact_id, *access).ok()) {
      return SetProblem(ctx, NotFound("no contact '" + req.contact_id + "'"));
    }
  }
  req.scopes = SearchScopesOf(app, ctx);
  req.caller_regions = CallerRegions(ctx);
  req.reveal = authz.AccessFor(ctx, "privacy", "reveal").ok();
  req.denied_topics = DeniedTopics(app, ctx);
  req.question_action = InjectionAction(ctx);
  req.principal = PrincipalKey(ctx);
  check.scope =
      DecisionScope{ctx.security.principal, ctx.security.context, ctx.security.policy, ctx.tenant};
  check.request_id = ctx.request_id;
  check.question = req.question;
  check.contact_id = req.contact_id;

  if (params.stream) {
    // Server-sent events: "delta" events with the answer's text as it is produced (re-identified,
    // never half a value), then "done" with the whole response, or "error" with a problem.
    // Failures before the first delta are plain problem responses with their status. When the
    // policy may hold the answer for a person (its template always, or a risk rule), nothing is
    // streamed until the release decision: then one delta and "done", or an "approval" event.
    auto worst = check.scope.PermitFor(check.resource, "release", 1.0);
    const bool may_hold = check.use.require_approval || !worst.ok() || worst->require_approval;
    StreamAuditInfo info{ctx.request_id, ctx.tenant,
                         ctx.security.principal ? ctx.security.principal->subject : "", "ask",
                         "assistant"};
    ctx.security.detail_json = R"({"stream":true})";
    ctx.response.status = 200;
    ctx.response.content_type = "text/event-stream";
    ctx.response.headers.Set("Cache-Control", "no-cache");
    App* a = &app;
    ctx.response.stream = [a, req, info, check, may_hold](StreamWriter& w) {
      bool wrote = false;
      llm::DeltaFn on_delta = [&](std::string_view text) {
        wrote = true;
        return w.Write(SseEvent("delta", JsonObject().Add("text", text).Finish()));
      };
      int retry_after = -1;
      llm::AskRequest asked = req;
      asked.retry_after_s = &retry_after;
      auto r = a->ask->Ask(asked, may_hold ? nullptr : &on_delta);
      if (!r.ok()) {
        if (!wrote) return w.Fail(r.status(), retry_after);
        w.Write(SseEvent("error", ProblemJson(r.status(), info.request_id)));
        return;
      }
      const std::string response = AskJson(*r, info.request_id);
      auto judged = Judge(*a, check, *r, response);
      if (!judged.ok()) {
        if (!wrote) return w.Fail(judged.status());
        w.Write(SseEvent("error", ProblemJson(judged.status(), info.request_id)));
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
      if (judged->has_value()) {
        w.Write(SseEvent("approval", HeldJson(**judged, *r, info.request_id)));
        return;
      }
      if (may_hold && !r->answer.empty()) {
        w.Write(SseEvent("delta", JsonObject().Add("text", r->answer).Finish()));
      }
      w.Write(SseEvent("done", response));
    };
    return;
  }
  int retry_after = -1;
  req.retry_after_s = &retry_after;
  llm::AskResult partial;
  req.partial = &partial;
  auto r = app.ask->Ask(req, nullptr);
  if (!r.ok()) {
    ctx.security.ai_json = RefusalAiJson(partial, req.reveal);
    return SetProblem(ctx, r.status(), retry_after);
  }
  ctx.security.ai_json = AiJson(*r, req.reveal);
  std::string response = AskJson(*r, ctx.request_id);
  auto judged = Judge(app, check, *r, response);
  if (!judged.ok()) return SetProblem(ctx, judged.status());
  if (judged->has_value()) {
    const trust::Approval& held = **judged;
    ctx.security.detail_json =
        JsonObject().Add("approval_id", held.id).Add("status", "pending").Finish();
    ctx.response.status = 202;
    ctx.response.content_type = "application/json";
    ctx.response.headers.Set("Location", "/v1/approvals/" + held.id);
    ctx.response.body = HeldJson(held, *r, ctx.request_id);
    return;
  }
  ctx.response.status = 200;
  ctx.response.content_type = "application/json";
  ctx.response.body = std::move(response);
}

}  // namespace crmi::http::handlers
