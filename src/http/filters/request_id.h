// Request id filter: adopts a valid X-Request-Id from the caller or generates one (a ULID), so
// every log line, problem reply and audit record of the request can be correlated. The server
// echoes ctx.request_id in the X-Request-Id response header of every response.
#ifndef CRMI_HTTP_FILTERS_REQUEST_ID_H_
#define CRMI_HTTP_FILTERS_REQUEST_ID_H_

#include "src/http/filter.h"

namespace crmi::http {

class RequestIdFilter final : public Filter {
 public:
  std::string_view name() const override { return "request_id"; }
  FilterStatus OnRequest(RequestContext& ctx) override;
};

// Assigns ctx.request_id from the request or a new ULID; used by the filter and by the server
// for requests rejected before the chain runs.
void AssignRequestId(RequestContext& ctx);

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTERS_REQUEST_ID_H_
