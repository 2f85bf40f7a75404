#include "src/trust/jwt.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "src/common/base64.h"
#include "src/trust/token_verifier.h"
#include "tests/test_util.h"
#include "tests/trust/jwt_test_util.h"

namespace crmi::trust {
namespace {

using test::MakeToken;
using test::TestKey;

constexpr int64_t kNow = 1'790'000'000;

std::string Payload(const std::string& extra = "", int64_t exp = kNow + 600,
                    const std::string& aud = "\"crmi\"") {
  return "{\"iss\":\"https://idp.example\",\"sub\":\"adv-017\",\"aud\":" + aud +
         ",\"exp\":" + std::to_string(exp) + ",\"iat\":" + std::to_string(kNow - 10) +
         ",\"tenant\":\"maple-bank\",\"roles\":[\"advisor\"],\"attrs\":{\"region\":\"na\","
         "\"regions\":[\"na\",\"us\"],\"level\":3}" +
         extra + "}";
}

class JwtTest : public ::testing::Test {
 protected:
  JwtTest()
      : rsa_(TestKey::Rsa("rsa-1")),
        ec_(TestKey::P256("ec-1")),
        ed_(TestKey::Ed25519("ed-1")),
        hmac_(TestKey::Hmac("hs-1", std::string(32, 's'))) {
    issuer_.issuer = "https://idp.example";
    issuer_.audiences = {"crmi"};
    auto keys = KeySet::FromJwks(test::Jwks({&rsa_, &ec_, &ed_}), false);
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = keys.value();
    options_.now_seconds = kNow;
  }

  Result<Claims> Verify(const std::string& token) {
    return VerifyJwt(token, issuer_, keys_, options_);
  }
  void ExpectRefused(const std::string& token, const std::string& why) {
    auto r = Verify(token);
    ASSERT_FALSE(r.ok()) << "accepted: " << why;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  }

  TestKey rsa_, ec_, ed_, hmac_;
  IssuerConfig issuer_;
  KeySet keys_;
  VerifyOptions options_;
};

TEST_F(JwtTest, AcceptsEachAlgorithmAndReadsClaims) {
  for (const TestKey* k : {&rsa_, &ec_, &ed_}) {
    auto c = Verify(MakeToken(*k, Payload(",\"posture\":\"managed\",\"risk\":12,\"jti\":\"t1\"")));
    ASSERT_TRUE(c.ok()) << k->alg() << ": " << c.status().ToString();
    EXPECT_EQ(c->subject, "adv-017");
    EXPECT_EQ(c->tenant, "maple-bank");
    EXPECT_EQ(c->roles, std::vector<std::string>{"advisor"});
    EXPECT_EQ(c->attrs.at("regions"), (std::vector<std::string>{"na", "us"}));
    EXPECT_EQ(c->attrs.at("level"), std::vector<std::string>{"3"});
    EXPECT_EQ(c->posture, "managed");
    EXPECT_EQ(c->risk, 12);
    EXPECT_EQ(c->token_id, "t1");
    EXPECT_EQ(c->expires_at, kNow + 600);
  }
}

TEST_F(JwtTest, RolesFromSpaceSeparatedStringAndNestedClaimPaths) {
  issuer_.roles_claim = "realm_access.roles";
  issuer_.tenant_claim = "org.tenant";
  auto c = Verify(MakeToken(
      rsa_,
      "{\"iss\":\"https://idp.example\",\"sub\":\"u\",\"aud\":[\"other\",\"crmi\"],\"exp\":" +
          std::to_string(kNow + 60) +
          ",\"realm_access\":{\"roles\":[\"agent\",\"marketer\"]},\"org\":{\"tenant\":\"t\"}}"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->roles, (std::vector<std::string>{"agent", "marketer"}));
  EXPECT_EQ(c->tenant, "t");
  issuer_.roles_claim = "scope";
  c = Verify(MakeToken(rsa_,
                       "{\"iss\":\"https://idp.example\",\"sub\":\"u\",\"aud\":\"crmi\","
                       "\"exp\":" +
                           std::to_string(kNow + 60) + ",\"scope\":\"read  write\"}"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->roles, (std::vector<std::string>{"read", "write"}));
}

TEST_F(JwtTest, TimeClaims) {
  ExpectRefused(MakeToken(rsa_, Payload("", kNow - 61)), "token expired");
  EXPECT_TRUE(Verify(MakeToken(rsa_, Payload("", kNow - 30))).ok()) << "within the skew";
  ExpectRefused(MakeToken(rsa_, Payload(",\"nbf\":" + std::to_string(kNow + 300))),
                "not valid yet");
  EXPECT_TRUE(Verify(MakeToken(rsa_, Payload(",\"nbf\":" + std::to_string(kNow + 30)))).ok());
  ExpectRefused(
      MakeToken(rsa_,
                "{\"iss\":\"https://idp.example\",\"sub\":\"u\",\"aud\":\"crmi\","
                "\"exp\":" +
                    std::to_string(kNow + 600) + ",\"iat\":" + std::to_string(kNow + 300) + "}"),
      "issued in the future");
  ExpectRefused(MakeToken(rsa_, "{\"iss\":\"https://idp.example\",\"sub\":\"u\",\"aud\":\"crmi\"}"),
                "no \"exp\"");
  ExpectRefused(MakeToken(rsa_,
                          "{\"iss\":\"https://idp.example\",\"sub\":\"u\",\"aud\":\"crmi\","
                          "\"exp\":\"tomorrow\"}"),
                "not a number");
}

TEST_F(JwtTest, IssuerAudienceSubject) {
  ExpectRefused(MakeToken(rsa_, Payload("", kNow + 600, "\"someone-else\"")), "audience");
  ExpectRefused(MakeToken(rsa_, Payload("", kNow + 600, "[]")), "audience");
  ExpectRefused(MakeToken(rsa_,
                          "{\"iss\":\"https://evil.example\",\"sub\":\"u\",\"aud\":\"crmi\","
                          "\"exp\":" +
                              std::to_string(kNow + 60) + "}"),
                "issuer");
  ExpectRefused(MakeToken(rsa_, "{\"iss\":\"https://idp.example\",\"aud\":\"crmi\",\"exp\":" +
                                    std::to_string(kNow + 60) + "}"),
                "no \"sub\"");
}

TEST_F(JwtTest, SignatureAndStructure) {
  std::string good = MakeToken(ec_, Payload());
  std::string bad = good;
  bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
  ExpectRefused(bad, "signature does not verify");
  // A payload changed after signing.
  const size_t dot1 = good.find('.'), dot2 = good.rfind('.');
  std::string forged = good.substr(0, dot1 + 1) +
                       Base64UrlEncode(Payload().replace(Payload().find("advisor"), 7, "admin")) +
                       good.substr(dot2);
  ExpectRefused(forged, "signature does not verify");
  ExpectRefused(good.substr(0, good.size() - 10), "");               // truncated signature
  ExpectRefused(good.substr(0, dot2), "three dot-separated parts");  // no signature part
  ExpectRefused("not.a.jwt", "base64url");
  ExpectRefused(good + "=", "base64url");
  ExpectRefused("", "empty token");
  ExpectRefused(std::string(9000, 'a'), "longer than 8192");
  ExpectRefused(MakeToken(rsa_, Payload(), ",\"crit\":[\"exp\"]"), "critical extensions");
  ExpectRefused(MakeToken(rsa_, Payload(), ",\"typ\":\"JWE\""), "duplicate member in header");
  {
    const std::string input =
        Base64UrlEncode("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"typ\":\"JWE\"}") + "." +
        Base64UrlEncode(Payload());
    ExpectRefused(input + "." + Base64UrlEncode(rsa_.Sign(input)), "token type is not JWT");
  }
  ExpectRefused(MakeToken(rsa_, "{\"iss\":\"https://idp.example\",\"sub\":\"a\",\"sub\":\"b\"}"),
                "duplicate member in payload");
  ExpectRefused(MakeToken(rsa_, "[1,2]"), "not a JSON object");
}

TEST_F(JwtTest, RefusesAlgNoneAndUnknownAlgorithms) {
  const std::string payload = Base64UrlEncode(Payload());
  ExpectRefused(Base64UrlEncode("{\"alg\":\"none\"}") + "." + payload + ".", "alg none");
  ExpectRefused(Base64UrlEncode("{\"alg\":\"none\",\"kid\":\"rsa-1\"}") + "." + payload + ".",
                "alg none");
  ExpectRefused(Base64UrlEncode("{\"alg\":\"RS512\",\"kid\":\"rsa-1\"}") + "." + payload + ".AA",
                "not accepted");
  ExpectRefused(Base64UrlEncode("{\"kid\":\"rsa-1\"}") + "." + payload + ".AA", "no \"alg\"");
}

TEST_F(JwtTest, RefusesAlgorithmConfusion) {
  // The classic: HS256 "signed" with the RSA public key (PEM) as the HMAC secret.
  TestKey fake = TestKey::Hmac("rsa-1", rsa_.PublicPem());
  ExpectRefused(MakeToken(fake, Payload()), "not allowed for this key");
  // An ES256 header on the Ed25519 key.
  const std::string input =
      Base64UrlEncode("{\"alg\":\"ES256\",\"kid\":\"ed-1\"}") + "." + Base64UrlEncode(Payload());
  ExpectRefused(input + "." + Base64UrlEncode(ed_.Sign(input)), "not allowed for this key");
  // Symmetric keys are ignored unless the issuer allows HS256...
  auto no_hs = KeySet::FromJwks(test::Jwks({&hmac_}), /*allow_hs256=*/false);
  EXPECT_FALSE(no_hs.ok());
  // ...and when it does, HS256 works with that key only.
  auto hs = KeySet::FromJwks(test::Jwks({&hmac_, &rsa_}), /*allow_hs256=*/true);
  ASSERT_TRUE(hs.ok()) << hs.status().ToString();
  EXPECT_TRUE(VerifyJwt(MakeToken(hmac_, Payload()), issuer_, hs.value(), options_).ok());
  EXPECT_FALSE(VerifyJwt(MakeToken(fake, Payload()), issuer_, hs.value(), options_).ok());
}

TEST_F(JwtTest, KeyIds) {
  TestKey stranger = TestKey::Rsa("rsa-2");
  ExpectRefused(MakeToken(stranger, Payload()), "unknown key id 'rsa-2'");
  ExpectRefused(MakeToken(rsa_, Payload(), "", /*with_kid=*/false), "no kid");
  // A one-key set accepts tokens without kid.
  auto single = KeySet::FromJwks(test::Jwks({&ed_}), false);
  ASSERT_TRUE(single.ok());
  EXPECT_TRUE(
      VerifyJwt(MakeToken(ed_, Payload(), "", false), issuer_, single.value(), options_).ok());
}

TEST(JwksTest, RefusesWeakOrAmbiguousKeySets) {
  TestKey weak = TestKey::Rsa("weak", 1024);
  EXPECT_NE(KeySet::FromJwks(test::Jwks({&weak}), false).status().message().find("2048"),
            std::string::npos);
  TestKey a = TestKey::Ed25519("same"), b = TestKey::Ed25519("same");
  EXPECT_NE(KeySet::FromJwks(test::Jwks({&a, &b}), false).status().message().find("two keys"),
            std::string::npos);
  TestKey c = TestKey::Ed25519("");
  TestKey d = TestKey::Ed25519("d");
  EXPECT_FALSE(KeySet::FromJwks(test::Jwks({&c, &d}), false).ok());
  EXPECT_FALSE(KeySet::FromJwks("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"x\",\"alg\":\"HS256\","
                                "\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
                                false)
                   .ok());
  EXPECT_FALSE(KeySet::FromJwks("not json", false).ok());
  EXPECT_FALSE(KeySet::FromJwks("{\"keys\":[]}", false).ok());
  // Encryption keys are skipped, not used for signatures.
  std::string enc = "{\"keys\":[" + d.Jwk();
  enc.insert(enc.size() - 1, ",\"use\":\"enc\"");
  EXPECT_FALSE(KeySet::FromJwks(enc + "]}", false).ok());
}

TEST(TokenVerifierTest, CachesRotatesAndRefusesUnknownIssuers) {
  const std::string dir = test::TempDir("jwks");
  TestKey k1 = TestKey::Ed25519("k1"), k2 = TestKey::Ed25519("k2");
  const std::string path = dir + "/jwks.json";
  std::ofstream(path) << test::Jwks({&k1});
  FakeClock clock(kNow * 1000);
  TokenVerifier v(&clock);
  IssuerConfig cfg;
  cfg.issuer = "https://idp.example";
  cfg.audiences = {"crmi"};
  cfg.jwks_file = path;
  ASSERT_TRUE(v.AddIssuer(cfg).ok());
  ASSERT_TRUE(v.Start().ok());
  const std::string t1 = MakeToken(k1, Payload());
  ASSERT_TRUE(v.Verify(t1).ok());
  EXPECT_EQ(v.cache_size(), 1u);
  ASSERT_TRUE(v.Verify(t1).ok());
  EXPECT_EQ(v.cache_size(), 1u);
  // Rotation: the file gains k2; within a couple of seconds tokens signed by k2 verify.
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now());
  std::ofstream(path) << test::Jwks({&k1, &k2});
  const std::string t2 = MakeToken(k2, Payload());
  bool ok = false;
  for (int i = 0; i < 50 && !ok; ++i) {
    ok = v.Verify(t2).ok();
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(ok);
  // Cached tokens still expire.
  clock.Advance(std::chrono::seconds(3600));
  EXPECT_EQ(v.Verify(t1).status().message(), "token expired");
  TestKey other = TestKey::Ed25519("k1");
  EXPECT_NE(v.Verify(MakeToken(other, "{\"iss\":\"https://stranger\",\"sub\":\"x\"}"))
                .status()
                .message()
                .find("not trusted"),
            std::string::npos);
  v.Stop();
  std::filesystem::remove_all(dir);
}

TEST(TokenVerifierTest, UrlIssuersUseTheFetcher) {
  TestKey k = TestKey::P256("p1");
  FakeClock clock(kNow * 1000);
  int fetches = 0;
  TokenVerifier v(&clock, [&](const std::string& url) -> Result<std::string> {
    ++fetches;
    if (url != "https://idp.example/jwks") return Unavailable("no");
    return test::Jwks({&k});
  });
  IssuerConfig cfg;
  cfg.issuer = "https://idp.example";
  cfg.audiences = {"crmi"};
  cfg.jwks_url = "https://idp.example/jwks";
  ASSERT_TRUE(v.AddIssuer(cfg).ok());
  ASSERT_TRUE(v.Start().ok());
  EXPECT_EQ(fetches, 1);
  EXPECT_TRUE(v.Verify(MakeToken(k, Payload())).ok());
  IssuerConfig bad = cfg;
  bad.issuer = "x";
  bad.jwks_url.clear();
  EXPECT_FALSE(v.AddIssuer(bad).ok()) << "needs a key source";
}

TEST(JwtSignTest, DevIssuerTokensVerify) {
  auto key = crypto::Ed25519Key::Generate();
  ASSERT_TRUE(key.ok());
  const std::string token = SignJwtEdDSA(key.value(), "dev-1", Payload());
  IssuerConfig cfg;
  cfg.issuer = "https://idp.example";
  cfg.audiences = {"crmi"};
  VerifyOptions o;
  o.now_seconds = kNow;
  auto c = VerifyJwt(token, cfg, KeySet::FromEd25519("dev-1", key->PublicRaw()), o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->subject, "adv-017");
}

}  // namespace
}  // namespace crmi::trust
