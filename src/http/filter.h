// The request chain (Envoy style): an ordered list of small filters around every handler.
//
//   request id → limits → tenant → [authn → authz → rate limit (next issues)] → handler
//
// Contract of a filter:
//   OnRequest   in chain order, before the handler. Returns kContinue, or kStop after setting a
//               local reply on ctx.response (e.g. SetProblem(ctx, 413, ...)); later filters and
//               the handler are then skipped.
//   OnResponse  in reverse order, after the handler or a local reply, for every filter whose
//               OnRequest ran (including the one that stopped). May decorate the response.
//   OnComplete  the final stage (access log, metrics; audit later): every filter, in chain order,
//               after the response was written or the connection failed — also for local replies
//               and for requests the server rejected before the chain ran. Must not fail.
//
// Filters are shared by all requests and hold no per-request state; what they learn goes into the
// RequestContext (typed metadata), which is how filters talk to each other and to handlers.
// Filters never block: they run on the I/O threads. Thread-safety: const after construction.
#ifndef CRMI_HTTP_FILTER_H_
#define CRMI_HTTP_FILTER_H_

#include <memory>
#include <string_view>
#include <vector>

#include "src/http/message.h"

namespace crmi::http {

enum class FilterStatus { kContinue, kStop };

class Filter {
 public:
  virtual ~Filter() = default;
  virtual std::string_view name() const = 0;
  virtual FilterStatus OnRequest(RequestContext& /*ctx*/) { return FilterStatus::kContinue; }
  virtual void OnResponse(RequestContext& /*ctx*/) {}
  virtual void OnComplete(const RequestContext& /*ctx*/) {}
};

class FilterChain {
 public:
  void Add(std::unique_ptr<Filter> filter) { filters_.push_back(std::move(filter)); }

  // Runs OnRequest in order. Returns how many filters ran; `*stopped` tells whether the last of
  // them stopped the chain (then ctx.local_reply is set).
  size_t RunRequest(RequestContext& ctx, bool* stopped) const;
  // Runs OnResponse in reverse over the first `ran` filters.
  void RunResponse(RequestContext& ctx, size_t ran) const;
  void RunComplete(const RequestContext& ctx) const;

  const std::vector<std::unique_ptr<Filter>>& filters() const { return filters_; }

 private:
  std::vector<std::unique_ptr<Filter>> filters_;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTER_H_
