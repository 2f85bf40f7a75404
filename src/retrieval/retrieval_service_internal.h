// RetrievalService's per-tenant state, shared by the files that implement the service
// (retrieval_service.cc: refresh, builds, search; retrieval_snapshots.cc: snapshots and
// reconciliation with the store). Not part of the library's interface.
#ifndef CRMI_RETRIEVAL_RETRIEVAL_SERVICE_INTERNAL_H_
#define CRMI_RETRIEVAL_RETRIEVAL_SERVICE_INTERNAL_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "src/retrieval/retrieval_service.h"

namespace crmi::retrieval {

using SteadyClock = std::chrono::steady_clock;
// A failed refresh is tried again after this long.
inline constexpr auto kRetryAfter = std::chrono::seconds(1);

inline int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

struct RetrievalService::Sample {
  std::vector<float> query;
  ChunkPredicate predicate;
  size_t k = 10;
};

struct RetrievalService::Tenant {
  std::string name;
  // The serving state, swapped whole by a reindex.
  std::mutex state_mu;
  std::shared_ptr<Embedder> embedder;  // null: lexical only
  std::shared_ptr<ChunkIndex> index;
  bool ready = false;
  std::string last_error;
  // Held while changes are applied, so a reindex can replay and swap without losing one.
  std::mutex apply_mu;
  // Records changed while a reindex builds its new index (under apply_mu).
  bool recording = false;
  std::set<std::pair<std::string, std::string>> changed_during_reindex;
  size_t words_seen = 0;  // of indexed passages; triggers the first training
  // Recent vector queries with their predicates, for the recall monitor.
  std::mutex samples_mu;
  std::vector<Sample> samples;
  size_t next_sample = 0;
  double recall = -1;     // last measured recall@k of the vector component; -1: not yet
  bool reopened = false;  // under state_mu
  // Snapshots: changes applied to the serving index since start, and how many of them the last
  // snapshot holds; when it was written (or reopened) and what it cost, in steady-clock ms.
  std::mutex save_mu;  // one snapshot at a time
  std::atomic<uint64_t> applied_changes{0};
  // Bumped after every change applied to the serving index and at every swap: the retrieval
  // cache serves a result only under the generation it was computed at.
  std::atomic<uint64_t> generation{0};
  std::atomic<uint64_t> saved_changes{0};
  std::atomic<int64_t> last_save_ms{INT64_MIN};
  std::atomic<int64_t> last_save_cost_ms{0};

  std::pair<std::shared_ptr<Embedder>, std::shared_ptr<ChunkIndex>> Snapshot() {
    std::lock_guard lock(state_mu);
    return {embedder, index};
  }
};

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_RETRIEVAL_SERVICE_INTERNAL_H_
