// Metrics filter: request counts and latency histograms by route and status, requests in
// flight, authentication failures and policy decisions by rule, exported at /metrics. Metric
// objects are resolved once per (route, status) and cached lock-free, so the hot path costs two
// atomic loads and the histogram's own lock.
#ifndef CRMI_HTTP_FILTERS_METRICS_H_
#define CRMI_HTTP_FILTERS_METRICS_H_

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "src/common/clock.h"
#include "src/common/metrics.h"
#include "src/http/filter.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace crmi::http {

class Router;

class MetricsFilter final : public Filter {
 public:
  MetricsFilter(metrics::Registry* registry, const Router* router, Clock* clock);
  ~MetricsFilter() override;
  std::string_view name() const override { return "metrics"; }
  FilterStatus OnRequest(RequestContext& ctx) override;
  void OnComplete(const RequestContext& ctx) override;

 private:
  struct Slot {
    prometheus::Counter* count;
    prometheus::Histogram* latency;
  };
  static constexpr int kStatuses = 500;  // 100..599

  Slot* Resolve(size_t route_index, int status);

  const Router* router_;
  Clock* clock_;
  prometheus::Family<prometheus::Counter>* count_family_;
  prometheus::Family<prometheus::Histogram>* latency_family_;
  prometheus::Gauge* in_flight_;
  prometheus::Counter* authn_failures_;
  prometheus::Family<prometheus::Counter>* decisions_family_;
  std::mutex decisions_mu_;
  std::map<std::string, prometheus::Counter*, std::less<>> decisions_;  // "permit|rule-id"

  // [route index + 1 (0 = unmatched)][status - 100]
  std::vector<std::unique_ptr<std::array<std::atomic<Slot*>, kStatuses>>> slots_;
  std::mutex mu_;  // guards slot creation
  std::vector<std::unique_ptr<Slot>> owned_;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTERS_METRICS_H_
