#include "src/llm/redis_answers.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <charconv>

#include "src/common/crypto.h"

namespace crmi::llm {

RedisAnswers::RedisAnswers(std::shared_ptr<RedisClient> client, RedisAnswersOptions options,
                           metrics::Registry* registry)
    : client_(std::move(client)), options_(std::move(options)) {
  if (registry != nullptr) {
    errors_ = &prometheus::BuildCounter()
                   .Name("crmi_llm_cache_shared_errors_total")
                   .Help("Failed calls to the answer cache's shared layer (Redis); each is a miss")
                   .Register(registry->prom())
                   .Add({});
  }
  publisher_ = std::thread([this] { PublishLoop(); });
}

RedisAnswers::~RedisAnswers() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  publisher_.join();
}

void RedisAnswers::Error() {
  if (errors_ != nullptr) errors_->Increment();
}

std::string RedisAnswers::AnswerKey(const std::string& tenant, uint64_t generation,
                                    const std::string& key) const {
  std::string id = tenant;
  id += '\0';
  id += std::to_string(generation);
  id += '\0';
  id += key;
  return options_.prefix + "ans:" + crypto::Sha256Hex(id);
}

std::optional<uint64_t> RedisAnswers::Generation(const std::string& tenant) {
  {
    std::lock_guard lock(mu_);
    if (pending_.count(tenant) != 0) return std::nullopt;  // our own change is not out yet
  }
  auto r = client_->Command({"GET", options_.prefix + "gen:" + tenant});
  if (!r.ok()) {
    Error();
    return std::nullopt;
  }
  if (r->type == RedisReply::Type::kNil) return 0;
  uint64_t g = 0;
  const std::string& s = r->str;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), g);
  if (r->type != RedisReply::Type::kString || ec != std::errc() || p != s.data() + s.size()) {
    Error();
    return std::nullopt;
  }
  return g;
}

std::optional<std::string> RedisAnswers::Get(const std::string& tenant, uint64_t generation,
                                             const std::string& key) {
  const std::string k = AnswerKey(tenant, generation, key);
  auto r = client_->Command({"GET", k});
  if (!r.ok()) {
    Error();
    return std::nullopt;
  }
  if (r->type != RedisReply::Type::kString) return std::nullopt;
  auto opened = options_.open(r->str, k);
  if (!opened.ok()) {
    Error();
    return std::nullopt;
  }
  return std::move(opened).value();
}

void RedisAnswers::Put(const std::string& tenant, uint64_t generation, const std::string& key,
                       std::string_view value, std::chrono::milliseconds ttl) {
  const std::string k = AnswerKey(tenant, generation, key);
  auto sealed = options_.seal(value, k);
  if (!sealed.ok()) {
    Error();
    return;
  }
  auto r = client_->Command({"SET", k, *sealed, "PX", std::to_string(ttl.count())});
  if (!r.ok()) Error();
}

void RedisAnswers::Advance(const std::string& tenant) {
  {
    std::lock_guard lock(mu_);
    ++pending_[tenant];
  }
  cv_.notify_all();
}

void RedisAnswers::PublishLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    const std::map<std::string, uint64_t> batch = pending_;
    lock.unlock();
    std::map<std::string, uint64_t> done;
    for (const auto& [tenant, n] : batch) {
      if (client_->Command({"INCR", options_.prefix + "gen:" + tenant}).ok()) {
        done[tenant] = n;
      } else {
        Error();
      }
    }
    lock.lock();
    for (const auto& [tenant, n] : done) {
      auto it = pending_.find(tenant);
      if (it != pending_.end() && (it->second -= n) == 0) pending_.erase(it);
    }
    cv_.notify_all();
    if (done.size() != batch.size()) {
      // Redis is away: the tenants stay off the L2 until it is back.
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  }
}

bool RedisAnswers::WaitPublished(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return pending_.empty(); });
}

}  // namespace crmi::llm
