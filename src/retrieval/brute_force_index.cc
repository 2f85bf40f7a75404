#include "src/retrieval/brute_force_index.h"

#include <algorithm>
#include <cmath>
#include <mutex>

namespace crmi::retrieval {

bool AllFinite(std::span<const float> v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

void BitmapFilter::ForEachAllowed(const std::function<void(uint64_t)>& fn) const {
  for (size_t w = 0; w < bits_.size(); ++w) {
    uint64_t word = bits_[w];
    while (word != 0) {
      fn(w * 64 + static_cast<uint64_t>(__builtin_ctzll(word)));
      word &= word - 1;
    }
  }
}

std::vector<Neighbor> TopK(std::vector<Neighbor> candidates, size_t k) {
  auto closer = [](const Neighbor& a, const Neighbor& b) {
    return a.distance < b.distance || (a.distance == b.distance && a.id < b.id);
  };
  if (candidates.size() > k) {
    std::nth_element(candidates.begin(), candidates.begin() + static_cast<ptrdiff_t>(k),
                     candidates.end(), closer);
    candidates.resize(k);
  }
  std::sort(candidates.begin(), candidates.end(), closer);
  return candidates;
}

BruteForceIndex::BruteForceIndex(size_t dim, Metric metric)
    : dim_(dim), metric_(metric), distance_(GetDistance(metric)) {}

size_t BruteForceIndex::size() const {
  std::shared_lock lock(mu_);
  return ids_.size();
}

Status BruteForceIndex::Add(uint64_t id, std::span<const float> vector) {
  if (vector.size() != dim_) return InvalidArgument("vector has the wrong dimension");
  if (!AllFinite(vector)) return InvalidArgument("vector has a NaN or infinite value");
  std::unique_lock lock(mu_);
  auto it = slot_of_.find(id);
  if (it != slot_of_.end()) {
    std::copy(vector.begin(), vector.end(), vectors_.begin() + it->second * dim_);
    return Status::Ok();
  }
  slot_of_.emplace(id, ids_.size());
  ids_.push_back(id);
  vectors_.insert(vectors_.end(), vector.begin(), vector.end());
  return Status::Ok();
}

Status BruteForceIndex::GetVector(uint64_t id, float* out) const {
  std::shared_lock lock(mu_);
  auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return NotFound("id " + std::to_string(id) + " is not in the index");
  std::copy(vectors_.begin() + static_cast<ptrdiff_t>(it->second * dim_),
            vectors_.begin() + static_cast<ptrdiff_t>((it->second + 1) * dim_), out);
  return Status::Ok();
}

Status BruteForceIndex::Remove(uint64_t id) {
  std::unique_lock lock(mu_);
  auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return NotFound("id " + std::to_string(id) + " is not in the index");
  // Move the last slot into the hole.
  const size_t slot = it->second;
  const size_t last = ids_.size() - 1;
  if (slot != last) {
    std::copy(vectors_.begin() + last * dim_, vectors_.begin() + (last + 1) * dim_,
              vectors_.begin() + slot * dim_);
    ids_[slot] = ids_[last];
    slot_of_[ids_[slot]] = slot;
  }
  slot_of_.erase(it);
  ids_.pop_back();
  vectors_.resize(last * dim_);
  return Status::Ok();
}

Result<std::vector<Neighbor>> BruteForceIndex::Search(std::span<const float> query,
                                                      const SearchParams& params) const {
  if (query.size() != dim_) return InvalidArgument("query has the wrong dimension");
  if (params.k == 0) return InvalidArgument("k must be at least 1");
  if (!AllFinite(query)) return InvalidArgument("query has a NaN or infinite value");
  std::shared_lock lock(mu_);
  std::vector<Neighbor> all;
  all.reserve(ids_.size());
  for (size_t slot = 0; slot < ids_.size(); ++slot) {
    if (params.filter != nullptr && !params.filter->Allows(ids_[slot])) continue;
    all.push_back({ids_[slot], distance_(query.data(), vectors_.data() + slot * dim_, dim_)});
  }
  return TopK(std::move(all), params.k);
}

}  // namespace crmi::retrieval
