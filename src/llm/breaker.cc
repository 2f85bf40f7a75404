#include "src/llm/breaker.h"

namespace crmi::llm {

CircuitBreaker::CircuitBreaker(BreakerOptions options, const Clock* clock)
    : options_(options), clock_(clock) {}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mu_);
  if (state_ == State::kOpen) {
    if (clock_->NowUnixMillis() - opened_at_ms_ < options_.open_for.count()) return false;
    state_ = State::kHalfOpen;
    probes_in_flight_ = 0;
  }
  if (state_ == State::kHalfOpen) {
    if (probes_in_flight_ >= options_.half_open_probes) return false;
    ++probes_in_flight_;
  }
  return true;
}

void CircuitBreaker::Record(bool ok, std::chrono::milliseconds latency) {
  std::lock_guard lock(mu_);
  const bool slow = latency >= options_.slow_call;
  if (state_ == State::kHalfOpen) {
    if (probes_in_flight_ > 0) --probes_in_flight_;
    if (!ok || slow) {
      Trip(clock_->NowUnixMillis());
    } else {
      state_ = State::kClosed;
      window_.clear();
    }
    return;
  }
  if (state_ == State::kOpen) return;  // a call let through before the trip
  window_.push_back({!ok, slow});
  while (static_cast<int>(window_.size()) > options_.window) window_.pop_front();
  if (static_cast<int>(window_.size()) < options_.min_calls) return;
  int failed = 0, slow_calls = 0;
  for (const Outcome& o : window_) {
    failed += o.failed;
    slow_calls += o.slow;
  }
  const double n = static_cast<double>(window_.size());
  if (failed / n >= options_.failure_ratio || slow_calls / n >= options_.slow_ratio) {
    Trip(clock_->NowUnixMillis());
  }
}

void CircuitBreaker::Trip(int64_t now_ms) {
  state_ = State::kOpen;
  opened_at_ms_ = now_ms;
  probes_in_flight_ = 0;
  window_.clear();
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

const char* CircuitBreaker::StateName(State s) {
  switch (s) {
    case State::kClosed:
      return "closed";
    case State::kOpen:
      return "open";
    case State::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

}  // namespace crmi::llm
