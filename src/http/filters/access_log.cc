#include "src/http/filters/access_log.h"

#include "src/common/ids.h"
#include "src/common/log.h"
#include "src/http/router.h"

namespace crmi::http {

std::string LoggablePath(std::string_view path) {
  if (path.size() > 512) return "{redacted}";
  std::string out;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view seg = path.substr(start, slash - start);
    if (seg.empty() || IsValidRecordId(seg)) {
      out.append(seg);
    } else {
      out.append("{redacted}");
    }
    if (slash < path.size()) out.push_back('/');
    start = slash + 1;
  }
  return out.empty() ? std::string(path.substr(0, 1)) : out;
}

void AccessLogFilter::OnComplete(const RequestContext& ctx) {
  if (!log::AccessEnabled()) return;
  const double ms = static_cast<double>(clock_->MonotonicNanos() - ctx.start_nanos) / 1e6;
  log::Fields f;
  f.Add("request_id", ctx.request_id)
      .Add("remote", ctx.request.remote_address)
      .Add("method", ctx.request.method_text)
      .Add("path", LoggablePath(ctx.request.path))
      .Add("route", ctx.route != nullptr ? std::string_view(ctx.route->name) : "unmatched")
      .Add("status", ctx.response.status)
      .Add("bytes_in", ctx.bytes_received)
      .Add("bytes_out", ctx.bytes_sent)
      .Add("duration_ms", ms);
  if (!ctx.tenant.empty()) f.Add("tenant", ctx.tenant);
  if (!ctx.response.problem.empty()) f.Add("problem", ctx.response.problem);
  if (ctx.local_reply) f.Add("local_reply", true);
  log::Access(f);
}

}  // namespace crmi::http
