// Limits filter: refuses, before the body is read, requests whose declared Content-Length is
// above the limit of their route (413), so a client cannot make the server buffer 10 GB. Bodies
// without a length (chunked) are cut off by the server's parser at the same limit. Streaming
// routes (imports) have no size limit: they never buffer the body.
#ifndef CRMI_HTTP_FILTERS_LIMITS_H_
#define CRMI_HTTP_FILTERS_LIMITS_H_

#include <cstdint>

#include "src/http/filter.h"

namespace crmi::http {

struct LimitsConfig {
  uint64_t max_body_bytes = 16ull << 20;
};

class LimitsFilter final : public Filter {
 public:
  explicit LimitsFilter(LimitsConfig config) : config_(config) {}
  std::string_view name() const override { return "limits"; }
  FilterStatus OnRequest(RequestContext& ctx) override;

  // The body limit that applies to a request on `route` (null: unmatched).
  uint64_t BodyLimit(const Route* route) const;

 private:
  const LimitsConfig config_;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTERS_LIMITS_H_
