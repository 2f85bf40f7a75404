// Access log filter: one structured JSON line per request, in the final stage, so local replies
// and rejected requests are logged too. Logs the path with non-identifier segments redacted and
// never the query string or bodies: those may carry personal data.
#ifndef CRMI_HTTP_FILTERS_ACCESS_LOG_H_
#define CRMI_HTTP_FILTERS_ACCESS_LOG_H_

#include <string>

#include "src/common/clock.h"
#include "src/http/filter.h"

namespace crmi::http {

class AccessLogFilter final : public Filter {
 public:
  explicit AccessLogFilter(Clock* clock) : clock_(clock) {}
  std::string_view name() const override { return "access_log"; }
  void OnComplete(const RequestContext& ctx) override;

 private:
  Clock* clock_;
};

// The path as logged: segments that are not plain identifiers become "{redacted}".
std::string LoggablePath(std::string_view path);

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTERS_ACCESS_LOG_H_
