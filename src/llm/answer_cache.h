// The answer cache of /v1/ask. An answer is reused only for the same normalised question, model
// alias, template version and variables, contact, reveal decision and the caller's whole policy
// scope (every collection's row filter with its values, masks and redaction, and the caller's
// regions, hashed) — so an answer never crosses a permission boundary: two callers share an
// entry only when the policy lets them see exactly the same records the same way.
//
// Three layers:
//  - L1, in process: exact keys, LRU beyond `capacity`, `ttl`.
//  - Semantic, in process: the most similar cached question (embedding cosine ≥ a threshold)
//    with the same scope and the same anchors (numbers, ids, names: SimilarKey).
//  - L2, shared (optional, SharedAnswers: Redis): exact keys across processes and restarts,
//    values sealed, expiring after `ttl`.
//
// Staleness: any committed change to a tenant's records bumps its generation (from the store's
// change feed: coarse, never stale). Callers read a Stamp before computing an answer and Put
// under it, so an answer computed while a record changed is not kept. The L2 keys carry the
// tenant's shared generation, which each process advances on its own changes; until its bump
// is published, that process does not use the L2 for the tenant.
//
// Thread-safety: all methods may be called from any thread.
#ifndef CRMI_LLM_ANSWER_CACHE_H_
#define CRMI_LLM_ANSWER_CACHE_H_

#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/common/clock.h"
#include "src/llm/ask.h"
#include "src/store/store.h"

namespace crmi::llm {

// The shared layer (L2) of the answer cache. Implementations must be thread-safe; every method
// may fail softly (a miss, a value not kept): the cache is an optimisation, never a source of
// truth.
class SharedAnswers {
 public:
  virtual ~SharedAnswers() = default;
  // The tenant's shared generation; nullopt when it cannot be had, or while a change made here
  // has not been published yet (the L2 must not be used for the tenant then).
  virtual std::optional<uint64_t> Generation(const std::string& tenant) = 0;
  virtual std::optional<std::string> Get(const std::string& tenant, uint64_t generation,
                                         const std::string& key) = 0;
  virtual void Put(const std::string& tenant, uint64_t generation, const std::string& key,
                   std::string_view value, std::chrono::milliseconds ttl) = 0;
  // A record of the tenant changed in this process: publish a new generation (may be
  // asynchronous; Generation answers nullopt until it is done).
  virtual void Advance(const std::string& tenant) = 0;
};

// An answer as the L2 keeps it, and back (kDataLoss for text that is not one).
std::string AskResultToJson(const AskResult& r);
Result<AskResult> AskResultFromJson(std::string_view json);

class AnswerCache {
 public:
  // With `store` (may be null; must outlive the cache), every committed change invalidates its
  // tenant's entries.
  AnswerCache(size_t capacity, std::chrono::milliseconds ttl, const Clock* clock,
              store::Store* store = nullptr, SharedAnswers* shared = nullptr);
  ~AnswerCache();
  AnswerCache(const AnswerCache&) = delete;
  AnswerCache& operator=(const AnswerCache&) = delete;

  // The key of `request` (with its alias resolved) for `template_id` ("grounded-answer@1").
  static std::string Key(const AskRequest& request, const std::string& alias,
                         const std::string& template_id);
  // The semantic key: the same as Key but for the question, of which only its anchors — numbers,
  // identifiers, e-mail addresses, capitalised words (names), negations — and its set of content
  // terms count: "What is Ewa's balance?" never finds "What is Jan's balance?", nor "cancel my
  // order" "change my order", however close their embeddings; the cosine threshold then decides
  // among paraphrases that differ in order, inflection and function words. `with_terms` false
  // drops the terms (cosine and anchors only: for evaluation, bench/llm/semantic_cache_eval).
  static std::string SimilarKey(const AskRequest& request, const std::string& alias,
                                const std::string& template_id, bool with_terms = true);

  // The generations an answer is computed under: read before computing it.
  struct Stamp {
    uint64_t local = 0;
    std::optional<uint64_t> shared;  // nullopt: the L2 is not used for this answer
  };
  Stamp Begin(const std::string& tenant);

  // The cached answer (L1, then L2), or null. *shared_hit tells which (may be null).
  std::shared_ptr<const AskResult> Get(const std::string& tenant, const std::string& key,
                                       const Stamp& stamp, bool* shared_hit = nullptr);
  // The semantic layer: the answer to the most similar question cached under `similar_key`
  // (cosine of the normalised question embeddings), when it is at least `threshold`; its
  // similarity in *similarity.
  std::shared_ptr<const AskResult> GetSimilar(const std::string& tenant,
                                              const std::string& similar_key,
                                              const std::vector<float>& embedding, double threshold,
                                              double* similarity);
  // Keeps `result` under `stamp` (nothing when the tenant changed since). `similar_key` and
  // `embedding` (normalised; may be empty) enter it in the semantic layer.
  void Put(const std::string& tenant, const std::string& key, const Stamp& stamp, AskResult result,
           const std::string& similar_key = "", std::vector<float> embedding = {});
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
    std::vector<float> embedding;
  };
  static std::string ScopedKey(const AskRequest& request, const std::string& alias,
                               const std::string& template_id, const std::string& question);
  // Drops semantic buckets' keys whose entries are gone (mu_ held).
  void PruneSimilarLocked();
  const size_t capacity_;
  const std::chrono::milliseconds ttl_;
  const Clock* clock_;
  store::Store* const store_;
  SharedAnswers* const shared_;
  // L1 entry without the lock's help (mu_ held).
  void InsertLocked(const std::string& tenant, const std::string& key, uint64_t generation,
                    std::shared_ptr<const AskResult> result, const std::string& similar_key,
                    std::vector<float> embedding);
  int listener_id_ = 0;
  std::mutex mu_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::map<std::string, uint64_t> generation_;  // tenant → changes seen
  // tenant '\0' similar key → exact keys, newest first (their entries hold the embeddings).
  std::unordered_map<std::string, std::list<std::string>> similar_;
  size_t similar_keys_ = 0;
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_ANSWER_CACHE_H_
