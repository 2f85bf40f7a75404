#include "src/trust/dev_issuer.h"

#include <algorithm>

#include "src/common/ids.h"
#include "src/common/json_text.h"

namespace crmi::trust {
namespace {

bool IsName(std::string_view r) {
  return !r.empty() && r.size() <= 64 && std::all_of(r.begin(), r.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace

std::string DevIssuerKeyPath(const std::string& data_dir) {
  return data_dir + "/keys/dev-issuer.ed25519.pem";
}

Result<DevIssuer> DevIssuer::Load(const std::string& data_dir) {
  ASSIGN_OR_RETURN(crypto::Ed25519Key key,
                   crypto::Ed25519Key::LoadOrCreate(DevIssuerKeyPath(data_dir)));
  DevIssuer d{key, crypto::Sha256Hex(key.PublicRaw()).substr(0, 16)};
  return d;
}

IssuerConfig DevIssuer::Config() const {
  IssuerConfig c;
  c.issuer = std::string(kDevIssuer);
  c.audiences = {std::string(kDevAudience)};
  return c;
}

KeySet DevIssuer::Keys() const { return KeySet::FromEd25519(kid, key.PublicRaw()); }

Result<std::string> MintDevToken(const DevIssuer& issuer, const MintRequest& r,
                                 int64_t now_seconds) {
  if (r.subject.empty() || r.subject.size() > 256 || !IsValidUtf8(r.subject)) {
    return InvalidArgument("--sub must be 1-256 characters");
  }
  if (!IsValidTenant(r.tenant)) {
    return InvalidArgument("--tenant must be 1-63 characters of a-z, 0-9 and '-'");
  }
  for (const auto& role : r.roles) {
    if (!IsName(role)) return InvalidArgument("invalid role '" + role + "' (use a-z, 0-9, _ -)");
  }
  for (const auto& [k, v] : r.attrs) {
    if (!IsName(k)) return InvalidArgument("invalid attribute name '" + k + "'");
    for (const auto& s : v) {
      if (!IsValidUtf8(s) || s.size() > 256) return InvalidArgument("invalid attribute value");
    }
  }
  if (r.ttl_seconds < 1 || r.ttl_seconds > 30 * 86400) {
    return InvalidArgument("--ttl must be between 1s and 30d");
  }
  if (!r.posture.empty() && r.posture != "managed" && r.posture != "compliant" &&
      r.posture != "unmanaged" && r.posture != "unknown") {
    return InvalidArgument("--posture must be managed, compliant, unmanaged or unknown");
  }
  if (r.risk > 100) return InvalidArgument("--risk must be 0..100");
  JsonObject attrs;
  for (const auto& [k, v] : r.attrs) attrs.AddRaw(k, JsonStringArray(v));
  JsonObject p;
  p.Add("iss", kDevIssuer)
      .Add("sub", r.subject)
      .Add("aud", kDevAudience)
      .Add("iat", now_seconds)
      .Add("nbf", now_seconds)
      .Add("exp", now_seconds + r.ttl_seconds)
      .Add("jti", NewUlid(now_seconds * 1000))
      .Add("tenant", r.tenant)
      .AddRaw("roles", JsonStringArray(r.roles))
      .AddRaw("attrs", attrs.Finish());
  if (!r.posture.empty()) p.Add("posture", r.posture);
  if (r.risk >= 0) p.Add("risk", r.risk);
  p.Add("crmi_dev", true);
  return SignJwtEdDSA(issuer.key, issuer.kid, p.Finish());
}

}  // namespace crmi::trust
