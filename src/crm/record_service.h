// RecordService: create, read, merge-patch, delete and list CRM records of one tenant.
//
// The HTTP handlers are thin adapters over this class; the CLI and the importer use it too.
// Every mutation is one store write: it applies completely or not at all.
//
// Concurrency: a patch reads, merges and writes inside one write transaction, so concurrent
// patches of different fields all land. Callers may pass the ETag they last saw (If-Match); the
// write then fails with kFailedPrecondition when the record moved on.
//
// Thread-safety: all methods are safe to call concurrently.
#ifndef CRMI_CRM_RECORD_SERVICE_H_
#define CRMI_CRM_RECORD_SERVICE_H_

#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/clock.h"
#include "src/common/status.h"
#include "src/crm/access.h"
#include "src/crm/record.h"
#include "src/crm/schema.h"
#include "src/store/store.h"

namespace crmi::crm {

struct Page {
  std::vector<store::StoredRecord> items;
  std::string next_cursor;  // empty when this is the last page
};

// kDenied: exists outside the caller's rows; kNoConsent: a marketing action whose contact does
// not consent (crm/consent.h). Neither is written.
enum class UpsertOutcome : int8_t { kCreated, kUpdated, kDenied, kNoConsent };

struct UpsertResult {
  Status status;
  std::vector<UpsertOutcome> outcomes;  // per record
};

struct ListRequest {
  int limit = 50;                                            // 1..1000
  std::string cursor;                                        // from a previous Page::next_cursor
  std::vector<std::pair<std::string, std::string>> filters;  // field path = raw value
};

class RecordService {
 public:
  static constexpr int kMaxPageSize = 1000;

  RecordService(store::Store* store, const Schema* schema, Clock* clock)
      : store_(store), schema_(schema), clock_(clock) {}

  // kInvalidArgument for an unknown collection.
  Result<const Collection*> FindCollection(std::string_view name) const;

  // Every method below applies `access` (what the policy lets the caller see) exactly:
  // - a record outside access.rows does not exist for the caller: kNotFound, as for a record of
  //   another tenant, so neither leaks existence through the status code;
  // - a create, or a patch whose result, would land outside access.rows: kPermissionDenied;
  // - a write naming a field the caller sees masked: kPermissionDenied (a masked value sent back
  //   must never overwrite the real one);
  // - writes of actions obey the consent rule (crm/consent.h): a refusal is kPermissionDenied
  //   and nothing is written;
  // - lists push access.rows into the store query (pagination stays exact) and cap the page
  //   size at access.max_rows.
  // Returned records are not masked: rendering applies access (crm::AppendRecordJson).
  Result<store::StoredRecord> Create(const Collection& c, std::string_view tenant,
                                     std::string_view body,
                                     const Access& access = Access::Unrestricted());
  Result<store::StoredRecord> Get(const Collection& c, std::string_view tenant, std::string_view id,
                                  const Access& access = Access::Unrestricted());
  // `if_match`: the raw If-Match header value, if any ("*" matches any existing record).
  Result<store::StoredRecord> Patch(const Collection& c, std::string_view tenant,
                                    std::string_view id, std::string_view patch,
                                    std::optional<std::string_view> if_match,
                                    const Access& access = Access::Unrestricted());
  Status Delete(const Collection& c, std::string_view tenant, std::string_view id,
                std::optional<std::string_view> if_match,
                const Access& access = Access::Unrestricted());
  Result<Page> List(const Collection& c, std::string_view tenant, const ListRequest& request,
                    const Access& access = Access::Unrestricted());

  // Inserts or replaces prepared records in one transaction; (*outcomes)[i] tells what happened
  // to records[i]. With row restrictions, a record that exists outside them is left alone
  // (kDenied) and the others still apply; records must already have been checked against
  // `access` (CheckWritable). Records without an id get a generated one. Consumes *records.
  Status Upsert(const Collection& c, std::string_view tenant, std::vector<PreparedRecord>* records,
                std::vector<UpsertOutcome>* outcomes,
                const Access& access = Access::Unrestricted());
  // The same, returning at once: the importer prepares the next batch while this one commits.
  // `access` is copied.
  std::future<UpsertResult> UpsertAsync(const Collection& c, std::string tenant,
                                        std::vector<PreparedRecord> records,
                                        const Access& access = Access::Unrestricted());

  store::Store* store() { return store_; }
  const Schema& schema() const { return *schema_; }
  Clock* clock() { return clock_; }

 private:
  std::string Now() const;

  store::Store* store_;
  const Schema* schema_;
  Clock* clock_;
};

// Cursors are opaque to clients: base64url of "1.<seq>".
std::string EncodeCursor(int64_t seq);
Result<int64_t> DecodeCursor(std::string_view cursor);

}  // namespace crmi::crm

#endif  // CRMI_CRM_RECORD_SERVICE_H_
