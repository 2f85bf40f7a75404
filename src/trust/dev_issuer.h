// The local development issuer: lets `crmi token mint` and `make demo` hand out working bearer
// tokens without an identity provider. Its Ed25519 key lives in <data-dir>/keys/, so anyone who
// can read the data directory can mint tokens for any tenant and role — which is why it is a
// development convenience, labelled as such in every token ("iss": "crmi-dev"), and switched off
// in production configs ([auth] dev_issuer = false or `crmi serve --no-dev-issuer`).
#ifndef CRMI_TRUST_DEV_ISSUER_H_
#define CRMI_TRUST_DEV_ISSUER_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/crypto.h"
#include "src/common/status.h"
#include "src/trust/jwks.h"
#include "src/trust/jwt.h"

namespace crmi::trust {

inline constexpr std::string_view kDevIssuer = "crmi-dev";
inline constexpr std::string_view kDevAudience = "crmi";

std::string DevIssuerKeyPath(const std::string& data_dir);

struct DevIssuer {
  crypto::Ed25519Key key;
  std::string kid;  // first 16 hex digits of SHA-256 of the public key

  // Loads the key of `data_dir`, creating it (0600) on first use.
  static Result<DevIssuer> Load(const std::string& data_dir);

  IssuerConfig Config() const;
  KeySet Keys() const;
};

struct MintRequest {
  std::string subject;
  std::string tenant;
  std::vector<std::string> roles;
  std::map<std::string, std::vector<std::string>> attrs;
  int64_t ttl_seconds = 3600;
  std::string posture;  // "": no posture claim
  int64_t risk = -1;    // -1: no risk claim
};

// kInvalidArgument for an empty subject, a bad tenant or role, or a ttl outside 1 s .. 30 days.
Result<std::string> MintDevToken(const DevIssuer& issuer, const MintRequest& request,
                                 int64_t now_seconds);

}  // namespace crmi::trust

#endif  // CRMI_TRUST_DEV_ISSUER_H_
