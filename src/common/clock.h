// Clock: the one place crmi reads time, so tests can fake it (LevelDB's Env idea, time only).
//
// Thread-safety: implementations are safe to call from any thread.
#ifndef CRMI_COMMON_CLOCK_H_
#define CRMI_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace crmi {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the Unix epoch (UTC). Used for record timestamps.
  virtual int64_t NowUnixMillis() const = 0;
  // Monotonic nanoseconds for durations; unrelated to wall time.
  virtual int64_t MonotonicNanos() const = 0;

  // The process-wide real clock. Never null, never destroyed.
  static Clock* Real();
};

// A clock tests move by hand.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_millis = 1'767'225'600'000) : millis_(unix_millis) {}
  int64_t NowUnixMillis() const override { return millis_.load(); }
  int64_t MonotonicNanos() const override { return millis_.load() * 1'000'000; }
  void Advance(std::chrono::milliseconds d) { millis_ += d.count(); }
  void Set(int64_t unix_millis) { millis_ = unix_millis; }

 private:
  std::atomic<int64_t> millis_;
};

}  // namespace crmi

#endif  // CRMI_COMMON_CLOCK_H_
