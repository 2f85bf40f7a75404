// Prompt templates (GET/PUT /v1/admin/templates) and human approvals (/v1/approvals): thin
// adapters over llm::TemplateRegistry and trust::ApprovalQueue.
//
// Approvals: reviewers are callers the policy permits approvals/decide; they see the tenant's
// queue, the question and the held answer (masked unless they may also privacy/reveal), and
// decide. Anyone else permitted approvals/list|read sees only their own requests, and the answer
// only once it is approved.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"
#include "src/http/handlers/handlers.h"
#include "src/http/problem.h"
#include "src/llm/output_guard.h"
#include "src/llm/templates.h"
#include "src/privacy/contact_names.h"
#include "src/trust/approvals.h"

namespace crmi::http::handlers {
namespace {

std::string QueryParam(const RequestContext& ctx, std::string_view name) {
  for (const auto& [k, v] : ctx.request.query) {
    if (k == name) return v;
  }
  return "";
}

// A positive integer of at most 9 digits; 0 when `s` is not one.
int ParseVersion(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() > 9) return -1;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string Summary(const llm::PromptTemplate& t) {
  std::string models = "[";
  for (const auto& m : t.models) {
    if (models.size() > 1) models += ",";
    AppendJsonString(&models, m);
  }
  return JsonObject()
      .Add("name", t.name)
      .Add("version", t.version)
      .Add("description", t.description)
      .AddRaw("models", models + "]")
      .Add("created_at", t.created_at)
      .Add("created_by", t.created_by)
      .Finish();
}

bool IsReviewer(const RequestContext& ctx) {
  return ctx.security.authorizer != nullptr &&
         ctx.security.authorizer->PermitFor(ctx, "approvals", "decide").ok();
}

std::string Subject(const RequestContext& ctx) {
  return ctx.security.principal ? ctx.security.principal->subject : "";
}

// Masks personal data in every string of `v` (in place) for a viewer without privacy/reveal.
void MaskStrings(rapidjson::Value& v, rapidjson::Document::AllocatorType& alloc,
                 llm::OutputGuard& guard) {
  if (v.IsString()) {
    const std::string masked = guard.Clean(std::string_view(v.GetString(), v.GetStringLength()));
    v.SetString(masked.data(), static_cast<rapidjson::SizeType>(masked.size()), alloc);
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) MaskStrings(e, alloc, guard);
  } else if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) MaskStrings(m->value, alloc, guard);
  }
}

// The approval as `ctx`'s caller may see it: its facts, and the question and answer when the
// caller is a reviewer (masked unless they may reveal) or the requester of an approved answer.
Result<std::string> ApprovalView(App& app, RequestContext& ctx, const trust::Approval& a,
                                 bool reviewer) {
  std::string body = a.ToJson();
  const bool show = a.state != trust::Approval::State::kRejected &&
                    (reviewer || a.state == trust::Approval::State::kApproved);
  if (!show) return body;
  auto opened = app.approvals->Payload(ctx.tenant, a.id);
  if (!opened.ok()) {
    return Unavailable("the held answer cannot be opened: " + opened.status().message());
  }
  const std::string payload = std::move(opened).value();
  rapidjson::Document d;
  if (!ParseJson(payload, &d).ok || !d.IsObject()) {
    return DataLoss("approval " + a.id + " holds a malformed answer");
  }
  const bool own = a.requester == Subject(ctx);
  if (!own && ctx.security.authorizer->PermitFor(ctx, "privacy", "reveal").ok() == false) {
    // A reviewer who may not see customers' personal data judges the answer masked.
    if (app.detector == nullptr) return Unavailable("personal data cannot be masked here");
    std::shared_ptr<const privacy::NameDictionary> names;
    if (app.contact_names != nullptr) {
      ASSIGN_OR_RETURN(names, app.contact_names->Current(ctx.tenant, std::chrono::seconds(5)));
    }
    llm::OutputGuard guard(app.detector, names.get(), true);
    MaskStrings(d, d.GetAllocator(), guard);
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  body.pop_back();
  body += ",\"held\":";
  body.append(buf.GetString(), buf.GetSize());
  return body + "}";
}

}  // namespace

void ListTemplates(App& app, RequestContext& ctx) {
  std::vector<std::shared_ptr<const llm::PromptTemplate>> all;
  if (app.templates != nullptr) {
    all = app.templates->List(ctx.tenant);
  } else {
    all.push_back(llm::BuiltinTemplate());
  }
  std::string body = "{\"templates\":[";
  for (size_t i = 0; i < all.size(); ++i) body += (i ? "," : "") + Summary(*all[i]);
  Reply(ctx, 200, body + "]}");
}

void GetTemplate(App& app, RequestContext& ctx) {
  const std::string name(ctx.Param("name"));
  int version = 0;
  if (const std::string v = QueryParam(ctx, "version"); !v.empty()) {
    version = ParseVersion(v);
    if (version <= 0) return SetProblem(ctx, 400, "invalid-argument", "version is a number ≥ 1");
  }
  std::vector<std::shared_ptr<const llm::PromptTemplate>> versions;
  if (app.templates != nullptr) {
    versions = app.templates->Versions(ctx.tenant, name);
  } else if (name == llm::kBuiltinTemplate) {
    versions.push_back(llm::BuiltinTemplate());
  }
  std::shared_ptr<const llm::PromptTemplate> t;
  for (const auto& v : versions) {
    if (version == 0 || v->version == version) t = v;
  }
  if (t == nullptr) {
    return SetProblem(ctx, NotFound("no template '" + name + "'" +
                                    (version ? " version " + std::to_string(version) : "")));
  }
  std::string list = "[";
  for (const auto& v : versions) list += (list.size() > 1 ? "," : "") + std::to_string(v->version);
  std::string body = t->ToJson();
  body.pop_back();
  ctx.response.headers.Set("ETag", "\"" + std::to_string(versions.back()->version) + "\"");
  Reply(ctx, 200, body + ",\"versions\":" + list + "]}");
}

void PutTemplate(App& app, RequestContext& ctx) {
  if (app.templates == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "the template registry is not enabled");
  }
  const std::string name(ctx.Param("name"));
  Status s = llm::ValidateTemplateName(name);
  if (!s.ok()) return SetProblem(ctx, s);
  auto t = llm::ParseTemplate(name, ctx.request.body);
  if (!t.ok()) return SetProblem(ctx, t.status());
  int expected = -1;
  if (const auto m = ctx.request.headers.Get("If-Match"); m && !m->empty()) {
    expected = ParseVersion(*m);
    if (expected < 0) {
      return SetProblem(ctx, 400, "invalid-argument",
                        "If-Match takes the template's current version (\"3\"; \"0\": none yet)");
    }
  }
  auto put = app.templates->Put(ctx.tenant, std::move(t).value(), expected, Subject(ctx),
                                FormatRfc3339Millis(app.clock->NowUnixMillis()));
  if (!put.ok()) return SetProblem(ctx, put.status());  // 412 when If-Match is stale
  const llm::PromptTemplate& stored = *put->stored;
  ctx.security.detail_json =
      JsonObject().Add("template", stored.Id()).Add("created", put->created).Finish();
  ctx.response.headers.Set("ETag", "\"" + std::to_string(stored.version) + "\"");
  ctx.response.headers.Set("Location", "/v1/admin/templates/" + stored.name +
                                           "?version=" + std::to_string(stored.version));
  Reply(ctx, put->created ? 201 : 200, stored.ToJson());
}

void ListApprovals(App& app, RequestContext& ctx) {
  if (app.approvals == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "approvals are not enabled on this server");
  }
  const std::string status = QueryParam(ctx, "status");
  trust::Approval::State state = trust::Approval::State::kPending;
  if (status == "approved") {
    state = trust::Approval::State::kApproved;
  } else if (status == "rejected") {
    state = trust::Approval::State::kRejected;
  } else if (!status.empty() && status != "pending" && status != "all") {
    return SetProblem(ctx, 400, "invalid-argument", "status is pending, approved, rejected or all");
  }
  size_t limit = 100;
  if (const std::string l = QueryParam(ctx, "limit"); !l.empty()) {
    const int n = ParseVersion(l);
    if (n <= 0 || n > 1000) {
      return SetProblem(ctx, 400, "invalid-argument", "limit is from 1 to 1000");
    }
    limit = static_cast<size_t>(n);
  }
  // Reviewers see the tenant's queue; everyone else their own requests.
  const bool reviewer = IsReviewer(ctx);
  const auto list = app.approvals->List(ctx.tenant, status == "all" ? nullptr : &state,
                                        reviewer ? "" : Subject(ctx), limit);
  std::string body = "{\"approvals\":[";
  for (size_t i = 0; i < list.size(); ++i) body += (i ? "," : "") + list[i].ToJson();
  Reply(ctx, 200, body + "]}");
}

void GetApproval(App& app, RequestContext& ctx) {
  if (app.approvals == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "approvals are not enabled on this server");
  }
  const std::string id(ctx.Param("id"));
  auto a = app.approvals->Get(ctx.tenant, id);
  if (!a.ok()) return SetProblem(ctx, a.status());
  const bool reviewer = IsReviewer(ctx);
  // Someone else's request does not exist for a non-reviewer.
  if (!reviewer && a->requester != Subject(ctx)) {
    return SetProblem(ctx, NotFound("no approval '" + id + "'"));
  }
  auto view = ApprovalView(app, ctx, *a, reviewer);
  if (!view.ok()) return SetProblem(ctx, view.status());
  Reply(ctx, 200, std::move(view).value());
}

void DecideApproval(App& app, RequestContext& ctx, bool approve) {
  if (app.approvals == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "approvals are not enabled on this server");
  }
  std::string note;
  if (!ctx.request.body.empty()) {
    rapidjson::Document d;
    if (!ParseJson(ctx.request.body, &d).ok || !d.IsObject()) {
      return SetProblem(ctx, 400, "invalid-argument", "the body must be a JSON object");
    }
    for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
      const std::string_view key(m->name.GetString(), m->name.GetStringLength());
      if (key != "note" || !m->value.IsString()) {
        return SetProblem(ctx, 400, "invalid-argument", "the body may only hold a string note");
      }
      note.assign(m->value.GetString(), m->value.GetStringLength());
    }
  }
  auto decided = app.approvals->Decide(ctx.tenant, std::string(ctx.Param("id")), approve,
                                       Subject(ctx), std::move(note));
  if (!decided.ok()) {
    if (decided.status().code() == StatusCode::kFailedPrecondition) {
      return SetProblem(ctx, 409, "conflict", decided.status().message());
    }
    return SetProblem(ctx, decided.status());
  }
  ctx.security.detail_json = JsonObject()
                                 .Add("approval_id", decided->id)
                                 .Add("decision", trust::ApprovalStateName(decided->state))
                                 .Add("requester", decided->requester)
                                 .Finish();
  Reply(ctx, 200, decided->ToJson());
}

void ApproveApproval(App& app, RequestContext& ctx) { DecideApproval(app, ctx, true); }
void RejectApproval(App& app, RequestContext& ctx) { DecideApproval(app, ctx, false); }

}  // namespace crmi::http::handlers
