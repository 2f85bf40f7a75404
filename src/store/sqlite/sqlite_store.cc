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
#include "src/store/sqlite/queries.h"
#include "src/store/sqlite/sqlite_db.h"
#include "src/store/sqlite/tenants.h"
#include "src/store/sqlite/write_txn.h"

namespace crmi::store::sqlite {
namespace {

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
  SqliteReadTxn(ReaderPool::Lease lease, const Queries* q, TenantDirectory* tenants)
      : lease_(std::move(lease)), q_(q), tenants_(tenants) {}
  ~SqliteReadTxn() override {
    if (began_) (void)lease_.get()->Exec("COMMIT");
  }

  Status Begin() {
    RETURN_IF_ERROR(lease_.get()->Exec("BEGIN"));
    began_ = true;
    return Status::Ok();
  }

  using ReadTxn::Get;
  Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                           std::string_view id, const std::vector<FieldFilter>& filters) override {
    ASSIGN_OR_RETURN(int64_t tid, tenants_->Lookup(lease_.get(), tenant));
    return q_->Get(lease_.get(), collection, tid, id, filters);
  }
  Status List(const ListQuery& query, std::vector<StoredRecord>* out) override {
    ASSIGN_OR_RETURN(int64_t tid, tenants_->Lookup(lease_.get(), query.tenant));
    return q_->List(lease_.get(), query, tid, out);
  }

 private:
  ReaderPool::Lease lease_;
  const Queries* q_;
  TenantDirectory* tenants_;
  bool began_ = false;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& options, std::unique_ptr<Connection> writer,
              Queries::Collections collections, int schema_version)
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

  using Store::Get;
  Result<StoredRecord> Get(std::string_view collection, std::string_view tenant,
                           std::string_view id, const std::vector<FieldFilter>& filters) override {
    Timer t(metrics_.get, options_.clock);
    ASSIGN_OR_RETURN(ReaderPool::Lease lease, readers_.Acquire());
    ASSIGN_OR_RETURN(int64_t tid, tenants_.Lookup(lease.get(), tenant));
    return queries_.Get(lease.get(), collection, tid, id, filters);
  }

  Status List(const ListQuery& query, std::vector<StoredRecord>* out) override {
    Timer t(metrics_.list, options_.clock);
    ASSIGN_OR_RETURN(ReaderPool::Lease lease, readers_.Acquire());
    ASSIGN_OR_RETURN(int64_t tid, tenants_.Lookup(lease.get(), query.tenant));
    return queries_.List(lease.get(), query, tid, out);
  }

  Result<std::unique_ptr<ReadTxn>> BeginRead() override {
    ASSIGN_OR_RETURN(ReaderPool::Lease lease, readers_.Acquire());
    auto txn = std::make_unique<SqliteReadTxn>(std::move(lease), &queries_, &tenants_);
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

  Status Checkpoint() override {
    Job job;
    job.checkpoint = true;
    return Enqueue(std::move(job)).get();
  }

  int AddChangeListener(std::function<void(const std::vector<RecordChange>&)> listener) override {
    std::lock_guard<std::mutex> lock(listener_mu_);
    listeners_.emplace_back(++last_listener_id_, std::move(listener));
    return last_listener_id_;
  }

  void RemoveChangeListener(int id) override {
    std::lock_guard<std::mutex> lock(listener_mu_);
    std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
  }

  Status ListTenants(std::vector<std::string>* out) override {
    ASSIGN_OR_RETURN(ReaderPool::Lease lease, readers_.Acquire());
    ASSIGN_OR_RETURN(Stmt st, lease.get()->Prepare("SELECT name FROM tenants ORDER BY id"));
    out->clear();
    bool row = false;
    while (true) {
      RETURN_IF_ERROR(st.Step(&row));
      if (!row) break;
      out->emplace_back(st.ColumnText(0));
    }
    return Status::Ok();
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
    bool checkpoint = false;  // not a write: checkpoint and truncate the WAL (Checkpoint())
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

  // Copies the WAL into the database and truncates it. Readers still on an older snapshot keep
  // WAL frames alive: SQLite waits for them (the busy timeout, 5 s) and reports busy if they
  // stay; one more try, then kUnavailable.
  Status CheckpointNow() {
    for (int attempt = 0; attempt < 2; ++attempt) {
      ASSIGN_OR_RETURN(Stmt st, writer_conn_->Prepare("PRAGMA wal_checkpoint(TRUNCATE)"));
      bool row = false;
      RETURN_IF_ERROR(st.Step(&row));
      if (row && st.ColumnInt(0) == 0) return Status::Ok();
    }
    return Unavailable("checkpoint incomplete: readers still hold older snapshots; retry");
  }

  void WriterLoop() {
    SqliteWriteTxn txn(writer_conn_.get(), &queries_, &tenants_);
    std::vector<Job> group;
    std::vector<Status> results;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;  // closing and drained
        if (queue_.front().checkpoint) {
          Job job = std::move(queue_.front());
          queue_.pop_front();
          lock.unlock();
          job.done.set_value(CheckpointNow());
          continue;
        }
        const size_t n = std::min(queue_.size(), static_cast<size_t>(options_.max_group));
        for (size_t i = 0; i < n && !queue_.front().checkpoint; ++i) {
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
    txn->BeginGroup();
    if (!begin.ok()) {
      results->assign(group->size(), begin);
      if (metrics_.write_errors) metrics_.write_errors->Increment(group->size());
      return;
    }
    for (Job& job : *group) {
      txn->BeginJob();
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
          txn->RollbackJob();
          Status rb = writer_conn_->Exec("ROLLBACK TO w; RELEASE w");
          if (!rb.ok())
            log::Error("savepoint rollback failed", log::Fields().Add("error", rb.ToString()));
        }
      }
      results->push_back(std::move(s));
    }
    Status commit = txn->PrepareCommit();
    if (commit.ok()) commit = writer_conn_->Exec("COMMIT");
    std::vector<RecordChange> changes = txn->EndGroup(commit.ok());
    if (!changes.empty()) {
      std::lock_guard<std::mutex> lock(listener_mu_);
      for (const auto& [id, listener] : listeners_) listener(changes);
    }
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
  const Queries::Collections collections_;
  std::mutex listener_mu_;
  std::vector<std::pair<int, std::function<void(const std::vector<RecordChange>&)>>> listeners_;
  int last_listener_id_ = 0;
  const Queries queries_;
  TenantDirectory tenants_;
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
  Queries::Collections collections;
  for (const auto& spec : specs) {
    RETURN_IF_ERROR(VerifySpec(writer.get(), spec));
    collections.emplace(spec.name, BuildCollectionInfo(spec));
  }
  return std::unique_ptr<Store>(
      new SqliteStore(options, std::move(writer), std::move(collections), version));
}

}  // namespace crmi::store::sqlite
