// Compact JWS (JWT) verification and signing, on OpenSSL through KeySet — deliberately not
// libjwt 1.10, which accepts algorithm confusion and checks no claims.
//
// VerifyJwt refuses, with kUnauthenticated and a reason: tokens above the size limit, anything
// that is not three strict base64url segments, "alg": "none" and unknown algorithms, "crit"
// headers, a "typ" other than JWT/at+jwt, an unknown kid, an algorithm the key is not pinned to,
// a bad signature, a wrong "iss", an "aud" without an accepted audience, a missing or past "exp",
// a future "nbf" or "iat" (beyond the allowed clock skew), and a missing "sub".
//
// Pure functions, thread-safe.
#ifndef CRMI_TRUST_JWT_H_
#define CRMI_TRUST_JWT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/crypto.h"
#include "src/common/status.h"
#include "src/trust/jwks.h"

namespace crmi::trust {

struct IssuerConfig {
  std::string issuer;                  // the exact "iss" value
  std::vector<std::string> audiences;  // "aud" must contain one of them
  bool allow_hs256 = false;            // admit symmetric (oct) keys; off unless set
  // Where principal data lives in the claims ("a.b" paths reach into objects).
  std::string tenant_claim = "tenant";
  // When set, every token of this issuer belongs to this tenant (an IdP serving one tenant
  // need not add a tenant claim); a token naming another tenant is refused.
  std::string tenant;
  std::string roles_claim = "roles";  // array of strings, or a space-separated string
  std::string attrs_claim = "attrs";  // object of strings, numbers, booleans or string arrays
  // Key source: exactly one of these.
  std::string jwks_file;
  std::string jwks_url;
  int64_t refresh_seconds = 300;  // JWKS re-read/re-fetch interval
};

struct VerifyOptions {
  int64_t now_seconds = 0;
  int64_t skew_seconds = 60;
  size_t max_token_bytes = 8192;
};

// What a verified token says about its bearer.
struct Claims {
  std::string issuer;
  std::string subject;
  std::string tenant;
  std::vector<std::string> roles;
  std::map<std::string, std::vector<std::string>> attrs;
  std::string posture;  // device posture asserted by the issuer ("posture" claim), if any
  int64_t risk = -1;    // risk score asserted by the issuer ("risk" claim, 0-100), -1 if absent
  int64_t expires_at = 0;
  std::string token_id;  // "jti", if any
};

// The unverified "iss" of a token, to pick the issuer whose keys verify it. Never trust the
// result for anything else.
Result<std::string> PeekIssuer(std::string_view token, size_t max_token_bytes);

Result<Claims> VerifyJwt(std::string_view token, const IssuerConfig& issuer, const KeySet& keys,
                         const VerifyOptions& options);

// Signs `payload_json` as an EdDSA JWT (the development issuer; tests).
std::string SignJwtEdDSA(const crypto::Ed25519Key& key, std::string_view kid,
                         std::string_view payload_json);

}  // namespace crmi::trust

#endif  // CRMI_TRUST_JWT_H_
