// The answer cache's shared layer (L2) in Redis, for several crmi processes (or restarts) to
// reuse each other's answers.
//
//   <prefix>gen:<tenant>          the tenant's generation (INCR on every change a process sees)
//   <prefix>ans:<sha256(tenant, generation, key)>   an answer, sealed, with an expiry (PX)
//
// Values hold customer data, so they are sealed (AES-256-GCM under the master keys, bound to
// their key): Redis, its persistence files and its replication never see an answer in clear. A
// value that does not open (another master key, damage) is a miss.
//
// A change seen here is published by a background thread (INCR); until it is, Generation
// answers nullopt for the tenant and the cache does not use the L2 for it — this process never
// serves an answer older than its own writes. Other processes see the change once the INCR
// lands. Erased data: entries become unreachable at the bump and expire within the cache TTL.
// Run the cache's Redis without persistence (save ""): a restored snapshot could bring back an
// old generation.
//
// Thread-safety: all methods may be called concurrently.
#ifndef CRMI_LLM_REDIS_ANSWERS_H_
#define CRMI_LLM_REDIS_ANSWERS_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "src/common/metrics.h"
#include "src/common/redis.h"
#include "src/llm/answer_cache.h"

namespace prometheus {
class Counter;
}  // namespace prometheus

namespace crmi::llm {

struct RedisAnswersOptions {
  std::string prefix = "crmi:";
  // Seal and open values; `context` is bound to the result. Both required.
  std::function<Result<std::string>(std::string_view plain, std::string_view context)> seal;
  std::function<Result<std::string>(std::string_view sealed, std::string_view context)> open;
};

class RedisAnswers final : public SharedAnswers {
 public:
  // `client` is shared with nothing that needs other semantics; `registry` may be null.
  RedisAnswers(std::shared_ptr<RedisClient> client, RedisAnswersOptions options,
               metrics::Registry* registry);
  ~RedisAnswers() override;

  std::optional<uint64_t> Generation(const std::string& tenant) override;
  std::optional<std::string> Get(const std::string& tenant, uint64_t generation,
                                 const std::string& key) override;
  void Put(const std::string& tenant, uint64_t generation, const std::string& key,
           std::string_view value, std::chrono::milliseconds ttl) override;
  void Advance(const std::string& tenant) override;

  // Waits until every change announced so far is published; false on timeout (tests).
  bool WaitPublished(std::chrono::milliseconds timeout);

 private:
  std::string AnswerKey(const std::string& tenant, uint64_t generation,
                        const std::string& key) const;
  void Error();
  void PublishLoop();

  std::shared_ptr<RedisClient> client_;
  const RedisAnswersOptions options_;
  prometheus::Counter* errors_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, uint64_t> pending_;  // tenant → changes not yet published
  bool stopping_ = false;
  std::thread publisher_;
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_REDIS_ANSWERS_H_
