#include "src/common/redis.h"

#include <hiredis/hiredis.h>

#include <charconv>

namespace crmi {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

// One command, arguments binary-safe; null when the connection failed (its errstr says why).
redisReply* Run(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return static_cast<redisReply*>(
      redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
}

}  // namespace

struct RedisClient::Conn {
  redisContext* ctx = nullptr;
  ~Conn() {
    if (ctx != nullptr) redisFree(ctx);
  }
};

Result<RedisOptions> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgument("a Redis URL starts with redis:// (rediss:// is not supported)");
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisOptions o;
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    if (const size_t colon = auth.find(':'); colon != std::string_view::npos) {
      auth = auth.substr(colon + 1);  // user names (Redis 6 ACLs) are not supported: password
    }
    o.password = std::string(auth);
    rest = rest.substr(at + 1);
  }
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), o.db);
      if (ec != std::errc() || p != db.data() + db.size() || o.db < 0 || o.db > 15) {
        return InvalidArgument("the Redis database is a number from 0 to 15");
      }
    }
    rest = rest.substr(0, slash);
  }
  if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    const std::string_view port = rest.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), o.port);
    if (ec != std::errc() || p != port.data() + port.size() || o.port < 1 || o.port > 65535) {
      return InvalidArgument("the Redis port is a number from 1 to 65535");
    }
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return InvalidArgument("the Redis URL names no host");
  o.host = std::string(rest);
  return o;
}

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {}
RedisClient::~RedisClient() = default;

Status RedisClient::Failed(std::string what) {
  resting_until_ns_ =
      NowNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(options_.backoff).count();
  return Unavailable("redis " + options_.host + ":" + std::to_string(options_.port) + ": " + what);
}

Result<std::unique_ptr<RedisClient::Conn>> RedisClient::Connect() {
  auto c = std::make_unique<Conn>();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout).count();
  const timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  c->ctx = redisConnectWithTimeout(options_.host.c_str(), options_.port, tv);
  if (c->ctx == nullptr) return Failed("cannot allocate a connection");
  if (c->ctx->err != 0) return Failed(c->ctx->errstr);
  if (redisSetTimeout(c->ctx, tv) != REDIS_OK) return Failed("cannot set the timeout");
  auto setup = [&](const std::vector<std::string>& args) -> Status {
    redisReply* r = Run(c->ctx, args);
    if (r == nullptr) return Failed(c->ctx->errstr);
    const bool error = r->type == REDIS_REPLY_ERROR;
    std::string message = error ? std::string(r->str, r->len) : "";
    freeReplyObject(r);
    // Never echo what was sent: the AUTH command carries the password.
    if (error) return Failed(args[0] + " refused: " + message);
    return Status::Ok();
  };
  if (!options_.password.empty()) RETURN_IF_ERROR(setup({"AUTH", options_.password}));
  if (options_.db != 0) RETURN_IF_ERROR(setup({"SELECT", std::to_string(options_.db)}));
  return c;
}

void RedisClient::Release(std::unique_ptr<Conn> c) {
  std::lock_guard lock(mu_);
  if (idle_.size() < options_.max_idle) idle_.push_back(std::move(c));
}

Result<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  if (NowNs() < resting_until_ns_.load()) {
    return Unavailable("redis " + options_.host + ":" + std::to_string(options_.port) +
                       " failed recently; not retried yet");
  }
  std::unique_ptr<Conn> c;
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (c == nullptr) {
    ASSIGN_OR_RETURN(c, Connect());
  }
  redisReply* r = Run(c->ctx, args);
  if (r == nullptr) return Failed(c->ctx->errstr);  // the connection is dropped with c
  if (r->type == REDIS_REPLY_ERROR) {
    std::string message(r->str, r->len);
    freeReplyObject(r);
    Release(std::move(c));  // a refused command leaves the connection usable
    return Unavailable("redis refused " + args[0] + ": " + message);
  }
  RedisReply out = Convert(r);
  freeReplyObject(r);
  Release(std::move(c));
  return out;
}

}  // namespace crmi
