// Audit filter: records every request in the tamper-evident audit trail before its response
// leaves (the chain's commit stage), including refusals, local replies and transport errors.
//
// One record per request (docs/security.md, "Audit trail"):
//   request_id, tenant, principal {sub, kind, method, issuer, roles, credential}, action,
//   resource, decision (permit | deny | none), rule, obligations, status, latency_us, ai
// plus, at audit_level standard (the default) or full: route, method, target (path with
// non-identifier segments redacted), reason, policy_revision, shadow, problem, context
// {posture, risk, zone, source}; at full also the names of query parameters with a short hash
// of each value. Never a token, a key, a body or a query value in clear.
//
// The `ai` member is null for plain requests; the LLM layer fills it (template, model, retrieved
// document ids, input/output hashes, safety scores, tokens) through RequestContext.
#ifndef CRMI_HTTP_FILTERS_AUDIT_H_
#define CRMI_HTTP_FILTERS_AUDIT_H_

#include <string>

#include "src/audit/audit_log.h"
#include "src/common/clock.h"
#include "src/http/filter.h"

namespace crmi::http {

class AuditFilter final : public Filter {
 public:
  // REQUIRES: `log` outlives the filter.
  AuditFilter(audit::AuditLog* log, Clock* clock) : log_(log), clock_(clock) {}
  std::string_view name() const override { return "audit"; }
  bool commits() const override { return true; }
  void OnCommit(RequestContext& ctx, CommitDone done) override;

  // The record members for `ctx` (exposed for tests).
  static std::string Render(const RequestContext& ctx, int64_t latency_us);

 private:
  audit::AuditLog* log_;
  Clock* clock_;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTERS_AUDIT_H_
