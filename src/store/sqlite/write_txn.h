// The writer's transaction: WriteTxn over the single read-write connection. Internal to
// store/sqlite; used by the writer thread only.
//
// Lifecycle per group commit (SqliteStore::RunGroup):
//   BEGIN IMMEDIATE; BeginGroup();
//   for each job: BeginJob(); SAVEPOINT; fn(txn); RELEASE, or ROLLBACK TO + RollbackJob();
//   PrepareCommit(); COMMIT; EndGroup(committed)
//
// Tenants created and seq numbers taken in the group live in memory until PrepareCommit writes
// them; a job rolled back to its savepoint also forgets the tenants it created, so their ids
// (which SQLite may hand out again) never leak into later jobs. Only after a successful COMMIT
// are new tenant ids published to the shared TenantDirectory.
#ifndef CRMI_STORE_SQLITE_WRITE_TXN_H_
#define CRMI_STORE_SQLITE_WRITE_TXN_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "src/store/sqlite/queries.h"
#include "src/store/sqlite/tenants.h"
#include "src/store/store.h"

namespace crmi::store::sqlite {

class Connection;

class SqliteWriteTxn final : public WriteTxn {
 public:
  SqliteWriteTxn(Connection* conn, const Queries* q, TenantDirectory* tenants)
      : conn_(conn), q_(q), tenants_(tenants) {}

  void BeginGroup();
  void BeginJob();
  void RollbackJob();
  // Writes the seq numbers the group consumed; call right before COMMIT.
  Status PrepareCommit();
  // Returns the records the group changed when it committed (nothing otherwise).
  std::vector<RecordChange> EndGroup(bool committed);

  using WriteTxn::Get;
  Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                           std::string_view id, const std::vector<FieldFilter>& filters) override;
  Status List(const ListQuery& query, std::vector<StoredRecord>* out) override;
  Result<StoredRecord> Insert(std::string_view collection, std::string_view tenant,
                              const NewRecord& record, std::string_view now) override;
  Result<StoredRecord> Update(std::string_view collection, std::string_view tenant,
                              const NewRecord& record, const Expect& expect,
                              std::string_view now) override;
  Status Delete(std::string_view collection, std::string_view tenant, std::string_view id,
                const Expect& expect) override;

 private:
  using SeqKey = std::pair<std::string, int64_t>;  // (collection, tenant id)

  // The tenant's id as this transaction sees it (committed, or created earlier in the group);
  // 0 when it does not exist.
  Result<int64_t> FindTenant(std::string_view name);
  // Like FindTenant, creating the tenant when needed.
  Result<int64_t> TenantForInsert(std::string_view name);
  Result<int64_t*> NextSeq(const std::string& collection, int64_t tenant_id);
  // Explains why an update/delete touched no row.
  Status Missing(const CollectionInfo& c, int64_t tenant_id, std::string_view id);

  Connection* conn_;
  const Queries* q_;
  TenantDirectory* tenants_;
  std::map<std::string, int64_t, std::less<>> new_tenants_;  // created in this group
  std::map<SeqKey, int64_t> next_seq_;                       // loaded or advanced this group
  std::map<SeqKey, int64_t> loaded_seq_;                     // as read from `sequences`
  // Snapshots taken by BeginJob, restored by RollbackJob.
  std::map<std::string, int64_t, std::less<>> job_new_tenants_;
  std::map<SeqKey, int64_t> job_next_seq_;
  std::vector<RecordChange> changes_;  // of the group's jobs that did not roll back
  size_t job_changes_ = 0;
};

}  // namespace crmi::store::sqlite

#endif  // CRMI_STORE_SQLITE_WRITE_TXN_H_
