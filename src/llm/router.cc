#include "src/llm/router.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>

#include "src/common/log.h"

namespace crmi::llm {

struct ModelRouter::Backend {
  std::shared_ptr<ChatBackend> backend;
  std::unique_ptr<CircuitBreaker> breaker;
  prometheus::Gauge* breaker_gauge = nullptr;
  prometheus::Histogram* latency = nullptr;
  prometheus::Counter* ok = nullptr;
  prometheus::Counter* failed = nullptr;
  prometheus::Counter* skipped_open = nullptr;
};

struct ModelRouter::Metrics {
  prometheus::Family<prometheus::Counter>* requests = nullptr;
  prometheus::Family<prometheus::Gauge>* breaker = nullptr;
  prometheus::Family<prometheus::Histogram>* latency = nullptr;
  prometheus::Counter* residency_refused = nullptr;
};

bool RegionAllows(const std::string& region, const Residency& residency) {
  if (region.empty()) return true;
  for (const std::string& r : residency.data_regions) {
    if (!r.empty() && r != region) return false;
  }
  return residency.caller_regions.empty() ||
         std::find(residency.caller_regions.begin(), residency.caller_regions.end(), region) !=
             residency.caller_regions.end();
}

ModelRouter::ModelRouter(const Clock* clock, metrics::Registry* registry)
    : clock_(clock), metrics_(std::make_unique<Metrics>()) {
  if (registry == nullptr) return;
  metrics_->requests = &prometheus::BuildCounter()
                            .Name("crmi_llm_backend_requests_total")
                            .Help("Calls to model backends, by backend and result")
                            .Register(registry->prom());
  metrics_->breaker = &prometheus::BuildGauge()
                           .Name("crmi_llm_breaker_state")
                           .Help("Circuit breaker per backend: 0 closed, 1 open, 2 half-open")
                           .Register(registry->prom());
  metrics_->latency = &prometheus::BuildHistogram()
                           .Name("crmi_llm_backend_seconds")
                           .Help("Latency of model backend calls, by backend")
                           .Register(registry->prom());
  metrics_->residency_refused = &prometheus::BuildCounter()
                                     .Name("crmi_residency_refusals_total")
                                     .Help(
                                         "Calls refused because the data's region and the "
                                         "endpoint's disagree, by endpoint")
                                     .Register(registry->prom())
                                     .Add({{"endpoint", "chat"}});
}

ModelRouter::~ModelRouter() = default;

Status ModelRouter::AddBackend(std::shared_ptr<ChatBackend> backend, BreakerOptions breaker) {
  const std::string name = backend->info().name;
  if (backends_.count(name)) return AlreadyExists("chat backend '" + name + "' is defined twice");
  auto b = std::make_unique<Backend>();
  b->backend = std::move(backend);
  b->breaker = std::make_unique<CircuitBreaker>(breaker, clock_);
  if (metrics_->requests != nullptr) {
    b->ok = &metrics_->requests->Add({{"backend", name}, {"result", "ok"}});
    b->failed = &metrics_->requests->Add({{"backend", name}, {"result", "error"}});
    b->skipped_open = &metrics_->requests->Add({{"backend", name}, {"result", "breaker_open"}});
    b->breaker_gauge = &metrics_->breaker->Add({{"backend", name}});
    b->latency = &metrics_->latency->Add({{"backend", name}}, metrics::LatencyBuckets());
  }
  backends_.emplace(name, std::move(b));
  return Status::Ok();
}

Status ModelRouter::AddAlias(const std::string& alias, const std::vector<std::string>& chain) {
  if (chain.empty()) return InvalidArgument("model '" + alias + "' names no backend");
  std::vector<Backend*> backends;
  for (const std::string& name : chain) {
    auto it = backends_.find(name);
    if (it == backends_.end()) {
      return InvalidArgument("model '" + alias + "' names an unknown backend '" + name + "'");
    }
    backends.push_back(it->second.get());
  }
  aliases_[alias] = std::move(backends);
  return Status::Ok();
}

std::vector<std::string> ModelRouter::Aliases() const {
  std::vector<std::string> out;
  for (const auto& [alias, chain] : aliases_) out.push_back(alias);
  return out;
}

std::vector<BackendInfo> ModelRouter::Chain(const std::string& alias) const {
  std::vector<BackendInfo> out;
  auto it = aliases_.find(alias);
  if (it == aliases_.end()) return out;
  for (const Backend* b : it->second) out.push_back(b->backend->info());
  return out;
}

CircuitBreaker::State ModelRouter::BreakerState(const std::string& backend) const {
  auto it = backends_.find(backend);
  return it == backends_.end() ? CircuitBreaker::State::kClosed : it->second->breaker->state();
}

Result<Routed> ModelRouter::Complete(const std::string& alias, const ChatRequest& request,
                                     const DeltaFn* on_delta, const Residency& residency) {
  auto it = aliases_.find(alias);
  if (it == aliases_.end()) return NotFound("no model '" + alias + "'");
  Routed routed;
  Status last;
  bool any_allowed_region = false;
  for (Backend* b : it->second) {
    const BackendInfo& info = b->backend->info();
    if (!RegionAllows(info.region, residency)) {
      routed.fallbacks.push_back(info.name + ": residency (endpoint region " + info.region + ")");
      continue;
    }
    any_allowed_region = true;
    if (!b->breaker->Allow()) {
      routed.fallbacks.push_back(info.name + ": circuit open");
      if (b->skipped_open) b->skipped_open->Increment();
      last = Unavailable("chat backend '" + info.name + "' is failing (circuit open)");
      continue;
    }
    bool streamed = false;
    DeltaFn tracking;
    if (on_delta != nullptr) {
      tracking = [&](std::string_view text) {
        streamed = true;
        return (*on_delta)(text);
      };
    }
    const int64_t start = clock_->MonotonicNanos();
    Result<ChatResponse> r = b->backend->Complete(request, on_delta ? &tracking : nullptr);
    const auto took = std::chrono::milliseconds((clock_->MonotonicNanos() - start) / 1'000'000);
    if (b->latency) b->latency->Observe(static_cast<double>(took.count()) / 1000.0);
    // Refusals of the request itself (bad input, key, cancelled) are not the backend's fault.
    const StatusCode code = r.ok() ? StatusCode::kOk : r.status().code();
    const bool backend_fault = code == StatusCode::kUnavailable ||
                               code == StatusCode::kDeadlineExceeded ||
                               code == StatusCode::kInternal;
    b->breaker->Record(!backend_fault, took);
    if (b->breaker_gauge) b->breaker_gauge->Set(static_cast<double>(b->breaker->state()));
    if (r.ok()) {
      if (b->ok) b->ok->Increment();
      routed.response = std::move(r).value();
      routed.backend = info;
      return routed;
    }
    if (b->failed) b->failed->Increment();
    last = r.status();
    if (!backend_fault || streamed) return last;
    routed.fallbacks.push_back(info.name + ": " + last.message());
    log::Warn("chat backend failed; falling back",
              log::Fields().Add("backend", info.name).Add("error", last.ToString()));
  }
  if (!any_allowed_region) {
    if (metrics_->residency_refused) metrics_->residency_refused->Increment();
    return PermissionDenied("residency: no backend of model '" + alias +
                            "' may receive data of this request's regions");
  }
  return last;
}

}  // namespace crmi::llm
