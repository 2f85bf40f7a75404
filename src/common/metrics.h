// Metrics: a thin owner of a prometheus-cpp registry plus the bucket layouts crmi uses.
//
// Libraries that export metrics take a `metrics::Registry*` (nullable: no metrics) and register
// their families in their own .cc files, so prometheus headers stay out of widely included
// headers. The HTTP layer serves Serialize() at /metrics.
//
// Thread-safety: Registry is safe from any thread; prometheus metric objects are thread-safe.
#ifndef CRMI_COMMON_METRICS_H_
#define CRMI_COMMON_METRICS_H_

#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace crmi::metrics {

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  prometheus::Registry& prom() { return *registry_; }

  // Prometheus text exposition format 0.0.4.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
};

// Latency buckets in seconds: 50 µs .. 10 s, roughly ×2.5 apart.
const std::vector<double>& LatencyBuckets();

}  // namespace crmi::metrics

#endif  // CRMI_COMMON_METRICS_H_
