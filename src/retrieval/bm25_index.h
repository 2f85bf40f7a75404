// An in-memory inverted index scored with BM25 (Robertson & Zaragoza; Lucene's idf), filtered
// inside the search: postings of ids the filter rejects are never scored, so a filtered query
// returns the top k of the allowed set, never a post-filtered subset.
//
// Ids are dense labels below 2^32 that are never reused: a changed chunk gets a new label (the
// corpus assigns them), so Add of an id seen before is refused. Remove marks the id dead; its
// postings are skipped and dropped by the next Compact(), which also makes document frequencies
// exact again (between compactions, df still counts removed documents: scores drift slightly,
// membership never does).
//
// Memory: 5 bytes per posting (doc, saturated tf) plus the vocabulary.
//
// Thread-safety: concurrent Search calls; Add/Remove/Compact take an exclusive lock.
#ifndef CRMI_RETRIEVAL_BM25_INDEX_H_
#define CRMI_RETRIEVAL_BM25_INDEX_H_

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/common/status.h"
#include "src/retrieval/vector_index.h"

namespace crmi {
class BinaryReader;
class BinaryWriter;
}  // namespace crmi

namespace crmi::retrieval {

struct Bm25Params {
  // Anserini's defaults for short passages (k1 0.9, b 0.4).
  float k1 = 0.9f;
  float b = 0.4f;
};

struct ScoredId {
  uint64_t id = 0;
  float score = 0;  // higher is better
};

class Bm25Index {
 public:
  explicit Bm25Index(Bm25Params params = {}) : params_(params) {}

  // `terms`: the document's analysed terms (text.h Terms). kAlreadyExists when the id was added
  // before (even if removed since); kInvalidArgument when id ≥ 2^32.
  Status Add(uint64_t id, const std::vector<std::string>& terms);
  // kNotFound when the id is not live.
  Status Remove(uint64_t id);
  // Drops removed documents' postings and recomputes document frequencies.
  void Compact();

  // The k best-scoring live documents containing at least one query term, best first, ties by
  // id; only ids `filter` allows when one is given.
  std::vector<ScoredId> Search(const std::vector<std::string>& query_terms, size_t k,
                               const IdFilter* filter = nullptr) const;

  size_t size() const;  // live documents
  size_t terms() const;
  size_t postings() const;  // including those of removed documents not yet compacted
  size_t removed_since_compaction() const;
  // Searches in which pruning skipped part of the lists (tests, tuning).
  uint64_t pruned_searches() const { return pruned_searches_.load(); }
  size_t MemoryBytes() const;

  // Appends the index to `out` (a consistent copy: writers wait meanwhile).
  void Save(BinaryWriter& out) const;
  // Replaces this (empty) index with one written by Save. kDataLoss when the input is
  // truncated or inconsistent (a posting of an unknown id, ids out of order); the index is
  // then left empty.
  Status Load(BinaryReader& in);

 private:
  struct PostingList {
    std::vector<uint32_t> docs;
    std::vector<uint8_t> tfs;  // saturated at 255
    uint32_t df = 0;           // documents counted in idf
    // The largest tf and the shortest document length (in terms) among the postings, removed
    // ones included until compaction: they bound what the term can add to any document under any
    // collection statistics (a score grows with tf and shrinks with length).
    uint8_t max_tf = 0;
    uint32_t min_len = UINT32_MAX;
  };
  struct QueryTerm;
  struct Scorer;
  // Document at a time with MaxScore (few query terms) and term at a time (many); both exact,
  // under the shared lock.
  std::vector<ScoredId> SearchDocAtATime(const std::vector<QueryTerm>& terms, size_t k,
                                         const IdFilter* filter, const Scorer& scorer) const;
  std::vector<ScoredId> SearchTermAtATime(std::vector<QueryTerm> terms, size_t k,
                                          const IdFilter* filter, const Scorer& scorer) const;
  // A selective filter: its allowed ids are looked up in each list instead.
  std::vector<ScoredId> SearchAllowedSet(const std::vector<QueryTerm>& terms, size_t k,
                                         const IdFilter& filter, const Scorer& scorer) const;
  enum : uint32_t { kNever = 0, kDead = UINT32_MAX };

  const Bm25Params params_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, uint32_t> term_ids_;
  std::vector<PostingList> lists_;
  // Per id: kNever, kDead, or the document's length in terms + 1.
  std::vector<uint32_t> state_;
  size_t live_ = 0;
  uint64_t live_length_ = 0;
  size_t removed_since_compaction_ = 0;
  mutable std::atomic<uint64_t> pruned_searches_{0};
};

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_BM25_INDEX_H_
