#include "src/http/filters/limits.h"

#include <limits>

#include "src/http/problem.h"
#include "src/http/router.h"

namespace crmi::http {

uint64_t LimitsFilter::BodyLimit(const Route* route) const {
  if (route != nullptr && route->streaming) return std::numeric_limits<uint64_t>::max();
  return config_.max_body_bytes;
}

FilterStatus LimitsFilter::OnRequest(RequestContext& ctx) {
  const auto& len = ctx.request.content_length;
  const uint64_t limit = BodyLimit(ctx.route);
  if (len && *len > limit) {
    SetProblem(ctx, 413, "payload-too-large",
               "request body of " + std::to_string(*len) + " bytes exceeds the limit of " +
                   std::to_string(limit) + " bytes");
    ctx.close_connection = true;  // the unread body makes the connection unusable
    return FilterStatus::kStop;
  }
  return FilterStatus::kContinue;
}

}  // namespace crmi::http
