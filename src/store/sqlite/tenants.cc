#include "src/store/sqlite/tenants.h"

#include <mutex>

#include "src/store/sqlite/sqlite_db.h"

namespace crmi::store::sqlite {

Result<int64_t> TenantDirectory::Lookup(Connection* conn, std::string_view name) {
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
  }
  // Created by another process (crmi import beside the server), or not at all yet.
  ASSIGN_OR_RETURN(Stmt st, conn->Prepare("SELECT id FROM tenants WHERE name = ?1"));
  st.BindText(1, name);
  bool row = false;
  RETURN_IF_ERROR(st.Step(&row));
  if (!row) return int64_t{0};
  const int64_t id = st.ColumnInt(0);
  Publish(std::string(name), id);
  return id;
}

void TenantDirectory::Publish(const std::string& name, int64_t id) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  ids_.emplace(name, id);
}

}  // namespace crmi::store::sqlite
