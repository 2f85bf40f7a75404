#include "src/http/filters/request_id.h"

#include "src/common/clock.h"
#include "src/common/ids.h"

namespace crmi::http {

void AssignRequestId(RequestContext& ctx) {
  auto given = ctx.request.headers.Get("X-Request-Id");
  if (given && IsValidRequestId(*given)) {
    ctx.request_id = std::string(*given);
  } else {
    ctx.request_id = NewUlid(Clock::Real()->NowUnixMillis());
  }
}

FilterStatus RequestIdFilter::OnRequest(RequestContext& ctx) {
  AssignRequestId(ctx);
  return FilterStatus::kContinue;
}

}  // namespace crmi::http
