// SQL of the collection tables and the reads shared by reader transactions and the writer.
// Internal to store/sqlite. Every function takes the tenant's integer id (tenants.h), already
// resolved by the caller; id 0 means "this tenant has never stored anything".
//
// Thread-safety: Queries is immutable; each call uses the connection it is given, which the
// caller holds exclusively.
#ifndef CRMI_STORE_SQLITE_QUERIES_H_
#define CRMI_STORE_SQLITE_QUERIES_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/store/store.h"

namespace crmi::store::sqlite {

class Connection;
class Stmt;

struct CollectionInfo {
  std::string name;
  std::vector<std::string> indexed;  // in CollectionSpec order
  // Parameters: ?1 tenant, ?2 id, ?3 now, ?4 doc, ?5.. indexed values, then the rest noted below.
  std::string get_sql;
  std::string exists_sql;
  std::string insert_sql;  // then seq
  std::string update_sql;  // then expected version, expected seq
  std::string delete_sql;  // ?3 expected version, ?4 expected seq

  // True for fields stored as columns (system fields and indexed fields).
  bool IsColumn(std::string_view field) const;
};

CollectionInfo BuildCollectionInfo(const CollectionSpec& spec);

// Fills a record from a row of "seq, id, version, created_at, updated_at, doc".
void ReadRecordRow(const Stmt& st, StoredRecord* r);

class Queries {
 public:
  using Collections = std::map<std::string, CollectionInfo, std::less<>>;
  explicit Queries(const Collections* collections) : collections_(collections) {}

  Result<const CollectionInfo*> Find(std::string_view collection) const;

  Result<StoredRecord> Get(Connection* conn, std::string_view collection, int64_t tenant_id,
                           std::string_view id, const std::vector<FieldFilter>& filters) const;
  // `q.tenant` is ignored: `tenant_id` is the resolved one.
  Status List(Connection* conn, const ListQuery& q, int64_t tenant_id,
              std::vector<StoredRecord>* out) const;

 private:
  const Collections* collections_;
};

}  // namespace crmi::store::sqlite

#endif  // CRMI_STORE_SQLITE_QUERIES_H_
