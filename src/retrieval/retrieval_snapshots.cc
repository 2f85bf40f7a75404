// RetrievalService: tenant index snapshots (saved after builds, while changes arrive, at stop)
// and the reconciliation of an index with the store (a reopened snapshot, an overflowed queue).
#include <algorithm>
#include <unordered_map>

#include "src/common/log.h"
#include "src/retrieval/builtin_embedder.h"
#include "src/retrieval/chunker.h"
#include "src/retrieval/retrieval_service_internal.h"
#include "src/retrieval/text.h"

namespace crmi::retrieval {
namespace {

constexpr int kStampPage = 10000;  // ids and versions only: the store's largest page

}  // namespace

std::string RetrievalService::SnapshotDir(const std::string& tenant) const {
  return TenantDir(tenant) + "/index";
}

Status RetrievalService::SaveTenant(Tenant& t) {
  std::lock_guard save(t.save_mu);
  auto [embedder, index] = t.Snapshot();  // the serving index, taken after any concurrent save
  if (index == nullptr) return Status::Ok();
  const uint64_t applied = t.applied_changes.load();
  const auto start = SteadyClock::now();
  Status s = index->SaveSnapshot(SnapshotDir(t.name), embedder ? embedder->info().Key() : "");
  const auto cost =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
  t.last_save_ms = SteadyMs();  // a failure is retried after an interval too, not in a loop
  if (!s.ok()) {
    log::Error("retrieval snapshot failed; the previous one stays",
               log::Fields().Add("tenant", t.name).Add("error", s.ToString()));
    CountSnapshot(false);
    return s;
  }
  t.saved_changes = applied;
  t.last_save_cost_ms = cost.count();
  CountSnapshot(true);
  log::Info("retrieval snapshot saved", log::Fields()
                                            .Add("tenant", t.name)
                                            .Add("chunks", static_cast<int64_t>(index->size()))
                                            .Add("ms", static_cast<int64_t>(cost.count())));
  return Status::Ok();
}

void RetrievalService::SaveDueTenants(bool all) {
  if (options_.snapshot_interval.count() == 0) return;
  std::vector<std::shared_ptr<Tenant>> ts;
  {
    std::lock_guard lock(mu_);
    for (const auto& [n, t] : tenants_) ts.push_back(t);
  }
  const int64_t now = SteadyMs();
  for (const auto& t : ts) {
    if (t->applied_changes.load() == t->saved_changes.load()) continue;
    const int64_t due =
        std::max<int64_t>(options_.snapshot_interval.count(), 10 * t->last_save_cost_ms.load());
    const int64_t last = t->last_save_ms.load();
    if (!all && last != INT64_MIN && now - last < due) continue;
    (void)SaveTenant(*t);  // logged and counted there
  }
}

size_t RetrievalService::SwapIn(Tenant& t, std::shared_ptr<Embedder> embedder,
                                std::shared_ptr<ChunkIndex> index, size_t words, bool reopened,
                                std::vector<std::pair<std::string, std::string>> also) {
  // A change recorded before the swap is re-read and applied to the new index; one after the
  // swap goes to the new index directly.
  {
    std::lock_guard apply(t.apply_mu);
    also.insert(also.end(), t.changed_during_reindex.begin(), t.changed_during_reindex.end());
    t.changed_during_reindex.clear();
    t.recording = false;
    std::lock_guard lock(t.state_mu);
    t.embedder = std::move(embedder);
    t.index = std::move(index);
    t.ready = true;
    t.reopened = reopened;
    t.words_seen = words;
    t.last_error.clear();
  }
  Advance(t);
  std::sort(also.begin(), also.end());
  also.erase(std::unique(also.begin(), also.end()), also.end());
  for (const auto& [collection, id] : also) {
    Status s = ApplyRecord(t, collection, id);
    if (!s.ok()) {  // an embedding service down: retried like any refresh, never dropped
      log::Warn("retrieval replay failed; retrying",
                log::Fields().Add("tenant", t.name).Add("id", id).Add("error", s.ToString()));
      std::lock_guard lock(mu_);
      retry_.emplace_back(SteadyClock::now() + kRetryAfter,
                          Pending{{t.name, collection, id}, SteadyClock::now()});
    }
  }
  return also.size();
}

Result<std::vector<std::pair<std::string, std::string>>> RetrievalService::StaleRecords(
    const std::string& name, const ChunkIndex& index) {
  // Reconcile by record: what the store holds now against what `index` holds. A record
  // whose seq or version differs, one the snapshot lacks (new, or without text) and one the store
  // no longer has are applied again; everything else is left as it is.
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> indexed;
  index.ForEachRecord(
      [&](std::string_view collection, std::string_view id, int64_t seq, int64_t version) {
        std::string key(collection);
        key += '/';
        key += id;
        indexed.emplace(std::move(key), std::pair{seq, version});
      });
  std::vector<std::pair<std::string, std::string>> stale;
  for (const auto& cname : SearchableCollections(*schema_)) {
    store::ListQuery q;
    q.collection = cname;
    q.tenant = name;
    q.limit = kStampPage;
    q.omit_doc = true;
    while (true) {
      if (cancel_) return Cancelled("the retrieval service is stopping");
      std::vector<store::StoredRecord> page;
      RETURN_IF_ERROR(store_->List(q, &page));
      for (const auto& r : page) {
        auto it = indexed.find(cname + "/" + r.id);
        if (it == indexed.end() || it->second != std::pair{r.seq, r.version}) {
          stale.emplace_back(cname, r.id);
        }
        if (it != indexed.end()) indexed.erase(it);
      }
      if (page.size() < static_cast<size_t>(kStampPage)) break;
      q.after_seq = page.back().seq;
    }
  }
  for (const auto& [key, stamp] : indexed) {  // gone from the store
    const size_t slash = key.find('/');
    stale.emplace_back(key.substr(0, slash), key.substr(slash + 1));
  }
  return stale;
}

Result<bool> RetrievalService::Reopen(const std::shared_ptr<Tenant>& t) {
  const std::string& name = t->name;
  const auto start = SteadyClock::now();
  auto snap = ChunkIndex::LoadSnapshot(SnapshotDir(name));
  if (!snap.ok()) {
    if (snap.status().code() != StatusCode::kNotFound) {
      log::Warn("retrieval snapshot unusable; rebuilding from the store",
                log::Fields().Add("tenant", name).Add("error", snap.status().ToString()));
    }
    return false;
  }
  std::shared_ptr<Embedder> embedder = options_.shared_embedder;
  if (embedder == nullptr) {
    auto loaded = BuiltinEmbedder::Load(TenantDir(name) + "/builtin.bin");
    if (loaded.ok()) {
      embedder = std::move(*loaded);
    } else if (loaded.status().code() != StatusCode::kNotFound) {
      return false;  // the build reports it and trains a new model
    }
  }
  const std::string model = embedder ? embedder->info().Key() : "";
  if (snap->model != model || snap->index->dim() != (embedder ? embedder->info().dim : 0)) {
    log::Info("retrieval snapshot made with another embedding model; rebuilding",
              log::Fields().Add("tenant", name).Add("snapshot", snap->model).Add("model", model));
    return false;
  }
  ASSIGN_OR_RETURN(auto stale, StaleRecords(name, *snap->index));
  std::shared_ptr<ChunkIndex> index = std::move(snap->index);
  size_t words = 0;
  if (embedder == nullptr) {  // until it reaches min_training_words
    index->ForEach([&](const IndexedChunk& ic) { words += Words(ic.chunk.text).size(); });
  }
  t->last_save_ms = SteadyMs();
  const size_t reconciled = SwapIn(*t, embedder, index, words, /*reopened=*/true, std::move(stale));
  log::Info(
      "retrieval index reopened",
      log::Fields()
          .Add("tenant", name)
          .Add("chunks", static_cast<int64_t>(index->size()))
          .Add("reconciled", static_cast<int64_t>(reconciled))
          .Add("ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              SteadyClock::now() - start)
                                              .count()))
          .Add("embedder", model.empty() ? "none" : model));
  MaybeTrain(*t);
  return true;
}

}  // namespace crmi::retrieval
