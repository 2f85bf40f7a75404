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
  authn_failures_ = &prometheus::BuildCounter()
                         .Name("crmi_authn_failures_total")
                         .Help("Requests refused with 401 (no or invalid credentials)")
                         .Register(registry->prom())
                         .Add({});
  decisions_family_ = &prometheus::BuildCounter()
                           .Name("crmi_authz_decisions_total")
                           .Help("Policy decisions by outcome and deciding rule")
                           .Register(registry->prom());
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
  if (ctx.response.status == 401) authn_failures_->Increment();
  const Security& sec = ctx.security;
  if (sec.decided) {
    // Rule ids come from the policy, so the label set stays as small as the policy.
    std::string key = (sec.permit ? "permit|" : "deny|") + sec.rule;
    std::lock_guard<std::mutex> lock(decisions_mu_);
    auto it = decisions_.find(key);
    if (it == decisions_.end()) {
      prometheus::Counter* c = &decisions_family_->Add(
          {{"decision", sec.permit ? "permit" : "deny"}, {"rule", sec.rule}});
      it = decisions_.emplace(std::move(key), c).first;
    }
    it->second->Increment();
  }
}

}  // namespace crmi::http
