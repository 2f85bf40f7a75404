#include "src/retrieval/retrieval_service.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "src/common/crypto.h"
#include "src/common/json_text.h"
#include "src/common/log.h"
#include "src/retrieval/retrieval_service_internal.h"
#include "src/retrieval/search_cache.h"
#include "src/retrieval/text.h"

namespace crmi::retrieval {
namespace {

constexpr size_t kListPage = 1000;
constexpr size_t kSamplesPerTenant = 256;

// Row filters on these fields can be evaluated on chunks (ChunkIndex columns). contact_id and
// account_id only where they are the record's own fields: an activity's contact comes from its
// parent, which is not what a filter on the field means.
bool IsChunkColumn(const crm::Collection& c, std::string_view field) {
  if (field == "owner_id" || field == "region" || field == "id") return true;
  return (field == "contact_id" || field == "account_id") && c.Find(field) != nullptr;
}

}  // namespace

struct RetrievalService::Metrics {
  prometheus::Histogram* lag = nullptr;
  prometheus::Gauge* depth = nullptr;
  prometheus::Gauge* chunks = nullptr;
  prometheus::Counter* computed = nullptr;
  prometheus::Counter* reused = nullptr;
  prometheus::Counter* overflow = nullptr;
  prometheus::Counter* swaps = nullptr;
  prometheus::Histogram* search = nullptr;
  prometheus::Counter* feedback_used = nullptr;
  prometheus::Counter* feedback_not_useful = nullptr;
  prometheus::Family<prometheus::Gauge>* recall_family = nullptr;
  prometheus::Counter* snapshot_saved = nullptr;
  prometheus::Counter* snapshot_failed = nullptr;
  prometheus::Counter* residency_refused = nullptr;
  prometheus::Counter* cache_hit = nullptr;
  prometheus::Counter* cache_miss = nullptr;

  explicit Metrics(metrics::Registry* r) {
    if (r == nullptr) return;
    lag = &prometheus::BuildHistogram()
               .Name("crmi_retrieval_freshness_lag_seconds")
               .Help("From a record's commit to its passages being searchable")
               .Register(r->prom())
               .Add({}, metrics::LatencyBuckets());
    depth = &prometheus::BuildGauge()
                 .Name("crmi_retrieval_queue_depth")
                 .Help("Record changes waiting to be indexed")
                 .Register(r->prom())
                 .Add({});
    chunks = &prometheus::BuildGauge()
                  .Name("crmi_retrieval_chunks")
                  .Help("Searchable passages, all tenants")
                  .Register(r->prom())
                  .Add({});
    auto& emb = prometheus::BuildCounter()
                    .Name("crmi_retrieval_embeddings_total")
                    .Help("Passage embeddings: computed, or reused because the text was unchanged")
                    .Register(r->prom());
    computed = &emb.Add({{"result", "computed"}});
    reused = &emb.Add({{"result", "reused"}});
    overflow = &prometheus::BuildCounter()
                    .Name("crmi_retrieval_queue_overflows_total")
                    .Help("Changes that found the queue full (the tenant is reconciled instead)")
                    .Register(r->prom())
                    .Add({});
    swaps = &prometheus::BuildCounter()
                 .Name("crmi_retrieval_index_swaps_total")
                 .Help("Re-indexes swapped in (model changes)")
                 .Register(r->prom())
                 .Add({});
    search = &prometheus::BuildHistogram()
                  .Name("crmi_retrieval_search_seconds")
                  .Help("Search latency inside the retrieval service")
                  .Register(r->prom())
                  .Add({}, metrics::LatencyBuckets());
    auto& fb = prometheus::BuildCounter()
                   .Name("crmi_retrieval_feedback_total")
                   .Help("Feedback on search hits, by label")
                   .Register(r->prom());
    feedback_used = &fb.Add({{"label", "used"}});
    feedback_not_useful = &fb.Add({{"label", "not_useful"}});
    auto& snaps = prometheus::BuildCounter()
                      .Name("crmi_retrieval_snapshots_total")
                      .Help("Tenant index snapshots written, by result")
                      .Register(r->prom());
    snapshot_saved = &snaps.Add({{"result", "saved"}});
    snapshot_failed = &snaps.Add({{"result", "failed"}});
    residency_refused = &prometheus::BuildCounter()
                             .Name("crmi_residency_refusals_total")
                             .Help(
                                 "Calls refused because the data's region and the endpoint's "
                                 "disagree, by endpoint")
                             .Register(r->prom())
                             .Add({{"endpoint", "embeddings"}});
    auto& cache = prometheus::BuildCounter()
                      .Name("crmi_retrieval_cache_total")
                      .Help("Searches answered from the retrieval cache (hit) or run (miss)")
                      .Register(r->prom());
    cache_hit = &cache.Add({{"result", "hit"}});
    cache_miss = &cache.Add({{"result", "miss"}});
    recall_family = &prometheus::BuildGauge()
                         .Name("crmi_retrieval_recall")
                         .Help(
                             "Recall@k of the vector index on a sample of live queries, "
                             "measured against an exact scan of the same allowed set")
                         .Register(r->prom());
  }
};

RetrievalService::RetrievalService(store::Store* store, const crm::Schema* schema,
                                   RetrievalOptions options, metrics::Registry* registry)
    : store_(store),
      schema_(schema),
      options_(std::move(options)),
      metrics_(std::make_unique<Metrics>(registry)),
      cache_(std::make_unique<SearchCache>(options_.search_cache_entries)) {}

void RetrievalService::Advance(Tenant& t) {
  const uint64_t g = ++t.generation;
  cache_->Advance(t.name, g);
}

RetrievalService::~RetrievalService() { Stop(); }

Status RetrievalService::Start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) return Unavailable("cannot create " + options_.dir + ": " + ec.message());
  listener_id_ = store_->AddChangeListener(
      [this](const std::vector<store::RecordChange>& changes) { OnChanges(changes); });
  std::vector<std::string> tenants;
  RETURN_IF_ERROR(store_->ListTenants(&tenants));
  {
    std::lock_guard lock(mu_);
    // Every known tenant starts with a full build, queued like an overflow reconciliation.
    for (const auto& t : tenants) resync_.insert(t);
  }
  worker_ = std::thread([this] { WorkerLoop(); });
  if (options_.recall_monitor_interval.count() > 0) {
    monitor_ = std::thread([this] { MonitorLoop(); });
  }
  return Status::Ok();
}

void RetrievalService::Stop() {
  if (listener_id_ != 0) store_->RemoveChangeListener(listener_id_);
  listener_id_ = 0;
  cancel_ = true;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !worker_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  monitor_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (monitor_.joinable()) monitor_.join();
  std::map<std::string, std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(reindexers_);
  }
  for (auto& [tenant, t] : threads) t.join();
  // What changed since the last snapshots is saved now, so the next start reopens it as is.
  SaveDueTenants(/*all=*/true);
}

void RetrievalService::CountSnapshot(bool saved) {
  prometheus::Counter* c = saved ? metrics_->snapshot_saved : metrics_->snapshot_failed;
  if (c != nullptr) c->Increment();
}

void RetrievalService::RetryBuild(const std::string& tenant, const Status& error) {
  log::Error("retrieval index build failed; retrying",
             log::Fields().Add("tenant", tenant).Add("error", error.ToString()));
  if (auto t = FindTenant(tenant)) {
    std::lock_guard lock(t->state_mu);
    t->last_error = error.ToString();
  }
  std::lock_guard lock(mu_);
  resync_retry_[tenant] = SteadyClock::now() + 5 * kRetryAfter;
}

void RetrievalService::OnChanges(const std::vector<store::RecordChange>& changes) {
  const auto now = SteadyClock::now();
  {
    std::lock_guard lock(mu_);
    for (const auto& c : changes) {
      const crm::Collection* col = schema_->Find(c.collection);
      if (col == nullptr || !IsSearchable(*col)) continue;
      if (queue_.size() >= options_.queue_capacity) {
        // Never drop a change: reconcile the whole tenant instead.
        resync_.insert(c.tenant);
        if (metrics_->overflow) metrics_->overflow->Increment();
        continue;
      }
      queue_.push_back({{c.tenant, c.collection, c.id}, now});
      ++enqueued_;
    }
    if (metrics_->depth) metrics_->depth->Set(static_cast<double>(queue_.size()));
  }
  cv_.notify_one();
}

std::string RetrievalService::TenantDir(const std::string& tenant) const {
  // Tenant names are caller-chosen: hex keeps them safe as path components.
  return (std::filesystem::path(options_.dir) / ("t-" + crypto::HexEncode(tenant))).string();
}

std::shared_ptr<RetrievalService::Tenant> RetrievalService::FindTenant(const std::string& tenant) {
  std::lock_guard lock(mu_);
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? nullptr : it->second;
}

void RetrievalService::WorkerLoop() {
  while (true) {
    SaveDueTenants(/*all=*/false);
    std::vector<Pending> batch;
    std::string resync;
    {
      std::unique_lock lock(mu_);
      auto due = [&] {
        const auto now = SteadyClock::now();
        return (!retry_.empty() && retry_.front().first <= now) ||
               (!resync_retry_.empty() && resync_retry_.begin()->second <= now);
      };
      // Wakes for work, or at least every 200 ms to look at retries that came due.
      cv_.wait_for(lock, std::chrono::milliseconds(200),
                   [&] { return stopping_ || !queue_.empty() || !resync_.empty() || due(); });
      if (stopping_) return;
      const auto now = SteadyClock::now();
      while (!retry_.empty() && retry_.front().first <= now) {
        queue_.push_back(std::move(retry_.front().second));
        retry_.pop_front();
        ++enqueued_;
      }
      for (auto it = resync_retry_.begin(); it != resync_retry_.end();) {
        if (it->second <= now) {
          resync_.insert(it->first);
          it = resync_retry_.erase(it);
        } else {
          ++it;
        }
      }
      if (queue_.empty() && resync_.empty()) continue;
      if (!resync_.empty()) {
        resync = *resync_.begin();
        resync_.erase(resync_.begin());
      } else {
        const size_t n = std::min<size_t>(queue_.size(), 256);
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
        if (metrics_->depth) metrics_->depth->Set(static_cast<double>(queue_.size()));
      }
      busy_ = true;
    }
    if (!resync.empty()) {
      Status s = BuildTenant(resync, Build::kOpen);
      if (!s.ok() && s.code() != StatusCode::kCancelled) RetryBuild(resync, s);
    }
    // Coalesce: a record changed several times in the batch is indexed once.
    std::set<Key> seen;
    for (const auto& p : batch) {
      if (!seen.insert(p.key).second) continue;
      std::shared_ptr<Tenant> t = FindTenant(p.key.tenant);
      if (t == nullptr) {
        // A tenant's first record: build it (trains nothing until its corpus is large enough).
        Status s = BuildTenant(p.key.tenant, Build::kOpen);
        if (!s.ok() && s.code() != StatusCode::kCancelled) RetryBuild(p.key.tenant, s);
        continue;
      }
      Status s = ApplyRecord(*t, p.key.collection, p.key.id);
      if (!s.ok()) {
        {
          std::lock_guard state(t->state_mu);
          t->last_error = s.ToString();
        }
        log::Warn("retrieval refresh failed", log::Fields()
                                                  .Add("tenant", p.key.tenant)
                                                  .Add("collection", p.key.collection)
                                                  .Add("id", p.key.id)
                                                  .Add("error", s.ToString()));
        // Never lose a change: try again (an embedding service may be down for a while).
        std::lock_guard lock(mu_);
        retry_.emplace_back(SteadyClock::now() + kRetryAfter, p);
      }
    }
    const auto now = SteadyClock::now();
    for (const auto& p : batch) {
      if (metrics_->lag) {
        metrics_->lag->Observe(std::chrono::duration<double>(now - p.since).count());
      }
    }
    // A tenant without a model whose corpus grew large enough gets one now.
    std::set<std::string> to_train;
    for (const auto& p : batch) {
      std::shared_ptr<Tenant> t = FindTenant(p.key.tenant);
      if (t == nullptr) continue;
      std::lock_guard lock(t->state_mu);
      if (t->embedder == nullptr && options_.shared_embedder == nullptr &&
          t->words_seen >= options_.min_training_words) {
        to_train.insert(t->name);
      }
    }
    for (const auto& name : to_train) (void)Reindex(name);
    // A tenant whose replaced passages outnumber its live ones is compacted.
    std::set<std::string> to_compact;
    for (const auto& p : batch) {
      std::shared_ptr<Tenant> t = FindTenant(p.key.tenant);
      auto index = t ? t->Snapshot().second : nullptr;
      if (index != nullptr && index->labels() > 2 * index->size() + options_.compact_slack) {
        to_compact.insert(p.key.tenant);
      }
    }
    for (const auto& name : to_compact) (void)StartBuild(name, Build::kCompact);
    {
      std::lock_guard lock(mu_);
      applied_ += batch.size();
      busy_ = false;
      size_t total = 0;
      for (const auto& [n, t] : tenants_) {
        auto [e, idx] = t->Snapshot();
        if (idx) total += idx->size();
      }
      if (metrics_->chunks) metrics_->chunks->Set(static_cast<double>(total));
    }
    idle_cv_.notify_all();
  }
}

Status RetrievalService::ApplyRecord(Tenant& t, const std::string& collection,
                                     const std::string& id) {
  const crm::Collection* c = schema_->Find(collection);
  if (c == nullptr) return Status::Ok();
  std::lock_guard apply(t.apply_mu);
  if (t.recording) t.changed_during_reindex.emplace(collection, id);
  auto [embedder, index] = t.Snapshot();
  if (index == nullptr) return Status::Ok();
  auto rec = store_->Get(collection, t.name, id);
  if (!rec.ok() && rec.status().code() == StatusCode::kNotFound) {
    RETURN_IF_ERROR(index->ReplaceRecord(collection, id, {}, {}));
    ++t.applied_changes;
    Advance(t);
    return Status::Ok();
  }
  if (!rec.ok()) return rec.status();
  ASSIGN_OR_RETURN(std::vector<Chunk> chunks, ChunkRecord(*c, t.name, *rec, options_.chunking));
  if (ResidencyRefuses(chunks)) chunks.clear();  // not sent, so not indexed (leaves if it was)
  // Re-embed only passages whose text changed: the others keep their vectors.
  std::vector<float> vectors;
  if (embedder != nullptr) {
    RETURN_IF_ERROR(VectorsFor(t.name, *embedder, index.get(), collection, id, chunks, &vectors));
  }
  if (embedder == nullptr) {  // counted only to know when to train a first model
    for (const auto& ch : chunks) t.words_seen += Words(ch.text).size();
  }
  RETURN_IF_ERROR(index->ReplaceRecord(collection, id, std::move(chunks), vectors));
  ++t.applied_changes;
  Advance(t);
  return Status::Ok();
}

bool RetrievalService::ResidencyRefuses(const std::vector<Chunk>& chunks) {
  if (options_.embedder_region.empty() || options_.shared_embedder == nullptr || chunks.empty()) {
    return false;
  }
  const std::string& region = chunks.front().meta.region;
  if (region.empty() || region == options_.embedder_region) return false;
  if (metrics_->residency_refused) metrics_->residency_refused->Increment();
  return true;
}

Status RetrievalService::EmbedTexts(const std::string& tenant, Embedder& embedder,
                                    std::vector<std::string> texts, std::vector<float>* out) {
  if (options_.before_embedding && &embedder == options_.shared_embedder.get()) {
    RETURN_IF_ERROR(options_.before_embedding(tenant, &texts));
  }
  return embedder.Embed(texts, out);
}

Status RetrievalService::EmbedForTenant(const std::string& tenant, std::vector<std::string> texts,
                                        const std::vector<std::string>& caller_regions,
                                        std::vector<float>* out, std::string* model, size_t* dim) {
  std::shared_ptr<Tenant> t = FindTenant(tenant);
  std::shared_ptr<Embedder> embedder = options_.shared_embedder;
  // The caller's text is the caller's data: the same residency rule as a search query.
  if (embedder != nullptr && !options_.embedder_region.empty() && !caller_regions.empty() &&
      std::find(caller_regions.begin(), caller_regions.end(), options_.embedder_region) ==
          caller_regions.end()) {
    if (metrics_->residency_refused) metrics_->residency_refused->Increment();
    return PermissionDenied("residency: the embeddings endpoint is in region '" +
                            options_.embedder_region + "', outside the caller's regions");
  }
  if (embedder == nullptr) {
    if (t == nullptr) {
      return FailedPrecondition("this tenant has no text to train an embedding model on yet");
    }
    auto [tenant_embedder, index] = t->Snapshot();
    if (index == nullptr) {
      return Unavailable("the search index of this tenant is being built; retry shortly");
    }
    embedder = tenant_embedder;
  }
  if (embedder == nullptr) {
    return FailedPrecondition(
        "this tenant's corpus is still too small to train an embedding model");
  }
  *model = embedder->info().Key();
  *dim = embedder->info().dim;
  return EmbedTexts(tenant, *embedder, std::move(texts), out);
}

Status RetrievalService::VectorsFor(const std::string& tenant, Embedder& embedder,
                                    const ChunkIndex* old, std::string_view collection,
                                    std::string_view id, const std::vector<Chunk>& chunks,
                                    std::vector<float>* out) {
  const size_t dim = embedder.info().dim;
  std::unordered_map<std::string, uint64_t> known;
  if (old != nullptr && old->vector_index() != nullptr && old->dim() == dim) {
    for (const auto& ic : old->ChunksOf(collection, id)) {
      known.emplace(ic->chunk.content_hash, ic->label);
    }
  }
  out->assign(chunks.size() * dim, 0.0f);
  std::vector<std::string> texts;
  std::vector<size_t> slots;
  for (size_t i = 0; i < chunks.size(); ++i) {
    auto it = known.find(chunks[i].content_hash);
    if (it != known.end() &&
        old->vector_index()->GetVector(it->second, out->data() + i * dim).ok()) {
      if (metrics_->reused) metrics_->reused->Increment();
      continue;
    }
    texts.push_back(chunks[i].IndexedText());
    slots.push_back(i);
  }
  if (texts.empty()) return Status::Ok();
  std::vector<float> fresh;
  RETURN_IF_ERROR(EmbedTexts(tenant, embedder, std::move(texts), &fresh));
  for (size_t j = 0; j < slots.size(); ++j) {
    std::copy(fresh.begin() + static_cast<ptrdiff_t>(j * dim),
              fresh.begin() + static_cast<ptrdiff_t>((j + 1) * dim),
              out->begin() + static_cast<ptrdiff_t>(slots[j] * dim));
  }
  if (metrics_->computed) metrics_->computed->Increment(static_cast<double>(slots.size()));
  return Status::Ok();
}

Status RetrievalService::BuildTenant(const std::string& name, Build mode) {
  const bool retrain = mode == Build::kRetrain;
  // Read every searchable record once (the store is the truth).
  struct Doc {
    const crm::Collection* c;
    store::StoredRecord r;
  };
  std::vector<Doc> docs;
  std::shared_ptr<Tenant> t = FindTenant(name);
  const bool fresh = t == nullptr;
  if (fresh) {
    t = std::make_shared<Tenant>();
    t->name = name;
  }
  // From here on, changes are recorded so that the build can replay what it missed.
  {
    std::lock_guard apply(t->apply_mu);
    t->recording = true;
    t->changed_during_reindex.clear();
  }
  if (fresh) {
    std::lock_guard lock(mu_);
    tenants_.emplace(name, t);
  }
  auto stop_recording = [&] {
    std::lock_guard apply(t->apply_mu);
    t->recording = false;
    t->changed_during_reindex.clear();
  };
  std::error_code ec;
  std::filesystem::create_directories(TenantDir(name), ec);
  const std::string model_path = TenantDir(name) + "/builtin.bin";
  const std::string marker = TenantDir(name) + "/reindex.pending";
  const bool pending = std::filesystem::exists(marker, ec);
  if (mode == Build::kOpen && !pending) {
    if (auto serving = t->Snapshot().second) {
      // A reconciliation (the queue overflowed, or a build is retried): apply what differs.
      stop_recording();
      ASSIGN_OR_RETURN(auto stale, StaleRecords(name, *serving));
      for (const auto& [collection, id] : stale) RETURN_IF_ERROR(ApplyRecord(*t, collection, id));
      log::Info(
          "retrieval index reconciled",
          log::Fields().Add("tenant", name).Add("applied", static_cast<int64_t>(stale.size())));
      MaybeTrain(*t);
      return Status::Ok();
    }
    if (options_.snapshot_interval.count() > 0) {
      auto reopened = Reopen(t);
      if (!reopened.ok()) {
        stop_recording();
        return reopened.status();
      }
      if (*reopened) return Status::Ok();
    }
  }
  for (const auto& cname : SearchableCollections(*schema_)) {
    const crm::Collection* c = schema_->Find(cname);
    store::ListQuery q;
    q.collection = cname;
    q.tenant = name;
    q.limit = static_cast<int>(kListPage);
    while (true) {
      std::vector<store::StoredRecord> page;
      Status s = store_->List(q, &page);
      if (!s.ok()) {
        stop_recording();
        return s;
      }
      for (auto& r : page) docs.push_back({c, std::move(r)});
      if (page.size() < kListPage) break;
      q.after_seq = docs.back().r.seq;
    }
  }
  std::vector<std::vector<Chunk>> chunked(docs.size());
  size_t words = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    auto ch = ChunkRecord(*docs[i].c, name, docs[i].r, options_.chunking);
    if (!ch.ok()) continue;  // a record the store holds is valid; skip rather than stall
    if (ResidencyRefuses(*ch)) continue;
    for (const auto& c : *ch) words += Words(c.text).size();
    chunked[i] = std::move(*ch);
  }
  // The model: the tenant's saved one, or a new one when asked or when none exists yet.
  std::shared_ptr<Embedder> embedder = options_.shared_embedder;
  if (embedder == nullptr && !retrain && !pending) {
    auto loaded = BuiltinEmbedder::Load(model_path);
    if (loaded.ok()) {
      embedder = std::move(*loaded);
    } else if (loaded.status().code() != StatusCode::kNotFound) {
      log::Warn("built-in embedding model unreadable; retraining",
                log::Fields().Add("tenant", name).Add("error", loaded.status().ToString()));
    }
  }
  // Training takes a while (about 30 s for a demo tenant, minutes for a large one), so only a
  // re-index thread does it: a first build serves lexically and starts one once swapped in,
  // rather than holding up every tenant's refresh on the worker.
  if (embedder == nullptr && retrain && words >= options_.min_training_words) {
    { std::ofstream(marker) << "reindex\n"; }  // a crash before the swap redoes the work
    std::vector<std::string> texts;
    for (const auto& record : chunked) {
      for (const auto& c : record) texts.push_back(c.IndexedText());
    }
    auto trained = BuiltinEmbedder::Train(texts, model_path, options_.builtin, &cancel_);
    if (!trained.ok()) {
      stop_recording();
      return trained.status();
    }
    embedder = std::move(*trained);
  } else if (embedder == nullptr && retrain && options_.shared_embedder == nullptr) {
    // Too little text left for a model (after an erasure, say): an old model would describe data
    // that is gone, and its vocabulary would keep its words. Serve lexically until there is more.
    std::filesystem::remove(model_path, ec);
    std::filesystem::remove(model_path + ".sif", ec);
  }
  auto index = std::make_shared<ChunkIndex>(embedder ? embedder->info().dim : 0, options_.hnsw);
  // A compaction (or any rebuild under the serving model) reuses the serving index's vectors.
  auto [serving_embedder, serving] = t->Snapshot();
  const ChunkIndex* reuse =
      embedder && serving_embedder && serving_embedder->info().Key() == embedder->info().Key()
          ? serving.get()
          : nullptr;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (cancel_) {
      stop_recording();
      return Cancelled("the retrieval service is stopping");
    }
    if (chunked[i].empty()) continue;
    std::vector<float> vectors;
    if (embedder) {
      Status s =
          VectorsFor(name, *embedder, reuse, docs[i].c->name, docs[i].r.id, chunked[i], &vectors);
      if (!s.ok()) {
        stop_recording();
        return s;
      }
    }
    Status s = index->ReplaceRecord(docs[i].c->name, docs[i].r.id, std::move(chunked[i]), vectors);
    if (!s.ok()) {
      stop_recording();
      return s;
    }
  }
  SwapIn(*t, embedder, index, words, /*reopened=*/false);
  if (embedder != nullptr) std::filesystem::remove(marker, ec);
  if (metrics_->swaps && !fresh) metrics_->swaps->Increment();
  if (options_.snapshot_interval.count() > 0) (void)SaveTenant(*t);  // logged there
  log::Info("retrieval index ready",
            log::Fields()
                .Add("tenant", name)
                .Add("chunks", static_cast<int64_t>(index->size()))
                .Add("embedder", embedder ? embedder->info().Key() : "none"));
  if (!retrain) MaybeTrain(*t);
  return Status::Ok();
}

void RetrievalService::MaybeTrain(Tenant& t) {
  bool train = false;
  {
    std::lock_guard lock(t.state_mu);
    train = t.embedder == nullptr && options_.shared_embedder == nullptr &&
            t.words_seen >= options_.min_training_words;
  }
  if (train) (void)Reindex(t.name);  // kAlreadyExists when one runs: fine
}

Status RetrievalService::Reindex(const std::string& tenant) {
  return StartBuild(tenant, Build::kRetrain);
}

Status RetrievalService::StartBuild(const std::string& tenant, Build mode) {
  std::lock_guard lock(mu_);
  if (stopping_) return Unavailable("the retrieval service is stopping");
  if (!reindexing_.insert(tenant).second) {
    return AlreadyExists("a re-index of tenant '" + tenant + "' is already running");
  }
  // The tenant's previous re-index thread has finished (it left reindexing_): reap it.
  if (auto it = reindexers_.find(tenant); it != reindexers_.end()) it->second.join();
  reindexers_[tenant] = std::thread([this, tenant, mode] { BuildThread(tenant, mode); });
  return Status::Ok();
}

void RetrievalService::BuildThread(std::string tenant, Build mode) {
  while (true) {
    if (mode == Build::kCompact) {
      log::Info("retrieval index compaction started", log::Fields().Add("tenant", tenant));
    }
    Status s = BuildTenant(tenant, mode);
    if (!s.ok() && s.code() != StatusCode::kCancelled) {
      log::Error("re-index failed", log::Fields().Add("tenant", tenant).Add("error", s.ToString()));
      if (auto t = FindTenant(tenant)) {
        std::lock_guard lock(t->state_mu);
        t->last_error = s.ToString();
      }
    }
    std::lock_guard lock(mu_);
    // A purge asked for while this build ran: it may have read the erased data, so build again.
    if (!stopping_ && purge_.erase(tenant) != 0) {
      mode = Build::kRetrain;
      continue;
    }
    reindexing_.erase(tenant);
    break;
  }
  idle_cv_.notify_all();
}

Status RetrievalService::Purge(const std::string& tenant) {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Unavailable("the retrieval service is stopping");
      if (reindexing_.count(tenant) != 0) {
        purge_.insert(tenant);
        return Status::Ok();
      }
    }
    Status s = StartBuild(tenant, Build::kRetrain);
    if (s.code() != StatusCode::kAlreadyExists) return s;
  }
}

bool RetrievalService::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  const uint64_t target = enqueued_;
  return idle_cv_.wait_for(lock, timeout, [&] {
    return stopping_ || (applied_ >= target && !busy_ && queue_.empty() && resync_.empty() &&
                         reindexing_.empty() && retry_.empty() && resync_retry_.empty());
  });
}

std::vector<TenantStats> RetrievalService::Stats() {
  std::vector<std::shared_ptr<Tenant>> ts;
  std::set<std::string> running;
  {
    std::lock_guard lock(mu_);
    for (const auto& [n, t] : tenants_) ts.push_back(t);
    running = reindexing_;
  }
  std::vector<TenantStats> out;
  for (const auto& t : ts) {
    TenantStats s;
    s.tenant = t->name;
    std::lock_guard lock(t->state_mu);
    s.ready = t->ready;
    s.embedder = t->embedder ? t->embedder->info().Key() : "";
    s.chunks = t->index ? t->index->size() : 0;
    s.records = t->index ? t->index->records() : 0;
    s.dead = t->index ? t->index->labels() - t->index->size() : 0;
    s.reindexing = running.count(t->name) > 0;
    s.reopened = t->reopened;
    const int64_t saved = t->last_save_ms.load();
    if (saved != INT64_MIN) s.snapshot_age_s = static_cast<double>(SteadyMs() - saved) / 1000.0;
    s.last_error = t->last_error;
    s.recall = t->recall;
    out.push_back(std::move(s));
  }
  return out;
}

Result<ChunkPredicate> RetrievalService::CompilePredicate(const SearchRequest& req) const {
  // Scope (policy) ∧ request filters, per collection.
  struct Compiled {
    const crm::Collection* c;
    const CollectionScope* scope;
  };
  std::map<std::string, Compiled, std::less<>> allowed;
  for (const auto& scope : req.scopes) {
    const crm::Collection* c = schema_->Find(scope.collection);
    if (c == nullptr || !IsSearchable(*c)) continue;
    const auto& wanted = req.filters.collections;
    if (!wanted.empty() &&
        std::find(wanted.begin(), wanted.end(), scope.collection) == wanted.end()) {
      continue;
    }
    bool enforceable = true;
    for (const auto& f : scope.rows) {
      if (!IsChunkColumn(*c, f.field)) enforceable = false;
    }
    if (!enforceable) {
      if (!req.filters.collections.empty()) {
        return PermissionDenied("your access to " + scope.collection +
                                " is restricted by a row filter that search cannot enforce");
      }
      continue;  // fail closed: leave the collection out
    }
    allowed.emplace(scope.collection, Compiled{c, &scope});
  }
  for (const auto& name : req.filters.collections) {
    const crm::Collection* c = schema_->Find(name);
    if (c == nullptr) return InvalidArgument("unknown collection '" + name + "'");
    if (!IsSearchable(*c)) {
      return InvalidArgument("collection '" + name + "' holds no text to search");
    }
    if (!allowed.count(name)) return PermissionDenied("you may not search " + name);
  }
  ChunkPredicate pred;
  for (const auto& [name, compiled] : allowed) {
    const CollectionScope& s = *compiled.scope;
    CollectionRule rule;
    rule.collection = name;
    rule.redact_from = s.redact_from;
    for (const auto& mf : s.mask_fields) {
      rule.masked_fields.push_back(mf);
      if (IsTitleFieldName(mf)) rule.mask_titles = true;
    }
    for (const auto& f : s.rows) {
      RowTerm t;
      t.column = f.field;
      t.op = f.op;
      for (const auto& v : f.values) {
        if (std::holds_alternative<std::monostate>(v)) {
          t.values.emplace_back(std::nullopt);
        } else if (const auto* str = std::get_if<std::string>(&v)) {
          t.values.emplace_back(*str);
        } else {
          t.values.emplace_back(std::string(1, '\0'));  // a non-string never equals a string
        }
      }
      rule.rows.push_back(std::move(t));
    }
    pred.collections.push_back(std::move(rule));
  }
  pred.contact_ids = req.filters.contact_ids;
  pred.account_ids = req.filters.account_ids;
  pred.owner_ids = req.filters.owner_ids;
  pred.regions = req.filters.regions;
  pred.record_ids = req.filters.record_ids;
  pred.from_ms = req.filters.from_ms;
  pred.to_ms = req.filters.to_ms;
  return pred;
}

Result<SearchResponse> RetrievalService::Search(const SearchRequest& req) {
  const auto start = SteadyClock::now();
  if (req.query.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("query must not be empty");
  }
  if (req.k < 1 || req.k > kMaxK) {
    return InvalidArgument("k must be between 1 and " + std::to_string(kMaxK));
  }
  ASSIGN_OR_RETURN(ChunkPredicate pred, CompilePredicate(req));
  std::shared_ptr<Tenant> t = FindTenant(req.tenant);
  SearchResponse resp;
  resp.mode = req.mode;
  if (t == nullptr || pred.collections.empty()) return resp;  // nothing the caller may see
  // Read before the index: a change applied while this search runs makes its result unservable.
  const uint64_t generation = t->generation.load();
  std::string cache_key;
  if (options_.search_cache_entries > 0) {
    cache_key = SearchCache::Key(req);
    if (auto hit = cache_->Get(req.tenant, cache_key, generation)) {
      if (metrics_->cache_hit) metrics_->cache_hit->Increment();
      return std::move(*hit);
    }
    if (metrics_->cache_miss) metrics_->cache_miss->Increment();
  }
  auto [embedder, index] = t->Snapshot();
  if (index == nullptr) {
    return Unavailable("the search index of this tenant is being built; retry shortly");
  }
  if (req.mode == SearchMode::kVector && embedder == nullptr) {
    return FailedPrecondition(
        "vector search needs an embedding model, and this tenant's corpus is still too small to "
        "train one; use mode 'lexical' or 'hybrid'");
  }
  const bool residency_refused =
      !options_.embedder_region.empty() && options_.shared_embedder != nullptr &&
      !req.caller_regions.empty() &&
      std::find(req.caller_regions.begin(), req.caller_regions.end(), options_.embedder_region) ==
          req.caller_regions.end();
  if (residency_refused) {
    if (metrics_->residency_refused) metrics_->residency_refused->Increment();
    if (req.mode == SearchMode::kVector) {
      return PermissionDenied("residency: the embeddings endpoint is in region '" +
                              options_.embedder_region +
                              "', outside the caller's regions; use mode 'lexical'");
    }
  }
  std::shared_ptr<const BitmapFilter> filter = index->Select(pred);
  HybridParams p;
  p.k = req.k;
  p.mode = embedder == nullptr || residency_refused ? SearchMode::kLexical : req.mode;
  p.fusion = req.fusion;
  p.mmr = req.mmr;
  p.filter = filter.get();
  std::vector<float> qv;
  if (p.mode != SearchMode::kLexical) {
    RETURN_IF_ERROR(EmbedTexts(req.tenant, *embedder, {req.query}, &qv));
    resp.embedder = embedder->info().Key();
  }
  ASSIGN_OR_RETURN(resp.hits, index->Search(req.query, qv, p));
  resp.mode = p.mode;
  if (!qv.empty()) {
    // Kept for the recall monitor, which re-runs a sample of live queries exactly.
    std::lock_guard lock(t->samples_mu);
    Sample sample{std::move(qv), std::move(pred), req.k};
    if (t->samples.size() < kSamplesPerTenant) {
      t->samples.push_back(std::move(sample));
    } else {
      t->samples[t->next_sample++ % kSamplesPerTenant] = std::move(sample);
    }
  }
  if (metrics_->search) {
    metrics_->search->Observe(std::chrono::duration<double>(SteadyClock::now() - start).count());
  }
  if (!cache_key.empty()) cache_->Put(req.tenant, cache_key, generation, resp);
  return resp;
}

Status RetrievalService::RecordFeedback(const SearchRequest& scope, const Feedback& f) {
  if (f.hit_id.empty() || f.hit_id.size() > 512) return InvalidArgument("hit_id is required");
  if (f.label != "used" && f.label != "not_useful") {
    return InvalidArgument("label must be 'used' or 'not_useful'");
  }
  if (f.query.size() > 4096) return InvalidArgument("query is longer than 4096 bytes");
  // hit_id is "<record id>:<field>:<start>" as search returned it.
  const size_t b = f.hit_id.rfind(':');
  const size_t a =
      b == std::string::npos || b == 0 ? std::string::npos : f.hit_id.rfind(':', b - 1);
  if (a == std::string::npos) return InvalidArgument("hit_id is not a search hit id");
  const std::string record = f.hit_id.substr(0, a);
  const std::string field = f.hit_id.substr(a + 1, b - a - 1);
  const std::string start = f.hit_id.substr(b + 1);
  ASSIGN_OR_RETURN(ChunkPredicate pred, CompilePredicate(scope));
  pred.record_ids = {record};
  std::shared_ptr<Tenant> t = FindTenant(scope.tenant);
  auto index = t ? t->Snapshot().second : nullptr;
  bool visible = false;
  if (index != nullptr && !pred.collections.empty()) {
    std::shared_ptr<const BitmapFilter> allowed = index->Select(pred);
    for (const auto& c : pred.collections) {
      for (const auto& ic : index->ChunksOf(c.collection, record)) {
        if (ic->chunk.field == field && std::to_string(ic->chunk.start) == start &&
            (!allowed || allowed->Allows(ic->label))) {
          visible = true;
        }
      }
    }
  }
  // A hit the caller could not have seen does not exist for it.
  if (!visible) return NotFound("no search hit '" + f.hit_id + "' visible to you");
  std::string line = JsonObject()
                         .Add("time", f.time)
                         .Add("tenant", scope.tenant)
                         .Add("principal", f.principal)
                         .Add("query", f.query)
                         .Add("hit_id", f.hit_id)
                         .Add("label", f.label)
                         .Finish();
  line += "\n";
  std::lock_guard lock(feedback_mu_);
  const std::string path = TenantDir(scope.tenant) + "/feedback.jsonl";
  std::error_code ec;
  std::filesystem::create_directories(TenantDir(scope.tenant), ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot open the feedback log");
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok) return Unavailable("cannot write the feedback log");
  if (metrics_->feedback_used && f.label == "used") metrics_->feedback_used->Increment();
  if (metrics_->feedback_not_useful && f.label == "not_useful") {
    metrics_->feedback_not_useful->Increment();
  }
  return Status::Ok();
}

void RetrievalService::MonitorRecall() {
  std::vector<std::shared_ptr<Tenant>> tenants;
  {
    std::lock_guard lock(mu_);
    for (const auto& [n, t] : tenants_) tenants.push_back(t);
  }
  for (const auto& t : tenants) {
    std::vector<Sample> samples;
    {
      std::lock_guard lock(t->samples_mu);
      samples = t->samples;
    }
    auto index = t->Snapshot().second;
    if (samples.empty() || index == nullptr || index->vector_index() == nullptr) continue;
    // A sample of at most 32, spread over the ring.
    const size_t step = std::max<size_t>(1, samples.size() / 32);
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < samples.size(); i += step) {
      const Sample& s = samples[i];
      if (s.query.size() != index->dim()) continue;  // from before a model swap
      std::shared_ptr<const BitmapFilter> filter = index->Select(s.predicate);
      SearchParams sp;
      // As the hybrid search runs its vector component.
      sp.k = std::max<size_t>(4 * s.k, 50);
      sp.ef = std::max<size_t>(64, sp.k);
      sp.filter = filter.get();
      auto live = index->vector_index()->Search(s.query, sp);
      sp.strategy = SearchParams::Strategy::kScan;
      auto exact = index->vector_index()->Search(s.query, sp);
      if (!live.ok() || !exact.ok()) continue;
      const size_t k = std::min(s.k, exact->size());
      if (k == 0) continue;
      std::set<uint64_t> truth;
      for (size_t j = 0; j < k; ++j) truth.insert((*exact)[j].id);
      size_t found = 0;
      for (size_t j = 0; j < std::min(k, live->size()); ++j) found += truth.count((*live)[j].id);
      sum += static_cast<double>(found) / static_cast<double>(k);
      ++n;
    }
    if (n == 0) continue;
    const double recall = sum / static_cast<double>(n);
    {
      std::lock_guard lock(t->state_mu);
      t->recall = recall;
    }
    if (metrics_->recall_family) {
      metrics_->recall_family->Add({{"tenant", t->name}}).Set(recall);
    }
  }
}

void RetrievalService::MonitorLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    monitor_cv_.wait_for(lock, options_.recall_monitor_interval, [&] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    MonitorRecall();
    lock.lock();
  }
}

}  // namespace crmi::retrieval
