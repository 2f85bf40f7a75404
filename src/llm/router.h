// Model aliases and their fallback chains. A request names an alias ("crmi-rag", "default");
// the router tries the alias's backends in order and answers with the first that succeeds,
// skipping a backend whose circuit breaker is open and one that residency forbids, and moving
// on when a backend fails with an error another backend may not have (unavailable, timeout) —
// but never after part of an answer was streamed to the caller.
//
// Residency: a backend tagged with a region is given a request only when every passage of data
// in it is of that region (or has none) and, when the caller's regions are known, the region is
// among them. In-process backends (no region) take anything. A request no backend of the chain
// may take is refused with kPermissionDenied and counted in
// crmi_residency_refusals_total{endpoint="chat"}.
//
// Thread-safety: configure (Add*) before use; Complete may then be called from any thread.
#ifndef CRMI_LLM_ROUTER_H_
#define CRMI_LLM_ROUTER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/common/clock.h"
#include "src/common/metrics.h"
#include "src/llm/breaker.h"
#include "src/llm/chat.h"

namespace crmi::llm {

struct Residency {
  std::vector<std::string> data_regions;    // regions of the data in the request; "" ignored
  std::vector<std::string> caller_regions;  // the caller's "regions" attribute; empty: any
};

// True when a backend of `region` may receive data under `residency`.
bool RegionAllows(const std::string& region, const Residency& residency);

struct Routed {
  ChatResponse response;
  BackendInfo backend;                 // the one that answered
  std::vector<std::string> fallbacks;  // "<backend>: <why it was passed over>", in order
};

class ModelRouter {
 public:
  // `clock` must outlive the router; `registry` may be null.
  ModelRouter(const Clock* clock, metrics::Registry* registry);
  ~ModelRouter();

  // kAlreadyExists for a second backend of one name.
  Status AddBackend(std::shared_ptr<ChatBackend> backend, BreakerOptions breaker = {});
  // kInvalidArgument when the chain is empty or names an unknown backend.
  Status AddAlias(const std::string& alias, const std::vector<std::string>& chain);

  bool HasAlias(const std::string& alias) const { return aliases_.count(alias) != 0; }
  std::vector<std::string> Aliases() const;
  // The backends of an alias's chain (empty for an unknown alias).
  std::vector<BackendInfo> Chain(const std::string& alias) const;
  // A backend's breaker state, for /metrics and tests; kClosed for an unknown name.
  CircuitBreaker::State BreakerState(const std::string& backend) const;

  // kNotFound for an unknown alias; kPermissionDenied when residency leaves no backend; the
  // last backend's error when all failed (kUnavailable when all were open).
  Result<Routed> Complete(const std::string& alias, const ChatRequest& request,
                          const DeltaFn* on_delta, const Residency& residency);

 private:
  struct Backend;
  struct Metrics;
  const Clock* clock_;
  std::map<std::string, std::unique_ptr<Backend>> backends_;
  std::map<std::string, std::vector<Backend*>> aliases_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_ROUTER_H_
