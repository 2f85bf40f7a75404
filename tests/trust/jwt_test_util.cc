#include "tests/trust/jwt_test_util.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>

#include "src/common/base64.h"
#include "src/common/crypto.h"

namespace crmi::test {
namespace {

EVP_PKEY* P(void* p) { return static_cast<EVP_PKEY*>(p); }

std::string BnParam(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

}  // namespace

TestKey::TestKey(TestKey&& o) noexcept
    : kid_(std::move(o.kid_)),
      alg_(std::move(o.alg_)),
      secret_(std::move(o.secret_)),
      pkey_(o.pkey_) {
  o.pkey_ = nullptr;
}
TestKey& TestKey::operator=(TestKey&& o) noexcept {
  std::swap(kid_, o.kid_);
  std::swap(alg_, o.alg_);
  std::swap(secret_, o.secret_);
  std::swap(pkey_, o.pkey_);
  return *this;
}
TestKey::~TestKey() { EVP_PKEY_free(P(pkey_)); }

TestKey TestKey::Rsa(const std::string& kid, int bits) {
  TestKey k;
  k.kid_ = kid;
  k.alg_ = "RS256";
  k.pkey_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
  return k;
}
TestKey TestKey::P256(const std::string& kid) {
  TestKey k;
  k.kid_ = kid;
  k.alg_ = "ES256";
  k.pkey_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  return k;
}
TestKey TestKey::Ed25519(const std::string& kid) {
  TestKey k;
  k.kid_ = kid;
  k.alg_ = "EdDSA";
  k.pkey_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  return k;
}
TestKey TestKey::Hmac(const std::string& kid, const std::string& secret) {
  TestKey k;
  k.kid_ = kid;
  k.alg_ = "HS256";
  k.secret_ = secret;
  return k;
}

std::string TestKey::Jwk() const {
  std::string kid = kid_.empty() ? "" : "\"kid\":\"" + kid_ + "\",";
  if (alg_ == "RS256") {
    return "{" + kid + "\"kty\":\"RSA\",\"n\":\"" +
           Base64UrlEncode(BnParam(P(pkey_), OSSL_PKEY_PARAM_RSA_N)) + "\",\"e\":\"" +
           Base64UrlEncode(BnParam(P(pkey_), OSSL_PKEY_PARAM_RSA_E)) + "\"}";
  }
  if (alg_ == "ES256") {
    unsigned char pub[65];
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(P(pkey_), OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &len);
    const std::string x(reinterpret_cast<char*>(pub) + 1, 32),
        y(reinterpret_cast<char*>(pub) + 33, 32);
    return "{" + kid + "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + Base64UrlEncode(x) +
           "\",\"y\":\"" + Base64UrlEncode(y) + "\"}";
  }
  if (alg_ == "EdDSA") {
    unsigned char raw[32];
    size_t len = sizeof(raw);
    EVP_PKEY_get_raw_public_key(P(pkey_), raw, &len);
    return "{" + kid + "\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" +
           Base64UrlEncode(std::string(reinterpret_cast<char*>(raw), len)) + "\"}";
  }
  return "{" + kid + "\"kty\":\"oct\",\"k\":\"" + Base64UrlEncode(secret_) + "\"}";
}

std::string TestKey::PublicPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, P(pkey_));
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

std::string TestKey::Sign(const std::string& input) const {
  if (alg_ == "HS256") return crypto::HmacSha256(secret_, input);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = alg_ == "EdDSA" ? nullptr : EVP_sha256();
  EVP_DigestSignInit(ctx, nullptr, md, nullptr, P(pkey_));
  size_t len = 0;
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (alg_ != "ES256") return sig;
  // DER → raw r‖s, as JWS wants.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  const BIGNUM *r, *s;
  ECDSA_SIG_get0(es, &r, &s);
  std::string raw(64, '\0');
  BN_bn2binpad(r, reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(es);
  return raw;
}

std::string Jwks(std::initializer_list<const TestKey*> keys) {
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const TestKey* k : keys) {
    if (!first) out += ",";
    first = false;
    out += k->Jwk();
  }
  return out + "]}";
}

std::string MakeToken(const TestKey& key, const std::string& payload_json,
                      const std::string& header_extra, bool with_kid) {
  std::string header = "{\"alg\":\"" + key.alg() + "\",\"typ\":\"JWT\"";
  if (with_kid && !key.kid().empty()) header += ",\"kid\":\"" + key.kid() + "\"";
  header += header_extra + "}";
  const std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload_json);
  return input + "." + Base64UrlEncode(key.Sign(input));
}

}  // namespace crmi::test
