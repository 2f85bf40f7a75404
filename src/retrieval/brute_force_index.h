// Exact nearest neighbours by scanning every vector: the oracle the HNSW index is tested
// against, and the right index for small collections.
//
// Thread-safety: see VectorIndex (a shared mutex serialises writers against readers).
#ifndef CRMI_RETRIEVAL_BRUTE_FORCE_INDEX_H_
#define CRMI_RETRIEVAL_BRUTE_FORCE_INDEX_H_

#include <shared_mutex>
#include <unordered_map>

#include "src/retrieval/vector_index.h"

namespace crmi::retrieval {

class BruteForceIndex final : public VectorIndex {
 public:
  BruteForceIndex(size_t dim, Metric metric);

  size_t dim() const override { return dim_; }
  Metric metric() const override { return metric_; }
  size_t size() const override;
  Status Add(uint64_t id, std::span<const float> vector) override;
  Status Remove(uint64_t id) override;
  Status GetVector(uint64_t id, float* out) const override;
  Result<std::vector<Neighbor>> Search(std::span<const float> query,
                                       const SearchParams& params) const override;

 private:
  const size_t dim_;
  const Metric metric_;
  const DistanceFn distance_;
  mutable std::shared_mutex mu_;
  std::vector<float> vectors_;  // slot-major
  std::vector<uint64_t> ids_;   // slot → id
  std::unordered_map<uint64_t, size_t> slot_of_;
};

// The k closest of `candidates` (id, distance) pairs, closest first; ties by id.
std::vector<Neighbor> TopK(std::vector<Neighbor> candidates, size_t k);

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_BRUTE_FORCE_INDEX_H_
