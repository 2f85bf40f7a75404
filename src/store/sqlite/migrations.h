// Versioned schema migrations of the SQLite store. Applied in order at open, each in its own
// transaction and recorded in `schema_migrations`; a database newer than the binary is refused.
// To change the schema, append a migration — never edit one that has shipped.
#ifndef CRMI_STORE_SQLITE_MIGRATIONS_H_
#define CRMI_STORE_SQLITE_MIGRATIONS_H_

#include <string>
#include <vector>

#include "src/common/status.h"

namespace crmi::store::sqlite {

class Connection;

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

const std::vector<Migration>& AllMigrations();

// Brings the database to the latest version. Returns the resulting version.
Result<int> ApplyMigrations(Connection* conn, std::string_view now);

// Current version recorded in the database (0 when none).
Result<int> SchemaVersion(Connection* conn);

}  // namespace crmi::store::sqlite

#endif  // CRMI_STORE_SQLITE_MIGRATIONS_H_
