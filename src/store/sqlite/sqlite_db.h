// Minimal RAII layer over the SQLite C API: a connection with a statement cache, and a scoped
// statement handle that always resets. Internal to store/sqlite.
//
// Thread-safety: a Connection is used by one thread at a time (connections are opened with
// SQLITE_OPEN_NOMUTEX; the pools above guarantee exclusive use).
#ifndef CRMI_STORE_SQLITE_SQLITE_DB_H_
#define CRMI_STORE_SQLITE_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "src/common/status.h"
#include "src/store/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace crmi::store::sqlite {

// Maps an SQLite result code to a canonical Status (kUnavailable for busy/full/IO,
// kAlreadyExists for unique violations, kDataLoss for corruption, kInternal otherwise).
Status StatusFromSqlite(int rc, std::string_view what, sqlite3* db);

class Connection;

// A borrowed, cached prepared statement. Resets and clears bindings when destroyed.
class Stmt {
 public:
  // `owned`: finalize instead of returning to the connection's cache when done.
  Stmt(sqlite3_stmt* stmt, Connection* conn, bool owned = false)
      : stmt_(stmt), conn_(conn), owned_(owned) {}
  ~Stmt();
  Stmt(Stmt&& other) noexcept : stmt_(other.stmt_), conn_(other.conn_), owned_(other.owned_) {
    other.stmt_ = nullptr;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // 1-based parameter index, as in SQLite.
  void BindText(int idx, std::string_view v);
  void BindInt(int idx, int64_t v);
  void BindDouble(int idx, double v);
  void BindNull(int idx);
  void BindValue(int idx, const Value& v);

  // kOk with *row=true when a row is available, *row=false when done.
  Status Step(bool* row);
  // Steps to completion, expecting no rows.
  Status Run();

  int64_t ColumnInt(int col) const;
  std::string_view ColumnText(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  sqlite3_stmt* stmt_;
  Connection* conn_;
  bool owned_;
};

struct ConnectionOptions {
  bool read_only = false;
  std::string synchronous = "full";  // "full" or "normal" (writer only)
  int busy_timeout_ms = 5000;
  int64_t mmap_bytes = 256ll << 20;
  int cache_kib = 16384;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Returns a cached prepared statement for `sql` (compiled on first use). Once the cache is
  // full, new statements are compiled for one use only; cached ones are never finalized while a
  // caller may hold them.
  Result<Stmt> Prepare(const std::string& sql);
  // Executes one or more statements without results (DDL, BEGIN/COMMIT).
  Status Exec(const std::string& sql);

  int64_t Changes() const;
  int64_t LastInsertRowid() const;
  sqlite3* raw() { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace crmi::store::sqlite

#endif  // CRMI_STORE_SQLITE_SQLITE_DB_H_
