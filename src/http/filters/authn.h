// Authentication filter (PEP, first half): every request but the health probes must carry a
// credential that verifies locally; the result is a Principal and the request's Context.
//
// Credentials, in order of precedence:
//   Authorization: Bearer <JWT>          OIDC/OAuth2 access token of a configured issuer
//   Authorization: Bearer crmi.<t>.<id>.<secret>   an API key (trust/api_keys.h)
//   a verified TLS client certificate    whose subject maps to a configured service principal
// Missing or invalid → 401 with WWW-Authenticate (RFC 6750); the reason goes to the audit trail,
// the client gets a generic description (never which part of a token failed beyond that).
//
// Context: device posture and risk from the token's signed claims; otherwise from the
// X-Device-Posture / X-Risk-Score headers, but only when the connection comes from a configured
// trusted proxy (anyone else's headers are ignored). The source address is the peer, or, behind
// a trusted proxy, the last X-Forwarded-For hop not itself a trusted proxy; its zone comes from
// the configured zones.
//
// Tenant: the principal's. A request naming another tenant in X-Tenant is refused (403).
#ifndef CRMI_HTTP_FILTERS_AUTHN_H_
#define CRMI_HTTP_FILTERS_AUTHN_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/common/clock.h"
#include "src/http/filter.h"
#include "src/trust/api_keys.h"
#include "src/trust/network.h"
#include "src/trust/principal.h"
#include "src/trust/token_verifier.h"

namespace crmi::http {

struct AuthnConfig {
  trust::TokenVerifier* tokens = nullptr;  // null: no bearer JWTs accepted
  trust::ApiKeyStore* api_keys = nullptr;  // null: no API keys accepted
  std::vector<trust::Cidr> trusted_proxies;
  trust::Zones zones;
  // Verified client-certificate subject ("CN=ingest,O=acme") → the service principal it is.
  std::map<std::string, trust::Principal> cert_principals;
  Clock* clock = Clock::Real();
};

class AuthnFilter final : public Filter {
 public:
  explicit AuthnFilter(AuthnConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return "authn"; }
  FilterStatus OnRequest(RequestContext& ctx) override;

 private:
  bool FromTrustedProxy(const RequestContext& ctx) const;
  void FillContext(RequestContext& ctx, const std::string& claim_posture, int64_t claim_risk) const;

  AuthnConfig config_;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_FILTERS_AUTHN_H_
