#include "src/store/sqlite/write_txn.h"

#include "src/store/sqlite/sqlite_db.h"

namespace crmi::store::sqlite {
namespace {

Status CheckIndexValues(const CollectionInfo& c, const NewRecord& rec) {
  if (rec.index_values.size() != c.indexed.size()) {
    return Internal("index values for " + c.name + ": got " +
                    std::to_string(rec.index_values.size()) + ", want " +
                    std::to_string(c.indexed.size()));
  }
  return Status::Ok();
}

void BindRecord(Stmt* st, int64_t tenant_id, const NewRecord& rec, std::string_view now) {
  st->BindInt(1, tenant_id);
  st->BindText(2, rec.id);
  st->BindText(3, now);
  st->BindText(4, rec.doc);
  for (size_t i = 0; i < rec.index_values.size(); ++i) {
    st->BindValue(static_cast<int>(5 + i), rec.index_values[i]);
  }
}

}  // namespace

void SqliteWriteTxn::BeginGroup() {
  changes_.clear();
  new_tenants_.clear();
  next_seq_.clear();
  loaded_seq_.clear();
}

void SqliteWriteTxn::BeginJob() {
  job_changes_ = changes_.size();
  job_new_tenants_ = new_tenants_;
  job_next_seq_ = next_seq_;
}

void SqliteWriteTxn::RollbackJob() {
  changes_.resize(job_changes_);
  new_tenants_ = std::move(job_new_tenants_);
  next_seq_ = std::move(job_next_seq_);
}

Status SqliteWriteTxn::PrepareCommit() {
  for (const auto& [key, next] : next_seq_) {
    auto it = loaded_seq_.find(key);
    if (it != loaded_seq_.end() && it->second == next) continue;
    ASSIGN_OR_RETURN(Stmt st,
                     conn_->Prepare("INSERT INTO sequences (collection, tenant, next) VALUES (?1, "
                                    "?2, ?3) ON CONFLICT (collection, tenant) DO UPDATE SET next = "
                                    "excluded.next"));
    st.BindText(1, key.first);
    st.BindInt(2, key.second);
    st.BindInt(3, next);
    RETURN_IF_ERROR(st.Run());
  }
  return Status::Ok();
}

std::vector<RecordChange> SqliteWriteTxn::EndGroup(bool committed) {
  std::vector<RecordChange> changes;
  if (committed) {
    for (const auto& [name, id] : new_tenants_) tenants_->Publish(name, id);
    changes = std::move(changes_);
  }
  BeginGroup();
  return changes;
}

Result<int64_t> SqliteWriteTxn::FindTenant(std::string_view name) {
  auto it = new_tenants_.find(name);
  if (it != new_tenants_.end()) return it->second;
  return tenants_->Lookup(conn_, name);
}

Result<int64_t> SqliteWriteTxn::TenantForInsert(std::string_view name) {
  ASSIGN_OR_RETURN(int64_t id, FindTenant(name));
  if (id != 0) return id;
  ASSIGN_OR_RETURN(Stmt st, conn_->Prepare("INSERT INTO tenants (name) VALUES (?1)"));
  st.BindText(1, name);
  RETURN_IF_ERROR(st.Run());
  id = conn_->LastInsertRowid();
  if (id > kMaxTenantId) {
    return ResourceExhausted("the store holds its maximum of " + std::to_string(kMaxTenantId) +
                             " tenants");
  }
  new_tenants_.emplace(std::string(name), id);
  return id;
}

Result<int64_t*> SqliteWriteTxn::NextSeq(const std::string& collection, int64_t tenant_id) {
  SeqKey key{collection, tenant_id};
  auto it = next_seq_.find(key);
  if (it == next_seq_.end()) {
    // Read once per group: another process (crmi import) may have written since the last one.
    int64_t next = SeqFloor(tenant_id) + 1;
    ASSIGN_OR_RETURN(Stmt st,
                     conn_->Prepare("SELECT next FROM sequences WHERE collection = ?1 AND tenant = "
                                    "?2"));
    st.BindText(1, collection);
    st.BindInt(2, tenant_id);
    bool row = false;
    RETURN_IF_ERROR(st.Step(&row));
    if (row) next = st.ColumnInt(0);
    loaded_seq_[key] = next;
    it = next_seq_.emplace(std::move(key), next).first;
  }
  if (it->second >= SeqCeil(tenant_id)) {
    return ResourceExhausted(collection + " of this tenant is full (2^40 records)");
  }
  return &it->second;
}

Result<StoredRecord> SqliteWriteTxn::Get(std::string_view collection, std::string_view tenant,
                                         std::string_view id,
                                         const std::vector<FieldFilter>& filters) {
  ASSIGN_OR_RETURN(int64_t tid, FindTenant(tenant));
  return q_->Get(conn_, collection, tid, id, filters);
}

Status SqliteWriteTxn::List(const ListQuery& query, std::vector<StoredRecord>* out) {
  ASSIGN_OR_RETURN(int64_t tid, FindTenant(query.tenant));
  return q_->List(conn_, query, tid, out);
}

Result<StoredRecord> SqliteWriteTxn::Insert(std::string_view collection, std::string_view tenant,
                                            const NewRecord& rec, std::string_view now) {
  ASSIGN_OR_RETURN(const CollectionInfo* c, q_->Find(collection));
  RETURN_IF_ERROR(CheckIndexValues(*c, rec));
  ASSIGN_OR_RETURN(int64_t tid, TenantForInsert(tenant));
  ASSIGN_OR_RETURN(int64_t * next, NextSeq(c->name, tid));
  const int64_t seq = *next;
  ASSIGN_OR_RETURN(Stmt st, conn_->Prepare(c->insert_sql));
  BindRecord(&st, tid, rec, now);
  st.BindInt(static_cast<int>(5 + rec.index_values.size()), seq);
  Status s = st.Run();
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists(c->name + " '" + rec.id + "' already exists");
  }
  RETURN_IF_ERROR(s);
  ++*next;  // only a successful insert consumes the number
  StoredRecord out;
  out.id = rec.id;
  out.seq = seq;
  out.version = 1;
  out.created_at = now;
  out.updated_at = now;
  changes_.push_back({RecordChange::Kind::kUpsert, c->name, std::string(tenant), rec.id});
  return out;
}

Result<StoredRecord> SqliteWriteTxn::Update(std::string_view collection, std::string_view tenant,
                                            const NewRecord& rec, const Expect& expect,
                                            std::string_view now) {
  ASSIGN_OR_RETURN(const CollectionInfo* c, q_->Find(collection));
  RETURN_IF_ERROR(CheckIndexValues(*c, rec));
  ASSIGN_OR_RETURN(int64_t tid, FindTenant(tenant));
  if (tid == 0) return NotFound(c->name + " '" + rec.id + "' not found");
  StoredRecord out;
  bool row = false;
  {
    ASSIGN_OR_RETURN(Stmt st, conn_->Prepare(c->update_sql));
    BindRecord(&st, tid, rec, now);
    st.BindInt(static_cast<int>(5 + rec.index_values.size()), expect.version);
    st.BindInt(static_cast<int>(6 + rec.index_values.size()), expect.seq);
    RETURN_IF_ERROR(st.Step(&row));
    if (row) {
      out.seq = st.ColumnInt(0);
      out.version = st.ColumnInt(1);
      out.created_at = st.ColumnText(2);
      RETURN_IF_ERROR(st.Run());  // finish the statement so RETURNING commits its change
    }
  }
  if (!row) return Missing(*c, tid, rec.id);
  out.id = rec.id;
  out.updated_at = now;
  out.doc = rec.doc;
  changes_.push_back({RecordChange::Kind::kUpsert, c->name, std::string(tenant), rec.id});
  return out;
}

Status SqliteWriteTxn::Delete(std::string_view collection, std::string_view tenant,
                              std::string_view id, const Expect& expect) {
  ASSIGN_OR_RETURN(const CollectionInfo* c, q_->Find(collection));
  ASSIGN_OR_RETURN(int64_t tid, FindTenant(tenant));
  if (tid == 0) return NotFound(c->name + " '" + std::string(id) + "' not found");
  {
    ASSIGN_OR_RETURN(Stmt st, conn_->Prepare(c->delete_sql));
    st.BindInt(1, tid);
    st.BindText(2, id);
    st.BindInt(3, expect.version);
    st.BindInt(4, expect.seq);
    RETURN_IF_ERROR(st.Run());
  }
  if (conn_->Changes() == 0) return Missing(*c, tid, id);
  changes_.push_back({RecordChange::Kind::kDelete, c->name, std::string(tenant), std::string(id)});
  return Status::Ok();
}

Status SqliteWriteTxn::Missing(const CollectionInfo& c, int64_t tenant_id, std::string_view id) {
  ASSIGN_OR_RETURN(Stmt st, conn_->Prepare(c.exists_sql));
  st.BindInt(1, tenant_id);
  st.BindText(2, id);
  bool row = false;
  RETURN_IF_ERROR(st.Step(&row));
  if (!row) return NotFound(c.name + " '" + std::string(id) + "' not found");
  return Aborted(c.name + " '" + std::string(id) + "' changed concurrently (now version " +
                 std::to_string(st.ColumnInt(0)) + ")");
}

}  // namespace crmi::store::sqlite
