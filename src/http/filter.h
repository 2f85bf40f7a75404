// The request chain (Envoy style): an ordered list of small filters around every handler.
//
//   request id → access log → metrics → audit → limits → authn → authz → [rate limit] → handler
//
// Contract of a filter:
//   OnRequest   in chain order, before the handler. Returns kContinue, or kStop after setting a
//               local reply on ctx.response (e.g. SetProblem(ctx, 413, ...)); later filters and
//               the handler are then skipped.
//   OnResponse  in reverse order, after the handler or a local reply, for every filter whose
//               OnRequest ran (including the one that stopped). May decorate the response.
//   OnCommit    (at most one filter: the audit trail) after OnResponse and before the response
//               is written, for every request including local replies and transport errors.
//               Asynchronous: calls `done` exactly once, from any thread. A non-OK status
//               replaces the response with 503 — nothing leaves that was not recorded.
//   OnComplete  the final stage (access log, metrics; audit later): every filter, in chain order,
//               after the response was written or the connection failed — also for local replies
//               and for requests the server rejected before the chain ran. Must not fail.
//
// Filters are shared by all requests and hold no per-request state; what they learn goes into the
// RequestContext (typed metadata), which is how filters talk to each other and to handlers.
// Filters never block: they run on the I/O threads. Thread-safety: const after construction.
#ifndef CRMI_HTTP_FILTER_H_
#define CRMI_HTTP_FILTER_H_

#include <functional>
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

  using CommitDone = std::function<void(const Status&)>;
  virtual bool commits() const { return false; }
  virtual void OnCommit(RequestContext& /*ctx*/, CommitDone done) { done(Status::Ok()); }
};

class FilterChain {
 public:
  // REQUIRES: at most one added filter commits().
  void Add(std::unique_ptr<Filter> filter) {
    if (filter->commits()) committer_ = filter.get();
    filters_.push_back(std::move(filter));
  }
  // The filter whose OnCommit gates every response, or null.
  Filter* committer() const { return committer_; }

  // Runs OnRequest in order. Returns how many filters ran; `*stopped` tells whether the last of
  // them stopped the chain (then ctx.local_reply is set).
  size_t RunRequest(RequestContext& ctx, bool* stopped) const;
  // Runs OnResponse in reverse over the first `ran` filters.
  void RunResponse(RequestContext& ctx, size_t ran) const;
  void RunComplete(const RequestContext& ctx) const;

  const std::vector<std::unique_ptr<Filter>>& filters() const { return filters_; }

 private:
  std::vector<std::unique_ptr<Filter>> filters_;
  Filter* committer_ = nullptr;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTER_H_
