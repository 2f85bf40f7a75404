// HNSW (Malkov & Yashunin, 2016) with filters inside the search, in the manner of hnswlib 0.7
// and Qdrant's filterable HNSW: nodes the filter rejects are still walked through (so the graph
// stays navigable) but never enter the results, and a planner scans the allowed set exactly when
// it is small enough that a scan is cheaper than the walk a selective filter needs.
//
// Layout: one block per node holding its level-0 links ([count, up to 2M slots]) and then its
// vector, so that expanding a node and scoring it touch neighbouring cache lines (separate
// arrays cost a second cache miss per visited node once the index outgrows the caches: 0.74-0.90x
// hnswlib's QPS at 1M vectors); upper levels per node. Distances come from the CPU's widest
// kernel (distance.h).
// Removal is a tombstone: the node keeps routing searches but is never returned; re-adding an id
// tombstones the old node and inserts a new one. `Compact()` (not yet) would rebuild without them.
//
// Thread-safety: concurrent searches; Add/Remove take an exclusive lock.
#ifndef CRMI_RETRIEVAL_HNSW_INDEX_H_
#define CRMI_RETRIEVAL_HNSW_INDEX_H_

#include <memory>
#include <random>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "src/retrieval/vector_index.h"

namespace crmi::retrieval {

struct HnswOptions {
  size_t m = 16;                 // links per node above level 0; 2m at level 0
  size_t ef_construction = 200;  // beam width while inserting
  uint64_t seed = 42;            // levels are drawn from this: builds are reproducible
  // The planner scans the allowed set when allowed² < scan_cost_factor · ef · live nodes, i.e.
  // when the walk (about scan_cost_factor · ef / selectivity distance computations) would cost
  // more than computing every allowed distance.
  double scan_cost_factor = 16;
  // Below this selectivity the walk looks through rejected neighbours to their neighbours
  // (two hops, as in ACORN-1) and computes distances for allowed nodes only. Below 10 % its beam
  // is at least 32 and widens (up to 3×) because the allowed subgraph gets sparser.
  double two_hop_below = 0.3;
  // Below this selectivity the two-hop walk loses recall whatever the size (measured on 200k
  // clustered vectors: recall@10 0.70-0.88 at 2 %, 0.86-0.96 at 3 %), so the planner scans.
  double scan_below = 0.04;
};

// Live id → slot. Ids that are small integers (a chunk index's labels) are kept in a flat array —
// one memory access per lookup, and an exact scan of an allowed set reads it in id order — and
// any others in a hash map. The array grows only for ids below twice the live count plus 2^20,
// so its size stays proportional to the index whatever ids a caller uses.
class IdSlots {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  uint32_t Find(uint64_t id) const {
    if (id < dense_.size() && dense_[id] != kNone) return dense_[id];
    if (sparse_.empty()) return kNone;
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kNone : it->second;
  }
  // False (and nothing changes) when the id is present.
  bool Insert(uint64_t id, uint32_t slot);
  void Erase(uint64_t id);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t MemoryBytes() const { return dense_.capacity() * 4 + sparse_.size() * 32; }

 private:
  std::vector<uint32_t> dense_;  // by id; kNone when absent
  std::unordered_map<uint64_t, uint32_t> sparse_;
  size_t size_ = 0;
};

class HnswIndex final : public VectorIndex {
 public:
  HnswIndex(size_t dim, Metric metric, HnswOptions options = {});

  size_t dim() const override { return dim_; }
  Metric metric() const override { return metric_; }
  size_t size() const override;
  Status Add(uint64_t id, std::span<const float> vector) override;
  Status Remove(uint64_t id) override;
  Status GetVector(uint64_t id, float* out) const override;
  Result<std::vector<Neighbor>> Search(std::span<const float> query,
                                       const SearchParams& params) const override;

  enum class Plan { kGraph, kScan };
  // What Search would do for these parameters now.
  Plan PlanFor(const SearchParams& params) const;

  // Nodes including tombstones, and bytes held by vectors and links (for benchmarks).
  size_t nodes() const;
  size_t MemoryBytes() const;

  // Writes the index to `path` atomically (a temporary file, fsync, rename, fsync of the
  // directory): a crash leaves the old file or the new one. Searches may run meanwhile; writers
  // wait. kUnavailable on I/O errors.
  Status Save(const std::string& path) const;
  // Reads an index written by Save. kDataLoss when the file is truncated, corrupt (checksum,
  // impossible sizes or links) or of another format version; kNotFound when it does not exist.
  static Result<std::unique_ptr<HnswIndex>> Load(const std::string& path);

 private:
  using Scored = std::pair<float, uint32_t>;  // (distance, slot)

  // Asks the kernel for transparent huge pages on [data, data + bytes).
  static void AdviseHugePages(unsigned char* data, size_t bytes);

  // Blocks are raw bytes holding uint32 links then floats (implicitly created objects, C++20).
  const float* Vec(uint32_t slot) const {
    return reinterpret_cast<const float*>(blocks_.data() + size_t{slot} * stride_ + links_bytes_);
  }
  uint32_t* Links(uint32_t slot, int level);
  const uint32_t* Links(uint32_t slot, int level) const;
  int RandomLevel();
  bool Dead(uint32_t slot) const { return (deleted_[slot / 64] >> (slot % 64) & 1) != 0; }

  Plan Choose(const SearchParams& params) const;
  uint32_t Greedy(const float* q, uint32_t entry, int from_level, int to_level) const;
  // Beam search on `level`. Accepted nodes (not tombstoned, allowed by `filter`; all nodes when
  // `construction`) fill the result, at most `ef` of them; returned sorted, closest first.
  std::vector<Scored> SearchLayer(const float* q, uint32_t entry, size_t ef, int level,
                                  const IdFilter* filter, bool construction) const;
  // Level 0 under a selective filter: candidates are allowed nodes only, reached directly or
  // through one rejected neighbour.
  std::vector<Scored> SearchTwoHop(const float* q, uint32_t entry, size_t ef,
                                   const IdFilter& filter) const;
  // hnswlib's heuristic: keep a candidate only when it is closer to the base than to every kept
  // one. `candidates` sorted closest first.
  std::vector<uint32_t> SelectNeighbors(const std::vector<Scored>& candidates, size_t m) const;
  void Link(uint32_t from, uint32_t to, int level);
  Result<std::vector<Neighbor>> Scan(const float* q, const SearchParams& params) const;

  const size_t dim_;
  const Metric metric_;
  const HnswOptions options_;
  const DistanceFn distance_;
  const size_t m0_;
  const double level_mult_;

  mutable std::shared_mutex mu_;
  std::mt19937_64 rng_;
  const size_t links_bytes_;                  // (m0_ + 1) · 4
  const size_t stride_;                       // block size, a multiple of 64
  std::vector<unsigned char> blocks_;         // per slot: level-0 links, then the vector
  std::vector<std::vector<uint32_t>> upper_;  // per slot: levels 1..L, [count, m slots] each
  std::vector<uint8_t> levels_;
  std::vector<uint64_t> ids_;      // slot → id
  std::vector<uint64_t> deleted_;  // tombstone bitmap by slot
  IdSlots slot_of_;                // live id → slot
  uint32_t entry_ = 0;
  int max_level_ = -1;  // -1: empty
};

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_HNSW_INDEX_H_
