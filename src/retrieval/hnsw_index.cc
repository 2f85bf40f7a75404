#include "src/retrieval/hnsw_index.h"

#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <queue>

#include "src/retrieval/brute_force_index.h"

namespace crmi::retrieval {
namespace {

// Per-thread "visited" marks: a tag per slot, compared with this search's epoch, so a search
// never clears an array.
struct Visited {
  std::vector<uint32_t> tags;
  uint32_t epoch = 0;

  uint32_t Begin(size_t n) {
    if (tags.size() < n) tags.resize(n + n / 2, 0);
    if (++epoch == 0) {  // wrapped: old tags could collide
      std::fill(tags.begin(), tags.end(), 0);
      epoch = 1;
    }
    return epoch;
  }
};

Visited& ThreadVisited() {
  thread_local Visited v;
  return v;
}

struct Farther {
  bool operator()(const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) const {
    return a.first > b.first;
  }
};

}  // namespace

// A search touches a few thousand blocks scattered over hundreds of MB; with 4 KiB pages nearly
// each is a TLB miss. Only a hint (THP may be off, or "madvise"-only as in Debian's default).
void HnswIndex::AdviseHugePages(unsigned char* data, size_t bytes) {
  constexpr uintptr_t kHuge = 2u << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

HnswIndex::HnswIndex(size_t dim, Metric metric, HnswOptions options)
    : dim_(dim),
      metric_(metric),
      options_(options),
      distance_(GetDistance(metric)),
      m0_(2 * std::max<size_t>(options.m, 2)),
      level_mult_(1.0 / std::log(static_cast<double>(std::max<size_t>(options.m, 2)))),
      rng_(options.seed),
      links_bytes_((m0_ + 1) * sizeof(uint32_t)),
      stride_((links_bytes_ + dim * sizeof(float) + 63) / 64 * 64) {}

size_t HnswIndex::size() const {
  std::shared_lock lock(mu_);
  return slot_of_.size();
}

size_t HnswIndex::nodes() const {
  std::shared_lock lock(mu_);
  return ids_.size();
}

size_t HnswIndex::MemoryBytes() const {
  std::shared_lock lock(mu_);
  size_t bytes = blocks_.capacity() + upper_.capacity() * sizeof(std::vector<uint32_t>) +
                 ids_.capacity() * 8 + levels_.capacity() + deleted_.capacity() * 8 +
                 slot_of_.MemoryBytes();
  for (const auto& u : upper_) bytes += u.capacity() * sizeof(uint32_t);
  return bytes;
}

uint32_t* HnswIndex::Links(uint32_t slot, int level) {
  if (level == 0) return reinterpret_cast<uint32_t*>(blocks_.data() + size_t{slot} * stride_);
  return upper_[slot].data() + size_t(level - 1) * (options_.m + 1);
}

const uint32_t* HnswIndex::Links(uint32_t slot, int level) const {
  return const_cast<HnswIndex*>(this)->Links(slot, level);
}

int HnswIndex::RandomLevel() {
  std::uniform_real_distribution<double> u(std::nextafter(0.0, 1.0), 1.0);
  return std::min(30, static_cast<int>(-std::log(u(rng_)) * level_mult_));
}

uint32_t HnswIndex::Greedy(const float* q, uint32_t entry, int from_level, int to_level) const {
  uint32_t cur = entry;
  float cur_d = distance_(q, Vec(cur), dim_);
  for (int level = from_level; level > to_level; --level) {
    bool moved = true;
    while (moved) {
      moved = false;
      const uint32_t* links = Links(cur, level);
      for (uint32_t i = 1; i <= links[0]; ++i) {
        const float d = distance_(q, Vec(links[i]), dim_);
        if (d < cur_d) {
          cur_d = d;
          cur = links[i];
          moved = true;
        }
      }
    }
  }
  return cur;
}

std::vector<HnswIndex::Scored> HnswIndex::SearchLayer(const float* q, uint32_t entry, size_t ef,
                                                      int level, const IdFilter* filter,
                                                      bool construction) const {
  Visited& visited = ThreadVisited();
  const uint32_t tag = visited.Begin(ids_.size());
  auto accept = [&](uint32_t slot) {
    return construction || (!Dead(slot) && (filter == nullptr || filter->Allows(ids_[slot])));
  };
  std::priority_queue<Scored, std::vector<Scored>, Farther> candidates;  // closest on top
  std::priority_queue<Scored> top;                                       // farthest on top
  float bound = std::numeric_limits<float>::infinity();
  const float d0 = distance_(q, Vec(entry), dim_);
  visited.tags[entry] = tag;
  candidates.emplace(d0, entry);
  if (accept(entry)) {
    top.emplace(d0, entry);
    bound = d0;
  }
  while (!candidates.empty()) {
    const auto [cd, c] = candidates.top();
    // Stop once the closest unexpanded node is farther than the ef-th accepted one. While fewer
    // than ef nodes were accepted (a selective filter), keep walking.
    if (cd > bound && top.size() >= ef) break;
    candidates.pop();
    const uint32_t* links = Links(c, level);
    const uint32_t n = links[0];
    for (uint32_t i = 1; i <= n; ++i) {
      if (i < n) __builtin_prefetch(Vec(links[i + 1]));
      const uint32_t nb = links[i];
      if (visited.tags[nb] == tag) continue;
      visited.tags[nb] = tag;
      const float d = distance_(q, Vec(nb), dim_);
      if (top.size() < ef || d < bound) {
        candidates.emplace(d, nb);
        if (accept(nb)) {
          top.emplace(d, nb);
          if (top.size() > ef) top.pop();
          bound = top.top().first;
        }
      }
    }
  }
  std::vector<Scored> out(top.size());
  for (size_t i = out.size(); i-- > 0;) {
    out[i] = top.top();
    top.pop();
  }
  return out;
}

std::vector<HnswIndex::Scored> HnswIndex::SearchTwoHop(const float* q, uint32_t entry, size_t ef,
                                                       const IdFilter& filter) const {
  Visited& visited = ThreadVisited();
  const uint32_t tag = visited.Begin(ids_.size());
  auto allowed = [&](uint32_t slot) { return !Dead(slot) && filter.Allows(ids_[slot]); };
  std::priority_queue<Scored, std::vector<Scored>, Farther> candidates;
  std::priority_queue<Scored> top;
  float bound = std::numeric_limits<float>::infinity();
  auto consider = [&](uint32_t slot) {
    const float d = distance_(q, Vec(slot), dim_);
    if (top.size() < ef || d < bound) {
      candidates.emplace(d, slot);
      top.emplace(d, slot);
      if (top.size() > ef) top.pop();
      bound = top.top().first;
    }
  };
  visited.tags[entry] = tag;
  if (allowed(entry)) {
    consider(entry);
  } else {
    candidates.emplace(distance_(q, Vec(entry), dim_), entry);  // a way in, never a result
  }
  while (!candidates.empty()) {
    const auto [cd, c] = candidates.top();
    if (cd > bound && top.size() >= ef) break;
    candidates.pop();
    const uint32_t* links = Links(c, 0);
    for (uint32_t i = 1; i <= links[0]; ++i) {
      const uint32_t nb = links[i];
      if (visited.tags[nb] == tag) continue;
      visited.tags[nb] = tag;
      if (allowed(nb)) {
        consider(nb);
        continue;
      }
      // A rejected neighbour is a bridge: its allowed neighbours become candidates.
      const uint32_t* second = Links(nb, 0);
      for (uint32_t j = 1; j <= second[0]; ++j) {
        const uint32_t nb2 = second[j];
        if (visited.tags[nb2] == tag || !allowed(nb2)) continue;
        visited.tags[nb2] = tag;
        consider(nb2);
      }
    }
  }
  std::vector<Scored> out(top.size());
  for (size_t i = out.size(); i-- > 0;) {
    out[i] = top.top();
    top.pop();
  }
  return out;
}

std::vector<uint32_t> HnswIndex::SelectNeighbors(const std::vector<Scored>& candidates,
                                                 size_t m) const {
  std::vector<uint32_t> kept;
  if (candidates.size() <= m) {
    for (const auto& c : candidates) kept.push_back(c.second);
    return kept;
  }
  for (const auto& [d, slot] : candidates) {
    if (kept.size() >= m) break;
    bool good = true;
    for (uint32_t k : kept) {
      if (distance_(Vec(slot), Vec(k), dim_) < d) {
        good = false;
        break;
      }
    }
    if (good) kept.push_back(slot);
  }
  return kept;
}

void HnswIndex::Link(uint32_t from, uint32_t to, int level) {
  uint32_t* links = Links(from, level);
  const size_t cap = level == 0 ? m0_ : options_.m;
  for (uint32_t i = 1; i <= links[0]; ++i) {
    if (links[i] == to) return;
  }
  if (links[0] < cap) {
    links[++links[0]] = to;
    return;
  }
  // Full: keep the best `cap` of the old links plus the new one, by the same heuristic.
  std::vector<Scored> all;
  all.reserve(cap + 1);
  const float* base = Vec(from);
  for (uint32_t i = 1; i <= links[0]; ++i) {
    all.emplace_back(distance_(base, Vec(links[i]), dim_), links[i]);
  }
  all.emplace_back(distance_(base, Vec(to), dim_), to);
  std::sort(all.begin(), all.end());
  const std::vector<uint32_t> kept = SelectNeighbors(all, cap);
  links[0] = static_cast<uint32_t>(kept.size());
  std::copy(kept.begin(), kept.end(), links + 1);
}

bool IdSlots::Insert(uint64_t id, uint32_t slot) {
  if (Find(id) != kNone) return false;
  if (id < dense_.size() || id < 2 * size_ + (uint64_t{1} << 20)) {
    if (id >= dense_.size()) {
      dense_.resize(std::max<uint64_t>(id + 1, dense_.size() + dense_.size() / 2), kNone);
    }
    dense_[id] = slot;
  } else {
    sparse_.emplace(id, slot);
  }
  ++size_;
  return true;
}

void IdSlots::Erase(uint64_t id) {
  if (id < dense_.size() && dense_[id] != kNone) {
    dense_[id] = kNone;
    --size_;
  } else if (sparse_.erase(id) > 0) {
    --size_;
  }
}

Status HnswIndex::Add(uint64_t id, std::span<const float> vector) {
  if (vector.size() != dim_) return InvalidArgument("vector has the wrong dimension");
  if (!AllFinite(vector)) return InvalidArgument("vector has a NaN or infinite value");
  std::unique_lock lock(mu_);
  if (ids_.size() >= std::numeric_limits<uint32_t>::max() - 1) {
    return ResourceExhausted("the index is full (2^32 nodes)");
  }
  if (const uint32_t old = slot_of_.Find(id); old != IdSlots::kNone) {
    deleted_[old / 64] |= uint64_t{1} << (old % 64);
    slot_of_.Erase(id);
  }
  const auto slot = static_cast<uint32_t>(ids_.size());
  const int level = RandomLevel();
  ids_.push_back(id);
  levels_.push_back(static_cast<uint8_t>(level));
  if (blocks_.size() + stride_ > blocks_.capacity()) {
    // Grow by half, and advise the new buffer before it is written so that it faults in as huge
    // pages.
    std::vector<unsigned char> bigger;
    bigger.reserve(std::max(blocks_.capacity() + blocks_.capacity() / 2, 64 * stride_));
    AdviseHugePages(bigger.data(), bigger.capacity());
    bigger.assign(blocks_.begin(), blocks_.end());
    blocks_.swap(bigger);
  }
  blocks_.resize(blocks_.size() + stride_, 0);
  std::memcpy(blocks_.data() + size_t{slot} * stride_ + links_bytes_, vector.data(),
              dim_ * sizeof(float));
  upper_.emplace_back(size_t(level) * (options_.m + 1), 0);
  if (deleted_.size() * 64 <= slot) deleted_.push_back(0);
  slot_of_.Insert(id, slot);

  if (max_level_ < 0) {
    entry_ = slot;
    max_level_ = level;
    return Status::Ok();
  }
  const float* q = Vec(slot);
  uint32_t cur = Greedy(q, entry_, max_level_, level);
  for (int l = std::min(level, max_level_); l >= 0; --l) {
    const std::vector<Scored> found =
        SearchLayer(q, cur, options_.ef_construction, l, nullptr, /*construction=*/true);
    const std::vector<uint32_t> chosen = SelectNeighbors(found, options_.m);
    uint32_t* links = Links(slot, l);
    links[0] = static_cast<uint32_t>(chosen.size());
    std::copy(chosen.begin(), chosen.end(), links + 1);
    for (uint32_t nb : chosen) Link(nb, slot, l);
    if (!found.empty()) cur = found.front().second;
  }
  if (level > max_level_) {
    max_level_ = level;
    entry_ = slot;
  }
  return Status::Ok();
}

Status HnswIndex::Remove(uint64_t id) {
  std::unique_lock lock(mu_);
  const uint32_t slot = slot_of_.Find(id);
  if (slot == IdSlots::kNone) return NotFound("id " + std::to_string(id) + " is not in the index");
  deleted_[slot / 64] |= uint64_t{1} << (slot % 64);
  slot_of_.Erase(id);
  return Status::Ok();
}

Status HnswIndex::GetVector(uint64_t id, float* out) const {
  std::shared_lock lock(mu_);
  const uint32_t slot = slot_of_.Find(id);
  if (slot == IdSlots::kNone) return NotFound("id " + std::to_string(id) + " is not in the index");
  std::copy(Vec(slot), Vec(slot) + dim_, out);
  return Status::Ok();
}

HnswIndex::Plan HnswIndex::Choose(const SearchParams& params) const {
  if (params.strategy == SearchParams::Strategy::kGraph) return Plan::kGraph;
  if (params.strategy == SearchParams::Strategy::kScan) return Plan::kScan;
  const size_t live = slot_of_.size();
  if (params.filter == nullptr) return Plan::kGraph;
  const double allowed = static_cast<double>(std::min(params.filter->AllowedCount(), live));
  const double ef = static_cast<double>(std::max(params.ef, params.k));
  const bool too_selective = allowed < options_.scan_below * static_cast<double>(live);
  const bool scan_cheaper =
      allowed * allowed < options_.scan_cost_factor * ef * static_cast<double>(live);
  return too_selective || scan_cheaper ? Plan::kScan : Plan::kGraph;
}

HnswIndex::Plan HnswIndex::PlanFor(const SearchParams& params) const {
  std::shared_lock lock(mu_);
  return Choose(params);
}

Result<std::vector<Neighbor>> HnswIndex::Scan(const float* q, const SearchParams& params) const {
  // A bounded max-heap of the k best: no buffer of every allowed distance.
  std::priority_queue<std::pair<float, uint64_t>> best;
  auto offer = [&](uint64_t id, uint32_t slot) {
    const float d = distance_(q, Vec(slot), dim_);
    if (best.size() < params.k) {
      best.emplace(d, id);
    } else if (d < best.top().first) {
      best.pop();
      best.emplace(d, id);
    }
  };
  const IdFilter* filter = params.filter;
  if (filter != nullptr && filter->AllowedCount() * 16 < ids_.size()) {
    // Sparse: enumerate the allowed ids, look each up, then visit the vectors in memory order
    // with the next ones prefetched (a scan of tens of thousands of vectors scattered over a
    // large index is otherwise one cache miss after another).
    std::vector<uint32_t> slots;
    slots.reserve(filter->AllowedCount());
    filter->ForEachAllowed([&](uint64_t id) {
      if (const uint32_t s = slot_of_.Find(id); s != IdSlots::kNone) slots.push_back(s);
    });
    if (!std::is_sorted(slots.begin(), slots.end())) std::sort(slots.begin(), slots.end());
    constexpr size_t kAhead = 4;
    const size_t bytes = dim_ * sizeof(float);
    auto prefetch = [&](uint32_t slot) {
      const auto* p = reinterpret_cast<const char*>(Vec(slot));
      for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(p + b);
    };
    for (size_t i = 0; i < std::min(kAhead, slots.size()); ++i) prefetch(slots[i]);
    for (size_t i = 0; i < slots.size(); ++i) {
      if (i + kAhead < slots.size()) prefetch(slots[i + kAhead]);
      offer(ids_[slots[i]], slots[i]);
    }
  } else {
    // Dense (or no filter): walk the slots in memory order.
    for (uint32_t slot = 0; slot < ids_.size(); ++slot) {
      if (Dead(slot) || (filter != nullptr && !filter->Allows(ids_[slot]))) continue;
      offer(ids_[slot], slot);
    }
  }
  std::vector<Neighbor> out(best.size());
  for (size_t i = out.size(); i-- > 0;) {
    out[i] = {best.top().second, best.top().first};
    best.pop();
  }
  return out;
}

Result<std::vector<Neighbor>> HnswIndex::Search(std::span<const float> query,
                                                const SearchParams& params) const {
  if (query.size() != dim_) return InvalidArgument("query has the wrong dimension");
  if (params.k == 0) return InvalidArgument("k must be at least 1");
  if (!AllFinite(query)) return InvalidArgument("query has a NaN or infinite value");
  std::shared_lock lock(mu_);
  if (slot_of_.empty()) return std::vector<Neighbor>{};
  if (Choose(params) == Plan::kScan) return Scan(query.data(), params);
  const uint32_t start = Greedy(query.data(), entry_, max_level_, 0);
  size_t ef = std::max(params.ef, params.k);
  const double selectivity = params.filter == nullptr
                                 ? 1.0
                                 : static_cast<double>(params.filter->AllowedCount()) /
                                       static_cast<double>(slot_of_.size());
  const bool two_hop = selectivity < options_.two_hop_below;
  if (two_hop && selectivity < 0.1) {
    ef = static_cast<size_t>(static_cast<double>(std::max<size_t>(ef, 32)) *
                             std::min(3.0, 0.1 / selectivity));
  }
  const std::vector<Scored> found =
      two_hop ? SearchTwoHop(query.data(), start, ef, *params.filter)
              : SearchLayer(query.data(), start, ef, 0, params.filter, /*construction=*/false);
  std::vector<Neighbor> out;
  out.reserve(std::min(found.size(), params.k));
  for (size_t i = 0; i < found.size() && out.size() < params.k; ++i) {
    out.push_back({ids_[found[i].second], found[i].first});
  }
  // Never short: if the walk found fewer than k while more were allowed (an unlucky filter),
  // the exact scan answers.
  if (out.size() < params.k) {
    const size_t allowed = params.filter == nullptr
                               ? slot_of_.size()
                               : std::min(params.filter->AllowedCount(), slot_of_.size());
    if (allowed > out.size()) return Scan(query.data(), params);
  }
  return out;
}

}  // namespace crmi::retrieval
