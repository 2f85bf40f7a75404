#include "src/retrieval/bm25_index.h"

#include <algorithm>
#include <cmath>
#include <functional>
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

  // Term at a time into dense accumulators reused by this thread, rarest term first, with
  // MaxScore-style pruning (Turtle & Flood 1995; the "continue" strategy of Moffat & Zobel
  // 1996): once the k-th best partial score exceeds what all remaining terms together could add,
  // no unseen document can enter the top k, so the remaining (long, common-term) lists are only
  // probed for the candidates already held, by galloping search. Exact: the top k is unchanged.
  thread_local std::vector<float> acc;
  thread_local std::vector<uint32_t> touched;
  thread_local std::vector<float> scratch;
  if (acc.size() < state_.size()) acc.resize(state_.size(), 0.0f);
  touched.clear();
  const double n = static_cast<double>(live_);
  const float avg = static_cast<float>(static_cast<double>(live_length_) / n);
  const float k1 = params_.k1;
  const float norm_fixed = k1 * (1 - params_.b);
  const float norm_len = avg > 0 ? k1 * params_.b / avg : 0.0f;
  struct QueryTerm {
    const PostingList* list;
    float idf;    // times the query-term frequency
    float bound;  // the most this term can add to any document
  };
  std::vector<QueryTerm> terms;
  terms.reserve(weights.size());
  for (const auto& [term, qtf] : weights) {
    const PostingList& l = lists_[term];
    const double df = std::min<double>(l.df, n);
    const float idf = static_cast<float>(std::log(1.0 + (n - df + 0.5) / (df + 0.5))) * qtf;
    terms.push_back({&l, idf, idf * (k1 + 1)});
  }
  std::sort(terms.begin(), terms.end(),
            [](const QueryTerm& a, const QueryTerm& b) { return a.bound > b.bound; });
  std::vector<float> rest(terms.size() + 1, 0.0f);  // rest[i]: bound of terms i.. together
  std::vector<size_t> left(terms.size() + 1, 0);    // left[i]: postings of terms i..
  for (size_t i = terms.size(); i-- > 0;) {
    rest[i] = rest[i + 1] + terms[i].bound;
    left[i] = left[i + 1] + terms[i].list->docs.size();
  }
  auto score = [&](float tf, uint32_t st, float idf) {
    return idf * tf * (k1 + 1) / (tf + norm_fixed + norm_len * static_cast<float>(st - 1));
  };
  bool pruning = false;
  for (size_t ti = 0; ti < terms.size(); ++ti) {
    const PostingList& l = *terms[ti].list;
    const float idf = terms[ti].idf;
    // The k-th best of a subset is at most the k-th best of all: a safe threshold, and cheap.
    // The first candidates came from the rarest terms, the likeliest winners. Only worth trying
    // when much more is left to score than the sample costs.
    const size_t sample = std::min(touched.size(), std::max<size_t>(8 * k, 4096));
    if (!pruning && ti > 0 && touched.size() >= k && left[ti] > 4 * sample) {
      scratch.clear();
      for (size_t i = 0; i < sample; ++i) scratch.push_back(acc[touched[i]]);
      std::nth_element(scratch.begin(), scratch.begin() + static_cast<ptrdiff_t>(k - 1),
                       scratch.end(), std::greater<float>());
      const float theta = scratch[k - 1];
      if (theta > rest[ti]) {
        pruning = true;
        ++pruned_searches_;
        // Candidates that cannot reach the k-th score even with every remaining term go now.
        size_t w = 0;
        for (uint32_t d : touched) {
          if (acc[d] + rest[ti] >= theta) {
            touched[w++] = d;
          } else {
            acc[d] = 0.0f;
          }
        }
        touched.resize(w);
        std::sort(touched.begin(), touched.end());
      }
    }
    if (!pruning) {
      for (size_t i = 0; i < l.docs.size(); ++i) {
        const uint32_t d = l.docs[i];
        const uint32_t st = state_[d];
        if (st == kDead) continue;
        if (filter != nullptr && !filter->Allows(d)) continue;
        if (acc[d] == 0.0f) touched.push_back(d);
        acc[d] += score(l.tfs[i], st, idf);
      }
      continue;
    }
    // Probe the list (ascending ids) for each candidate (ascending too), galloping forward.
    size_t pos = 0;
    const size_t size = l.docs.size();
    for (uint32_t d : touched) {
      if (pos >= size) break;
      if (l.docs[pos] < d) {
        size_t step = 1;
        while (pos + step < size && l.docs[pos + step] < d) step <<= 1;
        const size_t lo = pos + step / 2;
        const size_t hi = std::min(size, pos + step + 1);
        pos = static_cast<size_t>(std::lower_bound(l.docs.begin() + static_cast<ptrdiff_t>(lo),
                                                   l.docs.begin() + static_cast<ptrdiff_t>(hi), d) -
                                  l.docs.begin());
      }
      if (pos < size && l.docs[pos] == d) acc[d] += score(l.tfs[pos], state_[d], idf);
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
