// The exact-match answer cache of /v1/ask: an answer is reused only for the same normalised
// question, model alias, template version, contact, reveal decision and the caller's whole
// policy scope (every collection's row filter, masks and redaction, and the caller's regions,
// hashed) — so an answer never crosses a permission boundary: two callers share an entry only
// when the policy lets them see exactly the same records the same way.
//
// Entries are dropped when any record of their tenant changes (a per-tenant generation, bumped
// from the store's change feed: coarse, never stale), after `ttl`, and least recently used
// beyond `capacity`.
//
// Thread-safety: all methods may be called from any thread.
#ifndef CRMI_LLM_ANSWER_CACHE_H_
#define CRMI_LLM_ANSWER_CACHE_H_

#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "src/common/clock.h"
#include "src/llm/ask.h"
#include "src/store/store.h"

namespace crmi::llm {

class AnswerCache {
 public:
  // With `store` (may be null; must outlive the cache), every committed change invalidates its
  // tenant's entries.
  AnswerCache(size_t capacity, std::chrono::milliseconds ttl, const Clock* clock,
              store::Store* store = nullptr);
  ~AnswerCache();
  AnswerCache(const AnswerCache&) = delete;
  AnswerCache& operator=(const AnswerCache&) = delete;

  // The key of `request` (with its alias resolved) for `template_id` ("grounded-answer@1").
  static std::string Key(const AskRequest& request, const std::string& alias,
                         const std::string& template_id);

  // The cached answer, or null.
  std::shared_ptr<const AskResult> Get(const std::string& tenant, const std::string& key);
  void Put(const std::string& tenant, const std::string& key, AskResult result);
  // A record of `tenant` changed: its entries are no longer valid.
  void Invalidate(const std::string& tenant);

  size_t size();

 private:
  struct Entry {
    std::string key;
    std::string tenant;
    uint64_t generation;
    int64_t expires_ms;
    std::shared_ptr<const AskResult> result;
  };
  const size_t capacity_;
  const std::chrono::milliseconds ttl_;
  const Clock* clock_;
  store::Store* const store_;
  int listener_id_ = 0;
  std::mutex mu_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::map<std::string, uint64_t> generation_;  // tenant → changes seen
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_ANSWER_CACHE_H_
