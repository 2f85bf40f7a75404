// Per-request security state: who is calling (authentication filter), what the policy decided
// and which obligations the handler must apply (authorization filter). Handlers read it; the
// audit filter records it.
#ifndef CRMI_HTTP_SECURITY_H_
#define CRMI_HTTP_SECURITY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/crm/access.h"
#include "src/trust/principal.h"

namespace crmi::trust {
class Policy;
struct Obligations;
}  // namespace crmi::trust

namespace crmi::http {

struct RequestContext;

// Obligations a route's handler knows how to apply (Route::applies). A permit carrying any
// other obligation is refused before the handler runs: the enforcement point applies every
// obligation or refuses the request.
enum Applies : unsigned {
  kAppliesNothing = 0,
  kAppliesRows = 1u << 0,     // row_filter pushed into its store queries
  kAppliesFields = 1u << 1,   // mask_fields / redact_class on everything it returns
  kAppliesMaxRows = 1u << 2,  // max_rows on what it lists (or returns at most one record)
  kAppliesRecords = kAppliesRows | kAppliesFields | kAppliesMaxRows,
  kAppliesApproval = 1u << 3,  // require_approval: it holds its outcome for a person
};

// Secondary decisions a handler needs beyond its route's own (customer 360 reads accounts,
// cases, ... besides contacts). Implemented by the authorization filter.
// A secondary decision on a resource that holds no records (a template, a model, a tool):
// what permitted it and whether a person must approve the outcome first.
struct Permit {
  std::string rule;
  std::string reason;
  bool require_approval = false;
};

// What a secondary decision needs, copied out of a request: a stream's producer decides after
// the RequestContext is gone. Same semantics as Authorizer::PermitFor.
struct DecisionScope {
  std::shared_ptr<const trust::Principal> principal;
  trust::Context context;
  std::shared_ptr<const trust::Policy> policy;
  std::string tenant;
  Result<Permit> PermitFor(std::string_view resource, std::string_view action,
                           double risk = -1) const;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // The decision on `resource`/`action` (with `risk` as resource.risk when ≥ 0) under the
  // request's policy revision. kPermissionDenied when denied, or when the permit carries an
  // obligation other than require_approval (rows and masks mean nothing here: fail closed).
  virtual Result<Permit> PermitFor(const RequestContext& ctx, std::string_view resource,
                                   std::string_view action, double risk = -1) const = 0;
  // The caller's Access to `resource`/`action` under the same policy revision as the request.
  // kPermissionDenied when denied or when an obligation cannot be expressed as an Access.
  virtual Result<crm::Access> AccessFor(const RequestContext& ctx, std::string_view resource,
                                        std::string_view action) const = 0;
};

struct Security {
  // Authentication. Null when the request carried no valid credential (public routes).
  std::shared_ptr<const trust::Principal> principal;
  trust::Context context;
  std::string authn_error;  // why authentication failed (for the audit trail), never a secret

  // Authorization.
  bool decided = false;
  bool permit = false;
  std::string rule;  // deciding rule id, or "default-deny"
  std::string reason;
  std::string policy_revision;
  std::shared_ptr<const trust::Policy> policy;      // keeps *obligations alive
  const trust::Obligations* obligations = nullptr;  // of a permit
  std::vector<std::string> shadow;                  // "rule=permit|deny" of matching shadow rules
  crm::Access access;                               // obligations turned into what the CRM applies
  std::string audit_level = "standard";             // minimal | standard | full
  const Authorizer* authorizer = nullptr;

  // The audit record's "ai" object (audit::AiRecord::ToJson), set by LLM-backed handlers.
  std::string ai_json;
  // A JSON object a handler adds to its audit record as "detail" (e.g. which tokens were
  // detokenised). Never values: the audit trail must not hold what it protects.
  std::string detail_json;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_SECURITY_H_
