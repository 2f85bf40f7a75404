// JSON Web Key Sets (RFC 7517) parsed into OpenSSL keys, each pinned to exactly one algorithm:
//
//   kty RSA                 → RS256 only (modulus ≥ 2048 bits)
//   kty EC,  crv P-256      → ES256 only
//   kty OKP, crv Ed25519    → EdDSA only
//   kty oct                 → HS256 only, and only when the issuer explicitly allows it
//
// Pinning the algorithm to the key (not trusting the token's "alg") is what defeats algorithm
// confusion: an RSA public key can never be used as an HMAC secret.
//
// Thread-safety: a KeySet is immutable; copies share the parsed keys.
#ifndef CRMI_TRUST_JWKS_H_
#define CRMI_TRUST_JWKS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi::trust {

enum class JwtAlg { kRS256, kES256, kEdDSA, kHS256 };

std::string_view JwtAlgName(JwtAlg alg);
// "RS256" → kRS256...; nullopt-like failure for anything else (including "none").
Result<JwtAlg> ParseJwtAlg(std::string_view name);

class KeySet {
 public:
  KeySet();
  ~KeySet();
  KeySet(const KeySet&);
  KeySet& operator=(const KeySet&);

  // Parses {"keys": [...]}. Keys whose "use" is not "sig", or whose algorithm is not one of the
  // above, are skipped; a key set with no usable key, or keys without distinct kids when there is
  // more than one, is an error. `allow_hs256` admits symmetric ("oct") keys.
  static Result<KeySet> FromJwks(std::string_view json, bool allow_hs256);

  // A key set of one Ed25519 public key (the local development issuer).
  static KeySet FromEd25519(std::string kid, std::string public_raw);

  size_t size() const;
  std::vector<std::string> kids() const;

  // Verifies `signature` over `signing_input` with the key `kid` ("" picks the only key) and
  // algorithm `alg`. kUnauthenticated, with the reason, when the key is unknown, pinned to
  // another algorithm, or the signature does not verify.
  Status Verify(std::string_view kid, JwtAlg alg, std::string_view signing_input,
                std::string_view signature) const;

  // True when `kid` names a key of this set.
  bool HasKid(std::string_view kid) const;

 private:
  struct Key;
  std::vector<std::shared_ptr<const Key>> keys_;
};

}  // namespace crmi::trust

#endif  // CRMI_TRUST_JWKS_H_
