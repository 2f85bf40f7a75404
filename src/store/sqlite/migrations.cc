#include "src/store/sqlite/migrations.h"

#include "src/store/sqlite/sqlite_db.h"

namespace crmi::store::sqlite {
namespace {

// Every collection table has the same system columns; `columns` adds the indexed fields
// (mirrored from the JSON document by the writer) and `indexes` their index definitions.
//
// Layout: `seq`, the rowid, is (tenant id << 40) | n with n counted per tenant and collection
// (tenants.h), so each tenant's records are one contiguous rowid range: listing a tenant in seq
// order is a range scan of the table itself, needs no (tenant, seq) index, and never reads
// another tenant's pages. `tenant` is the small integer id from the `tenants` table.
//
// Each index costs every insert, so only fields that filters and joins hit often get one (region,
// low in cardinality, is scanned within the tenant's range instead). Mirrored columns are
// declared without a type (no affinity), so "00123" stays text and 7 stays an integer, exactly as
// in the document.
std::string CollectionTable(const std::string& name, const std::string& columns,
                            const std::vector<std::string>& indexes) {
  std::string sql = "CREATE TABLE " + name +
                    " (\n"
                    "  seq INTEGER PRIMARY KEY,\n"
                    "  tenant INTEGER NOT NULL,\n"
                    "  id TEXT NOT NULL,\n"
                    "  version INTEGER NOT NULL,\n"
                    "  created_at TEXT NOT NULL,\n"
                    "  updated_at TEXT NOT NULL,\n"
                    "  owner_id,\n"
                    "  region,\n" +
                    columns +
                    "  doc TEXT NOT NULL,\n"
                    "  UNIQUE (tenant, id)\n"
                    ");\n";
  sql += "CREATE INDEX " + name + "_owner ON " + name + " (tenant, owner_id, seq);\n";
  for (const auto& idx : indexes) sql += idx + ";\n";
  return sql;
}

std::vector<Migration> Build() {
  std::vector<Migration> all;
  std::string v1 =
      "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
      "INSERT INTO meta(key, value) VALUES ('created_by', 'crmi');\n"
      // Tenant names to the small ids that prefix seq. Never deleted, so ids are never reused.
      "CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
      // Next seq per collection and tenant: assigned by the writer, never reused (unlike a bare
      // rowid after deleting the newest row) and cheaper than AUTOINCREMENT's per-statement
      // bookkeeping.
      "CREATE TABLE sequences (collection TEXT NOT NULL, tenant INTEGER NOT NULL, next INTEGER "
      "NOT NULL, PRIMARY KEY (collection, tenant));\n";
  v1 += CollectionTable("accounts", "  name,\n",
                        {"CREATE INDEX accounts_name ON accounts (tenant, name, seq)"});
  v1 += CollectionTable("contacts", "  account_id,\n  email,\n",
                        {"CREATE INDEX contacts_account ON contacts (tenant, account_id, seq)",
                         "CREATE INDEX contacts_email ON contacts (tenant, email, seq)"});
  v1 += CollectionTable("leads", "  email,\n  status,\n",
                        {"CREATE INDEX leads_email ON leads (tenant, email, seq)",
                         "CREATE INDEX leads_status ON leads (tenant, status, seq)"});
  v1 += CollectionTable(
      "opportunities", "  account_id,\n  contact_id,\n  stage,\n",
      {"CREATE INDEX opportunities_account ON opportunities (tenant, account_id, seq)",
       "CREATE INDEX opportunities_contact ON opportunities (tenant, contact_id, seq)",
       "CREATE INDEX opportunities_stage ON opportunities (tenant, stage, seq)"});
  v1 += CollectionTable("cases", "  contact_id,\n  account_id,\n  status,\n",
                        {"CREATE INDEX cases_contact ON cases (tenant, contact_id, seq)",
                         "CREATE INDEX cases_account ON cases (tenant, account_id, seq)",
                         "CREATE INDEX cases_status ON cases (tenant, status, seq)"});
  v1 += CollectionTable(
      "activities", "  parent_type,\n  parent_id,\n  occurred_at,\n",
      {"CREATE INDEX activities_parent ON activities (tenant, parent_id, occurred_at)"});
  v1 += CollectionTable("products", "  sku,\n",
                        {"CREATE INDEX products_sku ON products (tenant, sku, seq)"});
  v1 += CollectionTable("knowledge", "  locale,\n",
                        {"CREATE INDEX knowledge_locale ON knowledge (tenant, locale, seq)"});
  all.push_back({1, "crm collections", v1});
  // API keys of machine clients (trust/api_keys.h): a collection like the others, so tenant
  // isolation, seq and transactions come for free. The doc holds the secret's hash only.
  all.push_back({2, "api keys", CollectionTable("api_keys", "", {})});
  // Next best actions (crm/schema.cc "actions"): the dispatcher lists queued ones by status.
  all.push_back(
      {3, "actions",
       CollectionTable("actions", "  contact_id,\n  status,\n",
                       {"CREATE INDEX actions_contact ON actions (tenant, contact_id, seq)",
                        "CREATE INDEX actions_status ON actions (tenant, status, seq)"})});
  return all;
}

}  // namespace

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration>* all = new std::vector<Migration>(Build());
  return *all;
}

Result<int> SchemaVersion(Connection* conn) {
  ASSIGN_OR_RETURN(Stmt exists,
                   conn->Prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                 "name='schema_migrations'"));
  bool row = false;
  RETURN_IF_ERROR(exists.Step(&row));
  if (!row || exists.ColumnInt(0) == 0) return 0;
  ASSIGN_OR_RETURN(Stmt max, conn->Prepare("SELECT coalesce(max(version), 0) FROM "
                                           "schema_migrations"));
  RETURN_IF_ERROR(max.Step(&row));
  return row ? static_cast<int>(max.ColumnInt(0)) : 0;
}

Result<int> ApplyMigrations(Connection* conn, std::string_view now) {
  RETURN_IF_ERROR(conn->Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at TEXT NOT NULL)"));
  ASSIGN_OR_RETURN(int current, SchemaVersion(conn));
  const auto& all = AllMigrations();
  const int latest = all.empty() ? 0 : all.back().version;
  if (current > latest) {
    return FailedPrecondition("database schema version " + std::to_string(current) +
                              " is newer than this binary supports (" + std::to_string(latest) +
                              "); upgrade crmi");
  }
  for (const Migration& m : all) {
    if (m.version <= current) continue;
    RETURN_IF_ERROR(conn->Exec("BEGIN IMMEDIATE"));
    Status s = conn->Exec(m.sql);
    if (s.ok()) {
      auto ins = conn->Prepare(
          "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?1, ?2, ?3)");
      if (!ins.ok()) {
        s = ins.status();
      } else {
        ins->BindInt(1, m.version);
        ins->BindText(2, m.name);
        ins->BindText(3, now);
        s = ins->Run();
      }
    }
    if (s.ok()) s = conn->Exec("COMMIT");
    if (!s.ok()) {
      (void)conn->Exec("ROLLBACK");
      return s.WithContext("migration " + std::to_string(m.version) + " (" + m.name + ")");
    }
    current = m.version;
  }
  return current;
}

}  // namespace crmi::store::sqlite
