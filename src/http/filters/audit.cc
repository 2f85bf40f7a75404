#include "src/http/filters/audit.h"

#include "src/common/crypto.h"
#include "src/common/json_text.h"
#include "src/http/filters/access_log.h"
#include "src/http/router.h"
#include "src/trust/policy.h"

namespace crmi::http {
namespace {

void AppendStrings(std::string* out, const std::vector<std::string>& v) {
  out->push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, v[i]);
  }
  out->push_back(']');
}

void Member(std::string* out, std::string_view key) {
  if (!out->empty()) out->push_back(',');
  AppendJsonString(out, key);
  out->push_back(':');
}

void StringMember(std::string* out, std::string_view key, std::string_view value) {
  Member(out, key);
  AppendJsonString(out, value);
}

}  // namespace

std::string AuditFilter::Render(const RequestContext& ctx, int64_t latency_us) {
  const Security& sec = ctx.security;
  const std::string& level = sec.audit_level;
  const bool standard = level != "minimal";
  const bool full = level == "full";
  std::string out;
  out.reserve(512);
  StringMember(&out, "request_id", ctx.request_id);
  Member(&out, "tenant");
  if (ctx.tenant.empty()) {
    out += "null";
  } else {
    AppendJsonString(&out, ctx.tenant);
  }
  Member(&out, "principal");
  if (sec.principal) {
    const trust::Principal& p = *sec.principal;
    out += "{\"sub\":";
    AppendJsonString(&out, p.subject);
    out += ",\"kind\":";
    AppendJsonString(&out, p.kind);
    out += ",\"method\":";
    AppendJsonString(&out, p.method);
    out += ",\"issuer\":";
    AppendJsonString(&out, p.issuer);
    out += ",\"roles\":";
    AppendStrings(&out, p.roles);
    if (!p.credential_id.empty()) {
      out += ",\"credential\":";
      AppendJsonString(&out, p.credential_id);
    }
    out += "}";
  } else {
    out += "null";
  }
  StringMember(&out, "action", ctx.route != nullptr ? std::string_view(ctx.route->action) : "");
  StringMember(&out, "resource", ctx.resource);
  std::string_view decision = "none";
  if (sec.decided) {
    decision = sec.permit ? "permit" : "deny";
  } else if (ctx.response.status == 401) {
    decision = "deny";
  }
  StringMember(&out, "decision", decision);
  Member(&out, "rule");
  if (sec.decided) {
    AppendJsonString(&out, sec.rule);
  } else if (ctx.response.status == 401) {
    AppendJsonString(&out, "unauthenticated");
  } else {
    out += "null";
  }
  Member(&out, "obligations");
  if (sec.obligations != nullptr) {
    out += sec.obligations->ToJson();
  } else {
    out += "null";
  }
  Member(&out, "status");
  out += std::to_string(ctx.response.status);
  Member(&out, "latency_us");
  out += std::to_string(latency_us);
  if (standard) {
    StringMember(&out, "route", ctx.route != nullptr ? std::string_view(ctx.route->name) : "");
    StringMember(&out, "method", ctx.request.method_text);
    StringMember(&out, "target", LoggablePath(ctx.request.path));
    if (!sec.reason.empty()) StringMember(&out, "reason", sec.reason);
    if (!sec.authn_error.empty()) StringMember(&out, "authn_error", sec.authn_error);
    if (!sec.policy_revision.empty()) StringMember(&out, "policy_revision", sec.policy_revision);
    if (!sec.shadow.empty()) {
      Member(&out, "shadow");
      AppendStrings(&out, sec.shadow);
    }
    if (!ctx.response.problem.empty()) StringMember(&out, "problem", ctx.response.problem);
    Member(&out, "context");
    out += "{\"posture\":";
    AppendJsonString(&out, sec.context.posture);
    out += ",\"risk\":" + std::to_string(sec.context.risk) + ",\"zone\":";
    AppendJsonString(&out, sec.context.zone);
    out += ",\"source\":";
    AppendJsonString(&out, sec.context.source_address.empty() ? ctx.request.remote_address
                                                              : sec.context.source_address);
    out += "}";
  }
  if (full && !ctx.request.query.empty()) {
    // Names in clear, values only as a short hash: enough to correlate, not to read them.
    Member(&out, "query");
    out += "{";
    bool first = true;
    for (const auto& [k, v] : ctx.request.query) {
      if (!first) out += ",";
      first = false;
      AppendJsonString(&out, k);
      out += ":";
      AppendJsonString(&out, crypto::Sha256Hex(v).substr(0, 16));
    }
    out += "}";
  }
  if (!sec.detail_json.empty()) {
    Member(&out, "detail");
    out += sec.detail_json;
  }
  Member(&out, "ai");
  out += sec.ai_json.empty() ? std::string("null") : sec.ai_json;
  return out;
}

void AuditFilter::OnCommit(RequestContext& ctx, CommitDone done) {
  const int64_t latency_us = (clock_->MonotonicNanos() - ctx.start_nanos) / 1000;
  log_->Append(audit::AuditEntry{Render(ctx, latency_us)},
               [done = std::move(done)](const Status& s) { done(s); });
}

}  // namespace crmi::http
