#include "src/trust/jwt.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "src/common/base64.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"

namespace crmi::trust {
namespace {

using rapidjson::Value;

std::string_view Str(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

struct Parts {
  std::string_view header_b64, payload_b64, signature_b64;
  std::string header, payload, signature;
};

Result<Parts> Split(std::string_view token, size_t max_bytes) {
  if (token.empty()) return Unauthenticated("empty token");
  if (token.size() > max_bytes) {
    return Unauthenticated("token longer than " + std::to_string(max_bytes) + " bytes");
  }
  const size_t a = token.find('.');
  const size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    return Unauthenticated("malformed token: expected three dot-separated parts");
  }
  Parts p;
  p.header_b64 = token.substr(0, a);
  p.payload_b64 = token.substr(a + 1, b - a - 1);
  p.signature_b64 = token.substr(b + 1);
  auto h = Base64UrlDecode(p.header_b64);
  auto pl = Base64UrlDecode(p.payload_b64);
  auto s = Base64UrlDecode(p.signature_b64);
  if (!h || !pl || !s || h->empty() || pl->empty()) {
    return Unauthenticated("malformed token: parts are not base64url");
  }
  p.header = std::move(*h);
  p.payload = std::move(*pl);
  p.signature = std::move(*s);
  return p;
}

Status ParseObject(const std::string& json, rapidjson::Document* doc, const char* what) {
  if (!ParseJson(json, doc).ok || !doc->IsObject()) {
    return Unauthenticated(std::string("malformed token: ") + what + " is not a JSON object");
  }
  // Duplicate members make a token mean different things to different parsers.
  for (auto a = doc->MemberBegin(); a != doc->MemberEnd(); ++a) {
    for (auto b = a + 1; b != doc->MemberEnd(); ++b) {
      if (a->name == b->name) {
        return Unauthenticated(std::string("malformed token: duplicate member in ") + what);
      }
    }
  }
  return Status::Ok();
}

// Converts a finite claim number to int64 without the undefined behaviour of casting a double
// outside int64's range ("exp": 1e300 saturates, which is far in the future, not negative).
int64_t SaturatingSeconds(double v) {
  constexpr double kMax = 9.2e18;  // below 2^63, exactly representable bounds are not needed
  if (v >= kMax) return static_cast<int64_t>(kMax);
  if (v <= -kMax) return -static_cast<int64_t>(kMax);
  return static_cast<int64_t>(std::floor(v));
}

// A NumericDate claim; absent is allowed when !required.
Result<std::optional<int64_t>> Date(const Value& payload, const char* name, bool required) {
  auto it = payload.FindMember(name);
  if (it == payload.MemberEnd()) {
    if (required) return Unauthenticated(std::string("token has no \"") + name + "\" claim");
    return std::optional<int64_t>();
  }
  if (!it->value.IsNumber() || !std::isfinite(it->value.GetDouble())) {
    return Unauthenticated(std::string("token claim \"") + name + "\" is not a number");
  }
  return std::optional<int64_t>(SaturatingSeconds(it->value.GetDouble()));
}

std::string Scalar(const Value& v) {
  if (v.IsString()) return std::string(Str(v));
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsNumber()) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v.GetDouble());
    return ec == std::errc() ? std::string(buf, end) : std::string();
  }
  return {};
}

bool TypOk(std::string_view typ) {
  std::string t(typ);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  return t == "jwt" || t == "at+jwt" || t == "application/at+jwt";
}

}  // namespace

Result<std::string> PeekIssuer(std::string_view token, size_t max_token_bytes) {
  ASSIGN_OR_RETURN(Parts p, Split(token, max_token_bytes));
  rapidjson::Document payload;
  RETURN_IF_ERROR(ParseObject(p.payload, &payload, "payload"));
  auto it = payload.FindMember("iss");
  if (it == payload.MemberEnd() || !it->value.IsString()) {
    return Unauthenticated("token has no \"iss\" claim");
  }
  return std::string(Str(it->value));
}

Result<Claims> VerifyJwt(std::string_view token, const IssuerConfig& issuer, const KeySet& keys,
                         const VerifyOptions& options) {
  ASSIGN_OR_RETURN(Parts p, Split(token, options.max_token_bytes));
  rapidjson::Document header;
  RETURN_IF_ERROR(ParseObject(p.header, &header, "header"));
  auto alg_it = header.FindMember("alg");
  if (alg_it == header.MemberEnd() || !alg_it->value.IsString()) {
    return Unauthenticated("token header has no \"alg\"");
  }
  if (Str(alg_it->value) == "none")
    return Unauthenticated("unsigned tokens (alg none) are refused");
  ASSIGN_OR_RETURN(JwtAlg alg, ParseJwtAlg(Str(alg_it->value)));
  if (header.HasMember("crit")) {
    return Unauthenticated("token header lists critical extensions crmi does not support");
  }
  auto typ = header.FindMember("typ");
  if (typ != header.MemberEnd() && (!typ->value.IsString() || !TypOk(Str(typ->value)))) {
    return Unauthenticated("token type is not JWT");
  }
  std::string kid;
  auto kid_it = header.FindMember("kid");
  if (kid_it != header.MemberEnd()) {
    if (!kid_it->value.IsString()) return Unauthenticated("token \"kid\" is not a string");
    kid = std::string(Str(kid_it->value));
  }
  const std::string_view signing_input =
      token.substr(0, p.header_b64.size() + 1 + p.payload_b64.size());
  RETURN_IF_ERROR(keys.Verify(kid, alg, signing_input, p.signature));

  // Only now is the payload trusted.
  rapidjson::Document payload;
  RETURN_IF_ERROR(ParseObject(p.payload, &payload, "payload"));
  Claims c;
  auto iss = payload.FindMember("iss");
  if (iss == payload.MemberEnd() || !iss->value.IsString() || Str(iss->value) != issuer.issuer) {
    return Unauthenticated("token issuer is not " + issuer.issuer);
  }
  c.issuer = issuer.issuer;
  auto aud = payload.FindMember("aud");
  bool aud_ok = false;
  if (aud != payload.MemberEnd()) {
    auto accepted = [&](std::string_view a) {
      return std::find(issuer.audiences.begin(), issuer.audiences.end(), a) !=
             issuer.audiences.end();
    };
    if (aud->value.IsString()) {
      aud_ok = accepted(Str(aud->value));
    } else if (aud->value.IsArray()) {
      for (const auto& a : aud->value.GetArray())
        aud_ok = aud_ok || (a.IsString() && accepted(Str(a)));
    }
  }
  if (!aud_ok) return Unauthenticated("token audience does not include this server");
  const int64_t now = options.now_seconds, skew = options.skew_seconds;
  ASSIGN_OR_RETURN(auto exp, Date(payload, "exp", true));
  if (now >= *exp + skew) return Unauthenticated("token expired");
  ASSIGN_OR_RETURN(auto nbf, Date(payload, "nbf", false));
  if (nbf && now + skew < *nbf) return Unauthenticated("token not valid yet (nbf)");
  ASSIGN_OR_RETURN(auto iat, Date(payload, "iat", false));
  if (iat && *iat > now + skew) return Unauthenticated("token issued in the future (iat)");
  c.expires_at = *exp;
  auto sub = payload.FindMember("sub");
  if (sub == payload.MemberEnd() || !sub->value.IsString() || sub->value.GetStringLength() == 0) {
    return Unauthenticated("token has no \"sub\" claim");
  }
  c.subject = std::string(Str(sub->value));
  if (const Value* t = JsonAtPath(payload, issuer.tenant_claim); t != nullptr && t->IsString()) {
    c.tenant = std::string(Str(*t));
  }
  if (!issuer.tenant.empty()) {
    if (!c.tenant.empty() && c.tenant != issuer.tenant) {
      return Unauthenticated("token's tenant is not the one its issuer serves");
    }
    c.tenant = issuer.tenant;
  }
  if (const Value* r = JsonAtPath(payload, issuer.roles_claim); r != nullptr) {
    if (r->IsArray()) {
      for (const auto& role : r->GetArray()) {
        if (role.IsString()) c.roles.emplace_back(Str(role));
      }
    } else if (r->IsString()) {
      std::string_view rest = Str(*r);
      while (!rest.empty()) {
        const size_t sp = rest.find(' ');
        if (sp != 0) c.roles.emplace_back(rest.substr(0, sp));
        if (sp == std::string_view::npos) break;
        rest.remove_prefix(sp + 1);
      }
    }
  }
  if (const Value* a = JsonAtPath(payload, issuer.attrs_claim); a != nullptr && a->IsObject()) {
    for (auto m = a->MemberBegin(); m != a->MemberEnd(); ++m) {
      auto& values = c.attrs[std::string(Str(m->name))];
      if (m->value.IsArray()) {
        for (const auto& v : m->value.GetArray()) {
          std::string s = Scalar(v);
          if (!s.empty()) values.push_back(std::move(s));
        }
      } else {
        std::string s = Scalar(m->value);
        if (!s.empty()) values.push_back(std::move(s));
      }
    }
  }
  if (auto posture = payload.FindMember("posture");
      posture != payload.MemberEnd() && posture->value.IsString()) {
    c.posture = std::string(Str(posture->value));
  }
  if (auto risk = payload.FindMember("risk"); risk != payload.MemberEnd() &&
                                              risk->value.IsNumber() &&
                                              std::isfinite(risk->value.GetDouble())) {
    // Clamp in double first: casting an out-of-range double is undefined.
    c.risk = static_cast<int64_t>(std::clamp(risk->value.GetDouble(), 0.0, 100.0));
  }
  if (auto jti = payload.FindMember("jti"); jti != payload.MemberEnd() && jti->value.IsString()) {
    c.token_id = std::string(Str(jti->value));
  }
  return c;
}

std::string SignJwtEdDSA(const crypto::Ed25519Key& key, std::string_view kid,
                         std::string_view payload_json) {
  JsonObject h;
  h.Add("alg", "EdDSA").Add("typ", "JWT").Add("kid", kid);
  std::string input = Base64UrlEncode(h.Finish()) + "." + Base64UrlEncode(payload_json);
  const std::string sig = key.Sign(input);
  return input + "." + Base64UrlEncode(sig);
}

}  // namespace crmi::trust
