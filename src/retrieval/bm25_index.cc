#include "src/retrieval/bm25_index.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <mutex>

#include "src/common/binary_file.h"

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
  const uint32_t len = static_cast<uint32_t>(std::min<size_t>(terms.size(), kDead - 2));
  for (const auto& [term, n] : tf) {
    auto [it, inserted] = term_ids_.try_emplace(std::string(term), lists_.size());
    if (inserted) lists_.emplace_back();
    PostingList& l = lists_[it->second];
    l.docs.push_back(static_cast<uint32_t>(id));
    l.tfs.push_back(static_cast<uint8_t>(std::min<uint32_t>(n, 255)));
    l.max_tf = std::max(l.max_tf, l.tfs.back());
    l.min_len = std::min(l.min_len, len);
    ++l.df;
  }
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
    l.max_tf = 0;
    l.min_len = UINT32_MAX;
    for (size_t r = 0; r < l.docs.size(); ++r) {
      const uint32_t st = state_[l.docs[r]];
      if (st == kDead) continue;
      l.docs[w] = l.docs[r];
      l.tfs[w] = l.tfs[r];
      l.max_tf = std::max(l.max_tf, l.tfs[w]);
      l.min_len = std::min(l.min_len, st - 1);
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

namespace {

// Sorts ranks best first: higher score, then lower id.
bool Better(const ScoredId& a, const ScoredId& b) {
  return a.score != b.score ? a.score > b.score : a.id < b.id;
}

// Advances `pos` in `docs` (ascending) to the first entry ≥ d, galloping from where it is.
size_t Gallop(const std::vector<uint32_t>& docs, size_t pos, uint32_t d) {
  const size_t size = docs.size();
  if (pos >= size || docs[pos] >= d) return pos;
  size_t step = 1;
  while (pos + step < size && docs[pos + step] < d) step <<= 1;
  const size_t lo = pos + step / 2;
  const size_t hi = std::min(size, pos + step + 1);
  return static_cast<size_t>(std::lower_bound(docs.begin() + static_cast<ptrdiff_t>(lo),
                                              docs.begin() + static_cast<ptrdiff_t>(hi), d) -
                             docs.begin());
}

// Up to this many distinct query terms, document at a time; beyond, finding the next candidate
// among the lists costs more than accumulating term by term.
constexpr size_t kDocAtATimeTerms = 12;

}  // namespace

struct Bm25Index::QueryTerm {
  const PostingList* list;
  float idf;    // times the query-term frequency
  float bound;  // the most this term can add to any document
};

struct Bm25Index::Scorer {
  float k1, norm_fixed, norm_len;
  // `st`: the document's state (length + 1).
  float operator()(float tf, uint32_t st, float idf) const {
    return idf * tf * (k1 + 1) / (tf + norm_fixed + norm_len * static_cast<float>(st - 1));
  }
};

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
  const double n = static_cast<double>(live_);
  const float avg = static_cast<float>(static_cast<double>(live_length_) / n);
  const Scorer scorer{params_.k1, params_.k1 * (1 - params_.b),
                      avg > 0 ? params_.k1 * params_.b / avg : 0.0f};
  std::vector<QueryTerm> terms;
  terms.reserve(weights.size());
  for (const auto& [term, qtf] : weights) {
    const PostingList& l = lists_[term];
    const double df = std::min<double>(l.df, n);
    const float idf = static_cast<float>(std::log(1.0 + (n - df + 0.5) / (df + 0.5))) * qtf;
    // The best score any posting of the list can have, whatever the averages do meanwhile,
    // with a margin for float rounding in sums (pruning on it must never drop a winner).
    const float bound =
        l.docs.empty() ? 0.0f : scorer(l.max_tf, l.min_len + 1, idf) * 1.0001f + 1e-6f;
    terms.push_back({&l, idf, bound});
  }
  // Strongest first (ties by list, for a deterministic order): the order scores are summed in.
  std::sort(terms.begin(), terms.end(), [](const QueryTerm& a, const QueryTerm& b) {
    return a.bound != b.bound ? a.bound > b.bound : a.list < b.list;
  });
  size_t postings = 0;
  for (const auto& t : terms) postings += t.list->docs.size();
  if (filter != nullptr && filter->AllowedCount() * 8 < postings) {
    return SearchAllowedSet(terms, k, *filter, scorer);
  }
  return terms.size() <= kDocAtATimeTerms ? SearchDocAtATime(terms, k, filter, scorer)
                                          : SearchTermAtATime(std::move(terms), k, filter, scorer);
}

// The allowed ids, ascending, are intersected with each list by galloping: the cost follows the
// allowed set, not the lists (an advisor's thousand passages against a word in every tenth).
std::vector<ScoredId> Bm25Index::SearchAllowedSet(const std::vector<QueryTerm>& terms, size_t k,
                                                  const IdFilter& filter,
                                                  const Scorer& scorer) const {
  std::vector<uint32_t> ids;
  ids.reserve(filter.AllowedCount());
  filter.ForEachAllowed([&](uint64_t id) {
    if (id < state_.size() && state_[id] != kDead && state_[id] != kNever) {
      ids.push_back(static_cast<uint32_t>(id));
    }
  });
  if (!std::is_sorted(ids.begin(), ids.end())) std::sort(ids.begin(), ids.end());
  std::vector<float> acc(ids.size(), 0.0f);
  for (const QueryTerm& t : terms) {  // strongest first: the order every path sums in
    const std::vector<uint32_t>& docs = t.list->docs;
    size_t pos = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      pos = Gallop(docs, pos, ids[i]);
      if (pos >= docs.size()) break;
      if (docs[pos] == ids[i]) acc[i] += scorer(t.list->tfs[pos], state_[ids[i]], t.idf);
    }
  }
  std::vector<ScoredId> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (acc[i] > 0.0f) out.push_back({ids[i], acc[i]});
  }
  if (out.size() > k) {
    std::nth_element(out.begin(), out.begin() + static_cast<ptrdiff_t>(k), out.end(), Better);
    out.resize(k);
  }
  std::sort(out.begin(), out.end(), Better);
  return out;
}

// MaxScore (Turtle & Flood 1995), document at a time: the lists are walked together in id
// order, and once the k-th best score so far (theta) is at least what the weakest lists could
// add together, those lists stop proposing candidates: they are only probed, by galloping, for
// documents the others propose, and not at all when the document cannot beat theta anyway.
// Exact: the top k is what exhaustive scoring gives, ties to the lower id.
std::vector<ScoredId> Bm25Index::SearchDocAtATime(const std::vector<QueryTerm>& terms, size_t k,
                                                  const IdFilter* filter,
                                                  const Scorer& scorer) const {
  const size_t m = terms.size();
  // Walk order: weakest first, so that the non-essential lists are a prefix.
  std::vector<size_t> order(m);
  for (size_t i = 0; i < m; ++i) order[i] = m - 1 - i;
  std::vector<float> ub(m);  // ub[j]: bound of order[0..j] together
  float sum = 0;
  for (size_t j = 0; j < m; ++j) ub[j] = sum += terms[order[j]].bound;
  std::vector<size_t> pos(m, 0);
  std::vector<float> contrib(m, 0.0f);  // by term, summed in term order (as exhaustive scoring)
  std::vector<ScoredId> heap;           // the k best so far; the worst on top
  heap.reserve(k + 1);
  float theta = 0;
  size_t essential = 0;  // order[0..essential) only probed
  while (true) {
    uint32_t d = UINT32_MAX;
    for (size_t j = essential; j < m; ++j) {
      const auto& docs = terms[order[j]].list->docs;
      const size_t p = pos[order[j]];
      if (p < docs.size() && docs[p] < d) d = docs[p];
    }
    if (d == UINT32_MAX) break;
    const uint32_t st = state_[d];
    const bool allowed = st != kDead && (filter == nullptr || filter->Allows(d));
    float partial = 0;
    for (size_t j = essential; j < m; ++j) {
      const size_t t = order[j];
      const PostingList& l = *terms[t].list;
      if (pos[t] < l.docs.size() && l.docs[pos[t]] == d) {
        if (allowed) partial += contrib[t] = scorer(l.tfs[pos[t]], st, terms[t].idf);
        ++pos[t];
      }
    }
    if (!allowed) continue;
    const bool full = heap.size() == k;
    bool hopeless = false;
    for (size_t j = essential; j-- > 0;) {
      if (full && partial + ub[j] <= theta) {
        hopeless = true;
        break;
      }
      const size_t t = order[j];
      const PostingList& l = *terms[t].list;
      pos[t] = Gallop(l.docs, pos[t], d);
      if (pos[t] < l.docs.size() && l.docs[pos[t]] == d) {
        partial += contrib[t] = scorer(l.tfs[pos[t]], st, terms[t].idf);
      }
    }
    float score = 0;
    for (float& c : contrib) {
      score += c;
      c = 0.0f;
    }
    // Ids arrive in ascending order, so a tie with theta loses (the held one has the lower id).
    if (hopeless || (full && score <= theta)) continue;
    heap.push_back({d, score});
    std::push_heap(heap.begin(), heap.end(), Better);
    if (heap.size() > k) {
      std::pop_heap(heap.begin(), heap.end(), Better);
      heap.pop_back();
    }
    if (heap.size() == k) {
      theta = heap.front().score;
      while (essential < m && ub[essential] <= theta) ++essential;
    }
  }
  if (essential > 0) ++pruned_searches_;
  std::sort(heap.begin(), heap.end(), Better);
  return heap;
}

// Term at a time into dense accumulators reused by this thread, strongest term first, with
// MaxScore-style pruning (the "continue" strategy of Moffat & Zobel 1996): once the k-th best
// partial score exceeds what all remaining terms together could add, no unseen document can
// enter the top k, so the remaining lists are only probed for the candidates already held.
std::vector<ScoredId> Bm25Index::SearchTermAtATime(std::vector<QueryTerm> terms, size_t k,
                                                   const IdFilter* filter,
                                                   const Scorer& scorer) const {
  thread_local std::vector<float> acc;
  thread_local std::vector<uint32_t> touched;
  thread_local std::vector<float> scratch;
  if (acc.size() < state_.size()) acc.resize(state_.size(), 0.0f);
  touched.clear();
  std::vector<float> rest(terms.size() + 1, 0.0f);  // rest[i]: bound of terms i.. together
  std::vector<size_t> left(terms.size() + 1, 0);    // left[i]: postings of terms i..
  for (size_t i = terms.size(); i-- > 0;) {
    rest[i] = rest[i + 1] + terms[i].bound;
    left[i] = left[i + 1] + terms[i].list->docs.size();
  }
  bool pruning = false;
  for (size_t ti = 0; ti < terms.size(); ++ti) {
    const PostingList& l = *terms[ti].list;
    const float idf = terms[ti].idf;
    // The k-th best of a subset is at most the k-th best of all: a safe threshold, and cheap.
    // Only worth trying when much more is left to score than the sample costs.
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
        acc[d] += scorer(l.tfs[i], st, idf);
      }
      continue;
    }
    size_t pos = 0;
    for (uint32_t d : touched) {
      pos = Gallop(l.docs, pos, d);
      if (pos >= l.docs.size()) break;
      if (l.docs[pos] == d) acc[d] += scorer(l.tfs[pos], state_[d], idf);
    }
  }
  std::vector<ScoredId> out;
  out.reserve(touched.size());
  for (uint32_t d : touched) {
    out.push_back({d, acc[d]});
    acc[d] = 0.0f;
  }
  if (out.size() > k) {
    std::nth_element(out.begin(), out.begin() + static_cast<ptrdiff_t>(k), out.end(), Better);
    out.resize(k);
  }
  std::sort(out.begin(), out.end(), Better);
  return out;
}

void Bm25Index::Save(BinaryWriter& out) const {
  std::shared_lock lock(mu_);
  std::vector<const std::string*> names(lists_.size());
  for (const auto& [term, id] : term_ids_) names[id] = &term;
  out.U64(live_);
  out.U64(live_length_);
  out.U64(removed_since_compaction_);
  out.Array(state_);
  out.U64(lists_.size());
  for (size_t i = 0; i < lists_.size(); ++i) {
    out.Str(*names[i]);
    out.U32(lists_[i].df);
    out.U8(lists_[i].max_tf);
    out.U32(lists_[i].min_len);
    out.Array(lists_[i].docs);
    out.Array(lists_[i].tfs);
  }
}

Status Bm25Index::Load(BinaryReader& in) {
  std::unique_lock lock(mu_);
  auto corrupt = [&] {
    term_ids_.clear();
    lists_.clear();
    state_.clear();
    live_ = live_length_ = removed_since_compaction_ = 0;
    return DataLoss("lexical index snapshot is truncated or inconsistent");
  };
  uint64_t live = 0, length = 0, removed = 0, nlists = 0;
  if (!in.U64(&live) || !in.U64(&length) || !in.U64(&removed) || !in.Array(&state_) ||
      !in.U64(&nlists) || nlists > in.remaining()) {
    return corrupt();
  }
  size_t counted_live = 0;
  for (uint32_t st : state_) counted_live += st != kNever && st != kDead;
  if (counted_live != live || state_.size() >= kDead) return corrupt();
  lists_.resize(nlists);
  std::string term;
  for (uint64_t i = 0; i < nlists; ++i) {
    PostingList& l = lists_[i];
    if (!in.Str(&term) || !in.U32(&l.df) || !in.U8(&l.max_tf) || !in.U32(&l.min_len) ||
        !in.Array(&l.docs) || !in.Array(&l.tfs) || l.docs.size() != l.tfs.size() ||
        !term_ids_.emplace(term, i).second) {
      return corrupt();
    }
    for (size_t j = 0; j < l.docs.size(); ++j) {
      // Ascending ids of documents that were added (the search's probes rely on the order).
      if (l.docs[j] >= state_.size() || state_[l.docs[j]] == kNever ||
          (j > 0 && l.docs[j] <= l.docs[j - 1])) {
        return corrupt();
      }
      // The bounds pruning relies on must hold for every posting.
      const uint32_t st = state_[l.docs[j]];
      if (l.tfs[j] > l.max_tf || (st != kDead && st - 1 < l.min_len)) return corrupt();
    }
  }
  live_ = live;
  live_length_ = length;
  removed_since_compaction_ = removed;
  return Status::Ok();
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
