#include "src/trust/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <rapidjson/document.h>

#include <set>

#include "src/common/base64.h"
#include "src/common/crypto.h"
#include "src/common/json_parse.h"

namespace crmi::trust {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

constexpr int kMinRsaBits = 2048;
constexpr size_t kMinHmacKeyBytes = 32;

std::string_view Str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// Base64url member `name` of a JWK, decoded; empty when absent or malformed.
std::string Member(const rapidjson::Value& jwk, const char* name) {
  auto it = jwk.FindMember(name);
  if (it == jwk.MemberEnd() || !it->value.IsString()) return {};
  auto decoded = Base64UrlDecode(Str(it->value));
  return decoded ? *decoded : std::string();
}

std::string StringMember(const rapidjson::Value& jwk, const char* name) {
  auto it = jwk.FindMember(name);
  if (it == jwk.MemberEnd() || !it->value.IsString()) return {};
  return std::string(Str(it->value));
}

PkeyPtr FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (ctx != nullptr && params != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return PkeyPtr(key);
}

Result<PkeyPtr> RsaKey(const std::string& n, const std::string& e) {
  if (n.empty() || e.empty()) return InvalidArgument("RSA key needs n and e");
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
  PkeyPtr key = FromParams("RSA", bld);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  if (!key) return InvalidArgument("invalid RSA key");
  if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
    return InvalidArgument("RSA key shorter than " + std::to_string(kMinRsaBits) + " bits");
  }
  return key;
}

Result<PkeyPtr> P256Key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return InvalidArgument("P-256 key needs 32-byte x and y");
  std::string point = "\x04" + x + y;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  PkeyPtr key = FromParams("EC", bld);
  OSSL_PARAM_BLD_free(bld);
  if (!key) return InvalidArgument("invalid P-256 point");
  return key;
}

bool DigestVerify(EVP_PKEY* key, const EVP_MD* md, std::string_view input,
                  std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// JWS ES256 signatures are raw r‖s; OpenSSL verifies DER.
std::string EcdsaRawToDer(std::string_view raw) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  std::string out = len > 0 ? std::string(reinterpret_cast<char*>(der), len) : std::string();
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

}  // namespace

struct KeySet::Key {
  std::string kid;
  JwtAlg alg;
  PkeyPtr pkey;        // asymmetric keys
  std::string secret;  // HS256
};

std::string_view JwtAlgName(JwtAlg alg) {
  switch (alg) {
    case JwtAlg::kRS256:
      return "RS256";
    case JwtAlg::kES256:
      return "ES256";
    case JwtAlg::kEdDSA:
      return "EdDSA";
    case JwtAlg::kHS256:
      return "HS256";
  }
  return "?";
}

Result<JwtAlg> ParseJwtAlg(std::string_view name) {
  if (name == "RS256") return JwtAlg::kRS256;
  if (name == "ES256") return JwtAlg::kES256;
  if (name == "EdDSA") return JwtAlg::kEdDSA;
  if (name == "HS256") return JwtAlg::kHS256;
  return Unauthenticated("token algorithm '" + std::string(name) + "' is not accepted");
}

KeySet::KeySet() = default;
KeySet::~KeySet() = default;
KeySet::KeySet(const KeySet&) = default;
KeySet& KeySet::operator=(const KeySet&) = default;

Result<KeySet> KeySet::FromJwks(std::string_view json, bool allow_hs256) {
  rapidjson::Document doc;
  const JsonParseResult parsed = ParseJson(json, &doc);
  if (!parsed.ok) return InvalidArgument("JWKS is not valid JSON: " + parsed.error);
  if (!doc.IsObject() || !doc.HasMember("keys") || !doc["keys"].IsArray()) {
    return InvalidArgument("JWKS must be an object with a \"keys\" array");
  }
  KeySet set;
  std::set<std::string> kids;
  std::vector<std::string> skipped;
  for (const auto& jwk : doc["keys"].GetArray()) {
    if (!jwk.IsObject()) return InvalidArgument("JWKS keys must be objects");
    const std::string kty = StringMember(jwk, "kty");
    const std::string use = StringMember(jwk, "use");
    const std::string declared = StringMember(jwk, "alg");
    auto key = std::make_shared<Key>();
    key->kid = StringMember(jwk, "kid");
    if (!use.empty() && use != "sig") continue;  // encryption keys are not for us
    if (kty == "RSA") {
      key->alg = JwtAlg::kRS256;
      auto pkey = RsaKey(Member(jwk, "n"), Member(jwk, "e"));
      if (!pkey.ok()) return pkey.status().WithContext("JWKS key '" + key->kid + "'");
      key->pkey = std::move(pkey).value();
    } else if (kty == "EC" && StringMember(jwk, "crv") == "P-256") {
      key->alg = JwtAlg::kES256;
      auto pkey = P256Key(Member(jwk, "x"), Member(jwk, "y"));
      if (!pkey.ok()) return pkey.status().WithContext("JWKS key '" + key->kid + "'");
      key->pkey = std::move(pkey).value();
    } else if (kty == "OKP" && StringMember(jwk, "crv") == "Ed25519") {
      key->alg = JwtAlg::kEdDSA;
      const std::string x = Member(jwk, "x");
      if (x.size() != 32) return InvalidArgument("JWKS key '" + key->kid + "': bad Ed25519 x");
      key->pkey.reset(EVP_PKEY_new_raw_public_key(
          EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), 32));
    } else if (kty == "oct" && allow_hs256) {
      key->alg = JwtAlg::kHS256;
      key->secret = Member(jwk, "k");
      if (key->secret.size() < kMinHmacKeyBytes) {
        return InvalidArgument("JWKS key '" + key->kid + "': HS256 secret shorter than 32 bytes");
      }
    } else {
      skipped.push_back(kty.empty() ? "?" : kty);
      continue;
    }
    // A key that declares an algorithm must declare the one it is pinned to.
    if (!declared.empty() && declared != JwtAlgName(key->alg)) {
      return InvalidArgument("JWKS key '" + key->kid + "' declares alg " + declared + " but is a " +
                             std::string(JwtAlgName(key->alg)) + " key");
    }
    if (!kids.insert(key->kid).second) {
      return InvalidArgument("JWKS has two keys with kid '" + key->kid + "'");
    }
    set.keys_.push_back(std::move(key));
  }
  if (set.keys_.empty()) return InvalidArgument("JWKS has no usable signing key");
  if (set.keys_.size() > 1 && kids.count("")) {
    return InvalidArgument("JWKS with several keys needs a kid on each");
  }
  return set;
}

KeySet KeySet::FromEd25519(std::string kid, std::string public_raw) {
  KeySet set;
  auto key = std::make_shared<Key>();
  key->kid = std::move(kid);
  key->alg = JwtAlg::kEdDSA;
  key->pkey.reset(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_raw.data()),
      public_raw.size()));
  set.keys_.push_back(std::move(key));
  return set;
}

size_t KeySet::size() const { return keys_.size(); }

std::vector<std::string> KeySet::kids() const {
  std::vector<std::string> out;
  for (const auto& k : keys_) out.push_back(k->kid);
  return out;
}

bool KeySet::HasKid(std::string_view kid) const {
  for (const auto& k : keys_) {
    if (k->kid == kid) return true;
  }
  return false;
}

Status KeySet::Verify(std::string_view kid, JwtAlg alg, std::string_view input,
                      std::string_view signature) const {
  const Key* key = nullptr;
  if (kid.empty()) {
    if (keys_.size() != 1)
      return Unauthenticated("token has no kid and the issuer has several keys");
    key = keys_.front().get();
  } else {
    for (const auto& k : keys_) {
      if (k->kid == kid) key = k.get();
    }
    if (key == nullptr) return Unauthenticated("unknown key id '" + std::string(kid) + "'");
  }
  if (key->alg != alg) {
    return Unauthenticated("algorithm " + std::string(JwtAlgName(alg)) +
                           " is not allowed for this key (pinned to " +
                           std::string(JwtAlgName(key->alg)) + ")");
  }
  bool ok = false;
  switch (alg) {
    case JwtAlg::kRS256:
      ok = DigestVerify(key->pkey.get(), EVP_sha256(), input, signature);
      break;
    case JwtAlg::kES256:
      ok = signature.size() == 64 &&
           DigestVerify(key->pkey.get(), EVP_sha256(), input, EcdsaRawToDer(signature));
      break;
    case JwtAlg::kEdDSA:
      ok = key->pkey != nullptr && DigestVerify(key->pkey.get(), nullptr, input, signature);
      break;
    case JwtAlg::kHS256:
      ok = crypto::ConstantTimeEquals(crypto::HmacSha256(key->secret, input), signature);
      break;
  }
  if (!ok) return Unauthenticated("token signature does not verify");
  return Status::Ok();
}

}  // namespace crmi::trust
