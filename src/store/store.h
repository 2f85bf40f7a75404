// Store: crmi's persistence interface. Callers (crm, later retrieval, ingest, audit) depend only on
// this header; the default implementation is SQLite (store/sqlite), and a PostgreSQL backend can
// implement the same interface without changing callers.
//
// Model: a record lives in a collection ("contacts"), belongs to a tenant and has an id unique
// within (collection, tenant). The store keeps system columns (seq, version, created_at,
// updated_at) and an opaque JSON document with the user fields. A few top-level fields per
// collection are mirrored into typed, indexed columns (CollectionSpec::indexed_fields) so that
// equality filters and joins on them do not scan; any other field can still be filtered (slower).
//
// `seq` is a per-collection number assigned at insert, never reused and never changed by updates.
// Listing in seq order with "seq > cursor" is therefore stable under concurrent inserts: a page
// never repeats or skips a record that existed when the listing began.
//
// Writes: Store::Write runs a function on the single writer thread inside a transaction that is
// shared with other concurrent writes (group commit) and isolated by a savepoint. If the function
// returns non-OK, everything it did is rolled back and nothing of it is visible, ever. When Write
// returns OK the change is committed (durable per the configured synchronous mode).
//
// Reads: Store::Get/List read the latest committed state; BeginRead() pins one consistent snapshot
// for several reads (customer 360). Readers never block the writer nor each other.
//
// Thread-safety: Store methods are safe from any thread. A ReadTxn/WriteTxn is used by one thread
// only and must not outlive the Store (a WriteTxn must not escape the Write callback).
//
// Errors: kNotFound (no such record), kAlreadyExists (insert of an existing id), kAborted
// (expected version did not match), kInvalidArgument (unknown collection/field), kUnavailable
// (busy, disk full, closed), kDataLoss (corruption).
#ifndef CRMI_STORE_STORE_H_
#define CRMI_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/common/status.h"

namespace crmi::store {

// A scalar as stored in an indexed column or compared in a filter.
using Value = std::variant<std::monostate, std::string, int64_t, double, bool>;

struct CollectionSpec {
  std::string name;
  // Top-level fields mirrored into indexed columns. NewRecord::index_values follows this order.
  std::vector<std::string> indexed_fields;
};

struct StoredRecord {
  std::string id;
  int64_t seq = 0;
  int64_t version = 0;
  std::string created_at;  // RFC 3339, UTC, milliseconds
  std::string updated_at;
  std::string doc;  // JSON object text of the user fields
};

// What a caller writes. `doc` must be a JSON object; the store does not parse it except to
// evaluate filters on non-indexed fields.
struct NewRecord {
  std::string id;
  std::string doc;
  std::vector<Value> index_values;  // one per CollectionSpec::indexed_fields
};

struct FieldFilter {
  // SQL semantics: kEq/kNe/kIn never match a null (absent) field, except kEq with a null
  // value ("IS NULL"); kNotIn does match a null field.
  enum class Op { kEq, kNe, kNotIn, kIn };
  // A top-level field ("stage") or a dotted path into the document ("custom.tier",
  // "consent.marketing"). Segments must be [A-Za-z0-9_]+.
  std::string field;
  Op op = Op::kEq;
  std::vector<Value> values;  // exactly one for kEq/kNe; kIn with none matches nothing
};

struct ListQuery {
  std::string collection;
  std::string tenant;
  std::vector<FieldFilter> filters;  // all must hold
  int64_t after_seq = 0;             // exclusive lower bound on seq (cursor)
  int limit = 50;                    // 1..10000
  // Empty: ascending seq (paginable). Otherwise an indexed field, descending, then seq
  // descending; after_seq is ignored (used for "most recent N").
  std::string order_by_desc;
  // Leaves StoredRecord::doc empty: listing ids, seqs and versions reads far less.
  bool omit_doc = false;
};

// Optimistic-concurrency precondition of an update or delete: zero fields match anything. `seq`
// distinguishes a record from a deleted-and-recreated one with the same id and version.
struct Expect {
  int64_t version = 0;
  int64_t seq = 0;
};

// A committed change of one record, as the change listener sees it.
struct RecordChange {
  enum class Kind { kUpsert, kDelete };
  Kind kind = Kind::kUpsert;
  std::string collection;
  std::string tenant;
  std::string id;
};

class ReadTxn {
 public:
  virtual ~ReadTxn() = default;
  // kNotFound when the record does not exist or `filters` (as in ListQuery) exclude it.
  virtual Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                                   std::string_view id,
                                   const std::vector<FieldFilter>& filters) = 0;
  Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                           std::string_view id) {
    return Get(collection, tenant, id, {});
  }
  virtual Status List(const ListQuery& query, std::vector<StoredRecord>* out) = 0;
};

class WriteTxn : public ReadTxn {
 public:
  // Returns the new record's system fields (seq, version 1, created_at = updated_at = `now`);
  // its doc is left empty: the caller has it.
  virtual Result<StoredRecord> Insert(std::string_view collection, std::string_view tenant,
                                      const NewRecord& record, std::string_view now) = 0;
  // Replaces doc and index values; bumps version; keeps seq and created_at. kNotFound when the
  // record does not exist, kAborted when it does but `expect` does not hold.
  virtual Result<StoredRecord> Update(std::string_view collection, std::string_view tenant,
                                      const NewRecord& record, const Expect& expect,
                                      std::string_view now) = 0;
  virtual Status Delete(std::string_view collection, std::string_view tenant, std::string_view id,
                        const Expect& expect) = 0;
};

struct StoreInfo {
  int schema_version = 0;
  std::string engine;  // "sqlite 3.40.1"
  std::string path;
};

class Store {
 public:
  virtual ~Store() = default;

  // kNotFound when the record does not exist or `filters` (as in ListQuery) exclude it: row
  // filters are part of the query, never applied to a fetched record.
  virtual Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                                   std::string_view id,
                                   const std::vector<FieldFilter>& filters) = 0;
  Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                           std::string_view id) {
    return Get(collection, tenant, id, {});
  }
  virtual Status List(const ListQuery& query, std::vector<StoredRecord>* out) = 0;
  virtual Result<std::unique_ptr<ReadTxn>> BeginRead() = 0;

  virtual Status Write(const std::function<Status(WriteTxn&)>& fn) = 0;
  // Like Write, but returns at once; the future yields what Write would have returned. The store
  // owns `fn` until it ran. Lets a producer prepare the next batch while this one commits.
  virtual std::future<Status> WriteAsync(std::function<Status(WriteTxn&)> fn) = 0;

  // Called with the records each commit changed, right after the commit and before the writers
  // waiting on it return — so a derived index (retrieval) learns of every committed change,
  // whoever wrote it, and a caller whose write returned knows its change was announced. Runs on
  // the writer thread: it must be quick (enqueue, not index) and must not write to the store.
  // Several may be registered (retrieval, the privacy layer's contact names); they run in the
  // order added. Removing one waits for a running call to finish. Returns an id for removal.
  virtual int AddChangeListener(std::function<void(const std::vector<RecordChange>&)> listener) = 0;
  virtual void RemoveChangeListener(int id) = 0;

  // Copies the write-ahead log into the database and truncates it, after the writes queued
  // before it. With deleted content overwritten (SQLite's secure_delete, always on), nothing of
  // a deleted record remains in the files afterwards — what GDPR erasure needs.
  virtual Status Checkpoint() = 0;

  // Every tenant that has ever stored a record, in creation order.
  virtual Status ListTenants(std::vector<std::string>* out) = 0;

  // Runs the engine's integrity check; `report` receives its findings ("ok" when clean).
  virtual Status CheckIntegrity(std::string* report) = 0;
  virtual StoreInfo Info() const = 0;
  // True once migrations are applied and the store accepts requests.
  virtual bool Ready() const = 0;

  // Drains pending writes, checkpoints and closes. Later calls fail with kUnavailable.
  virtual Status Close() = 0;
};

}  // namespace crmi::store

#endif  // CRMI_STORE_STORE_H_
