// API keys, the policy store (PA), networks and the development issuer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "src/crm/schema.h"
#include "src/store/sqlite/sqlite_store.h"
#include "src/trust/api_keys.h"
#include "src/trust/dev_issuer.h"
#include "src/trust/network.h"
#include "src/trust/policy_store.h"
#include "src/trust/token_verifier.h"
#include "tests/test_util.h"

namespace crmi::trust {
namespace {

class ApiKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("keys");
    store::sqlite::SqliteOptions o;
    o.path = dir_ + "/crmi.db";
    auto specs = crm::Schema::Default().StoreSpecs();
    specs.push_back(ApiKeyStore::Spec());
    auto s = store::sqlite::Open(o, specs);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    keys_ = std::make_unique<ApiKeyStore>(store_.get(), &clock_, /*cache_ttl_ms=*/5000);
  }
  void TearDown() override {
    keys_.reset();
    ASSERT_TRUE(store_->Close().ok());
    std::filesystem::remove_all(dir_);
  }
  ApiKeyInfo Spec(std::string tenant = "acme") {
    ApiKeyInfo k;
    k.tenant = std::move(tenant);
    k.name = "connector";
    k.roles = {"ingest"};
    k.attrs = {{"regions", {"eu", "us"}}};
    k.created_by = "root";
    return k;
  }

  FakeClock clock_;
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ApiKeyStore> keys_;
};

TEST_F(ApiKeyTest, CreateAuthenticateRevoke) {
  auto created = keys_->Create(Spec());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const std::string token = created->token;
  EXPECT_TRUE(ApiKeyStore::LooksLikeKey(token));
  auto p = keys_->Authenticate(token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->tenant, "acme");
  EXPECT_EQ(p->subject, "key:" + created->info.id);
  EXPECT_EQ(p->roles, std::vector<std::string>{"ingest"});
  EXPECT_EQ(p->attrs.at("regions").size(), 2u);
  EXPECT_EQ(p->method, "api_key");

  // The store holds a hash, never the secret; listing shows neither.
  const std::string secret = token.substr(token.rfind('.') + 1);
  auto stored = store_->Get("api_keys", "acme", created->info.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->doc.find(secret), std::string::npos);
  auto list = keys_->List("acme");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].ToJson().find("secret"), std::string::npos);
  EXPECT_TRUE(keys_->List("other")->empty());

  // Wrong secret, other tenant, malformed: the same refusal.
  std::string wrong = token;
  wrong.back() = wrong.back() == 'x' ? 'y' : 'x';
  for (const std::string& bad : {wrong, std::string("crmi.acme.key_x.abc"),
                                 std::string("crmi.other.") + created->info.id + "." + secret,
                                 std::string("crmi...."), std::string(300, 'a')}) {
    auto r = keys_->Authenticate(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << bad;
    EXPECT_EQ(r.status().message(), "invalid API key");
  }

  ASSERT_TRUE(keys_->Revoke("acme", created->info.id).ok());
  EXPECT_EQ(keys_->Authenticate(token).status().code(), StatusCode::kUnauthenticated)
      << "revocation clears the cache at once";
  EXPECT_TRUE(keys_->Revoke("acme", created->info.id).ok()) << "idempotent";
  EXPECT_EQ(keys_->Revoke("acme", "key_nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(keys_->Revoke("other", created->info.id).code(), StatusCode::kNotFound);
}

TEST_F(ApiKeyTest, ExpiryAndValidation) {
  ApiKeyInfo spec = Spec();
  spec.expires_at_ms = clock_.NowUnixMillis() + 60'000;
  auto created = keys_->Create(spec);
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(keys_->Authenticate(created->token).ok());
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(keys_->Authenticate(created->token).status().code(), StatusCode::kUnauthenticated);

  ApiKeyInfo bad = Spec();
  bad.roles = {};
  EXPECT_EQ(keys_->Create(bad).status().code(), StatusCode::kInvalidArgument);
  bad = Spec();
  bad.roles = {"Admin"};
  EXPECT_EQ(keys_->Create(bad).status().code(), StatusCode::kInvalidArgument);
  bad = Spec("Not A Tenant");
  EXPECT_EQ(keys_->Create(bad).status().code(), StatusCode::kInvalidArgument);
  bad = Spec();
  bad.expires_at_ms = clock_.NowUnixMillis() - 1;
  EXPECT_EQ(keys_->Create(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ApiKeyTest, RevocationByAnotherProcessIsSeenWithinTheCacheTtl) {
  auto created = keys_->Create(Spec());
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(keys_->Authenticate(created->token).ok());
  ApiKeyStore other(store_.get(), &clock_);  // e.g. `crmi apikey revoke` beside the server
  ASSERT_TRUE(other.Revoke("acme", created->info.id).ok());
  EXPECT_TRUE(keys_->Authenticate(created->token).ok()) << "cached";
  clock_.Advance(std::chrono::seconds(6));
  EXPECT_FALSE(keys_->Authenticate(created->token).ok());
}

const char kPolicy[] = R"(version: 1
rules:
  - id: admin-all
    effect: permit
    roles: [admin]
    resources: ["*"]
    actions: ["*"]
)";

TEST(PolicyStoreTest, CreatesFromDefaultValidatesAndSwaps) {
  const std::string dir = test::TempDir("pa");
  PolicyStore ps(dir + "/policy.yaml", Clock::Real());
  ASSERT_TRUE(ps.Load().ok());
  EXPECT_EQ(test::ReadFile(dir + "/policy.yaml"), DefaultPolicyYaml());
  const auto first = ps.Current();
  EXPECT_EQ(first.revision, PolicyRevision(DefaultPolicyYaml()));
  EXPECT_GT(first.policy->rules().size(), 10u);

  std::vector<PolicyError> errors;
  auto bad = ps.Put("rules:\n  - id: x\n    effect: maybe\n", std::nullopt, &errors);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(ps.Current().revision, first.revision) << "the old policy stays";
  EXPECT_EQ(test::ReadFile(dir + "/policy.yaml"), DefaultPolicyYaml()) << "and its file";

  errors.clear();
  EXPECT_EQ(ps.Put(kPolicy, std::string_view("\"0123\""), &errors).status().code(),
            StatusCode::kFailedPrecondition);
  auto ok = ps.Put(kPolicy, std::string_view("\"" + first.revision + "\""), &errors);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->revision, PolicyRevision(kPolicy));
  EXPECT_EQ(test::ReadFile(dir + "/policy.yaml"), kPolicy);
  EXPECT_EQ(ps.History().size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/policy-history/" + first.revision + ".yaml"));
  // The previous snapshot stays usable by requests holding it.
  EXPECT_GT(first.policy->rules().size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(PolicyStoreTest, PollPicksUpValidEditsOnly) {
  const std::string dir = test::TempDir("pa");
  PolicyStore ps(dir + "/policy.yaml", Clock::Real());
  ASSERT_TRUE(ps.Load(kPolicy).ok());
  EXPECT_FALSE(ps.Poll());
  std::string edited = std::string(kPolicy) +
                       "  - id: extra\n    effect: deny\n    roles: [\"*\"]\n"
                       "    resources: [audit]\n    actions: [delete]\n";
  std::ofstream(dir + "/policy.yaml", std::ios::trunc) << edited;
  EXPECT_TRUE(ps.Poll());
  EXPECT_EQ(ps.Current().policy->rules().size(), 2u);
  std::ofstream(dir + "/policy.yaml", std::ios::trunc) << "rules: [broken";
  EXPECT_FALSE(ps.Poll());
  EXPECT_EQ(ps.Current().revision, PolicyRevision(edited));
  // A file that fails to compile at start is an error naming the problem.
  PolicyStore again(dir + "/policy.yaml", Clock::Real());
  Status s = again.Load();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("policy.yaml is invalid"), std::string::npos) << s.message();
  std::filesystem::remove_all(dir);
}

TEST(NetworkTest, CidrsAndZones) {
  auto lan = Cidr::Parse("10.0.0.0/8");
  ASSERT_TRUE(lan.ok());
  EXPECT_TRUE(lan->Contains("10.200.3.4"));
  EXPECT_FALSE(lan->Contains("11.0.0.1"));
  EXPECT_TRUE(lan->Contains("::ffff:10.1.1.1"));
  EXPECT_FALSE(lan->Contains("not an ip"));
  EXPECT_FALSE(lan->Contains("fe80::1"));
  auto odd = Cidr::Parse("192.168.1.128/25");
  EXPECT_TRUE(odd->Contains("192.168.1.200"));
  EXPECT_FALSE(odd->Contains("192.168.1.100"));
  auto v6 = Cidr::Parse("2001:db8::/32");
  EXPECT_TRUE(v6->Contains("2001:db8:1::5"));
  EXPECT_FALSE(v6->Contains("2001:db9::5"));
  EXPECT_TRUE(Cidr::Parse("127.0.0.1")->Contains("127.0.0.1"));
  EXPECT_FALSE(Cidr::Parse("127.0.0.1")->Contains("127.0.0.2"));
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/x", "300.1.1.1", "::1/129"}) {
    EXPECT_FALSE(Cidr::Parse(bad).ok()) << bad;
  }
  Zones z;
  ASSERT_TRUE(z.Add("office", "192.168.0.0/16").ok());
  ASSERT_TRUE(z.Add("corp", "192.0.0.0/8").ok());
  EXPECT_EQ(z.ZoneOf("192.168.4.4"), "office") << "first match wins";
  EXPECT_EQ(z.ZoneOf("192.1.1.1"), "corp");
  EXPECT_EQ(z.ZoneOf("8.8.8.8"), "external");
}

TEST(DevIssuerTest, MintedTokensVerifyAndCarryThePrincipal) {
  const std::string dir = test::TempDir("dev");
  auto issuer = DevIssuer::Load(dir);
  ASSERT_TRUE(issuer.ok());
  auto again = DevIssuer::Load(dir);
  EXPECT_EQ(again->kid, issuer->kid) << "the key persists";
  FakeClock clock;
  TokenVerifier v(&clock);
  ASSERT_TRUE(v.AddIssuer(issuer->Config(), issuer->Keys()).ok());
  ASSERT_TRUE(v.Start().ok());
  MintRequest r;
  r.subject = "adv-1";
  r.tenant = "bank";
  r.roles = {"advisor"};
  r.attrs = {{"regions", {"eu"}}};
  r.posture = "managed";
  r.risk = 20;
  r.ttl_seconds = 600;
  auto token = MintDevToken(issuer.value(), r, clock.NowUnixMillis() / 1000);
  ASSERT_TRUE(token.ok());
  auto claims = v.Verify(token.value());
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ((*claims)->subject, "adv-1");
  EXPECT_EQ((*claims)->tenant, "bank");
  EXPECT_EQ((*claims)->posture, "managed");
  EXPECT_EQ((*claims)->risk, 20);
  EXPECT_EQ((*claims)->attrs.at("regions")[0], "eu");
  clock.Advance(std::chrono::seconds(700));
  EXPECT_FALSE(v.Verify(token.value()).ok()) << "expired, even from the cache";
  // Another data dir's key is another issuer key: refused.
  const std::string dir2 = test::TempDir("dev");
  auto stranger = DevIssuer::Load(dir2);
  auto forged = MintDevToken(stranger.value(), r, clock.NowUnixMillis() / 1000);
  EXPECT_EQ(v.Verify(forged.value()).status().code(), StatusCode::kUnauthenticated);
  r.tenant = "Bad";
  EXPECT_FALSE(MintDevToken(issuer.value(), r, 0).ok());
  r.tenant = "bank";
  r.ttl_seconds = 0;
  EXPECT_FALSE(MintDevToken(issuer.value(), r, 0).ok());
  v.Stop();
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(dir2);
}

}  // namespace
}  // namespace crmi::trust
