#include "src/common/log.h"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "src/common/clock.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"

namespace crmi::log {
namespace {

thread_local std::string_view t_request_id;

struct State {
  std::mutex mu;  // guards (re)initialisation; the loggers themselves are thread-safe
  // Owned loggers. Never destroyed while the process runs: the hot path reads the raw atomic
  // pointers below without taking a lock, so a logger must outlive any reader.
  std::vector<std::shared_ptr<spdlog::logger>> keep_alive;
  std::atomic<spdlog::logger*> app{nullptr};
  std::atomic<spdlog::logger*> access{nullptr};
  std::atomic<int> level{static_cast<int>(Level::kInfo)};
  std::atomic<bool> access_on{true};
};

State& GetState() {
  static State* s = new State();  // leaked on purpose: logging works during static teardown
  return *s;
}

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kOff:
      return "off";
  }
  return "info";
}

Result<std::shared_ptr<spdlog::logger>> MakeLogger(const std::string& name, const std::string& sink,
                                                   bool flush_each) {
  if (sink == "off") return std::shared_ptr<spdlog::logger>();
  spdlog::sink_ptr s;
  try {
    if (sink == "stderr") {
      s = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else if (sink == "stdout") {
      s = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      s = std::make_shared<spdlog::sinks::basic_file_sink_mt>(sink, /*truncate=*/false);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return InvalidArgument("cannot open log sink '" + sink + "': " + e.what());
  }
  s->set_pattern("%v");
  // Registered under a unique name so that the periodic flusher (spdlog::flush_every) sees it.
  static std::atomic<int> generation{0};
  auto logger = std::make_shared<spdlog::async_logger>(name + "-" + std::to_string(++generation), s,
                                                       spdlog::thread_pool(),
                                                       spdlog::async_overflow_policy::block);
  logger->set_level(spdlog::level::trace);
  logger->set_pattern("%v");
  // App lines are rare and matter when things go wrong: flush each. Access lines are many: the
  // periodic flusher bounds their delay to a second.
  logger->flush_on(flush_each ? spdlog::level::trace : spdlog::level::warn);
  spdlog::register_logger(logger);
  return std::shared_ptr<spdlog::logger>(std::move(logger));
}

void Emit(spdlog::logger* logger, const std::string& line) {
  if (logger) {
    logger->info(line);
  } else {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
  }
}

// Closes `line` (an open object) with the members of `fields`.
void AppendMembers(std::string* line, const Fields& fields) {
  const std::string_view members = fields.members();
  if (!members.empty()) {
    line->push_back(',');
    line->append(members);
  }
  line->push_back('}');
}

}  // namespace

Result<Level> ParseLevel(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn") return Level::kWarn;
  if (name == "error") return Level::kError;
  if (name == "off") return Level::kOff;
  return InvalidArgument("unknown log level '" + std::string(name) +
                         "' (expected debug, info, warn, error or off)");
}

Status Init(const Options& options) {
  State& st = GetState();
  std::lock_guard<std::mutex> lock(st.mu);
  if (!spdlog::thread_pool()) {
    spdlog::init_thread_pool(16384, 1);
    spdlog::flush_every(std::chrono::seconds(1));
  }
  auto app = MakeLogger("app", options.app_sink, /*flush_each=*/true);
  if (!app.ok()) return app.status();
  auto access = MakeLogger("access", options.access_sink, /*flush_each=*/false);
  if (!access.ok()) return access.status();
  st.keep_alive.push_back(app.value());
  st.keep_alive.push_back(access.value());
  st.app = app.value().get();
  st.access = access.value().get();
  st.level = static_cast<int>(options.level);
  st.access_on = options.access_sink != "off";
  // Sinks were "off": keep the null logger but remember not to fall back to stderr.
  if (!st.app && options.app_sink == "off") st.level = static_cast<int>(Level::kOff);
  return Status::Ok();
}

void Shutdown() {
  State& st = GetState();
  std::lock_guard<std::mutex> lock(st.mu);
  st.app = nullptr;
  st.access = nullptr;
  // Joins the logging thread after it drained the queue; later lines go to stderr directly.
  spdlog::shutdown();
}

bool Enabled(Level level) { return static_cast<int>(level) >= GetState().level.load(); }
bool AccessEnabled() { return GetState().access_on.load(); }

void Write(Level level, std::string_view msg, const Fields& fields) {
  if (!Enabled(level) || level == Level::kOff) return;
  std::string line = "{\"ts\":\"";
  line += FormatRfc3339Millis(Clock::Real()->NowUnixMillis());
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += "\",\"msg\":";
  AppendJsonString(&line, msg);
  if (!t_request_id.empty()) {
    line += ",\"request_id\":";
    AppendJsonString(&line, t_request_id);
  }
  AppendMembers(&line, fields);
  Emit(GetState().app.load(), line);
}

void Access(const Fields& fields) {
  State& st = GetState();
  if (!st.access_on.load()) return;
  std::string line = "{\"ts\":\"";
  line += FormatRfc3339Millis(Clock::Real()->NowUnixMillis());
  line += "\",\"msg\":\"access\"";
  AppendMembers(&line, fields);
  Emit(st.access.load(), line);
}

ScopedRequestId::ScopedRequestId(std::string_view id) : previous_(t_request_id) {
  t_request_id = id;
}
ScopedRequestId::~ScopedRequestId() { t_request_id = previous_; }

std::string_view CurrentRequestId() { return t_request_id; }

}  // namespace crmi::log
