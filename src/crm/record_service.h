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
#include "src/crm/record.h"
#include "src/crm/schema.h"
#include "src/store/store.h"

namespace crmi::crm {

struct Page {
  std::vector<store::StoredRecord> items;
  std::string next_cursor;  // empty when this is the last page
};

struct UpsertResult {
  Status status;
  std::vector<bool> created;  // per record: inserted (true) or replaced (false)
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

  Result<store::StoredRecord> Create(const Collection& c, std::string_view tenant,
                                     std::string_view body);
  Result<store::StoredRecord> Get(const Collection& c, std::string_view tenant,
                                  std::string_view id);
  // `if_match`: the raw If-Match header value, if any ("*" matches any existing record).
  Result<store::StoredRecord> Patch(const Collection& c, std::string_view tenant,
                                    std::string_view id, std::string_view patch,
                                    std::optional<std::string_view> if_match);
  Status Delete(const Collection& c, std::string_view tenant, std::string_view id,
                std::optional<std::string_view> if_match);
  Result<Page> List(const Collection& c, std::string_view tenant, const ListRequest& request);

  // Inserts or replaces prepared records in one transaction. For each record, sets (*created)[i]
  // to true when it was inserted and false when an existing record with its id was replaced.
  // Records without an id get a generated one. Consumes *records.
  Status Upsert(const Collection& c, std::string_view tenant, std::vector<PreparedRecord>* records,
                std::vector<bool>* created);
  // The same, returning at once: the importer prepares the next batch while this one commits.
  std::future<UpsertResult> UpsertAsync(const Collection& c, std::string tenant,
                                        std::vector<PreparedRecord> records);

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
