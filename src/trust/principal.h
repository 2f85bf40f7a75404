// Who is calling and in what circumstances: the subject of every policy decision.
//
// Principal comes from a verified credential only (JWT, API key, client certificate). Context is
// what the server observed or a trusted party asserted: device posture (a signed token claim, or
// a header only a configured trusted proxy may set), risk score, source address and its network
// zone, and the time of the request.
#ifndef CRMI_TRUST_PRINCIPAL_H_
#define CRMI_TRUST_PRINCIPAL_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace crmi::trust {

struct Principal {
  std::string subject;  // "adv-017", "svc:ingest"
  std::string tenant;
  std::vector<std::string> roles;
  // department, region(s), clearance, book of customers... single values are one-element lists.
  std::map<std::string, std::vector<std::string>> attrs;
  std::string kind = "user";  // user | service
  std::string method;         // jwt | api_key | mtls
  std::string issuer;         // who vouched for it
  std::string credential_id;  // api key id, certificate serial, token jti (for audit)

  bool HasRole(std::string_view role) const;
  // First value of an attribute, or "".
  std::string Attr(std::string_view name) const;
};

struct Context {
  std::string posture = "unknown";  // managed | compliant | unmanaged | unknown
  int64_t risk = 0;                 // 0 (none) .. 100
  std::string source_address;
  std::string zone = "external";  // from the configured network zones
  int64_t now_unix_ms = 0;
};

}  // namespace crmi::trust

#endif  // CRMI_TRUST_PRINCIPAL_H_
