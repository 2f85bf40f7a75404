// Bearer tokens and JWKS documents (both arrive from outside: the Authorization header, a JWKS
// URL). The first byte picks the parser:
//   0: VerifyJwt against a fixed key set (Ed25519 + an HS256 secret), issuer "crmi-fuzz";
//   1: KeySet::FromJwks;
//   2: PeekIssuer.
// Every outcome must be a value or a refusal with the documented code; a token that verifies must
// carry the claims the verifier promises. Seeds (tests/fuzz/corpus/jwt/) are tokens signed with
// the key below: valid ones and each refusal class (alg none, HS/EdDSA confusion, expired, crit).
#include <cstdlib>
#include <string_view>

#include "src/trust/jwt.h"
#include "tests/fuzz/fuzz.h"

namespace {

// Test-only key material (never used outside this target).
constexpr std::string_view kJwks =
    R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"lJMKw2O7GspJV_XFAfGL4E0dlVPmEXaKAXPCtfPtP1E",)"
    R"("kid":"ed","use":"sig"},{"kty":"oct","k":"ZnV6ei1obWFjLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm",)"
    R"("kid":"hs","alg":"HS256"}]})";

const crmi::trust::KeySet& Keys() {
  static const auto* keys = [] {
    auto k = crmi::trust::KeySet::FromJwks(kJwks, /*allow_hs256=*/true);
    if (!k.ok()) std::abort();
    return new crmi::trust::KeySet(std::move(k).value());
  }();
  return *keys;
}

}  // namespace

CRMI_FUZZ_TARGET(jwt) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      crmi::trust::IssuerConfig issuer;
      issuer.issuer = "crmi-fuzz";
      issuer.audiences = {"crmi"};
      issuer.allow_hs256 = true;
      crmi::trust::VerifyOptions options;
      options.now_seconds = 1'750'000'000;
      auto claims = crmi::trust::VerifyJwt(in, issuer, Keys(), options);
      if (claims.ok()) {
        if (claims->issuer != "crmi-fuzz" || claims->subject.empty() ||
            claims->expires_at < options.now_seconds - options.skew_seconds || claims->risk < -1 ||
            claims->risk > 100) {
          std::abort();
        }
      } else if (claims.status().code() != crmi::StatusCode::kUnauthenticated) {
        std::abort();
      }
      break;
    }
    case 1: {
      auto keys = crmi::trust::KeySet::FromJwks(in, (size & 1) != 0);
      if (keys.ok() && keys->size() == 0) std::abort();
      break;
    }
    default: {
      auto iss = crmi::trust::PeekIssuer(in, 8192);
      if (!iss.ok() && iss.status().code() != crmi::StatusCode::kUnauthenticated) std::abort();
    }
  }
  return 0;
}
