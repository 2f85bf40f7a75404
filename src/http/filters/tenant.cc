#include "src/http/filters/tenant.h"

#include "src/common/ids.h"
#include "src/http/problem.h"

namespace crmi::http {

FilterStatus TenantFilter::OnRequest(RequestContext& ctx) {
  auto given = ctx.request.headers.Get("X-Tenant");
  if (!given) {
    ctx.tenant = default_;
    return FilterStatus::kContinue;
  }
  if (!IsValidTenant(*given)) {
    SetProblem(ctx, 400, "invalid-tenant",
               "X-Tenant must be 1-63 characters of a-z, 0-9 and '-', not starting with '-'");
    return FilterStatus::kStop;
  }
  ctx.tenant = std::string(*given);
  return FilterStatus::kContinue;
}

}  // namespace crmi::http
