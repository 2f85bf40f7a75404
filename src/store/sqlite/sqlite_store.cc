#include "src/store/sqlite/sqlite_store.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "src/common/log.h"
#include "src/common/metrics.h"
#include "src/common/time_format.h"
#include "src/store/sqlite/migrations.h"
#include "src/store/sqlite/sqlite_db.h"

namespace crmi::store::sqlite {
namespace {

constexpr int kMaxListLimit = 10000;

struct CollectionInfo {
  std::string name;
  std::vector<std::string> indexed;  // in CollectionSpec order
  std::string get_sql;
  std::string insert_sql;
  std::string update_sql;
  std::string delete_sql;
  std::string exists_sql;

  bool IsColumn(std::string_view field) const {
    if (field == "id" || field == "created_at" || field == "updated_at" || field == "version") {
      return true;
    }
    return std::find(indexed.begin(), indexed.end(), field) != indexed.end();
  }
};

CollectionInfo BuildInfo(const CollectionSpec& spec) {
  CollectionInfo c;
  c.name = spec.name;
  c.indexed = spec.indexed_fields;
  const std::string cols = "seq, id, version, created_at, updated_at, doc";
  c.get_sql = "SELECT " + cols + " FROM " + c.name + " WHERE tenant = ?1 AND id = ?2";
  c.exists_sql = "SELECT version FROM " + c.name + " WHERE tenant = ?1 AND id = ?2";
  // ?1 tenant, ?2 id, ?3 now, ?4 doc, ?5.. indexed values, then seq
  std::string names, params, sets;
  for (size_t i = 0; i < c.indexed.size(); ++i) {
    const std::string p = "?" + std::to_string(5 + i);
    names += ", " + c.indexed[i];
    params += ", " + p;
    sets += ", " + c.indexed[i] + " = " + p;
  }
  c.insert_sql = "INSERT INTO " + c.name + " (tenant, id, version, created_at, updated_at, doc" +
                 names + ", seq) VALUES (?1, ?2, 1, ?3, ?3, ?4" + params + ", ?" +
                 std::to_string(5 + c.indexed.size()) + ")";
  // ?1 tenant, ?2 id, ?3 now, ?4 doc, ?5.. indexed, then expected version and seq
  const std::string ver = "?" + std::to_string(5 + c.indexed.size());
  const std::string seq = "?" + std::to_string(6 + c.indexed.size());
  c.update_sql = "UPDATE " + c.name + " SET version = version + 1, updated_at = ?3, doc = ?4" +
                 sets + " WHERE tenant = ?1 AND id = ?2 AND (" + ver + " = 0 OR version = " + ver +
                 ") AND (" + seq + " = 0 OR seq = " + seq + ") RETURNING seq, version, created_at";
  c.delete_sql = "DELETE FROM " + c.name +
                 " WHERE tenant = ?1 AND id = ?2 AND (?3 = 0 OR version = ?3) AND (?4 = 0 OR "
                 "seq = ?4)";
  return c;
}

bool IsPathSegment(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '_')) {
      return false;
    }
  }
  return true;
}

bool IsValidPath(std::string_view path) {
  size_t start = 0;
  int depth = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    if (!IsPathSegment(path.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (++depth > 8) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

void ReadRow(const Stmt& st, StoredRecord* r) {
  r->seq = st.ColumnInt(0);
  r->id = st.ColumnText(1);
  r->version = st.ColumnInt(2);
  r->created_at = st.ColumnText(3);
  r->updated_at = st.ColumnText(4);
  r->doc = st.ColumnText(5);
}

// Metrics of the store; all pointers null when no registry was given.
struct StoreMetrics {
  prometheus::Histogram* get = nullptr;
  prometheus::Histogram* list = nullptr;
  prometheus::Histogram* write = nullptr;
  prometheus::Histogram* commit = nullptr;
  prometheus::Histogram* group_size = nullptr;
  prometheus::Counter* write_errors = nullptr;

  void Init(metrics::Registry* registry) {
    if (registry == nullptr) return;
    auto& lat = prometheus::BuildHistogram()
                    .Name("crmi_store_operation_duration_seconds")
                    .Help("Latency of store operations (write = queued until committed)")
                    .Register(registry->prom());
    get = &lat.Add({{"op", "get"}}, metrics::LatencyBuckets());
    list = &lat.Add({{"op", "list"}}, metrics::LatencyBuckets());
    write = &lat.Add({{"op", "write"}}, metrics::LatencyBuckets());
    commit = &lat.Add({{"op", "commit"}}, metrics::LatencyBuckets());
    group_size = &prometheus::BuildHistogram()
                      .Name("crmi_store_write_group_size")
                      .Help("Writes committed together by one group commit")
                      .Register(registry->prom())
                      .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128,
                                                                       256, 512});
    write_errors = &prometheus::BuildCounter()
                        .Name("crmi_store_write_errors_total")
                        .Help("Writes that failed to commit (not rolled back by the caller)")
                        .Register(registry->prom())
                        .Add({});
  }
};

class Timer {
 public:
  Timer(prometheus::Histogram* h, Clock* clock)
      : h_(h), clock_(clock), start_(h ? clock->MonotonicNanos() : 0) {}
  ~Timer() {
    if (h_ != nullptr) h_->Observe(static_cast<double>(clock_->MonotonicNanos() - start_) / 1e9);
  }

 private:
  prometheus::Histogram* h_;
  Clock* clock_;
  int64_t start_;
};

class SqliteStore;

// Queries shared by reader transactions and the writer transaction.
class Queries {
 public:
  explicit Queries(const std::map<std::string, CollectionInfo, std::less<>>* collections)
      : collections_(collections) {}

  Result<const CollectionInfo*> Find(std::string_view collection) const {
    auto it = collections_->find(collection);
    if (it == collections_->end()) {
      return InvalidArgument("unknown collection '" + std::string(collection) + "'");
    }
    return &it->second;
  }

  Result<StoredRecord> Get(Connection* conn, std::string_view collection, std::string_view tenant,
                           std::string_view id) const {
    ASSIGN_OR_RETURN(const CollectionInfo* c, Find(collection));
    ASSIGN_OR_RETURN(Stmt st, conn->Prepare(c->get_sql));
    st.BindText(1, tenant);
    st.BindText(2, id);
    bool row = false;
    RETURN_IF_ERROR(st.Step(&row));
    if (!row) return NotFound(std::string(collection) + " '" + std::string(id) + "' not found");
    StoredRecord r;
    ReadRow(st, &r);
    return r;
  }

  Status List(Connection* conn, const ListQuery& q, std::vector<StoredRecord>* out) const {
    ASSIGN_OR_RETURN(const CollectionInfo* c, Find(q.collection));
    if (q.limit < 1 || q.limit > kMaxListLimit) {
      return InvalidArgument("limit must be between 1 and " + std::to_string(kMaxListLimit));
    }
    std::string sql = "SELECT seq, id, version, created_at, updated_at, doc FROM " + c->name +
                      " WHERE tenant = ?";
    // Parameters in SQL order: a value, or a JSON path for json_extract on non-column fields.
    struct Bind {
      const Value* value;
      std::string path;
    };
    std::vector<Bind> binds;
    for (const FieldFilter& f : q.filters) {
      if (!IsValidPath(f.field)) {
        return InvalidArgument("invalid filter field '" + f.field + "'");
      }
      const bool column = c->IsColumn(f.field);
      const std::string lhs = column ? f.field : "json_extract(doc, ?)";
      auto bind_lhs = [&] {
        if (!column) binds.push_back({nullptr, "$." + f.field});
      };
      if (f.op == FieldFilter::Op::kEq) {
        if (f.values.size() != 1) return InvalidArgument("equality filter needs one value");
        bind_lhs();
        if (std::holds_alternative<std::monostate>(f.values[0])) {
          sql += " AND " + lhs + " IS NULL";
        } else {
          sql += " AND " + lhs + " = ?";
          binds.push_back({&f.values[0], {}});
        }
      } else {
        if (f.values.empty() || f.values.size() > 100) {
          return InvalidArgument("not-in filter needs 1..100 values");
        }
        bind_lhs();
        bind_lhs();
        sql += " AND (" + lhs + " IS NULL OR " + lhs + " NOT IN (";
        for (size_t i = 0; i < f.values.size(); ++i) {
          sql += i ? ", ?" : "?";
          binds.push_back({&f.values[i], {}});
        }
        sql += "))";
      }
    }
    if (q.order_by_desc.empty()) {
      sql += " AND seq > ? ORDER BY seq LIMIT ?";
    } else {
      if (!c->IsColumn(q.order_by_desc) || q.order_by_desc == "id") {
        return InvalidArgument("cannot order by '" + q.order_by_desc + "'");
      }
      sql += " ORDER BY " + q.order_by_desc + " DESC, seq DESC LIMIT ?";
    }
    ASSIGN_OR_RETURN(Stmt st, conn->Prepare(sql));
    int idx = 1;
    st.BindText(idx++, q.tenant);
    for (const Bind& b : binds) {
      if (b.value == nullptr) {
        st.BindText(idx++, b.path);
      } else {
        st.BindValue(idx++, *b.value);
      }
    }
    if (q.order_by_desc.empty()) st.BindInt(idx++, q.after_seq);
    st.BindInt(idx, q.limit);
    bool row = false;
    while (true) {
      RETURN_IF_ERROR(st.Step(&row));
      if (!row) break;
      StoredRecord r;
      ReadRow(st, &r);
      out->push_back(std::move(r));
    }
    return Status::Ok();
  }

 private:
  const std::map<std::string, CollectionInfo, std::less<>>* collections_;
};

// Read-only connections, opened on demand up to a maximum, then waited for.
class ReaderPool {
 public:
  ReaderPool(std::string path, int max) : path_(std::move(path)), max_(max) {}

  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    Connection* get() { return conn_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Result<Lease> Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty() || open_ < max_ || closed_; });
    if (closed_) return Unavailable("store is closed");
    if (!free_.empty()) {
      auto conn = std::move(free_.back());
      free_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;
    lock.unlock();
    ConnectionOptions o;
    o.read_only = true;
    auto conn = Connection::Open(path_, o);
    if (!conn.ok()) {
      std::lock_guard<std::mutex> relock(mu_);
      --open_;
      cv_.notify_one();
      return conn.status();
    }
    return Lease(this, std::move(conn).value());
  }

  void Release(std::unique_ptr<Connection> conn) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
      --open_;
      cv_.notify_all();
      return;  // conn closes here
    }
    free_.push_back(std::move(conn));
    cv_.notify_one();
  }

  // Closes idle connections; leased ones close when returned. Waits for all of them.
  void Close() {
    std::unique_lock<std::mutex> lock(mu_);
    closed_ = true;
    open_ -= static_cast<int>(free_.size());
    free_.clear();
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_ == 0; });
  }

 private:
  const std::string path_;
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> free_;
  int open_ = 0;
  bool closed_ = false;
};

class SqliteReadTxn final : public ReadTxn {
 public:
  SqliteReadTxn(ReaderPool::Lease lease, const Queries* q) : lease_(std::move(lease)), q_(q) {}
  ~SqliteReadTxn() override {
    if (began_) (void)lease_.get()->Exec("COMMIT");
  }

  Status Begin() {
    RETURN_IF_ERROR(lease_.get()->Exec("BEGIN"));
    began_ = true;
    return Status::Ok();
  }

  Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                           std::string_view id) override {
    return q_->Get(lease_.get(), collection, tenant, id);
  }
  Status List(const ListQuery& query, std::vector<StoredRecord>* out) override {
    return q_->List(lease_.get(), query, out);
  }

 private:
  ReaderPool::Lease lease_;
  const Queries* q_;
  bool began_ = false;
};

class SqliteWriteTxn final : public WriteTxn {
 public:
  SqliteWriteTxn(Connection* conn, const Queries* q) : conn_(conn), q_(q) {}

  Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                           std::string_view id) override {
    return q_->Get(conn_, collection, tenant, id);
  }
  Status List(const ListQuery& query, std::vector<StoredRecord>* out) override {
    return q_->List(conn_, query, out);
  }

  Result<StoredRecord> Insert(std::string_view collection, std::string_view tenant,
                              const NewRecord& rec, std::string_view now) override {
    ASSIGN_OR_RETURN(const CollectionInfo* c, q_->Find(collection));
    RETURN_IF_ERROR(CheckIndexValues(*c, rec));
    auto next = next_seq_.find(collection);
    if (next == next_seq_.end()) return Internal("no sequence for collection " + c->name);
    const int64_t seq = next->second;
    ASSIGN_OR_RETURN(Stmt st, conn_->Prepare(c->insert_sql));
    st.BindText(1, tenant);
    st.BindText(2, rec.id);
    st.BindText(3, now);
    st.BindText(4, rec.doc);
    for (size_t i = 0; i < rec.index_values.size(); ++i) {
      st.BindValue(static_cast<int>(5 + i), rec.index_values[i]);
    }
    st.BindInt(static_cast<int>(5 + rec.index_values.size()), seq);
    Status s = st.Run();
    if (s.code() == StatusCode::kAlreadyExists) {
      return AlreadyExists(std::string(collection) + " '" + rec.id + "' already exists");
    }
    RETURN_IF_ERROR(s);
    ++next->second;  // only a successful insert consumes the number
    StoredRecord out;
    out.id = rec.id;
    out.seq = seq;
    out.version = 1;
    out.created_at = now;
    out.updated_at = now;
    return out;
  }

  Result<StoredRecord> Update(std::string_view collection, std::string_view tenant,
                              const NewRecord& rec, const Expect& expect,
                              std::string_view now) override {
    ASSIGN_OR_RETURN(const CollectionInfo* c, q_->Find(collection));
    RETURN_IF_ERROR(CheckIndexValues(*c, rec));
    StoredRecord out;
    {
      ASSIGN_OR_RETURN(Stmt st, conn_->Prepare(c->update_sql));
      st.BindText(1, tenant);
      st.BindText(2, rec.id);
      st.BindText(3, now);
      st.BindText(4, rec.doc);
      for (size_t i = 0; i < rec.index_values.size(); ++i) {
        st.BindValue(static_cast<int>(5 + i), rec.index_values[i]);
      }
      st.BindInt(static_cast<int>(5 + rec.index_values.size()), expect.version);
      st.BindInt(static_cast<int>(6 + rec.index_values.size()), expect.seq);
      bool row = false;
      RETURN_IF_ERROR(st.Step(&row));
      if (row) {
        out.seq = st.ColumnInt(0);
        out.version = st.ColumnInt(1);
        out.created_at = st.ColumnText(2);
        RETURN_IF_ERROR(st.Run());  // finish the statement so RETURNING commits its change
      }
      if (!row) return Missing(*c, tenant, rec.id);
    }
    out.id = rec.id;
    out.updated_at = now;
    out.doc = rec.doc;
    return out;
  }

  Status Delete(std::string_view collection, std::string_view tenant, std::string_view id,
                const Expect& expect) override {
    ASSIGN_OR_RETURN(const CollectionInfo* c, q_->Find(collection));
    {
      ASSIGN_OR_RETURN(Stmt st, conn_->Prepare(c->delete_sql));
      st.BindText(1, tenant);
      st.BindText(2, id);
      st.BindInt(3, expect.version);
      st.BindInt(4, expect.seq);
      RETURN_IF_ERROR(st.Run());
    }
    if (conn_->Changes() == 0) return Missing(*c, tenant, id);
    return Status::Ok();
  }

  // Reads the next seq of every collection; called after BEGIN of each group, so that another
  // process (crmi import beside the server) that wrote in between is taken into account.
  Status LoadSequences() {
    next_seq_.clear();
    ASSIGN_OR_RETURN(Stmt st, conn_->Prepare("SELECT collection, next FROM sequences"));
    bool row = false;
    while (true) {
      RETURN_IF_ERROR(st.Step(&row));
      if (!row) break;
      next_seq_.emplace(std::string(st.ColumnText(0)), st.ColumnInt(1));
    }
    loaded_ = next_seq_;
    return Status::Ok();
  }

  // Writes back the numbers this group consumed; called before COMMIT.
  Status SaveSequences() {
    for (const auto& [collection, next] : next_seq_) {
      auto it = loaded_.find(collection);
      if (it != loaded_.end() && it->second == next) continue;
      ASSIGN_OR_RETURN(Stmt st,
                       conn_->Prepare("UPDATE sequences SET next = ?1 WHERE collection = ?2"));
      st.BindInt(1, next);
      st.BindText(2, collection);
      RETURN_IF_ERROR(st.Run());
    }
    return Status::Ok();
  }

 private:
  static Status CheckIndexValues(const CollectionInfo& c, const NewRecord& rec) {
    if (rec.index_values.size() != c.indexed.size()) {
      return Internal("index values for " + c.name + ": got " +
                      std::to_string(rec.index_values.size()) + ", want " +
                      std::to_string(c.indexed.size()));
    }
    return Status::Ok();
  }

  // Explains why an update/delete touched no row.
  Status Missing(const CollectionInfo& c, std::string_view tenant, std::string_view id) {
    auto st = conn_->Prepare(c.exists_sql);
    if (!st.ok()) return st.status();
    st->BindText(1, tenant);
    st->BindText(2, id);
    bool row = false;
    RETURN_IF_ERROR(st->Step(&row));
    if (!row) return NotFound(c.name + " '" + std::string(id) + "' not found");
    return Aborted(c.name + " '" + std::string(id) + "' changed concurrently (now version " +
                   std::to_string(st->ColumnInt(0)) + ")");
  }

  Connection* conn_;
  const Queries* q_;
  std::map<std::string, int64_t, std::less<>> next_seq_;
  std::map<std::string, int64_t, std::less<>> loaded_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& options, std::unique_ptr<Connection> writer,
              std::map<std::string, CollectionInfo, std::less<>> collections, int schema_version)
      : options_(options),
        collections_(std::move(collections)),
        queries_(&collections_),
        writer_conn_(std::move(writer)),
        readers_(options.path, options.max_readers),
        schema_version_(schema_version) {
    metrics_.Init(options.metrics);
    writer_thread_ = std::thread([this] { WriterLoop(); });
  }

  ~SqliteStore() override { (void)Close(); }

  Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                           std::string_view id) override {
    Timer t(metrics_.get, options_.clock);
    ASSIGN_OR_RETURN(ReaderPool::Lease lease, readers_.Acquire());
    return queries_.Get(lease.get(), collection, tenant, id);
  }

  Status List(const ListQuery& query, std::vector<StoredRecord>* out) override {
    Timer t(metrics_.list, options_.clock);
    ASSIGN_OR_RETURN(ReaderPool::Lease lease, readers_.Acquire());
    return queries_.List(lease.get(), query, out);
  }

  Result<std::unique_ptr<ReadTxn>> BeginRead() override {
    ASSIGN_OR_RETURN(ReaderPool::Lease lease, readers_.Acquire());
    auto txn = std::make_unique<SqliteReadTxn>(std::move(lease), &queries_);
    RETURN_IF_ERROR(txn->Begin());
    return std::unique_ptr<ReadTxn>(std::move(txn));
  }

  Status Write(const std::function<Status(WriteTxn&)>& fn) override {
    Timer t(metrics_.write, options_.clock);
    Job job;
    job.borrowed = &fn;
    return Enqueue(std::move(job)).get();
  }

  std::future<Status> WriteAsync(std::function<Status(WriteTxn&)> fn) override {
    Job job;
    job.owned = std::move(fn);
    return Enqueue(std::move(job));
  }

  Status CheckIntegrity(std::string* report) override {
    ASSIGN_OR_RETURN(ReaderPool::Lease lease, readers_.Acquire());
    ASSIGN_OR_RETURN(Stmt st, lease.get()->Prepare("PRAGMA integrity_check"));
    report->clear();
    bool row = false;
    while (true) {
      RETURN_IF_ERROR(st.Step(&row));
      if (!row) break;
      if (!report->empty()) report->push_back('\n');
      report->append(st.ColumnText(0));
    }
    if (*report != "ok") return DataLoss("integrity check failed: " + *report);
    return Status::Ok();
  }

  StoreInfo Info() const override {
    StoreInfo info;
    info.schema_version = schema_version_;
    info.engine = std::string("sqlite ") + sqlite3_libversion();
    info.path = options_.path;
    return info;
  }

  bool Ready() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return !closing_;
  }

  Status Close() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) return Status::Ok();
      closing_ = true;
    }
    cv_.notify_all();
    if (writer_thread_.joinable()) writer_thread_.join();
    readers_.Close();
    Status s = writer_conn_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
    writer_conn_.reset();
    return s;
  }

 private:
  struct Job {
    const std::function<Status(WriteTxn&)>* borrowed = nullptr;  // sync writes: caller's
    std::function<Status(WriteTxn&)> owned;                      // async writes
    std::promise<Status> done;
    const std::function<Status(WriteTxn&)>& fn() const { return borrowed ? *borrowed : owned; }
  };

  std::future<Status> Enqueue(Job job) {
    std::future<Status> done = job.done.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) {
        job.done.set_value(Unavailable("store is closed"));
        return done;
      }
      queue_.push_back(std::move(job));
    }
    cv_.notify_one();
    return done;
  }

  void WriterLoop() {
    SqliteWriteTxn txn(writer_conn_.get(), &queries_);
    std::vector<Job> group;
    std::vector<Status> results;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;  // closing and drained
        const size_t n = std::min(queue_.size(), static_cast<size_t>(options_.max_group));
        for (size_t i = 0; i < n; ++i) {
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      RunGroup(&txn, &group, &results);
      for (size_t i = 0; i < group.size(); ++i) group[i].done.set_value(std::move(results[i]));
      group.clear();
      results.clear();
    }
  }

  void RunGroup(SqliteWriteTxn* txn, std::vector<Job>* group, std::vector<Status>* results) {
    Timer t(metrics_.commit, options_.clock);
    if (metrics_.group_size) metrics_.group_size->Observe(static_cast<double>(group->size()));
    Status begin = writer_conn_->Exec("BEGIN IMMEDIATE");
    if (begin.ok()) {
      begin = txn->LoadSequences();
      if (!begin.ok()) (void)writer_conn_->Exec("ROLLBACK");
    }
    if (!begin.ok()) {
      results->assign(group->size(), begin);
      if (metrics_.write_errors) metrics_.write_errors->Increment(group->size());
      return;
    }
    for (Job& job : *group) {
      Status s = writer_conn_->Exec("SAVEPOINT w");
      if (s.ok()) {
        try {
          s = job.fn()(*txn);
        } catch (const std::exception& e) {
          s = Internal(std::string("write failed: ") + e.what());
        }
        if (s.ok()) {
          s = writer_conn_->Exec("RELEASE w");
        } else {
          // The job's own error stands; undo exactly its changes.
          Status rb = writer_conn_->Exec("ROLLBACK TO w; RELEASE w");
          if (!rb.ok())
            log::Error("savepoint rollback failed", log::Fields().Add("error", rb.ToString()));
        }
      }
      results->push_back(std::move(s));
    }
    Status commit = txn->SaveSequences();
    if (commit.ok()) commit = writer_conn_->Exec("COMMIT");
    if (!commit.ok()) {
      (void)writer_conn_->Exec("ROLLBACK");
      log::Error("group commit failed", log::Fields()
                                            .Add("error", commit.ToString())
                                            .Add("writes", static_cast<int64_t>(group->size())));
      for (Status& s : *results) {
        if (s.ok()) s = commit;
      }
      if (metrics_.write_errors) metrics_.write_errors->Increment(group->size());
    }
  }

  const SqliteOptions options_;
  const std::map<std::string, CollectionInfo, std::less<>> collections_;
  const Queries queries_;
  std::unique_ptr<Connection> writer_conn_;  // used by the writer thread only (and Close)
  ReaderPool readers_;
  const int schema_version_;
  StoreMetrics metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool closing_ = false;
  std::thread writer_thread_;
};

Status VerifySpec(Connection* conn, const CollectionSpec& spec) {
  ASSIGN_OR_RETURN(Stmt st, conn->Prepare("SELECT name FROM pragma_table_info(?1)"));
  st.BindText(1, spec.name);
  std::vector<std::string> columns;
  bool row = false;
  while (true) {
    RETURN_IF_ERROR(st.Step(&row));
    if (!row) break;
    columns.emplace_back(st.ColumnText(0));
  }
  if (columns.empty()) return Internal("store has no table for collection '" + spec.name + "'");
  for (const auto& f : spec.indexed_fields) {
    if (std::find(columns.begin(), columns.end(), f) == columns.end()) {
      return Internal("collection '" + spec.name + "' declares indexed field '" + f +
                      "' but the table has no such column: add a migration");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> Open(const SqliteOptions& options,
                                    const std::vector<CollectionSpec>& specs) {
  ConnectionOptions co;
  co.synchronous = options.synchronous;
  co.busy_timeout_ms = options.busy_timeout_ms;
  if (options.synchronous != "full" && options.synchronous != "normal") {
    return InvalidArgument("store synchronous mode must be 'full' or 'normal'");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer, Connection::Open(options.path, co));
  ASSIGN_OR_RETURN(
      int version,
      ApplyMigrations(writer.get(), FormatRfc3339Millis(options.clock->NowUnixMillis())));
  std::map<std::string, CollectionInfo, std::less<>> collections;
  for (const auto& spec : specs) {
    RETURN_IF_ERROR(VerifySpec(writer.get(), spec));
    collections.emplace(spec.name, BuildInfo(spec));
  }
  return std::unique_ptr<Store>(
      new SqliteStore(options, std::move(writer), std::move(collections), version));
}

}  // namespace crmi::store::sqlite
