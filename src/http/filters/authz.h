// Authorization filter (PEP, second half): asks the policy decision point about every
// authenticated request — principal, route resource and action, context — and enforces the
// answer. Deny → 403 naming the deciding rule and its reason. Permit → its obligations become
// the request's crm::Access (row filter terms evaluated against the principal, masks, max_rows),
// which the handler applies. A permit whose obligations the route cannot apply, or that
// requires a human approval, is refused (403): the enforcement point applies every obligation
// or refuses the request.
//
// The decision is taken against one policy snapshot, kept in the context for the secondary
// decisions handlers ask for (Authorizer), so a request never mixes two policy revisions.
#ifndef CRMI_HTTP_FILTERS_AUTHZ_H_
#define CRMI_HTTP_FILTERS_AUTHZ_H_

#include "src/http/filter.h"
#include "src/http/security.h"
#include "src/trust/policy.h"
#include "src/trust/policy_store.h"

namespace crmi::http {

class AuthzFilter final : public Filter, public Authorizer {
 public:
  // REQUIRES: `policies` outlives the filter and was loaded.
  explicit AuthzFilter(trust::PolicyStore* policies) : policies_(policies) {}
  std::string_view name() const override { return "authz"; }
  FilterStatus OnRequest(RequestContext& ctx) override;

  Result<crm::Access> AccessFor(const RequestContext& ctx, std::string_view resource,
                                std::string_view action) const override;
  Result<Permit> PermitFor(const RequestContext& ctx, std::string_view resource,
                           std::string_view action, double risk) const override;

 private:
  trust::PolicyStore* policies_;
};

// Turns a permit's obligations into an Access for a handler that can apply `applies`.
// kPermissionDenied (with the reason) when an obligation cannot be applied.
Result<crm::Access> AccessFromObligations(const trust::Obligations& ob, unsigned applies,
                                          const trust::Principal& principal,
                                          const trust::Context& context);

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTERS_AUTHZ_H_
