// A small synchronous Redis client over hiredis 0.14 (Debian 12): a pool of connections, each
// used by one thread at a time; binary-safe arguments; connect and command timeouts. After a
// failure the client rests for `backoff` and answers kUnavailable at once meanwhile, so a Redis
// outage costs callers one timeout, not one per request.
//
// hiredis 0.14 has no TLS: point it at a Redis on the same host or a private network (AUTH with
// a password is supported: redis://:password@host:port/db).
//
// Thread-safety: Command may be called from any number of threads.
#ifndef CRMI_COMMON_REDIS_H_
#define CRMI_COMMON_REDIS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;  // empty: no AUTH
  int db = 0;
  std::chrono::milliseconds timeout{200};  // connect and each command
  size_t max_idle = 8;                     // connections kept for reuse
  std::chrono::milliseconds backoff{1000};
};

// redis://[:password@]host[:port][/db]. kInvalidArgument otherwise.
Result<RedisOptions> ParseRedisUrl(std::string_view url);

struct RedisReply {
  enum class Type { kNil, kString, kInteger, kStatus, kArray };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus
  int64_t integer = 0;
  std::vector<RedisReply> elements;
};

class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command ({"SET", key, value, "EX", "60"}). kUnavailable when Redis cannot be reached
  // or answers with an error (its message included), or while resting after a failure.
  Result<RedisReply> Command(const std::vector<std::string>& args);

 private:
  struct Conn;
  Result<std::unique_ptr<Conn>> Connect();
  void Release(std::unique_ptr<Conn> c);
  Status Failed(std::string what);

  const RedisOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_;
  std::atomic<int64_t> resting_until_ns_{0};
};

}  // namespace crmi

#endif  // CRMI_COMMON_REDIS_H_
