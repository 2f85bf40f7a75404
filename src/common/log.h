// Structured logging: one JSON object per line, two channels.
//
//   app    — lifecycle and error events: {"ts","level","msg","request_id"?, ...fields}
//   access — one line per HTTP request, written by the access-log filter.
//
// Lines are queued and written by a background thread (spdlog async), so logging never blocks
// on disk. Every line written while a ScopedRequestId is active on the thread carries that
// request id. Callers must never pass secrets or clear-text PII as field values: log ids, counts
// and shapes, not contents.
//
// Thread-safety: all functions are safe from any thread once Init() returned. Before Init() (and
// after Shutdown()) lines go synchronously to stderr.
#ifndef CRMI_COMMON_LOG_H_
#define CRMI_COMMON_LOG_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "src/common/json_text.h"
#include "src/common/status.h"

namespace crmi::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// "debug|info|warn|error|off".
Result<Level> ParseLevel(std::string_view name);

struct Options {
  Level level = Level::kInfo;
  // Where each channel goes: "stderr", "stdout", "off", or a file path (appended to).
  std::string app_sink = "stderr";
  std::string access_sink = "stderr";
};

Status Init(const Options& options);
// Flushes queued lines and reverts to synchronous stderr. Safe to call twice.
void Shutdown();

bool Enabled(Level level);

// Extra members of a log line, built in order: log::Info("x", log::Fields().Add("n", 3)).
using Fields = JsonObject;

void Write(Level level, std::string_view msg, const Fields& fields = Fields());
inline void Debug(std::string_view m, const Fields& f = Fields()) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, const Fields& f = Fields()) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, const Fields& f = Fields()) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, const Fields& f = Fields()) { Write(Level::kError, m, f); }

// Writes one access-log line; `fields` become members after "ts".
void Access(const Fields& fields);
bool AccessEnabled();

// While alive, log lines written on this thread carry "request_id". Nestable; restores the
// previous id on destruction. `id` must outlive the scope.
class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string_view id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string_view previous_;
};

std::string_view CurrentRequestId();

}  // namespace crmi::log

#endif  // CRMI_COMMON_LOG_H_
