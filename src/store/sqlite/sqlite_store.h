// SQLite implementation of store::Store.
//
// One database file in WAL mode. A single writer thread owns the only read-write connection and
// commits queued writes in groups (one fsync for many requests); a pool of read-only connections
// serves reads concurrently with the writer. Schema migrations run at open.
//
//   SqliteOptions opts;
//   opts.path = data_dir + "/crmi.db";
//   ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, store::sqlite::Open(opts, specs));
#ifndef CRMI_STORE_SQLITE_SQLITE_STORE_H_
#define CRMI_STORE_SQLITE_SQLITE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "src/common/clock.h"
#include "src/common/status.h"
#include "src/store/store.h"

namespace crmi::metrics {
class Registry;
}

namespace crmi::store::sqlite {

struct SqliteOptions {
  std::string path;                  // database file; created if absent
  std::string synchronous = "full";  // "full": durable on power loss; "normal": on process kill
  int max_readers = 32;              // read-only connections opened on demand
  int max_group = 512;               // writes committed together at most
  int busy_timeout_ms = 5000;        // waiting for another process (crmi import) holding the lock
  metrics::Registry* metrics = nullptr;
  Clock* clock = Clock::Real();
};

// Opens (creating if needed) and migrates the database, then checks that every spec's
// collection table exists with its indexed columns.
Result<std::unique_ptr<Store>> Open(const SqliteOptions& options,
                                    const std::vector<CollectionSpec>& specs);

}  // namespace crmi::store::sqlite

#endif  // CRMI_STORE_SQLITE_SQLITE_STORE_H_
