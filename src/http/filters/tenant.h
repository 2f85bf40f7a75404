// Tenant filter: which tenant's data a request addresses.
//
// Until authentication lands (issue 3), the tenant comes from the X-Tenant header (validated:
// [a-z0-9-]{1,63}) or the configured default. The authentication filter will replace this one and
// take the tenant from the verified principal instead; handlers read only ctx.tenant.
#ifndef CRMI_HTTP_FILTERS_TENANT_H_
#define CRMI_HTTP_FILTERS_TENANT_H_

#include <string>

#include "src/http/filter.h"

namespace crmi::http {

class TenantFilter final : public Filter {
 public:
  explicit TenantFilter(std::string default_tenant) : default_(std::move(default_tenant)) {}
  std::string_view name() const override { return "tenant"; }
  FilterStatus OnRequest(RequestContext& ctx) override;

 private:
  const std::string default_;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTERS_TENANT_H_
