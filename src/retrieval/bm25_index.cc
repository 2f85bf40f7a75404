#include "src/retrieval/bm25_index.h"

#include <algorithm>
#include <cmath>
#include <mutex>

namespace crmi::retrieval {

Status Bm25Index::Add(uint64_t id, const std::vector<std::string>& terms) {
  if (id >= kDead) return InvalidArgument("lexical index ids must be below 2^32 - 1");
  // Count term frequencies before locking: the lock covers only the index update.
  std::unordered_map<std::string_view, uint32_t> tf;
  for (const auto& t : terms) ++tf[t];
  std::unique_lock lock(mu_);
  if (id < state_.size() && state_[id] != kNever) {
    return AlreadyExists("lexical index id " + std::to_string(id) + " was used before");
  }
  if (id >= state_.size()) state_.resize(id + 1, kNever);
  for (const auto& [term, n] : tf) {
    auto [it, inserted] = term_ids_.try_emplace(std::string(term), lists_.size());
    if (inserted) lists_.emplace_back();
    PostingList& l = lists_[it->second];
    l.docs.push_back(static_cast<uint32_t>(id));
    l.tfs.push_back(static_cast<uint8_t>(std::min<uint32_t>(n, 255)));
    ++l.df;
  }
  const uint32_t len = static_cast<uint32_t>(std::min<size_t>(terms.size(), kDead - 2));
  state_[id] = len + 1;
  ++live_;
  live_length_ += len;
  return Status::Ok();
}

Status Bm25Index::Remove(uint64_t id) {
  std::unique_lock lock(mu_);
  if (id >= state_.size() || state_[id] == kNever || state_[id] == kDead) {
    return NotFound("lexical index has no live id " + std::to_string(id));
  }
  live_length_ -= state_[id] - 1;
  state_[id] = kDead;
  --live_;
  // The postings stay until Compact; counting removals lets the caller decide when to compact.
  ++removed_since_compaction_;
  return Status::Ok();
}

void Bm25Index::Compact() {
  std::unique_lock lock(mu_);
  for (PostingList& l : lists_) {
    size_t w = 0;
    for (size_t r = 0; r < l.docs.size(); ++r) {
      if (state_[l.docs[r]] == kDead) continue;
      l.docs[w] = l.docs[r];
      l.tfs[w] = l.tfs[r];
      ++w;
    }
    l.docs.resize(w);
    l.tfs.resize(w);
    l.docs.shrink_to_fit();
    l.tfs.shrink_to_fit();
    l.df = static_cast<uint32_t>(w);
  }
  removed_since_compaction_ = 0;
}

std::vector<ScoredId> Bm25Index::Search(const std::vector<std::string>& query_terms, size_t k,
                                        const IdFilter* filter) const {
  std::vector<ScoredId> out;
  if (k == 0 || query_terms.empty()) return out;
  std::shared_lock lock(mu_);
  if (live_ == 0) return out;
  // A repeated query term counts once per occurrence (BM25's query-term frequency, k3 = ∞).
  std::unordered_map<uint32_t, float> weights;
  for (const auto& t : query_terms) {
    auto it = term_ids_.find(t);
    if (it != term_ids_.end()) weights[it->second] += 1.0f;
  }
  if (weights.empty()) return out;

  // Term at a time into dense accumulators reused by this thread.
  thread_local std::vector<float> acc;
  thread_local std::vector<uint32_t> touched;
  if (acc.size() < state_.size()) acc.resize(state_.size(), 0.0f);
  touched.clear();
  const double n = static_cast<double>(live_);
  const float avg = static_cast<float>(static_cast<double>(live_length_) / n);
  const float k1 = params_.k1;
  const float norm_fixed = k1 * (1 - params_.b);
  const float norm_len = avg > 0 ? k1 * params_.b / avg : 0.0f;
  for (const auto& [term, qtf] : weights) {
    const PostingList& l = lists_[term];
    const double df = std::min<double>(l.df, n);
    const float idf = static_cast<float>(std::log(1.0 + (n - df + 0.5) / (df + 0.5))) * qtf;
    for (size_t i = 0; i < l.docs.size(); ++i) {
      const uint32_t d = l.docs[i];
      const uint32_t st = state_[d];
      if (st == kDead) continue;
      if (filter != nullptr && !filter->Allows(d)) continue;
      const float tf = l.tfs[i];
      const float s =
          idf * tf * (k1 + 1) / (tf + norm_fixed + norm_len * static_cast<float>(st - 1));
      if (acc[d] == 0.0f) touched.push_back(d);
      acc[d] += s;
    }
  }
  out.reserve(touched.size());
  for (uint32_t d : touched) {
    out.push_back({d, acc[d]});
    acc[d] = 0.0f;
  }
  auto better = [](const ScoredId& a, const ScoredId& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  };
  if (out.size() > k) {
    std::nth_element(out.begin(), out.begin() + static_cast<ptrdiff_t>(k), out.end(), better);
    out.resize(k);
  }
  std::sort(out.begin(), out.end(), better);
  return out;
}

size_t Bm25Index::size() const {
  std::shared_lock lock(mu_);
  return live_;
}

size_t Bm25Index::removed_since_compaction() const {
  std::shared_lock lock(mu_);
  return removed_since_compaction_;
}

size_t Bm25Index::terms() const {
  std::shared_lock lock(mu_);
  return term_ids_.size();
}

size_t Bm25Index::postings() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& l : lists_) n += l.docs.size();
  return n;
}

size_t Bm25Index::MemoryBytes() const {
  std::shared_lock lock(mu_);
  size_t bytes = state_.capacity() * sizeof(uint32_t);
  for (const auto& l : lists_) bytes += l.docs.capacity() * 4 + l.tfs.capacity() + sizeof(l);
  for (const auto& [t, id] : term_ids_) bytes += t.capacity() + 48;
  return bytes;
}

}  // namespace crmi::retrieval
