// Governance endpoints: who am I, policy administration (PA), the audit trail, API keys.
#include <rapidjson/document.h>

#include <charconv>

#include "src/audit/audit_verify.h"
#include "src/common/base64.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"
#include "src/http/filters/authz.h"
#include "src/http/handlers/handlers.h"
#include "src/http/problem.h"
#include "src/trust/api_keys.h"
#include "src/trust/policy_store.h"

namespace crmi::http::handlers {

void Reply(RequestContext& ctx, int status, std::string body) {
  ctx.response.status = status;
  ctx.response.content_type = "application/json";
  ctx.response.body = std::move(body);
}

namespace {

std::string AttrsJson(const std::map<std::string, std::vector<std::string>>& attrs) {
  JsonObject o;
  for (const auto& [k, v] : attrs) o.AddRaw(k, JsonStringArray(v));
  return o.Finish();
}

std::string ContextJson(const trust::Context& c) {
  JsonObject o;
  o.Add("posture", c.posture)
      .Add("risk", c.risk)
      .Add("zone", c.zone)
      .Add("source", c.source_address)
      .Add("time", FormatRfc3339Millis(c.now_unix_ms));
  return o.Finish();
}

std::vector<std::string> JsonStrings(const rapidjson::Value& v) {
  std::vector<std::string> out;
  if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
    }
  }
  return out;
}

Status ParseBody(const RequestContext& ctx, rapidjson::Document* d) {
  auto parsed = ParseJson(ctx.request.body, d);
  if (!parsed.ok) return InvalidArgument("malformed JSON: " + parsed.error);
  if (!d->IsObject()) return InvalidArgument("the body must be a JSON object");
  return Status::Ok();
}

std::string ErrorsJson(const std::vector<trust::PolicyError>& errors) {
  std::string out = "[";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) out += ",";
    JsonObject e;
    if (errors[i].line > 0) {
      e.Add("line", errors[i].line);
    } else {
      e.AddNull("line");
    }
    e.Add("field", errors[i].field).Add("message", errors[i].message);
    out += e.Finish();
  }
  return out + "]";
}

std::string AccessJson(const crm::Access& a) {
  JsonObject o;
  std::string rows = "[";
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const auto& f = a.rows[i];
    if (i) rows += ",";
    JsonObject r;
    r.Add("field", f.field);
    switch (f.op) {
      case store::FieldFilter::Op::kEq:
        r.Add("op", "==");
        break;
      case store::FieldFilter::Op::kNe:
        r.Add("op", "!=");
        break;
      case store::FieldFilter::Op::kIn:
        r.Add("op", "in");
        break;
      case store::FieldFilter::Op::kNotIn:
        r.Add("op", "not in");
        break;
    }
    std::string vals = "[";
    for (size_t j = 0; j < f.values.size(); ++j) {
      if (j) vals += ",";
      const auto& v = f.values[j];
      if (auto* s = std::get_if<std::string>(&v)) {
        AppendJsonString(&vals, *s);
      } else if (auto* n = std::get_if<int64_t>(&v)) {
        vals += std::to_string(*n);
      } else if (auto* d = std::get_if<double>(&v)) {
        vals += std::to_string(*d);
      } else if (auto* b = std::get_if<bool>(&v)) {
        vals += *b ? "true" : "false";
      } else {
        vals += "null";
      }
    }
    r.AddRaw("values", vals + "]");
    rows += r.Finish();
  }
  o.AddRaw("rows", rows + "]");
  o.AddRaw("mask_fields", JsonStringArray(a.mask_fields));
  if (a.redact_from) {
    o.Add("redact_from", crm::SensitivityName(*a.redact_from));
  } else {
    o.AddNull("redact_from");
  }
  o.Add("max_rows", a.max_rows);
  return o.Finish();
}

}  // namespace

void Whoami(App& /*app*/, RequestContext& ctx) {
  const trust::Principal& p = *ctx.security.principal;
  JsonObject o;
  o.Add("sub", p.subject)
      .Add("tenant", p.tenant)
      .AddRaw("roles", JsonStringArray(p.roles))
      .AddRaw("attrs", AttrsJson(p.attrs))
      .Add("kind", p.kind)
      .Add("method", p.method)
      .Add("issuer", p.issuer)
      .AddRaw("context", ContextJson(ctx.security.context));
  Reply(ctx, 200, o.Finish());
}

// --- policy administration -------------------------------------------------------------------

void GetPolicies(App& app, RequestContext& ctx) {
  const trust::PolicyStore::Snapshot snap = app.policies->Current();
  ctx.response.headers.Set("ETag", "\"" + snap.revision + "\"");
  auto accept = ctx.request.headers.Get("Accept");
  if (accept && accept->find("yaml") != std::string_view::npos) {
    ctx.response.status = 200;
    ctx.response.content_type = "application/yaml";
    ctx.response.body = snap.policy->source();
    return;
  }
  JsonObject shadow;
  for (const auto& [id, n] : snap.policy->ShadowCounts()) shadow.Add(id, n);
  JsonObject o;
  o.Add("revision", snap.revision)
      .Add("version", snap.policy->version())
      .Add("loaded_at", FormatRfc3339Millis(snap.loaded_at_ms))
      .Add("rules", static_cast<int64_t>(snap.policy->rules().size()))
      .AddRaw("shadow_counts", shadow.Finish())
      .AddRaw("history", JsonStringArray(app.policies->History()))
      .Add("source", snap.policy->source());
  Reply(ctx, 200, o.Finish());
}

void PutPolicies(App& app, RequestContext& ctx) {
  if (!IsValidUtf8(ctx.request.body)) {
    return SetProblem(ctx, 400, "invalid-argument", "the policy must be UTF-8 text");
  }
  const std::string before = app.policies->Current().revision;
  std::vector<trust::PolicyError> errors;
  auto snap = app.policies->Put(ctx.request.body, ctx.request.headers.Get("If-Match"), &errors);
  if (!snap.ok()) {
    if (!errors.empty()) {
      return SetProblemWithMembers(ctx, 400, "invalid-policy",
                                   "the policy was refused (" + std::to_string(errors.size()) +
                                       " error(s)); the policy in force is unchanged",
                                   {{"errors", ErrorsJson(errors)}});
    }
    return SetProblem(ctx, snap.status());
  }
  ctx.response.headers.Set("ETag", "\"" + snap->revision + "\"");
  JsonObject o;
  o.Add("revision", snap->revision)
      .Add("previous_revision", before)
      .Add("rules", static_cast<int64_t>(snap->policy->rules().size()));
  Reply(ctx, 200, o.Finish());
}

// Dry run: what would the policy (in force, or a candidate given in the body) decide for this
// principal, resource, action and context — and why.
void DecidePolicy(App& app, RequestContext& ctx) {
  rapidjson::Document d;
  Status s = ParseBody(ctx, &d);
  if (!s.ok()) return SetProblem(ctx, s);
  auto str = [&](const rapidjson::Value& obj, const char* name) -> std::string {
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || !it->value.IsString()) return "";
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  const std::string resource = str(d, "resource");
  const std::string action = str(d, "action");
  if (resource.empty() || action.empty()) {
    return SetProblem(ctx, 400, "invalid-argument", "resource and action are required");
  }
  // The subject defaults to the caller; a given one stays in the caller's tenant.
  trust::Principal principal = *ctx.security.principal;
  if (auto p = d.FindMember("principal"); p != d.MemberEnd()) {
    if (!p->value.IsObject()) {
      return SetProblem(ctx, 400, "invalid-argument", "principal must be an object");
    }
    principal = trust::Principal();
    principal.tenant = ctx.tenant;
    principal.subject = str(p->value, "sub");
    if (auto r = p->value.FindMember("roles"); r != p->value.MemberEnd()) {
      principal.roles = JsonStrings(r->value);
    }
    if (auto a = p->value.FindMember("attrs"); a != p->value.MemberEnd() && a->value.IsObject()) {
      for (auto m = a->value.MemberBegin(); m != a->value.MemberEnd(); ++m) {
        principal.attrs[std::string(m->name.GetString(), m->name.GetStringLength())] =
            JsonStrings(m->value);
      }
    }
  }
  trust::Context context = ctx.security.context;
  if (auto c = d.FindMember("context"); c != d.MemberEnd()) {
    if (!c->value.IsObject()) {
      return SetProblem(ctx, 400, "invalid-argument", "context must be an object");
    }
    if (auto v = str(c->value, "posture"); !v.empty()) context.posture = v;
    if (auto v = str(c->value, "zone"); !v.empty()) context.zone = v;
    if (auto v = str(c->value, "source"); !v.empty()) context.source_address = v;
    if (auto r = c->value.FindMember("risk"); r != c->value.MemberEnd()) {
      if (!r->value.IsNumber() || !(r->value.GetDouble() >= 0 && r->value.GetDouble() <= 100)) {
        return SetProblem(ctx, 400, "invalid-argument", "context.risk must be a number 0..100");
      }
      context.risk = static_cast<int64_t>(r->value.GetDouble());
    }
    if (auto t = str(c->value, "time"); !t.empty()) {
      auto ms = ParseRfc3339(t);
      if (!ms.ok()) return SetProblem(ctx, 400, "invalid-argument", "context.time: " + t);
      context.now_unix_ms = ms.value();
    }
  }
  std::shared_ptr<const trust::Policy> policy = app.policies->Current().policy;
  std::string revision = app.policies->Current().revision;
  if (auto p = d.FindMember("policy"); p != d.MemberEnd()) {
    if (!p->value.IsString()) {
      return SetProblem(ctx, 400, "invalid-argument", "policy must be the YAML text");
    }
    std::vector<trust::PolicyError> errors;
    policy = trust::Policy::Compile(
        std::string_view(p->value.GetString(), p->value.GetStringLength()), &errors);
    if (!policy) {
      return SetProblemWithMembers(ctx, 400, "invalid-policy", "the candidate policy is invalid",
                                   {{"errors", ErrorsJson(errors)}});
    }
    revision = "candidate";
  }
  trust::DecisionRequest req;
  req.principal = &principal;
  req.context = &context;
  req.resource = resource;
  req.action = action;
  req.attrs.tenant = ctx.tenant;
  const trust::Decision dec = policy->Decide(req);
  std::string trace = "[";
  bool first = true;
  for (const auto& t : policy->Explain(req)) {
    if (!first) trace += ",";
    first = false;
    JsonObject o;
    o.Add("rule", t.rule)
        .Add("effect", t.permit ? "permit" : "deny")
        .Add("shadow", t.shadow)
        .Add("subject_matches", t.subject_matches);
    if (t.condition < 0) {
      o.AddNull("condition");
    } else {
      o.Add("condition", t.condition == 1);
    }
    o.Add("applies", t.applies);
    trace += o.Finish();
  }
  trace += "]";
  JsonObject o;
  o.Add("decision", dec.permit ? "permit" : "deny")
      .Add("rule", dec.rule)
      .Add("reason", dec.reason)
      .Add("policy_revision", revision);
  if (dec.permit) {
    o.AddRaw("obligations", dec.obligations->ToJson());
    auto access = AccessFromObligations(*dec.obligations, kAppliesRecords, principal, context);
    if (access.ok()) {
      o.AddRaw("access", AccessJson(access.value()));
    } else {
      o.AddNull("access").Add("enforcement", access.status().message());
    }
  } else {
    o.AddNull("obligations");
  }
  o.AddRaw("shadow", JsonStringArray(dec.shadow));
  o.AddRaw("trace", trace);
  Reply(ctx, 200, o.Finish());
}

// --- audit trail -----------------------------------------------------------------------------

void QueryAudit(App& app, RequestContext& ctx) {
  audit::ScanFilter f;
  f.tenant = ctx.tenant;  // an auditor sees their own tenant's trail only
  int limit = 100;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "from" || k == "to") {
      auto ms = ParseRfc3339(v);
      if (!ms.ok()) {
        return SetProblem(ctx, 400, "invalid-argument",
                          k + " must be an RFC 3339 date-time, e.g. 2026-11-24T09:00:00Z");
      }
      (k == "from" ? f.from_ts : f.to_ts) = FormatRfc3339Millis(ms.value());
    } else if (k == "principal") {
      f.principal = v;
    } else if (k == "decision") {
      if (v != "permit" && v != "deny" && v != "none") {
        return SetProblem(ctx, 400, "invalid-argument", "decision must be permit, deny or none");
      }
      f.decision = v;
    } else if (k == "cursor") {
      auto raw = Base64UrlDecode(v);
      int64_t seq = -1;
      if (raw && raw->rfind("a.", 0) == 0) {
        auto [p, ec] = std::from_chars(raw->data() + 2, raw->data() + raw->size(), seq);
        if (ec != std::errc() || p != raw->data() + raw->size()) seq = -1;
      }
      if (seq < 0) {
        return SetProblem(ctx, 400, "invalid-argument",
                          "invalid cursor: pass next_cursor back unchanged");
      }
      f.after_seq = seq;
    } else if (k == "limit") {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), limit);
      if (ec != std::errc() || p != v.data() + v.size() || limit < 1 || limit > 1000) {
        return SetProblem(ctx, 400, "invalid-argument", "limit must be between 1 and 1000");
      }
    } else {
      return SetProblem(
          ctx, 400, "invalid-argument",
          "unknown parameter '" + k + "' (from, to, principal, decision, cursor, limit)");
    }
  }
  std::string body = "{\"items\":[";
  int n = 0;
  int64_t last = 0;
  bool more = false;
  Status s = audit::ScanLog(app.audit_dir, f, [&](int64_t seq, std::string_view line) {
    if (n == limit) {
      more = true;
      return false;
    }
    if (n) body += ",";
    body.append(line);
    ++n;
    last = seq;
    return true;
  });
  if (!s.ok()) return SetProblem(ctx, s);
  body += "],\"next_cursor\":";
  if (more) {
    AppendJsonString(&body, Base64UrlEncode("a." + std::to_string(last)));
  } else {
    body += "null";
  }
  body += "}";
  Reply(ctx, 200, std::move(body));
}

// --- API keys --------------------------------------------------------------------------------

void CreateApiKey(App& app, RequestContext& ctx) {
  rapidjson::Document d;
  Status s = ParseBody(ctx, &d);
  if (!s.ok()) return SetProblem(ctx, s);
  trust::ApiKeyInfo spec;
  spec.tenant = ctx.tenant;
  spec.created_by = ctx.security.principal->subject;
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view name(m->name.GetString(), m->name.GetStringLength());
    const rapidjson::Value& v = m->value;
    if (name == "name" && v.IsString()) {
      spec.name.assign(v.GetString(), v.GetStringLength());
    } else if (name == "roles" && v.IsArray()) {
      spec.roles = JsonStrings(v);
    } else if (name == "attrs" && v.IsObject()) {
      for (auto a = v.MemberBegin(); a != v.MemberEnd(); ++a) {
        spec.attrs[std::string(a->name.GetString(), a->name.GetStringLength())] =
            JsonStrings(a->value);
      }
    } else if (name == "expires_at" && v.IsString()) {
      auto ms = ParseRfc3339(std::string_view(v.GetString(), v.GetStringLength()));
      if (!ms.ok()) return SetProblem(ctx, 400, "invalid-argument", "expires_at: not RFC 3339");
      spec.expires_at_ms = ms.value();
    } else if (name == "ttl_days" && v.IsInt64()) {
      if (v.GetInt64() < 1 || v.GetInt64() > 3650) {
        return SetProblem(ctx, 400, "invalid-argument", "ttl_days must be 1..3650");
      }
      spec.expires_at_ms = app.clock->NowUnixMillis() + v.GetInt64() * 86'400'000;
    } else {
      return SetProblem(ctx, 400, "invalid-argument",
                        "unknown or mistyped member '" + std::string(name) +
                            "' (name, roles, attrs, expires_at | ttl_days)");
    }
  }
  auto created = app.api_keys->Create(spec);
  if (!created.ok()) return SetProblem(ctx, created.status());
  std::string body = created->info.ToJson();
  body.pop_back();
  body += ",\"key\":";
  AppendJsonString(&body, created->token);
  body += ",\"note\":\"store the key now: it is shown only once\"}";
  ctx.response.headers.Set("Location", "/v1/admin/api-keys/" + created->info.id);
  ctx.response.headers.Set("Cache-Control", "no-store");
  Reply(ctx, 201, std::move(body));
}

void ListApiKeys(App& app, RequestContext& ctx) {
  auto keys = app.api_keys->List(ctx.tenant);
  if (!keys.ok()) return SetProblem(ctx, keys.status());
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < keys->size(); ++i) {
    if (i) body += ",";
    body += (*keys)[i].ToJson();
  }
  Reply(ctx, 200, body + "]}");
}

void GetApiKey(App& app, RequestContext& ctx) {
  auto k = app.api_keys->Get(ctx.tenant, ctx.Param("id"));
  if (!k.ok()) return SetProblem(ctx, k.status());
  Reply(ctx, 200, k->ToJson());
}

void RevokeApiKey(App& app, RequestContext& ctx) {
  Status s = app.api_keys->Revoke(ctx.tenant, ctx.Param("id"));
  if (!s.ok()) return SetProblem(ctx, s);
  ctx.response.status = 204;
}

}  // namespace crmi::http::handlers
