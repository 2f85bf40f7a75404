// Offline retrieval evaluation on BEIR-format data sets (Thakur et al. 2021): a corpus
// (JSON Lines {"_id", "title", "text"}), queries ({"_id", "text"}) and relevance judgements
// (TSV query-id, corpus-id, score, with a header line). Documents go through the same chunker,
// embedder, indexes and fusion as live data; a document's rank is its best chunk's.
//
// Metrics per mode: recall@1/10/100, MRR@10, nDCG@10 (linear gain, as pytrec_eval/BEIR) and
// search latency p50/p99 (query embedding included).
#ifndef CRMI_RETRIEVAL_EVAL_H_
#define CRMI_RETRIEVAL_EVAL_H_

#include <map>
#include <string>
#include <vector>

#include "src/common/status.h"
#include "src/retrieval/builtin_embedder.h"
#include "src/retrieval/chunk_index.h"

namespace crmi::retrieval {

struct BeirDoc {
  std::string id;
  std::string title;
  std::string text;
};

struct BeirQuery {
  std::string id;
  std::string text;
};

struct BeirData {
  std::vector<BeirDoc> corpus;
  std::vector<BeirQuery> queries;                           // only those with judgements
  std::map<std::string, std::map<std::string, int>> qrels;  // query → doc → grade
};

// kNotFound for a missing file; kInvalidArgument naming the file and line of a malformed entry.
Result<BeirData> LoadBeir(const std::string& corpus_path, const std::string& queries_path,
                          const std::string& qrels_path);

struct ModeMetrics {
  std::string mode;
  double recall_at_1 = 0, recall_at_10 = 0, recall_at_100 = 0;
  double mrr_at_10 = 0, ndcg_at_10 = 0;
  double p50_ms = 0, p99_ms = 0;
  size_t queries = 0;
};

// Metrics of one ranked list per query (doc ids, best first) against the judgements.
ModeMetrics Score(const BeirData& data,
                  const std::map<std::string, std::vector<std::string>>& runs);

struct EvalOptions {
  std::vector<SearchMode> modes = {SearchMode::kLexical, SearchMode::kVector, SearchMode::kHybrid};
  HybridParams params;              // fusion settings (k is set by the evaluation)
  BuiltinEmbedderOptions embedder;  // used when training
  ChunkOptions chunking;
  std::string model_path;  // where the trained model is written (or read, reuse_model)
  bool reuse_model = false;
};

struct EvalReport {
  std::vector<ModeMetrics> modes;
  size_t documents = 0, chunks = 0;
  double train_seconds = 0, index_seconds = 0;
  std::string embedder;  // model@version
  std::string ToJson() const;
  std::string ToTable() const;
};

Result<EvalReport> EvaluateRetrieval(const BeirData& data, const EvalOptions& options);

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_EVAL_H_
