// One tenant's searchable chunks under one embedding model: the chunk table, a vector index
// (HNSW) and a lexical index (BM25) over the same labels, and hybrid search across both.
//
// Labels are dense, assigned here and never reused: a changed passage is a new chunk with a new
// label. A record's chunks are replaced by adding the new ones before removing the old, so a
// concurrent search sees the old or the new version of a record (for an instant both), never
// neither.
//
// Filtering happens inside both indexes: the caller passes the allowed labels (Select builds
// them from a predicate over chunk metadata), and each component returns the best allowed
// chunks — a filtered search is never a post-filtered unfiltered one, and when fewer than k
// chunks are allowed, all of them come back.
//
// Snapshots: SaveSnapshot/LoadSnapshot write and reopen the whole index (chunk table, BM25
// postings, HNSW graph) so that a restart does not rebuild it; the caller reconciles the reopened
// index with its source of truth by record (ForEachRecord gives each record's seq and version).
//
// Thread-safety: concurrent searches; writers are serialised internally.
#ifndef CRMI_RETRIEVAL_CHUNK_INDEX_H_
#define CRMI_RETRIEVAL_CHUNK_INDEX_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "src/common/status.h"
#include "src/retrieval/bm25_index.h"
#include "src/retrieval/chunker.h"
#include "src/retrieval/hnsw_index.h"

namespace crmi::retrieval {

struct IndexedChunk {
  uint64_t label = 0;
  Chunk chunk;
};

// Which chunks a search may return, in terms of chunk metadata. The index compiles it to integer
// comparisons over a columnar copy of the metadata, so building the allowed set costs a few
// nanoseconds per chunk.
struct RowTerm {
  // "owner_id", "region", "contact_id", "account_id" or "id" (the record id).
  std::string column;
  store::FieldFilter::Op op = store::FieldFilter::Op::kEq;
  std::vector<std::optional<std::string>> values;  // nullopt: null (SQL semantics, as the store)
};

struct CollectionRule {
  std::string collection;
  std::optional<crm::Sensitivity> redact_from;  // chunks of this class or above are excluded
  std::vector<std::string> masked_fields;       // chunks of these fields are excluded
  bool mask_titles = false;   // exclude chunks carrying a title (the title field is masked)
  std::vector<RowTerm> rows;  // all must hold
};

struct ChunkPredicate {
  std::vector<CollectionRule> collections;  // a chunk of any other collection is excluded
  // Request filters; empty lists allow anything.
  std::vector<std::string> contact_ids, account_ids, owner_ids, regions, record_ids;
  std::optional<int64_t> from_ms, to_ms;  // [from, to) on ChunkMetadata::time_ms
};

enum class SearchMode { kHybrid, kVector, kLexical };
enum class Fusion { kRrf, kWeighted };

std::string_view SearchModeName(SearchMode m);
std::string_view FusionName(Fusion f);

struct HybridParams {
  size_t k = 10;
  SearchMode mode = SearchMode::kHybrid;
  // Weighted by default: chosen on SciFact's train split, where RRF with the built-in embedder
  // lost to BM25 alone (docs/retrieval.md).
  Fusion fusion = Fusion::kWeighted;
  // Weighted fusion: score = w · cosine + (1 - w) · bm25 / best bm25 among the candidates.
  float vector_weight = 0.3f;
  int rrf_k = 60;  // RRF: score = Σ 1 / (rrf_k + rank)
  // Candidates each component contributes before fusion; 0: max(4k, 50).
  size_t candidates = 0;
  size_t ef = 0;  // HNSW beam; 0: max(64, candidates)
  // Maximal marginal relevance over the fused candidates: trades relevance (lambda) against
  // similarity to what was already picked, so near-duplicate passages do not fill the page.
  bool mmr = false;
  float mmr_lambda = 0.7f;
  const IdFilter* filter = nullptr;  // allowed labels; null: every live chunk
  SearchParams::Strategy strategy = SearchParams::Strategy::kAuto;
};

struct Hit {
  std::shared_ptr<const IndexedChunk> chunk;
  float score = 0;               // the fused score (or the single component's)
  std::optional<float> vector;   // cosine similarity, when the vector component ran
  std::optional<float> lexical;  // BM25, when the chunk was among the lexical candidates
};

class ChunkIndex {
 public:
  // dim 0: no vector index (a tenant without an embedding model searches lexically).
  ChunkIndex(size_t dim, const HnswOptions& options = {});

  size_t dim() const { return dim_; }

  // Replaces every chunk of (collection, record_id) with `chunks`, whose vectors are
  // `vectors` (chunks.size() × dim(), normalised). No chunks: the record leaves the index.
  // kInvalidArgument when sizes disagree or a vector is not finite (nothing changes then).
  Status ReplaceRecord(std::string_view collection, std::string_view record_id,
                       std::vector<Chunk> chunks, std::span<const float> vectors);

  // kInvalidArgument when k is 0 or the query vector has the wrong size (vector modes).
  // `query_vector` may be empty for lexical search.
  Result<std::vector<Hit>> Search(std::string_view query, std::span<const float> query_vector,
                                  const HybridParams& params) const;

  // Labels whose chunk satisfies `pred`; null when that is every live chunk (searches then run
  // unfiltered). The set may still hold labels removed since it was built: both indexes skip
  // removed labels, so it selects exactly the live chunks satisfying `pred`.
  //
  // Wide scopes are cached (an advisor's book or a region is the same on every query) and kept
  // current incrementally: labels are never reused and a label's metadata never changes, so a
  // cached set stays exact for the labels it covered and only labels added since are evaluated;
  // it is rebuilt once the labels removed since outnumber an eighth of it.
  std::shared_ptr<const BitmapFilter> Select(const ChunkPredicate& pred) const;

  std::shared_ptr<const IndexedChunk> Get(uint64_t label) const;
  std::vector<std::shared_ptr<const IndexedChunk>> ChunksOf(std::string_view collection,
                                                            std::string_view record_id) const;
  // Calls fn for every live chunk (under the read lock: fn must not call back into the index).
  void ForEach(const std::function<void(const IndexedChunk&)>& fn) const;
  size_t size() const;
  // Labels ever assigned: live chunks plus replaced and removed ones (still tombstones in the
  // vector index and slots in the table).
  size_t labels() const;
  // Records with at least one chunk.
  size_t records() const;
  size_t MemoryBytes() const;

  // Null when dim() is 0.
  const VectorIndex* vector_index() const { return vectors_.get(); }

  // Calls fn(collection, record_id, seq, version) for every record with chunks (under the read
  // lock: fn must not call back into the index).
  void ForEachRecord(
      const std::function<void(std::string_view, std::string_view, int64_t, int64_t)>& fn) const;

  // Writes the index into `dir` (created when missing): generation files `chunks-N` (chunk
  // table and BM25 postings) and `vectors-N` (HNSW), then a `CURRENT` file naming generation N,
  // then older generations are deleted — a crash at any point leaves the previous complete
  // snapshot. `model` (the embedder's id; "" for lexical only) is stored with it. Writers wait
  // meanwhile; searches do not. kUnavailable on I/O errors.
  Status SaveSnapshot(const std::string& dir, std::string_view model) const;

  struct Snapshot {
    std::unique_ptr<ChunkIndex> index;
    std::string model;
  };
  // Reopens what SaveSnapshot wrote. kNotFound when `dir` holds no snapshot; kDataLoss when it
  // is damaged or its parts disagree (nothing half-loaded is returned).
  static Result<Snapshot> LoadSnapshot(const std::string& dir);

 private:
  ChunkIndex(size_t dim, std::unique_ptr<HnswIndex> vectors);
  static std::string RecordKey(std::string_view collection, std::string_view id);
  // Enters a chunk into the table, its columns and label lists (under mu_, exclusive).
  void Register(std::shared_ptr<const IndexedChunk> ic);

  const size_t dim_;
  mutable std::mutex write_mu_;  // one ReplaceRecord (or SaveSnapshot) at a time
  // The metadata filters look at, by label, column by column (a predicate reads only the
  // columns it needs), strings interned as small integers (symbols; 0 is null).
  enum Column { kOwner, kRegion, kContact, kAccount, kRecord, kCollection, kField, kColumns };
  struct Columns {
    std::vector<uint32_t> sym[kColumns];
    std::vector<uint8_t> live, sensitivity, titled;
    std::vector<int64_t> time_ms;
    void Resize(size_t n);
  };
  // Labels (ascending) per symbol of the columns a selective predicate can start from; removed
  // labels stay until the lists are rebuilt (when they are as many as the live ones).
  static constexpr Column kListed[] = {kOwner, kRegion, kContact, kAccount, kCollection};
  void RebuildLists();                  // under mu_ (exclusive)
  uint32_t Intern(std::string_view s);  // under mu_ (exclusive)
  // The symbol of `s` if interned; kNoSymbol otherwise (matches no chunk). "" is 0 (null).
  uint32_t SymbolOf(std::string_view s) const;
  static constexpr uint32_t kNoSymbol = UINT32_MAX;

  mutable std::shared_mutex mu_;
  std::vector<std::shared_ptr<const IndexedChunk>> chunks_;  // by label; null when removed
  Columns columns_;                                          // by label
  std::unordered_map<uint32_t, std::vector<uint32_t>> lists_[kColumns];
  size_t removed_since_lists_ = 0;
  std::unordered_map<std::string, uint32_t> symbols_;               // "" is never stored: it is 0
  std::map<std::string, uint32_t, std::less<>> collection_chunks_;  // live chunks per collection
  std::map<std::string, std::vector<uint64_t>, std::less<>> by_record_;  // "collection/id"
  size_t live_ = 0;
  uint64_t removed_total_ = 0;  // labels ever removed (under mu_)
  // Select's cache of wide scopes, by predicate; the least recently used goes beyond kScopes.
  struct CachedScope {
    std::shared_ptr<const BitmapFilter> bits;
    size_t upto = 0;          // labels [0, upto) were evaluated
    uint64_t removed_at = 0;  // removed_total_ then
    uint64_t used = 0;
  };
  static constexpr size_t kScopes = 32;
  mutable std::mutex scope_mu_;
  mutable std::unordered_map<std::string, CachedScope> scopes_;
  mutable uint64_t scope_clock_ = 0;
  std::unique_ptr<HnswIndex> vectors_;
  Bm25Index lexical_;
};

// A passage of at most `max_bytes` around the query's terms (whole words, "…" where cut).
std::string MakeSnippet(std::string_view text, std::string_view query, size_t max_bytes = 240);
// The same with the query's terms (TermTexts) already computed, for many passages of one query.
std::string MakeSnippet(std::string_view text, const std::unordered_set<std::string>& query_terms,
                        size_t max_bytes = 240);

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_CHUNK_INDEX_H_
