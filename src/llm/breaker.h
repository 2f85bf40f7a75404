// A circuit breaker per model backend (the pattern of Envoy's outlier detection and Hystrix):
// closed while the backend is healthy; open — calls refused at once, so a fallback answers
// instead of every request waiting out a timeout — when, over the last `window` calls, at
// least `min_calls` were made and the share of failures or of slow calls reaches its
// threshold; after `open_for`, half-open: up to `half_open_probes` calls go through, and their
// outcome closes the breaker again or re-opens it.
//
// Thread-safety: all methods may be called from any thread.
#ifndef CRMI_LLM_BREAKER_H_
#define CRMI_LLM_BREAKER_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>

#include "src/common/clock.h"

namespace crmi::llm {

struct BreakerOptions {
  int window = 20;
  int min_calls = 5;
  double failure_ratio = 0.5;
  std::chrono::milliseconds slow_call{20000};
  double slow_ratio = 0.8;
  std::chrono::milliseconds open_for{30000};
  int half_open_probes = 1;
};

class CircuitBreaker {
 public:
  enum class State { kClosed = 0, kOpen = 1, kHalfOpen = 2 };

  // `clock` must outlive the breaker.
  CircuitBreaker(BreakerOptions options, const Clock* clock);

  // True when a call may go to the backend now; a true answer in half-open state takes one of
  // the probe slots, which the call's Record gives back.
  bool Allow();
  // The outcome of an allowed call. Failures are what the backend is to blame for: no answer,
  // 5xx, 429, a malformed answer — not a request it rightly refused.
  void Record(bool ok, std::chrono::milliseconds latency);

  State state() const;
  static const char* StateName(State s);

 private:
  void Trip(int64_t now_ms);  // mu_ held

  const BreakerOptions options_;
  const Clock* const clock_;
  mutable std::mutex mu_;
  State state_ = State::kClosed;
  int64_t opened_at_ms_ = 0;
  int probes_in_flight_ = 0;
  struct Outcome {
    bool failed;
    bool slow;
  };
  std::deque<Outcome> window_;
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_BREAKER_H_
