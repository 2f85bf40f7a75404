#include "src/store/sqlite/sqlite_db.h"

#include <sqlite3.h>

#include <mutex>

namespace crmi::store::sqlite {
namespace {

// Distinct SQL texts per connection grow with the shapes of list filters clients combine; past
// this many, further statements are prepared per use instead of cached.
constexpr size_t kMaxCachedStatements = 512;

}  // namespace

Status StatusFromSqlite(int rc, std::string_view what, sqlite3* db) {
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xFF) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return Status::Ok();
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable("store busy: " + msg);
    case SQLITE_FULL:
      return Unavailable("disk full: " + msg);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
      return Unavailable(msg);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExists(msg);
      }
      return InvalidArgument(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(msg);
    default:
      return Internal(msg);
  }
}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Stmt::BindText(int idx, std::string_view v) {
  sqlite3_bind_text(stmt_, idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void Stmt::BindInt(int idx, int64_t v) { sqlite3_bind_int64(stmt_, idx, v); }
void Stmt::BindDouble(int idx, double v) { sqlite3_bind_double(stmt_, idx, v); }
void Stmt::BindNull(int idx) { sqlite3_bind_null(stmt_, idx); }

void Stmt::BindValue(int idx, const Value& v) {
  switch (v.index()) {
    case 0:
      BindNull(idx);
      break;
    case 1:
      BindText(idx, std::get<std::string>(v));
      break;
    case 2:
      BindInt(idx, std::get<int64_t>(v));
      break;
    case 3:
      BindDouble(idx, std::get<double>(v));
      break;
    case 4:
      BindInt(idx, std::get<bool>(v) ? 1 : 0);
      break;
  }
}

Status Stmt::Step(bool* row) {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    *row = true;
    return Status::Ok();
  }
  *row = false;
  if (rc == SQLITE_DONE) return Status::Ok();
  return StatusFromSqlite(sqlite3_extended_errcode(conn_->raw()), "step", conn_->raw());
}

Status Stmt::Run() {
  bool row = false;
  Status s = Step(&row);
  while (s.ok() && row) s = Step(&row);
  return s;
}

int64_t Stmt::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string_view Stmt::ColumnText(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

bool Stmt::ColumnIsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const ConnectionOptions& options) {
  // Memory accounting takes a global mutex on every allocation; crmi does not use it.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = StatusFromSqlite(rc, "open " + path, db);
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::string pragmas = "PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;";
  pragmas += "PRAGMA cache_size=-" + std::to_string(options.cache_kib) + ";";
  pragmas += "PRAGMA mmap_size=" + std::to_string(options.mmap_bytes) + ";";
  if (options.read_only) {
    pragmas += "PRAGMA query_only=1;";
  } else {
    // 16 KiB pages (set when the file is created): shallower B-trees and fewer WAL frames per
    // commit for rows of ~0.5-2 KB. Checkpoint every ~40 MB of WAL rather than SQLite's 4 MB:
    // far fewer checkpoint stalls under bulk writes, for a larger -wal file in between. Both
    // measured with bench/crm/import_bench.cc (see bench/README.md).
    pragmas += "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=2500;";
    // Deleted and overwritten content is zeroed, not left in free pages: an erased subject's
    // data must not survive in the file (GDPR erasure; see Store::Checkpoint).
    pragmas += "PRAGMA secure_delete=ON;";
    pragmas +=
        options.synchronous == "normal" ? "PRAGMA synchronous=NORMAL;" : "PRAGMA synchronous=FULL;";
  }
  RETURN_IF_ERROR(conn->Exec(pragmas));
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Stmt> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second, this);
  const bool cache = cache_.size() < kMaxCachedStatements;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return StatusFromSqlite(rc, "prepare", db_);
  if (!cache) return Stmt(stmt, this, /*owned=*/true);
  cache_.emplace(sql, stmt);
  return Stmt(stmt, this);
}

Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string what = err != nullptr ? err : "exec";
    sqlite3_free(err);
    return StatusFromSqlite(sqlite3_extended_errcode(db_), what, nullptr);
  }
  return Status::Ok();
}

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }
int64_t Connection::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace crmi::store::sqlite
