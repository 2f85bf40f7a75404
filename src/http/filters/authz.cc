#include "src/http/filters/authz.h"

#include <cmath>

#include "src/http/problem.h"
#include "src/http/router.h"

namespace crmi::http {
namespace {

std::optional<crm::Sensitivity> ParseClass(std::string_view s) {
  if (s == "public") return crm::Sensitivity::kPublic;
  if (s == "internal") return crm::Sensitivity::kInternal;
  if (s == "confidential") return crm::Sensitivity::kConfidential;
  if (s == "restricted") return crm::Sensitivity::kRestricted;
  return std::nullopt;
}

// A row-term value as the store compares it. Null stays null (matches nothing under kEq/kIn).
store::Value ToStoreValue(const trust::ExprValue& v) {
  switch (v.v.index()) {
    case 1:
      return store::Value(std::get<bool>(v.v));
    case 2: {
      const double d = std::get<double>(v.v);
      if (std::trunc(d) == d && std::fabs(d) < 9e15) return store::Value(static_cast<int64_t>(d));
      return store::Value(d);
    }
    case 3:
      return store::Value(std::get<std::string>(v.v));
    default:
      return store::Value();
  }
}

Status Unenforceable(std::string_view what) {
  return PermissionDenied("the policy permits this only with " + std::string(what) +
                          ", which this endpoint cannot apply; refused");
}

void Deny(RequestContext& ctx, const Status& s, std::string_view slug) {
  SetProblem(ctx, 403, slug, s.message());
}

}  // namespace

Result<crm::Access> AccessFromObligations(const trust::Obligations& ob, unsigned applies,
                                          const trust::Principal& principal,
                                          const trust::Context& context) {
  if (ob.require_approval && (applies & kAppliesApproval) == 0) {
    return PermissionDenied(
        "the policy requires a human approval for this request; approvals are not available "
        "on this endpoint, so it is refused");
  }
  crm::Access a;
  if (ob.restricts_rows()) {
    if ((applies & kAppliesRows) == 0) return Unenforceable("a row filter");
    const trust::Resolver resolve = trust::Policy::MakeRowResolver(principal, context);
    for (const auto& term : ob.row_terms) {
      const trust::ExprValue v = term.value.Evaluate(resolve);
      store::FieldFilter f;
      f.field = term.field;
      if (term.op == trust::RowTerm::Op::kIn) {
        f.op = store::FieldFilter::Op::kIn;
        if (v.v.index() == 4) {
          for (const auto& s : std::get<std::vector<std::string>>(v.v)) f.values.emplace_back(s);
        } else if (!v.is_null()) {
          f.values.push_back(ToStoreValue(v));
        }
        // Nothing to compare with (an attribute the principal lacks): the set is empty and
        // nothing matches — fail closed.
      } else {
        f.op = term.op == trust::RowTerm::Op::kEq ? store::FieldFilter::Op::kEq
                                                  : store::FieldFilter::Op::kNe;
        if (v.v.index() == 4) {
          const auto& list = std::get<std::vector<std::string>>(v.v);
          if (term.op == trust::RowTerm::Op::kEq) {
            f.op = store::FieldFilter::Op::kIn;  // "== [a]" means the single value a
            if (list.size() == 1) f.values.emplace_back(list[0]);
          } else {
            return Unenforceable("a row filter comparing a field with a list by !=");
          }
        } else if (v.is_null()) {
          // "owner_id == principal.sub" for a principal without one must not turn into
          // "owner_id IS NULL": match nothing instead.
          f.op = store::FieldFilter::Op::kIn;
        } else {
          f.values.push_back(ToStoreValue(v));
        }
      }
      a.rows.push_back(std::move(f));
    }
  }
  if (ob.masks()) {
    if ((applies & kAppliesFields) == 0) return Unenforceable("field masking");
    a.mask_fields = ob.mask_fields;
    if (!ob.redact_class.empty()) {
      auto cls = ParseClass(ob.redact_class);
      if (!cls) return Unenforceable("an unknown redaction class '" + ob.redact_class + "'");
      a.redact_from = *cls;
    }
  }
  if (ob.max_rows > 0) {
    if ((applies & kAppliesMaxRows) == 0) return Unenforceable("a row limit");
    a.max_rows = static_cast<int>(std::min<int64_t>(ob.max_rows, 1 << 30));
  }
  return a;
}

FilterStatus AuthzFilter::OnRequest(RequestContext& ctx) {
  // Unmatched paths are answered 404/405 by the server after the chain; public routes (health
  // probes) carry no principal.
  if (ctx.route == nullptr || ctx.route->public_route) return FilterStatus::kContinue;
  Security& sec = ctx.security;
  if (!sec.principal) {  // authn lets nothing else through; refuse if that ever changes
    SetProblem(ctx, 401, "unauthenticated", "authentication required");
    return FilterStatus::kStop;
  }
  const trust::PolicyStore::Snapshot snap = policies_->Current();
  trust::DecisionRequest req;
  req.principal = sec.principal.get();
  req.context = &sec.context;
  req.resource = ctx.resource;
  req.action = ctx.route->action;
  req.attrs.tenant = ctx.tenant;
  trust::Decision d = snap.policy->Decide(req);
  sec.decided = true;
  sec.permit = d.permit;
  sec.rule = d.rule;
  sec.reason = d.reason;
  sec.shadow = std::move(d.shadow);
  sec.policy_revision = snap.revision;
  sec.policy = snap.policy;
  sec.authorizer = this;
  if (!d.permit) {
    std::string detail = "denied by policy rule '" + d.rule + "'";
    if (!d.reason.empty()) detail += ": " + d.reason;
    Deny(ctx, PermissionDenied(detail), "forbidden");
    return FilterStatus::kStop;
  }
  sec.obligations = d.obligations;
  sec.audit_level = d.obligations->audit_level;
  auto access =
      AccessFromObligations(*d.obligations, ctx.route->applies, *sec.principal, sec.context);
  if (!access.ok()) {
    // Permitted, but not enforceable here: record it as the refusal it is.
    sec.permit = false;
    sec.reason = access.status().message();
    Deny(ctx, access.status(),
         d.obligations->require_approval ? "approval-required" : "obligation-unenforceable");
    return FilterStatus::kStop;
  }
  sec.access = std::move(access).value();
  return FilterStatus::kContinue;
}

Result<crm::Access> AuthzFilter::AccessFor(const RequestContext& ctx, std::string_view resource,
                                           std::string_view action) const {
  const Security& sec = ctx.security;
  if (!sec.principal || !sec.policy) return PermissionDenied("no authorization context");
  trust::DecisionRequest req;
  req.principal = sec.principal.get();
  req.context = &sec.context;
  req.resource = resource;
  req.action = action;
  req.attrs.tenant = ctx.tenant;
  trust::Decision d = sec.policy->Decide(req);
  if (!d.permit) {
    return PermissionDenied("denied by policy rule '" + d.rule + "'" +
                            (d.reason.empty() ? "" : ": " + d.reason));
  }
  return AccessFromObligations(*d.obligations, kAppliesRecords, *sec.principal, sec.context);
}

Result<Permit> DecisionScope::PermitFor(std::string_view resource, std::string_view action,
                                        double risk) const {
  if (!principal || !policy) return PermissionDenied("no authorization context");
  trust::DecisionRequest req;
  req.principal = principal.get();
  req.context = &context;
  req.resource = resource;
  req.action = action;
  req.attrs.tenant = tenant;
  req.attrs.risk = risk;
  trust::Decision d = policy->Decide(req);
  if (!d.permit) {
    return PermissionDenied("denied by policy rule '" + d.rule + "'" +
                            (d.reason.empty() ? "" : ": " + d.reason));
  }
  const trust::Obligations& ob = *d.obligations;
  if (ob.restricts_rows() || ob.masks() || ob.max_rows > 0) {
    return PermissionDenied("rule '" + d.rule + "' permits " + std::string(resource) +
                            " only with row or field obligations, which cannot apply to it");
  }
  return Permit{d.rule, d.reason, ob.require_approval};
}

Result<Permit> AuthzFilter::PermitFor(const RequestContext& ctx, std::string_view resource,
                                      std::string_view action, double risk) const {
  const Security& sec = ctx.security;
  return DecisionScope{sec.principal, sec.context, sec.policy, ctx.tenant}.PermitFor(resource,
                                                                                     action, risk);
}

}  // namespace crmi::http
