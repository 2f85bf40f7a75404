#include "src/http/filters/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "src/http/router.h"

namespace crmi::http {

MetricsFilter::MetricsFilter(metrics::Registry* registry, const Router* router, Clock* clock)
    : router_(router), clock_(clock) {
  count_family_ = &prometheus::BuildCounter()
                       .Name("crmi_http_requests_total")
                       .Help("HTTP requests by route and status")
                       .Register(registry->prom());
  latency_family_ = &prometheus::BuildHistogram()
                         .Name("crmi_http_request_duration_seconds")
                         .Help("HTTP request latency, first byte read to last byte written")
                         .Register(registry->prom());
  in_flight_ = &prometheus::BuildGauge()
                    .Name("crmi_http_requests_in_flight")
                    .Help("HTTP requests being processed")
                    .Register(registry->prom())
                    .Add({});
  for (size_t i = 0; i <= router_->routes().size(); ++i) {
    auto arr = std::make_unique<std::array<std::atomic<Slot*>, kStatuses>>();
    for (auto& s : *arr) s.store(nullptr, std::memory_order_relaxed);
    slots_.push_back(std::move(arr));
  }
}

MetricsFilter::~MetricsFilter() = default;

MetricsFilter::Slot* MetricsFilter::Resolve(size_t route_index, int status) {
  if (status < 100 || status >= 100 + kStatuses) status = 599;
  std::atomic<Slot*>& cell = (*slots_[route_index])[status - 100];
  Slot* slot = cell.load(std::memory_order_acquire);
  if (slot != nullptr) return slot;
  std::lock_guard<std::mutex> lock(mu_);
  slot = cell.load(std::memory_order_acquire);
  if (slot != nullptr) return slot;
  const std::string route =
      route_index == 0 ? "unmatched" : router_->routes()[route_index - 1].name;
  const std::map<std::string, std::string> labels = {{"route", route},
                                                     {"status", std::to_string(status)}};
  auto owned = std::make_unique<Slot>(
      Slot{&count_family_->Add(labels), &latency_family_->Add(labels, metrics::LatencyBuckets())});
  slot = owned.get();
  owned_.push_back(std::move(owned));
  cell.store(slot, std::memory_order_release);
  return slot;
}

FilterStatus MetricsFilter::OnRequest(RequestContext& ctx) {
  in_flight_->Increment();
  ctx.in_flight_counted = true;
  return FilterStatus::kContinue;
}

void MetricsFilter::OnComplete(const RequestContext& ctx) {
  if (ctx.in_flight_counted) in_flight_->Decrement();
  size_t index = 0;
  if (ctx.route != nullptr) index = static_cast<size_t>(ctx.route - router_->routes().data()) + 1;
  Slot* slot = Resolve(index, ctx.response.status);
  slot->count->Increment();
  slot->latency->Observe(static_cast<double>(clock_->MonotonicNanos() - ctx.start_nanos) / 1e9);
}

}  // namespace crmi::http
