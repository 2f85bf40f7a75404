#include "src/common/metrics.h"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace crmi::metrics {

Registry::Registry() : registry_(std::make_shared<prometheus::Registry>()) {}
Registry::~Registry() = default;

std::string Registry::Serialize() const {
  prometheus::TextSerializer serializer;
  std::ostringstream out;
  serializer.Serialize(out, registry_->Collect());
  return out.str();
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double>* buckets =
      new std::vector<double>{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                              0.05,    0.1,    0.25,    0.5,    1.0,   2.5,    5.0,   10.0};
  return *buckets;
}

}  // namespace crmi::metrics
