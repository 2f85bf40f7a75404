#include "src/http/filters/authn.h"

#include <charconv>

#include "src/common/ids.h"
#include "src/http/problem.h"
#include "src/http/router.h"

namespace crmi::http {
namespace {

constexpr char kChallenge[] = "Bearer realm=\"crmi\"";

FilterStatus Refuse(RequestContext& ctx, std::string_view slug, std::string_view detail,
                    std::string internal_reason, bool invalid_token) {
  ctx.security.authn_error = std::move(internal_reason);
  SetProblem(ctx, 401, slug, detail);
  ctx.response.headers.Set(
      "WWW-Authenticate",
      invalid_token ? std::string(kChallenge) + ", error=\"invalid_token\"" : kChallenge);
  return FilterStatus::kStop;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsPosture(std::string_view p) {
  return p == "managed" || p == "compliant" || p == "unmanaged" || p == "unknown";
}

}  // namespace

bool AuthnFilter::FromTrustedProxy(const RequestContext& ctx) const {
  for (const auto& c : config_.trusted_proxies) {
    if (c.Contains(ctx.request.remote_address)) return true;
  }
  return false;
}

void AuthnFilter::FillContext(RequestContext& ctx, const std::string& claim_posture,
                              int64_t claim_risk) const {
  trust::Context& c = ctx.security.context;
  c.now_unix_ms = config_.clock->NowUnixMillis();
  c.source_address = ctx.request.remote_address;
  const bool proxied = FromTrustedProxy(ctx);
  if (proxied) {
    // Walk X-Forwarded-For from the right: the first hop that is not one of our proxies is the
    // client as far as anyone we trust can tell.
    if (auto xff = ctx.request.headers.Get("X-Forwarded-For")) {
      std::string_view rest = *xff;
      while (!rest.empty()) {
        const size_t comma = rest.rfind(',');
        const std::string_view hop =
            Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
        if (hop.empty()) continue;
        c.source_address = std::string(hop);
        bool is_proxy = false;
        for (const auto& p : config_.trusted_proxies) is_proxy = is_proxy || p.Contains(hop);
        if (!is_proxy) break;
      }
    }
  }
  c.zone = config_.zones.ZoneOf(c.source_address);
  c.posture = "unknown";
  c.risk = 0;
  if (!claim_posture.empty() && IsPosture(claim_posture)) {
    c.posture = claim_posture;
  } else if (proxied) {
    if (auto p = ctx.request.headers.Get("X-Device-Posture"); p && IsPosture(Trim(*p))) {
      c.posture = std::string(Trim(*p));
    }
  }
  if (claim_risk >= 0) c.risk = claim_risk;
  if (proxied) {
    if (auto r = ctx.request.headers.Get("X-Risk-Score")) {
      const std::string_view t = Trim(*r);
      int64_t v = -1;
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      // An unreadable score counts as the highest: the proxy meant to say something.
      if (ec != std::errc() || ptr != t.data() + t.size() || v < 0 || v > 100) v = 100;
      c.risk = std::max(c.risk, v);  // two opinions: keep the more cautious
    }
  }
}

FilterStatus AuthnFilter::OnRequest(RequestContext& ctx) {
  if (ctx.route != nullptr && ctx.route->public_route) return FilterStatus::kContinue;

  auto principal = std::make_shared<trust::Principal>();
  std::string claim_posture;
  int64_t claim_risk = -1;
  const auto auth = ctx.request.headers.Get("Authorization");
  if (auth) {
    const std::string_view value = Trim(*auth);
    constexpr std::string_view kBearer = "Bearer ";
    if (value.size() <= kBearer.size() ||
        !std::equal(kBearer.begin(), kBearer.end(), value.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return Refuse(ctx, "unauthenticated", "the Authorization header must be 'Bearer <token>'",
                    "malformed Authorization header", true);
    }
    const std::string_view token = Trim(value.substr(kBearer.size()));
    if (trust::ApiKeyStore::LooksLikeKey(token)) {
      if (config_.api_keys == nullptr) {
        return Refuse(ctx, "unauthenticated", "API keys are not accepted here", "api keys off",
                      true);
      }
      auto p = config_.api_keys->Authenticate(token);
      if (!p.ok()) {
        if (p.status().code() == StatusCode::kUnavailable) {
          SetProblem(ctx, p.status());
          return FilterStatus::kStop;
        }
        return Refuse(ctx, "unauthenticated", "the API key is not valid", p.status().message(),
                      true);
      }
      *principal = std::move(p).value();
    } else {
      if (config_.tokens == nullptr) {
        return Refuse(ctx, "unauthenticated", "bearer tokens are not accepted here",
                      "no token issuers configured", true);
      }
      auto claims = config_.tokens->Verify(token);
      if (!claims.ok()) {
        return Refuse(ctx, "unauthenticated", "the bearer token is not valid",
                      claims.status().message(), true);
      }
      const trust::Claims& c = *claims.value();
      principal->subject = c.subject;
      principal->tenant = c.tenant;
      principal->roles = c.roles;
      principal->attrs = c.attrs;
      principal->kind = "user";
      principal->method = "jwt";
      principal->issuer = c.issuer;
      principal->credential_id = c.token_id;
      claim_posture = c.posture;
      claim_risk = c.risk;
    }
  } else if (!ctx.request.client_cert_subject.empty()) {
    auto it = config_.cert_principals.find(ctx.request.client_cert_subject);
    if (it == config_.cert_principals.end()) {
      return Refuse(ctx, "unauthenticated", "the client certificate is not mapped to a principal",
                    "unmapped certificate subject " + ctx.request.client_cert_subject, false);
    }
    *principal = it->second;
    principal->method = "mtls";
    principal->kind = "service";
  } else {
    return Refuse(ctx, "unauthenticated",
                  "authentication required: send 'Authorization: Bearer <token>'", "no credentials",
                  false);
  }
  if (!IsValidTenant(principal->tenant)) {
    return Refuse(ctx, "unauthenticated", "the credential names no valid tenant",
                  "credential without a valid tenant", true);
  }
  ctx.tenant = principal->tenant;
  ctx.security.principal = std::move(principal);
  FillContext(ctx, claim_posture, claim_risk);
  if (auto t = ctx.request.headers.Get("X-Tenant"); t && *t != ctx.tenant) {
    SetProblem(ctx, 403, "tenant-mismatch",
               "X-Tenant names a tenant other than the one your credential belongs to");
    return FilterStatus::kStop;
  }
  return FilterStatus::kContinue;
}

}  // namespace crmi::http
