#include "src/crm/retention.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "src/common/log.h"
#include "src/common/time_format.h"
#include "src/crm/schema.h"

namespace crmi::crm {

Status ValidateRetention(const std::vector<RetentionRule>& rules) {
  for (const RetentionRule& r : rules) {
    if (Schema::Default().Find(r.collection) == nullptr) {
      return InvalidArgument("retention: unknown collection '" + r.collection + "'");
    }
    if (r.max_age_s <= 0) {
      return InvalidArgument("retention: the maximum age of " + r.collection + " must be positive");
    }
  }
  return Status::Ok();
}

Status PurgeExpired(RecordService* records, store::Store* store,
                    const std::vector<RetentionRule>& rules, Clock* clock,
                    const std::function<void(const PurgeBatch&)>& on_batch) {
  RETURN_IF_ERROR(ValidateRetention(rules));
  std::vector<std::string> tenants;
  RETURN_IF_ERROR(store->ListTenants(&tenants));
  const int64_t now = clock->NowUnixMillis();
  for (const RetentionRule& rule : rules) {
    const Collection& c = *Schema::Default().Find(rule.collection);
    // RFC 3339 UTC with milliseconds compares correctly as text.
    const std::string cutoff = FormatRfc3339Millis(now - rule.max_age_s * 1000);
    for (const std::string& tenant : tenants) {
      PurgeBatch batch{tenant, rule.collection, cutoff, 0};
      store::ListQuery q;
      q.collection = rule.collection;
      q.tenant = tenant;
      q.limit = 1000;
      q.omit_doc = true;
      while (true) {
        std::vector<store::StoredRecord> page;
        RETURN_IF_ERROR(store->List(q, &page));
        for (const auto& r : page) {
          q.after_seq = r.seq;
          if (r.created_at >= cutoff) continue;
          Status s = records->Delete(c, tenant, r.id, std::nullopt);
          if (s.ok()) {
            ++batch.deleted;
          } else if (s.code() != StatusCode::kNotFound) {
            return s;
          }
        }
        if (static_cast<int>(page.size()) < q.limit) break;
      }
      if (batch.deleted > 0 && on_batch) on_batch(batch);
    }
  }
  return Status::Ok();
}

RetentionService::RetentionService(RecordService* records, store::Store* store,
                                   std::vector<RetentionRule> rules, std::chrono::seconds interval,
                                   Clock* clock, metrics::Registry* registry,
                                   std::function<void(const PurgeBatch&)> on_batch)
    : records_(records),
      store_(store),
      rules_(std::move(rules)),
      interval_(interval),
      clock_(clock),
      on_batch_(std::move(on_batch)),
      registry_(registry) {}

RetentionService::~RetentionService() { Stop(); }

void RetentionService::Start() {
  if (rules_.empty()) return;
  thread_ = std::thread([this] { Loop(); });
}

void RetentionService::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionService::Loop() {
  prometheus::Family<prometheus::Counter>* purged = nullptr;
  if (registry_ != nullptr) {
    purged = &prometheus::BuildCounter()
                  .Name("crmi_retention_purged_total")
                  .Help("Records deleted by retention, by collection")
                  .Register(registry_->prom());
    for (const auto& r : rules_) purged->Add({{"collection", r.collection}});  // visible at 0
  }
  auto report = [&](const PurgeBatch& b) {
    if (purged != nullptr) {
      purged->Add({{"collection", b.collection}}).Increment(static_cast<double>(b.deleted));
    }
    if (on_batch_) on_batch_(b);
  };
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    Status s = PurgeExpired(records_, store_, rules_, clock_, report);
    if (!s.ok()) {
      log::Warn("retention purge failed; retrying at the next interval",
                log::Fields().Add("error", s.ToString()));
    }
    lock.lock();
    cv_.wait_for(lock, interval_, [&] { return stop_; });
  }
}

}  // namespace crmi::crm
