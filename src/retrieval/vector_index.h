// Nearest-neighbour indexes over float vectors, with filters evaluated inside the search.
//
// Ids are the caller's (64-bit, e.g. chunk ids). Adding an id that exists replaces its vector;
// a removed id is never returned. A search returns at most k hits, closest first; with a filter,
// only allowed ids — and never fewer than k when k allowed ids exist (an index that cannot
// guarantee that on its own scans the allowed set instead).
//
// Thread-safety: implementations allow concurrent Search calls with one Add/Remove at a time
// (they serialise writers against readers internally).
#ifndef CRMI_RETRIEVAL_VECTOR_INDEX_H_
#define CRMI_RETRIEVAL_VECTOR_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/retrieval/distance.h"

namespace crmi::retrieval {

struct Neighbor {
  uint64_t id = 0;
  float distance = 0;
};

// Which ids a search may return: built by the caller from the tenant, the policy's row filter
// and the request's filters.
class IdFilter {
 public:
  virtual ~IdFilter() = default;
  virtual bool Allows(uint64_t id) const = 0;
  // How many ids are allowed (an upper bound is fine): the planner compares it with the cost of
  // a graph traversal.
  virtual size_t AllowedCount() const = 0;
  // Calls `fn` for every allowed id (an exact scan's input).
  virtual void ForEachAllowed(const std::function<void(uint64_t)>& fn) const = 0;
};

// Allowed ids as a bitmap over [0, universe): O(1) membership, enumeration by word scan.
class BitmapFilter final : public IdFilter {
 public:
  explicit BitmapFilter(uint64_t universe) : bits_((universe + 63) / 64, 0) {}
  void Allow(uint64_t id) {
    if (id / 64 >= bits_.size()) bits_.resize(id / 64 + 1, 0);
    const uint64_t bit = uint64_t{1} << (id % 64);
    count_ += (bits_[id / 64] & bit) == 0;
    bits_[id / 64] |= bit;
  }
  bool Allows(uint64_t id) const override {
    return id / 64 < bits_.size() && (bits_[id / 64] >> (id % 64) & 1) != 0;
  }
  size_t AllowedCount() const override { return count_; }
  void ForEachAllowed(const std::function<void(uint64_t)>& fn) const override;

 private:
  std::vector<uint64_t> bits_;
  size_t count_ = 0;
};

struct SearchParams {
  size_t k = 10;
  size_t ef = 64;  // HNSW beam width (at least k is used)
  const IdFilter* filter = nullptr;
  // kAuto lets the index's planner choose; the others force a plan (tests, recall monitors).
  enum class Strategy { kAuto, kGraph, kScan };
  Strategy strategy = Strategy::kAuto;
};

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  virtual size_t dim() const = 0;
  virtual Metric metric() const = 0;
  // Live vectors (removed ones excluded).
  virtual size_t size() const = 0;

  // kInvalidArgument when the vector's size is not dim() or it holds a NaN/Inf.
  virtual Status Add(uint64_t id, std::span<const float> vector) = 0;
  // kNotFound when the id is not in the index.
  virtual Status Remove(uint64_t id) = 0;

  // Copies the stored vector of a live id into out[0, dim()). kNotFound when the id is not live.
  virtual Status GetVector(uint64_t id, float* out) const = 0;

  // kInvalidArgument when the query's size is not dim(), k is 0, or it holds a NaN/Inf.
  virtual Result<std::vector<Neighbor>> Search(std::span<const float> query,
                                               const SearchParams& params) const = 0;
};

// True when every value is finite.
bool AllFinite(std::span<const float> v);

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_VECTOR_INDEX_H_
