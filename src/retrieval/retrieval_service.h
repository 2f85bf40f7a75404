// RetrievalService: the live semantic memory of crmi. It keeps one ChunkIndex per tenant in step
// with the store, answers policy-scoped searches, and swaps embedding models without downtime.
//
// Refresh: the store announces every committed change (Store::AddChangeListener); the service
// puts the (tenant, collection, id) on a bounded queue and one worker re-reads the record,
// re-chunks it and re-embeds only passages whose text changed (others keep their vectors), then
// replaces the record's chunks. When the queue is full the change is not dropped: the tenant is
// marked for reconciliation — every record whose seq or version differs from what the index holds
// is applied again — which the worker runs next. Freshness lag and queue depth are metrics.
//
// Start-up: each tenant's index is reopened from its last snapshot (<dir>/<tenant>/index, written
// after every build, every snapshot_interval while changes arrive, and at Stop) and reconciled
// with the store record by record: whatever changed, appeared or vanished since the snapshot
// (by seq and version) is applied again. Without a usable snapshot — none, damaged, or made
// with another embedding model — the index is built from the store (the store is the truth; the
// index is derived). Either way a restart resumes whatever was unfinished, including a model
// change that was requested (a marker file) and not yet swapped in.
//
// Embedders: with a shared (remote) embedder configured, every tenant uses it. Otherwise each
// tenant has its built-in model (trained on its own texts, stored under
// <dir>/<tenant>/builtin.bin), trained automatically once the tenant's corpus is large enough
// and retrained by Reindex. Until a tenant has a model its searches are lexical.
//
// Model change: Reindex(tenant) trains a new model and builds a new index in the background
// while the old one keeps serving; changes arriving meanwhile are replayed into the new index,
// then the tenant's state is swapped atomically. A first model is trained the same way (never on
// the refresh worker), and a tenant whose replaced passages outnumber its live ones is compacted
// the same way too, with the same model and every vector carried over.
//
// Policy: a search carries the caller's scopes — per collection, the PDP's row filter and field
// obligations — and request filters; they become one predicate over chunk metadata evaluated
// inside both indexes. A row filter on a field chunks do not carry cannot be enforced: that
// collection is left out (or, when the caller asked for it by name, the search is refused).
//
// Thread-safety: all public methods are safe to call concurrently.
#ifndef CRMI_RETRIEVAL_RETRIEVAL_SERVICE_H_
#define CRMI_RETRIEVAL_RETRIEVAL_SERVICE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "src/common/metrics.h"
#include "src/common/status.h"
#include "src/crm/schema.h"
#include "src/retrieval/builtin_embedder.h"
#include "src/retrieval/chunk_index.h"
#include "src/store/store.h"

namespace crmi::retrieval {

struct RetrievalOptions {
  std::string dir;  // <data-dir>/retrieval
  ChunkOptions chunking;
  BuiltinEmbedderOptions builtin;
  HnswOptions hnsw;
  size_t queue_capacity = 100000;
  // A tenant's built-in model is trained once its corpus holds this many words.
  size_t min_training_words = 2000;
  // When set, every tenant embeds with this model (an OpenAI-compatible service behind the
  // content cache) instead of a built-in one; nothing is trained.
  std::shared_ptr<Embedder> shared_embedder;
  // Residency: the region of shared_embedder's endpoint ("" = no restriction). A record whose
  // region differs is never sent to it — and, without vectors, it is left out of the index (not
  // searchable) and counted in crmi_residency_refusals_total{endpoint="embeddings"}.
  std::string embedder_region;
  // Applied to every text (passage or query) bound for shared_embedder, with the tenant's name:
  // the privacy layer's redaction (privacy::EmbeddingRedactor), so that personal values never
  // leave for the endpoint. An error refuses the call — the text is not sent. Null: sent as is.
  std::function<Status(const std::string& tenant, std::vector<std::string>* texts)>
      before_embedding;
  // A tenant's index is rebuilt in the background (vectors reused, the old index serving until
  // the swap) once its labels — every passage version ever indexed, live or replaced — exceed
  // twice the live passages plus this slack: replaced passages stay in the HNSW graph as
  // tombstones and in the label space until then.
  size_t compact_slack = 10000;
  // How often the recall monitor samples live queries; 0 turns it off.
  std::chrono::milliseconds recall_monitor_interval{std::chrono::seconds(60)};
  // A tenant whose index changed is snapshotted at most this often (and never more often than
  // ten times its last snapshot's duration, so that saving stays under a tenth of the worker's
  // time); also after every build and at Stop. 0: no snapshots (restarts rebuild).
  std::chrono::milliseconds snapshot_interval{std::chrono::seconds(60)};
  // Search results kept for identical searches in the same scope (search_cache.h); 0: none.
  size_t search_cache_entries = 10000;
};

// What the policy lets the caller see of one collection.
struct CollectionScope {
  std::string collection;
  std::vector<store::FieldFilter> rows;         // the PDP's row filter (all must hold)
  std::optional<crm::Sensitivity> redact_from;  // passages of this class or above are hidden
  std::vector<std::string> mask_fields;         // passages of these fields are hidden
};

struct SearchFilters {
  std::vector<std::string> collections;  // empty: every collection in scope
  std::vector<std::string> contact_ids, account_ids, owner_ids, regions, record_ids;
  std::optional<int64_t> from_ms, to_ms;  // [from, to) on the passage's time
};

struct SearchRequest {
  std::string tenant;
  std::string query;
  size_t k = 10;
  SearchMode mode = SearchMode::kHybrid;
  Fusion fusion = Fusion::kWeighted;
  bool mmr = false;
  SearchFilters filters;
  std::vector<CollectionScope> scopes;  // nothing outside these is ever returned
  // Residency: the regions the caller's data belongs to (the principal's "regions" attribute);
  // empty = unrestricted. When the embeddings endpoint is in none of them, the query is not sent
  // to it: hybrid runs lexically, vector is refused (kPermissionDenied).
  std::vector<std::string> caller_regions;
};

struct SearchResponse {
  std::vector<Hit> hits;
  std::string embedder;  // model@version used for the vector component ("" when lexical only)
  SearchMode mode = SearchMode::kHybrid;  // what actually ran
};

// Feedback on one search hit, stored for later evaluation (<dir>/<tenant>/feedback.jsonl).
struct Feedback {
  std::string hit_id;  // as search returned it
  std::string label;   // "used" or "not_useful"
  std::string query;
  std::string principal;
  std::string time;  // RFC 3339
};

struct TenantStats {
  std::string tenant;
  bool ready = false;
  std::string embedder;
  size_t chunks = 0, records = 0;
  size_t dead = 0;  // replaced or removed passages still held (until a compaction)
  bool reindexing = false;
  bool reopened = false;       // served from a snapshot since start (not rebuilt)
  double snapshot_age_s = -1;  // since the last snapshot written or reopened; -1: none
  std::string last_error;
  double recall = -1;  // last measured by the monitor; -1: not yet
};

class SearchCache;

class RetrievalService {
 public:
  static constexpr size_t kMaxK = 1000;

  // REQUIRES: store and schema outlive the service; `registry` may be null.
  RetrievalService(store::Store* store, const crm::Schema* schema, RetrievalOptions options,
                   metrics::Registry* registry);
  ~RetrievalService();

  // Registers with the store and starts the worker (which first builds every tenant's index).
  Status Start();
  // Stops the worker; pending changes are not lost (the next start rebuilds from the store).
  void Stop();

  // kInvalidArgument: empty query, k outside 1..kMaxK. kPermissionDenied: a collection asked for
  // by name is outside the scopes or its row filter cannot be enforced. kUnavailable: the
  // tenant's index is still being built. kFailedPrecondition: vector mode without a model yet.
  Result<SearchResponse> Search(const SearchRequest& request);

  // Embeds `texts` with the tenant's model (the shared remote one through before_embedding, or
  // the tenant's built-in one), one normalised vector per text appended to *out; *model gets
  // its "model@version". kFailedPrecondition while the tenant has no model (its corpus is too
  // small to train one), kUnavailable while its index is first built, kPermissionDenied when
  // the embeddings endpoint's region is not among `caller_regions` (empty: unrestricted).
  Status EmbedForTenant(const std::string& tenant, std::vector<std::string> texts,
                        const std::vector<std::string>& caller_regions, std::vector<float>* out,
                        std::string* model, size_t* dim);

  // Trains a new built-in model for `tenant` and re-indexes in the background; the current index
  // serves until the swap. kAlreadyExists when one is already running.
  Status Reindex(const std::string& tenant);

  // Data was erased from the tenant (GDPR): trains a new model and rebuilds the index from the
  // store, after any build running now (which may have read the erased data), and writes a new
  // snapshot, so neither the model's vocabulary nor the snapshot files keep the erased text.
  Status Purge(const std::string& tenant);

  // Waits until every change announced before the call has been applied (and no reindex runs).
  // False on timeout.
  bool WaitIdle(std::chrono::milliseconds timeout);

  std::vector<TenantStats> Stats();

  // Stores feedback on a hit the caller can see under `scope` (its tenant and scopes; query and
  // k are ignored). kNotFound for a hit it cannot see; kInvalidArgument for a bad label or id.
  Status RecordFeedback(const SearchRequest& scope, const Feedback& feedback);

  // Re-runs a sample of recent vector queries exactly (a scan of the same allowed set) and
  // publishes recall@k per tenant (crmi_retrieval_recall). Runs every
  // options.recall_monitor_interval in the background; callable directly (tests).
  void MonitorRecall();

 private:
  struct Tenant;
  struct Sample;
  struct Key {
    std::string tenant, collection, id;
    auto operator<=>(const Key&) const = default;
  };
  struct Pending {
    Key key;
    std::chrono::steady_clock::time_point since;
  };
  struct Metrics;
  // The tenant's index changed: cached results computed before no longer serve.
  void Advance(Tenant& t);

  void OnChanges(const std::vector<store::RecordChange>& changes);
  void RetryBuild(const std::string& tenant, const Status& error);
  void WorkerLoop();
  enum class Build {
    kOpen,     // first serving index: reopen a snapshot, else build; a serving one: reconcile
    kRetrain,  // a new model, then a new index
    kCompact,  // a new index with the same model, reusing the serving index's vectors
  };
  // Builds (or rebuilds) a tenant's index: model (load, or train when asked or missing) and
  // index, swapped in atomically with the changes made meanwhile replayed.
  Status BuildTenant(const std::string& tenant, Build mode);
  // Runs BuildTenant(tenant, mode) on a background thread. kAlreadyExists when one runs.
  Status StartBuild(const std::string& tenant, Build mode);
  // True when `chunks` (one record's) may not be sent to the embedding endpoint (residency).
  bool ResidencyRefuses(const std::vector<Chunk>& chunks);
  // Vectors of one record's `chunks`: those of `old` (the same model) where a passage's text did
  // not change, embedded otherwise.
  Status VectorsFor(const std::string& tenant, Embedder& embedder, const ChunkIndex* old,
                    std::string_view collection, std::string_view id,
                    const std::vector<Chunk>& chunks, std::vector<float>* out);
  // embedder.Embed, through before_embedding when the embedder is the shared (remote) one.
  Status EmbedTexts(const std::string& tenant, Embedder& embedder, std::vector<std::string> texts,
                    std::vector<float>* out);
  // Reopens `t`'s snapshot and reconciles it with the store; false when there is no usable one
  // (the caller builds instead).
  Result<bool> Reopen(const std::shared_ptr<Tenant>& t);
  // Records of `tenant` whose state in the store (seq, version, existence) differs from what
  // `index` holds, as (collection, id).
  Result<std::vector<std::pair<std::string, std::string>>> StaleRecords(const std::string& tenant,
                                                                        const ChunkIndex& index);
  // Swaps `index` (built or reopened under `embedder`) in as t's serving index, then applies the
  // records changed while it was made, and `also`; a record that fails (an embedding service
  // down) is retried like any refresh. Returns how many records were applied.
  size_t SwapIn(Tenant& t, std::shared_ptr<Embedder> embedder, std::shared_ptr<ChunkIndex> index,
                size_t words, bool reopened,
                std::vector<std::pair<std::string, std::string>> also = {});
  // Snapshots t's serving index (kUnavailable on I/O errors; the previous snapshot stays).
  Status SaveTenant(Tenant& t);
  // Snapshots tenants whose index changed and whose interval has passed (`all`: every changed
  // tenant, at Stop).
  void SaveDueTenants(bool all);
  std::string SnapshotDir(const std::string& tenant) const;
  // Counts a snapshot written (or failed) in crmi_retrieval_snapshots_total.
  void CountSnapshot(bool saved);
  // Starts training a first model for a lexical-only tenant whose corpus grew large enough.
  void MaybeTrain(Tenant& t);
  // Applies one record's current state to `t` (under t's apply lock).
  Status ApplyRecord(Tenant& t, const std::string& collection, const std::string& id);
  std::shared_ptr<Tenant> FindTenant(const std::string& tenant);
  std::string TenantDir(const std::string& tenant) const;
  void BuildThread(std::string tenant, Build mode);
  void MonitorLoop();
  Result<ChunkPredicate> CompilePredicate(const SearchRequest& req) const;

  store::Store* const store_;
  const crm::Schema* const schema_;
  const RetrievalOptions options_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<SearchCache> cache_;

  std::mutex mu_;                    // guards everything below
  std::condition_variable cv_;       // work arrived / stop
  std::condition_variable idle_cv_;  // queue drained
  std::deque<Pending> queue_;
  std::set<std::string> resync_;  // tenants whose changes overflowed the queue
  // Changes and builds that failed (a remote embedder down), tried again when due.
  std::deque<std::pair<std::chrono::steady_clock::time_point, Pending>> retry_;
  std::map<std::string, std::chrono::steady_clock::time_point> resync_retry_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // set by Stop: long builds and training give up
  bool busy_ = false;                // the worker holds popped work
  uint64_t enqueued_ = 0, applied_ = 0;
  std::map<std::string, std::shared_ptr<Tenant>> tenants_;
  std::set<std::string> reindexing_;
  std::set<std::string> purge_;  // tenants to rebuild again when their running build ends
  std::thread worker_;
  int listener_id_ = 0;  // the store change listener, 0 when not registered
  std::thread monitor_;
  std::condition_variable monitor_cv_;
  std::mutex feedback_mu_;
  std::map<std::string, std::thread> reindexers_;  // the last one per tenant
};

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_RETRIEVAL_SERVICE_H_
