// API keys for machine clients: shown once at creation, stored as a SHA-256 of the secret,
// scoped to a tenant and roles (and attributes), revocable, optionally expiring.
//
//   crmi.<tenant>.<key id>.<secret>          e.g. crmi.acme.key_01jf....Qm9v...  (secret: 256 bits)
//
// The secret is 32 random bytes, so a plain SHA-256 suffices (no password hashing needed: there
// is nothing to brute-force). Verification compares hashes in constant time. Keys live in the
// store's `api_keys` collection, so they share its transactions and tenant isolation.
//
// Authenticate() is on the request path: a verified key is cached (by the hash of the presented
// token) for a few seconds; Revoke() clears the cache of this process at once, other processes
// sharing the store see a revocation within cache_ttl.
//
// Thread-safety: all methods are safe from any thread.
#ifndef CRMI_TRUST_API_KEYS_H_
#define CRMI_TRUST_API_KEYS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/common/clock.h"
#include "src/common/status.h"
#include "src/store/store.h"
#include "src/trust/principal.h"

namespace crmi::trust {

struct ApiKeyInfo {
  std::string id;  // "key_01jf..."
  std::string tenant;
  std::string name;  // what it is for ("kafka-connector")
  std::vector<std::string> roles;
  std::map<std::string, std::vector<std::string>> attrs;
  std::string created_by;
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;  // 0: never
  int64_t revoked_at_ms = 0;  // 0: active

  std::string ToJson() const;  // never includes the secret or its hash
};

class ApiKeyStore {
 public:
  static constexpr std::string_view kCollection = "api_keys";
  static store::CollectionSpec Spec();

  ApiKeyStore(store::Store* store, Clock* clock, int64_t cache_ttl_ms = 5000);

  struct Created {
    ApiKeyInfo info;
    std::string token;  // the only time the secret exists outside the caller's hands
  };
  // `spec` gives tenant, name, roles, attrs and expires_at_ms. kInvalidArgument for a bad name,
  // role or tenant, or an expiry in the past.
  Result<Created> Create(const ApiKeyInfo& spec);
  Result<std::vector<ApiKeyInfo>> List(std::string_view tenant);
  Result<ApiKeyInfo> Get(std::string_view tenant, std::string_view id);
  // kNotFound for an unknown key; revoking twice is OK.
  Status Revoke(std::string_view tenant, std::string_view id);

  // The principal of a presented key. kUnauthenticated, with the same message, for anything
  // wrong (malformed, unknown, wrong secret, revoked, expired) so a caller learns nothing.
  Result<Principal> Authenticate(std::string_view token);

  // True when `token` has the shape of an API key (to pick the verifier).
  static bool LooksLikeKey(std::string_view token);

 private:
  struct Cached {
    Principal principal;
    int64_t expires_at_ms;  // key expiry
    int64_t checked_at_ms;  // cache freshness
  };

  store::Store* store_;
  Clock* clock_;
  const int64_t cache_ttl_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // SHA-256 of the token → principal
};

}  // namespace crmi::trust

#endif  // CRMI_TRUST_API_KEYS_H_
