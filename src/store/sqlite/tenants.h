// Tenants in the SQLite store: names map to small integer ids (table `tenants`), and a record's
// seq is (tenant id << kTenantShift) | n, so one tenant's records are one contiguous rowid range
// [SeqFloor(id), SeqCeil(id)). 2^23 tenants of 2^40 records per collection each.
//
// TenantDirectory caches committed ids (they never change: tenants are never deleted).
// Thread-safety: TenantDirectory is safe from any thread.
#ifndef CRMI_STORE_SQLITE_TENANTS_H_
#define CRMI_STORE_SQLITE_TENANTS_H_

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "src/common/status.h"

namespace crmi::store::sqlite {

class Connection;

inline constexpr int kTenantShift = 40;
inline constexpr int64_t kMaxTenantId = (int64_t{1} << (63 - kTenantShift)) - 1;

// Seqs of tenant `id` lie strictly between these two.
inline int64_t SeqFloor(int64_t tenant_id) { return tenant_id << kTenantShift; }
inline int64_t SeqCeil(int64_t tenant_id) { return (tenant_id + 1) << kTenantShift; }

class TenantDirectory {
 public:
  // The committed id of `name`, read through `conn` on a cache miss; 0 when the tenant has never
  // stored anything (so it has no records to find).
  Result<int64_t> Lookup(Connection* conn, std::string_view name);

  // Records an id the writer has committed.
  void Publish(const std::string& name, int64_t id);

 private:
  std::shared_mutex mu_;
  std::map<std::string, int64_t, std::less<>> ids_;
};

}  // namespace crmi::store::sqlite

#endif  // CRMI_STORE_SQLITE_TENANTS_H_
