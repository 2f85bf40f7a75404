#include "src/retrieval/chunk_index.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "src/retrieval/text.h"

namespace crmi::retrieval {
namespace {

// Cosine similarity of unit vectors through the CPU's widest inner-product kernel.
float Dot(const float* a, const float* b, size_t dim) {
  static const DistanceFn ip = GetDistance(Metric::kInnerProduct);  // 1 - a·b
  return 1.0f - ip(a, b, dim);
}

bool IsZero(std::span<const float> v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return x == 0.0f; });
}

// Would cutting at byte `i` split a UTF-8 sequence?
bool IsContinuation(std::string_view s, size_t i) {
  return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
}

}  // namespace

std::string ChunkIndex::RecordKey(std::string_view collection, std::string_view id) {
  std::string key(collection);
  key += '/';
  key += id;
  return key;
}

std::string_view SearchModeName(SearchMode m) {
  switch (m) {
    case SearchMode::kHybrid:
      return "hybrid";
    case SearchMode::kVector:
      return "vector";
    case SearchMode::kLexical:
      return "lexical";
  }
  return "?";
}

std::string_view FusionName(Fusion f) { return f == Fusion::kRrf ? "rrf" : "weighted"; }

ChunkIndex::ChunkIndex(size_t dim, const HnswOptions& options)
    : dim_(dim),
      vectors_(dim == 0 ? nullptr
                        : std::make_unique<HnswIndex>(dim, Metric::kInnerProduct, options)) {}

ChunkIndex::ChunkIndex(size_t dim, std::unique_ptr<HnswIndex> vectors)
    : dim_(dim), vectors_(std::move(vectors)) {}

Status ChunkIndex::ReplaceRecord(std::string_view collection, std::string_view record_id,
                                 std::vector<Chunk> chunks, std::span<const float> vectors) {
  if (vectors.size() != chunks.size() * dim_) {
    return InvalidArgument("expected " + std::to_string(chunks.size() * dim_) +
                           " vector values, got " + std::to_string(vectors.size()));
  }
  if (!AllFinite(vectors)) return InvalidArgument("an embedding holds a NaN or infinity");
  std::lock_guard write(write_mu_);
  const std::string key = RecordKey(collection, record_id);
  std::vector<uint64_t> old;
  uint64_t first_label;
  {
    std::shared_lock lock(mu_);
    if (auto it = by_record_.find(key); it != by_record_.end()) old = it->second;
    first_label = chunks_.size();
  }
  // Index the new chunks first (their labels are not yet in the table, so searches that reach
  // them skip them until the table is updated below).
  std::vector<std::shared_ptr<const IndexedChunk>> added;
  std::vector<uint64_t> labels;
  for (size_t i = 0; i < chunks.size(); ++i) {
    auto ic = std::make_shared<IndexedChunk>();
    ic->label = first_label + i;
    ic->chunk = std::move(chunks[i]);
    Status s = vectors_ ? vectors_->Add(ic->label, vectors.subspan(i * dim_, dim_)) : Status::Ok();
    if (s.ok()) s = lexical_.Add(ic->label, TermTexts(ic->chunk.IndexedText()));
    if (!s.ok()) {
      for (uint64_t l : labels) {
        if (vectors_) (void)vectors_->Remove(l);
        (void)lexical_.Remove(l);
      }
      if (vectors_) (void)vectors_->Remove(ic->label);
      // The labels tried are spent (the lexical index never takes an id twice).
      std::unique_lock lock(mu_);
      chunks_.resize(first_label + chunks.size());
      columns_.Resize(chunks_.size());
      return s;
    }
    labels.push_back(ic->label);
    added.push_back(std::move(ic));
  }
  {
    std::unique_lock lock(mu_);
    chunks_.resize(first_label + added.size());
    columns_.Resize(chunks_.size());
    for (auto& ic : added) Register(std::move(ic));
    for (uint64_t l : old) {
      --collection_chunks_[chunks_[l]->chunk.meta.collection];
      columns_.live[l] = 0;
      chunks_[l].reset();
    }
    removed_since_lists_ += old.size();
    removed_total_ += old.size();
    if (removed_since_lists_ > live_ + 1000) RebuildLists();
    live_ = live_ + labels.size() - old.size();
    if (labels.empty()) {
      by_record_.erase(key);
    } else {
      by_record_[key] = labels;
    }
  }
  for (uint64_t l : old) {
    if (vectors_) (void)vectors_->Remove(l);
    (void)lexical_.Remove(l);
  }
  // Removed documents' postings linger until compaction; compact once they are a fifth.
  if (lexical_.removed_since_compaction() * 5 > lexical_.size() + 1000) lexical_.Compact();
  return Status::Ok();
}

void ChunkIndex::Register(std::shared_ptr<const IndexedChunk> ic) {
  const ChunkMetadata& m = ic->chunk.meta;
  const size_t l = ic->label;
  columns_.sym[kOwner][l] = Intern(m.owner_id);
  columns_.sym[kRegion][l] = Intern(m.region);
  columns_.sym[kContact][l] = Intern(m.contact_id);
  columns_.sym[kAccount][l] = Intern(m.account_id);
  columns_.sym[kRecord][l] = Intern(m.record_id);
  columns_.sym[kCollection][l] = Intern(m.collection);
  columns_.sym[kField][l] = Intern(ic->chunk.field);
  columns_.sensitivity[l] = static_cast<uint8_t>(m.sensitivity);
  columns_.titled[l] = !ic->chunk.title.empty();
  columns_.time_ms[l] = m.time_ms;
  columns_.live[l] = 1;
  for (Column c : kListed) {
    if (columns_.sym[c][l] != 0) lists_[c][columns_.sym[c][l]].push_back(static_cast<uint32_t>(l));
  }
  ++collection_chunks_[m.collection];
  chunks_[l] = std::move(ic);
}

Result<std::vector<Hit>> ChunkIndex::Search(std::string_view query,
                                            std::span<const float> query_vector,
                                            const HybridParams& p) const {
  if (p.k == 0) return InvalidArgument("k must be at least 1");
  const bool want_vector = p.mode != SearchMode::kLexical;
  if (p.mode == SearchMode::kVector && dim_ == 0) {
    return FailedPrecondition("no embedding model yet: vector search is unavailable");
  }
  const bool want_lexical = p.mode != SearchMode::kVector;
  if (want_vector && dim_ > 0 && query_vector.size() != dim_) {
    return InvalidArgument("the query vector has " + std::to_string(query_vector.size()) +
                           " dimensions, the index " + std::to_string(dim_));
  }
  const size_t cand =
      std::max({p.k, p.candidates == 0 ? std::max<size_t>(4 * p.k, 50) : p.candidates});
  // Vector component: skipped for a query with no known content (a zero vector ranks nothing).
  std::vector<Neighbor> vec;
  if (want_vector && dim_ > 0 && !IsZero(query_vector)) {
    SearchParams sp;
    sp.k = cand;
    sp.ef = std::max<size_t>(p.ef == 0 ? 64 : p.ef, cand);
    sp.filter = p.filter;
    sp.strategy = p.strategy;
    auto r = vectors_->Search(query_vector, sp);
    if (!r.ok()) return r.status();
    vec = std::move(*r);
  }
  std::vector<ScoredId> lex;
  if (want_lexical) lex = lexical_.Search(TermTexts(query), cand, p.filter);

  struct Fused {
    float score = 0;
    std::optional<float> vector;
    std::optional<float> lexical;
  };
  std::unordered_map<uint64_t, Fused> fused;
  const float best_lex = lex.empty() ? 1.0f : lex.front().score;
  const bool single = vec.empty() || lex.empty();
  for (size_t r = 0; r < vec.size(); ++r) {
    Fused& f = fused[vec[r].id];
    f.vector = 1.0f - vec[r].distance;
    if (single) {
      f.score = *f.vector;
    } else if (p.fusion == Fusion::kRrf) {
      f.score += 1.0f / static_cast<float>(p.rrf_k + static_cast<int>(r) + 1);
    } else {
      f.score += p.vector_weight * *f.vector;
    }
  }
  for (size_t r = 0; r < lex.size(); ++r) {
    Fused& f = fused[lex[r].id];
    f.lexical = lex[r].score;
    if (single) {
      f.score = lex[r].score;
    } else if (p.fusion == Fusion::kRrf) {
      f.score += 1.0f / static_cast<float>(p.rrf_k + static_cast<int>(r) + 1);
    } else {
      f.score += (1.0f - p.vector_weight) * lex[r].score / best_lex;
    }
  }
  std::vector<std::pair<uint64_t, Fused>> ranked(fused.begin(), fused.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second.score != b.second.score ? a.second.score > b.second.score : a.first < b.first;
  });

  std::vector<Hit> hits;
  {
    std::shared_lock lock(mu_);
    for (const auto& [label, f] : ranked) {
      if (label >= chunks_.size() || chunks_[label] == nullptr) continue;  // replaced meanwhile
      Hit h;
      h.chunk = chunks_[label];
      h.score = f.score;
      h.vector = f.vector;
      h.lexical = f.lexical;
      hits.push_back(std::move(h));
    }
  }
  std::vector<float> vecs;
  auto vector_of = [&](size_t i) { return vecs.data() + i * dim_; };
  const bool need_vectors =
      want_vector && dim_ > 0 && !IsZero(query_vector) && (p.mmr || !lex.empty());
  if (need_vectors) {
    // Report the vector score of lexical-only hits too, and give MMR its similarities.
    const size_t n = p.mmr ? std::min(hits.size(), 3 * p.k) : std::min(hits.size(), p.k);
    vecs.assign(n * dim_, 0.0f);
    for (size_t i = 0; i < n; ++i) {
      if (vectors_->GetVector(hits[i].chunk->label, vector_of(i)).ok() && !hits[i].vector) {
        hits[i].vector = Dot(vector_of(i), query_vector.data(), dim_);
      }
    }
  }
  if (p.mmr && hits.size() > 1 && !vecs.empty()) {
    const size_t n = vecs.size() / dim_;
    const float top = hits.front().score, bottom = hits[n - 1].score;
    const float range = top > bottom ? top - bottom : 1.0f;
    std::vector<size_t> picked;
    std::vector<bool> used(n, false);
    std::vector<float> max_sim(n, -1.0f);
    while (picked.size() < std::min(p.k, n)) {
      size_t best = n;
      float best_value = -1e30f;
      for (size_t i = 0; i < n; ++i) {
        if (used[i]) continue;
        const float rel = (hits[i].score - bottom) / range;
        const float value =
            p.mmr_lambda * rel - (1 - p.mmr_lambda) * (picked.empty() ? 0.0f : max_sim[i]);
        if (value > best_value) {
          best_value = value;
          best = i;
        }
      }
      used[best] = true;
      picked.push_back(best);
      for (size_t i = 0; i < n; ++i) {
        if (!used[i]) max_sim[i] = std::max(max_sim[i], Dot(vector_of(i), vector_of(best), dim_));
      }
    }
    std::vector<Hit> diversified;
    for (size_t i : picked) diversified.push_back(std::move(hits[i]));
    hits = std::move(diversified);
  }
  if (hits.size() > p.k) hits.resize(p.k);
  return hits;
}

uint32_t ChunkIndex::Intern(std::string_view s) {
  if (s.empty()) return 0;
  auto [it, inserted] =
      symbols_.try_emplace(std::string(s), static_cast<uint32_t>(symbols_.size() + 1));
  return it->second;
}

uint32_t ChunkIndex::SymbolOf(std::string_view s) const {
  if (s.empty()) return 0;
  auto it = symbols_.find(std::string(s));
  return it == symbols_.end() ? kNoSymbol : it->second;
}

void ChunkIndex::Columns::Resize(size_t n) {
  for (auto& c : sym) c.resize(n, 0);
  live.resize(n, 0);
  sensitivity.resize(n, 0);
  titled.resize(n, 0);
  time_ms.resize(n, 0);
}

void ChunkIndex::RebuildLists() {
  for (Column c : kListed) lists_[c].clear();
  for (size_t l = 0; l < columns_.live.size(); ++l) {
    if (!columns_.live[l]) continue;
    for (Column c : kListed) {
      if (columns_.sym[c][l] != 0)
        lists_[c][columns_.sym[c][l]].push_back(static_cast<uint32_t>(l));
    }
  }
  removed_since_lists_ = 0;
}

namespace {

// A predicate as a string, for the scope cache: every part length-prefixed, so that no two
// predicates share a key.
std::string PredicateKey(const ChunkPredicate& p) {
  std::string key;
  auto add = [&](std::string_view s) {
    key += std::to_string(s.size());
    key += ':';
    key += s;
  };
  auto list = [&](const std::vector<std::string>& v) {
    add(std::to_string(v.size()));
    for (const auto& s : v) add(s);
  };
  for (const auto& r : p.collections) {
    add(r.collection);
    add(r.redact_from ? std::to_string(static_cast<int>(*r.redact_from)) : "-");
    list(r.masked_fields);
    add(r.mask_titles ? "t" : "f");
    add(std::to_string(r.rows.size()));
    for (const auto& t : r.rows) {
      add(t.column);
      add(std::to_string(static_cast<int>(t.op)));
      add(std::to_string(t.values.size()));
      for (const auto& v : t.values) add(v ? "=" + *v : "null");
    }
  }
  key += '|';
  for (const auto* v : {&p.contact_ids, &p.account_ids, &p.owner_ids, &p.regions}) list(*v);
  return key;
}

// Below this many labels visited, evaluating a scope is cheaper than caching it.
constexpr size_t kCacheWork = 16384;

}  // namespace

std::shared_ptr<const BitmapFilter> ChunkIndex::Select(const ChunkPredicate& pred) const {
  // A set of symbols: a short list, or a bitmap over the symbol space when long.
  struct SymSet {
    std::vector<uint32_t> syms;  // 0: null; kNoSymbol: a value no chunk has
    std::vector<uint64_t> bits;
    void Build(size_t universe) {
      if (syms.size() <= 8) return;
      bits.assign(universe / 64 + 1, 0);
      for (uint32_t s : syms) {
        if (s != kNoSymbol && s / 64 < bits.size()) bits[s / 64] |= uint64_t{1} << (s % 64);
      }
    }
    bool Has(uint32_t v) const {
      if (!bits.empty()) return v / 64 < bits.size() && (bits[v / 64] >> (v % 64) & 1);
      return std::find(syms.begin(), syms.end(), v) != syms.end();
    }
  };
  struct Term {
    Column col;
    store::FieldFilter::Op op;
    SymSet set;
  };
  struct Rule {
    uint32_t collection;
    uint8_t redact_from;  // 4: nothing redacted
    std::vector<uint32_t> masked;
    bool mask_titles;
    std::vector<Term> rows;
  };
  struct Filter {  // a request filter list; empty: any
    bool any = true;
    SymSet set;
  };
  std::shared_lock lock(mu_);
  const size_t universe = symbols_.size() + 1;
  auto filter_of = [&](const std::vector<std::string>& values) {
    Filter out;
    out.any = values.empty();
    for (const auto& v : values) out.set.syms.push_back(v.empty() ? kNoSymbol : SymbolOf(v));
    out.set.Build(universe);
    return out;
  };
  std::vector<Rule> rules;
  const bool restricted = pred.from_ms || pred.to_ms || !pred.contact_ids.empty() ||
                          !pred.account_ids.empty() || !pred.owner_ids.empty() ||
                          !pred.regions.empty() || !pred.record_ids.empty();
  size_t covered = 0;  // live chunks of collections allowed without restriction
  for (const auto& cr : pred.collections) {
    Rule r;
    r.collection = SymbolOf(cr.collection);
    if (r.collection == kNoSymbol || r.collection == 0) continue;  // no chunk of it here
    r.redact_from = cr.redact_from ? static_cast<uint8_t>(*cr.redact_from) : 4;
    for (const auto& f : cr.masked_fields) r.masked.push_back(SymbolOf(f));
    r.mask_titles = cr.mask_titles;
    for (const auto& t : cr.rows) {
      Term term;
      if (t.column == "owner_id")
        term.col = kOwner;
      else if (t.column == "region")
        term.col = kRegion;
      else if (t.column == "contact_id")
        term.col = kContact;
      else if (t.column == "account_id")
        term.col = kAccount;
      else if (t.column == "id")
        term.col = kRecord;
      else
        return std::make_shared<BitmapFilter>(0);  // unknown column: fail closed, nothing allowed
      term.op = t.op;
      for (const auto& v : t.values) term.set.syms.push_back(v ? SymbolOf(*v) : 0);
      term.set.Build(universe);
      r.rows.push_back(std::move(term));
    }
    if (r.redact_from == 4 && r.masked.empty() && !r.mask_titles && r.rows.empty()) {
      if (auto it = collection_chunks_.find(cr.collection); it != collection_chunks_.end()) {
        covered += it->second;
      }
    }
    rules.push_back(std::move(r));
  }
  if (!restricted && covered == live_) return nullptr;

  const Filter contacts = filter_of(pred.contact_ids), accounts = filter_of(pred.account_ids),
               owners = filter_of(pred.owner_ids), regions = filter_of(pred.regions),
               records = filter_of(pred.record_ids);
  const int64_t from = pred.from_ms.value_or(INT64_MIN);
  const int64_t to = pred.to_ms.value_or(INT64_MAX);
  const Columns& c = columns_;
  auto request_ok = [&](size_t l) {
    return (contacts.any || contacts.set.Has(c.sym[kContact][l])) &&
           (accounts.any || accounts.set.Has(c.sym[kAccount][l])) &&
           (owners.any || owners.set.Has(c.sym[kOwner][l])) &&
           (regions.any || regions.set.Has(c.sym[kRegion][l])) &&
           (records.any || records.set.Has(c.sym[kRecord][l])) && c.time_ms[l] >= from &&
           c.time_ms[l] < to;
  };
  auto rule_ok = [&](const Rule& r, size_t l) {
    if (!c.live[l] || c.sym[kCollection][l] != r.collection) return false;
    if (c.sensitivity[l] >= r.redact_from) return false;
    if (r.mask_titles && c.titled[l]) return false;
    if (!r.masked.empty() &&
        std::find(r.masked.begin(), r.masked.end(), c.sym[kField][l]) != r.masked.end()) {
      return false;
    }
    for (const Term& t : r.rows) {
      const uint32_t v = c.sym[t.col][l];
      bool ok = false;
      switch (t.op) {
        case store::FieldFilter::Op::kEq:  // a null value means IS NULL
          ok = !t.set.syms.empty() && (t.set.syms[0] == 0 ? v == 0 : v != 0 && v == t.set.syms[0]);
          break;
        case store::FieldFilter::Op::kNe:
          ok = v != 0 && !t.set.syms.empty() && v != t.set.syms[0];
          break;
        case store::FieldFilter::Op::kIn:
          ok = v != 0 && t.set.Has(v);
          break;
        case store::FieldFilter::Op::kNotIn:
          ok = v == 0 || !t.set.Has(v);
          break;
      }
      if (!ok) return false;
    }
    return true;
  };
  const size_t n = c.live.size();
  auto admit = [&](size_t l) {
    if (!c.live[l]) return false;
    for (const Rule& r : rules) {
      if (r.collection == c.sym[kCollection][l]) return rule_ok(r, l) && request_ok(l);
    }
    return false;
  };
  // A cached set: current as it is, or brought up to date with the labels added since.
  const bool cacheable = pred.record_ids.empty() && !pred.from_ms && !pred.to_ms;
  const std::string key = cacheable ? PredicateKey(pred) : std::string();
  if (cacheable) {
    CachedScope hit;
    {
      std::lock_guard scope(scope_mu_);
      if (auto it = scopes_.find(key); it != scopes_.end()) {
        it->second.used = ++scope_clock_;
        hit = it->second;
      }
    }
    if (hit.bits != nullptr &&
        removed_total_ - hit.removed_at <= hit.bits->AllowedCount() / 8 + 64 && hit.upto <= n) {
      if (hit.upto == n) return hit.bits;
      auto grown = std::make_shared<BitmapFilter>(*hit.bits);
      for (size_t l = hit.upto; l < n; ++l) {
        if (admit(l)) grown->Allow(l);
      }
      std::lock_guard scope(scope_mu_);
      CachedScope& e = scopes_[key];
      if (e.upto < n) {
        e.bits = grown;
        e.upto = n;
        e.removed_at = hit.removed_at;
      }
      return grown;
    }
  }
  // The labels a rule can start from: its collection's, or a kEq/kIn term's (the union of its
  // values' lists), whichever is shortest. A long start is scanned instead.
  auto list_of = [&](Column col, uint32_t sym) -> const std::vector<uint32_t>* {
    auto it = lists_[col].find(sym);
    return it == lists_[col].end() ? nullptr : &it->second;
  };
  auto f = std::make_shared<BitmapFilter>(n);
  size_t work = 0;
  std::vector<const Rule*> scanned;
  for (const Rule& r : rules) {
    std::vector<const std::vector<uint32_t>*> start;
    size_t start_size = 0;
    if (const auto* l = list_of(kCollection, r.collection)) {
      start = {l};
      start_size = l->size();
    }
    for (const Term& t : r.rows) {
      const bool listed = t.col != kRecord;
      if (!listed || (t.op != store::FieldFilter::Op::kEq && t.op != store::FieldFilter::Op::kIn)) {
        continue;
      }
      if (std::find(t.set.syms.begin(), t.set.syms.end(), 0u) != t.set.syms.end()) continue;
      std::vector<const std::vector<uint32_t>*> lists;
      size_t size = 0;
      const size_t values = t.op == store::FieldFilter::Op::kEq
                                ? std::min<size_t>(1, t.set.syms.size())
                                : t.set.syms.size();
      for (size_t i = 0; i < values; ++i) {
        if (const auto* l = list_of(t.col, t.set.syms[i])) {
          lists.push_back(l);
          size += l->size();
        }
      }
      if (size < start_size) {
        start = std::move(lists);
        start_size = size;
      }
    }
    if (start_size > n / 2) {
      scanned.push_back(&r);
      continue;
    }
    work += start_size;
    for (const auto* l : start) {
      for (uint32_t label : *l) {
        if (rule_ok(r, label) && request_ok(label)) f->Allow(label);
      }
    }
  }
  if (!scanned.empty()) {
    work += n;
    for (size_t l = 0; l < n; ++l) {
      if (!c.live[l]) continue;
      const uint32_t coll = c.sym[kCollection][l];
      for (const Rule* r : scanned) {
        if (r->collection == coll) {
          if (rule_ok(*r, l) && request_ok(l)) f->Allow(l);
          break;
        }
      }
    }
  }
  if (cacheable && work >= kCacheWork) {
    std::lock_guard scope(scope_mu_);
    if (scopes_.size() >= kScopes && !scopes_.count(key)) {
      auto oldest = std::min_element(
          scopes_.begin(), scopes_.end(),
          [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
      scopes_.erase(oldest);
    }
    scopes_[key] = CachedScope{f, n, removed_total_, ++scope_clock_};
  }
  return f;
}

std::shared_ptr<const IndexedChunk> ChunkIndex::Get(uint64_t label) const {
  std::shared_lock lock(mu_);
  return label < chunks_.size() ? chunks_[label] : nullptr;
}

std::vector<std::shared_ptr<const IndexedChunk>> ChunkIndex::ChunksOf(
    std::string_view collection, std::string_view record_id) const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const IndexedChunk>> out;
  if (auto it = by_record_.find(RecordKey(collection, record_id)); it != by_record_.end()) {
    for (uint64_t l : it->second) out.push_back(chunks_[l]);
  }
  return out;
}

void ChunkIndex::ForEach(const std::function<void(const IndexedChunk&)>& fn) const {
  std::shared_lock lock(mu_);
  for (const auto& c : chunks_) {
    if (c != nullptr) fn(*c);
  }
}

void ChunkIndex::ForEachRecord(
    const std::function<void(std::string_view, std::string_view, int64_t, int64_t)>& fn) const {
  std::shared_lock lock(mu_);
  for (const auto& [key, labels] : by_record_) {
    const ChunkMetadata& m = chunks_[labels.front()]->chunk.meta;
    fn(m.collection, m.record_id, m.record_seq, m.record_version);
  }
}

size_t ChunkIndex::size() const {
  std::shared_lock lock(mu_);
  return live_;
}

size_t ChunkIndex::labels() const {
  std::shared_lock lock(mu_);
  return chunks_.size();
}

size_t ChunkIndex::records() const {
  std::shared_lock lock(mu_);
  return by_record_.size();
}

size_t ChunkIndex::MemoryBytes() const {
  size_t text = 0;
  {
    std::shared_lock lock(mu_);
    for (const auto& c : chunks_) {
      if (c != nullptr) text += sizeof(IndexedChunk) + c->chunk.text.capacity() + 200;
    }
  }
  return text + (vectors_ ? vectors_->MemoryBytes() : 0) + lexical_.MemoryBytes();
}

std::string MakeSnippet(std::string_view text, std::string_view query, size_t max_bytes) {
  std::unordered_set<std::string> q;
  for (auto& t : TermTexts(query)) q.insert(std::move(t));
  return MakeSnippet(text, q, max_bytes);
}

std::string MakeSnippet(std::string_view text, const std::unordered_set<std::string>& q,
                        size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  // The window of max_bytes holding the most query-term occurrences, starting at a word.
  std::vector<uint32_t> hits;
  for (const Token& t : Terms(text)) {
    if (q.count(t.text)) hits.push_back(t.start);
  }
  size_t start = 0;
  size_t best = 0;
  for (size_t i = 0, j = 0; i < hits.size(); ++i) {
    while (j < hits.size() && hits[j] < hits[i] + max_bytes * 3 / 4) ++j;
    if (j - i > best) {
      best = j - i;
      start = hits[i];
    }
  }
  // Start a few words before the first hit, at a word boundary.
  if (start > 0) {
    size_t back = start > max_bytes / 6 ? start - max_bytes / 6 : 0;
    while (back > 0 && text[back - 1] != ' ' && text[back - 1] != '\n') --back;
    start = back;
  }
  size_t end = std::min(text.size(), start + max_bytes);
  if (end < text.size()) {
    size_t cut = end;
    while (cut > start && text[cut] != ' ' && text[cut] != '\n') --cut;
    end = cut > start ? cut : end;
  }
  while (end < text.size() && IsContinuation(text, end)) --end;
  std::string out;
  if (start > 0) out += "…";
  out.append(text.substr(start, end - start));
  if (end < text.size()) out += "…";
  return out;
}

}  // namespace crmi::retrieval
