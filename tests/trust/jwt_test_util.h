// Test-only token forging with OpenSSL directly: an implementation independent of the code under
// test, so that a bug shared by signer and verifier cannot hide.
#ifndef CRMI_TESTS_TRUST_JWT_TEST_UTIL_H_
#define CRMI_TESTS_TRUST_JWT_TEST_UTIL_H_

#include <string>

namespace crmi::test {

// A key pair with its public JWK ({"kty":...,"kid":...}) and a signer for JWS signing inputs.
class TestKey {
 public:
  static TestKey Rsa(const std::string& kid, int bits = 2048);
  static TestKey P256(const std::string& kid);
  static TestKey Ed25519(const std::string& kid);
  static TestKey Hmac(const std::string& kid, const std::string& secret);
  TestKey(TestKey&&) noexcept;
  TestKey& operator=(TestKey&&) noexcept;
  ~TestKey();

  const std::string& kid() const { return kid_; }
  const std::string& alg() const { return alg_; }
  std::string Jwk() const;
  // The public key as PEM (for confusion attacks that use it as an HMAC secret).
  std::string PublicPem() const;
  std::string Sign(const std::string& input) const;

 private:
  TestKey() = default;
  std::string kid_, alg_, secret_;
  void* pkey_ = nullptr;  // EVP_PKEY*
};

// {"keys":[jwk1, jwk2...]}
std::string Jwks(std::initializer_list<const TestKey*> keys);

// header.payload.signature with the key's alg and kid (empty kid: no kid header).
std::string MakeToken(const TestKey& key, const std::string& payload_json,
                      const std::string& header_extra = "", bool with_kid = true);

}  // namespace crmi::test

#endif  // CRMI_TESTS_TRUST_JWT_TEST_UTIL_H_
