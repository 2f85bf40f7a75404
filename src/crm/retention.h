// Retention: records older than their collection's maximum age are deleted.
//
// Age is measured from a record's creation (created_at). Deletion goes through RecordService, so
// every purge is announced on the store's change feed like any delete (search drops the
// passages; contact names are forgotten). A background RetentionService runs the purge every
// `interval`, counts what it deleted (crmi_retention_purged_total{collection}) and reports each
// (tenant, collection) batch to a callback (the audit trail).
//
// Thread-safety: PurgeExpired may be called from any thread; RetentionService's methods from
// one owner thread.
#ifndef CRMI_CRM_RETENTION_H_
#define CRMI_CRM_RETENTION_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/common/clock.h"
#include "src/common/metrics.h"
#include "src/common/status.h"
#include "src/crm/record_service.h"
#include "src/store/store.h"

namespace crmi::crm {

struct RetentionRule {
  std::string collection;
  int64_t max_age_s = 0;  // > 0
};

struct PurgeBatch {
  std::string tenant;
  std::string collection;
  std::string cutoff;  // RFC 3339: records created before it were deleted
  int64_t deleted = 0;
};

// kInvalidArgument for an unknown collection or a non-positive age.
Status ValidateRetention(const std::vector<RetentionRule>& rules);

// One pass over every tenant: deletes the records of each rule's collection created before
// now - max_age. Calls `on_batch` for each (tenant, collection) where something was deleted.
// A record changed or deleted meanwhile is skipped, not an error.
Status PurgeExpired(RecordService* records, store::Store* store,
                    const std::vector<RetentionRule>& rules, Clock* clock,
                    const std::function<void(const PurgeBatch&)>& on_batch);

class RetentionService {
 public:
  // `records`, `store`, `clock` and `registry` (nullable) must outlive the service.
  RetentionService(RecordService* records, store::Store* store, std::vector<RetentionRule> rules,
                   std::chrono::seconds interval, Clock* clock, metrics::Registry* registry,
                   std::function<void(const PurgeBatch&)> on_batch);
  ~RetentionService();
  void Start();  // the first pass runs at once
  void Stop();

 private:
  void Loop();
  RecordService* records_;
  store::Store* store_;
  std::vector<RetentionRule> rules_;
  std::chrono::seconds interval_;
  Clock* clock_;
  std::function<void(const PurgeBatch&)> on_batch_;
  metrics::Registry* registry_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace crmi::crm

#endif  // CRMI_CRM_RETENTION_H_
