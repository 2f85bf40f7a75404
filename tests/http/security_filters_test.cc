// The PEP filters on their own: authentication, authorization with obligations, audit records.
#include <gtest/gtest.h>

#include <filesystem>

#include "src/http/filters/audit.h"
#include "src/http/filters/authn.h"
#include "src/http/filters/authz.h"
#include "src/http/router.h"
#include "src/trust/dev_issuer.h"
#include "tests/test_util.h"

namespace crmi::http {
namespace {

class SecurityFiltersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("pep");
    auto issuer = trust::DevIssuer::Load(dir_);
    ASSERT_TRUE(issuer.ok());
    issuer_ = std::make_unique<trust::DevIssuer>(std::move(issuer).value());
    verifier_ = std::make_unique<trust::TokenVerifier>(&clock_);
    ASSERT_TRUE(verifier_->AddIssuer(issuer_->Config(), issuer_->Keys()).ok());
    ASSERT_TRUE(verifier_->Start().ok());
    AuthnConfig c;
    c.tokens = verifier_.get();
    c.trusted_proxies = {trust::Cidr::Parse("10.0.0.1").value()};
    ASSERT_TRUE(c.zones.Add("corp", "192.168.0.0/16").ok());
    c.clock = &clock_;
    authn_ = std::make_unique<AuthnFilter>(std::move(c));
    policies_ = std::make_unique<trust::PolicyStore>(dir_ + "/policy.yaml", &clock_);
    ASSERT_TRUE(policies_->Load().ok());
    authz_ = std::make_unique<AuthzFilter>(policies_.get());
    route_.method = Method::kGet;
    route_.name = "records.list";
    route_.resource = "{collection}";
    route_.action = "list";
    route_.applies = kAppliesRecords;
  }
  void TearDown() override {
    verifier_->Stop();
    std::filesystem::remove_all(dir_);
  }

  std::string Token(const std::string& sub, const std::string& roles,
                    std::map<std::string, std::vector<std::string>> attrs = {},
                    const std::string& posture = "managed") {
    trust::MintRequest r;
    r.subject = sub;
    r.tenant = "bank";
    r.roles = {roles};
    r.attrs = std::move(attrs);
    r.posture = posture;
    return trust::MintDevToken(*issuer_, r, clock_.NowUnixMillis() / 1000).value();
  }

  RequestContext Ctx(const std::string& token, const std::string& resource = "contacts",
                     const std::string& remote = "127.0.0.1") {
    RequestContext ctx;
    ctx.route = &route_;
    ctx.resource = resource;
    ctx.request_id = "rid-1";
    ctx.request.remote_address = remote;
    if (!token.empty()) ctx.request.headers.Add("Authorization", "Bearer " + token);
    return ctx;
  }

  FakeClock clock_;
  std::string dir_;
  std::unique_ptr<trust::DevIssuer> issuer_;
  std::unique_ptr<trust::TokenVerifier> verifier_;
  std::unique_ptr<AuthnFilter> authn_;
  std::unique_ptr<trust::PolicyStore> policies_;
  std::unique_ptr<AuthzFilter> authz_;
  Route route_;
};

TEST_F(SecurityFiltersTest, AuthenticationRefusesWithAChallenge) {
  RequestContext none = Ctx("");
  EXPECT_EQ(authn_->OnRequest(none), FilterStatus::kStop);
  EXPECT_EQ(none.response.status, 401);
  EXPECT_EQ(none.response.headers.Get("WWW-Authenticate").value_or(""), "Bearer realm=\"crmi\"");
  RequestContext basic = Ctx("");
  basic.request.headers.Add("Authorization", "Basic dXNlcjpwYXNz");
  EXPECT_EQ(authn_->OnRequest(basic), FilterStatus::kStop);
  EXPECT_NE(basic.response.headers.Get("WWW-Authenticate")->find("invalid_token"),
            std::string::npos);
  RequestContext bad = Ctx("abc.def.ghi");
  EXPECT_EQ(authn_->OnRequest(bad), FilterStatus::kStop);
  EXPECT_FALSE(bad.security.authn_error.empty()) << "the reason is kept for the audit trail";
  EXPECT_EQ(bad.response.body.find(bad.security.authn_error), std::string::npos)
      << "...but not told to the caller";

  Route probe = route_;
  probe.public_route = true;
  RequestContext health = Ctx("");
  health.route = &probe;
  EXPECT_EQ(authn_->OnRequest(health), FilterStatus::kContinue);

  RequestContext ok = Ctx(Token("adv-1", "advisor"));
  ASSERT_EQ(authn_->OnRequest(ok), FilterStatus::kContinue);
  EXPECT_EQ(ok.tenant, "bank");
  EXPECT_EQ(ok.security.principal->subject, "adv-1");
  EXPECT_EQ(ok.security.context.posture, "managed");
  RequestContext other = Ctx(Token("adv-1", "advisor"));
  other.request.headers.Add("X-Tenant", "shop");
  EXPECT_EQ(authn_->OnRequest(other), FilterStatus::kStop);
  EXPECT_EQ(other.response.status, 403);
}

TEST_F(SecurityFiltersTest, ContextHeadersCountOnlyFromTrustedProxies) {
  const std::string t = Token("u", "advisor", {}, "");
  RequestContext direct = Ctx(t, "contacts", "192.168.1.9");
  direct.request.headers.Add("X-Device-Posture", "managed");
  direct.request.headers.Add("X-Risk-Score", "5");
  direct.request.headers.Add("X-Forwarded-For", "1.2.3.4");
  ASSERT_EQ(authn_->OnRequest(direct), FilterStatus::kContinue);
  EXPECT_EQ(direct.security.context.posture, "unknown") << "anyone can send headers";
  EXPECT_EQ(direct.security.context.risk, 0);
  EXPECT_EQ(direct.security.context.source_address, "192.168.1.9");
  EXPECT_EQ(direct.security.context.zone, "corp");

  RequestContext proxied = Ctx(t, "contacts", "10.0.0.1");
  proxied.request.headers.Add("X-Device-Posture", "compliant");
  proxied.request.headers.Add("X-Risk-Score", "35");
  proxied.request.headers.Add("X-Forwarded-For", "6.6.6.6, 192.168.7.7, 10.0.0.1");
  ASSERT_EQ(authn_->OnRequest(proxied), FilterStatus::kContinue);
  EXPECT_EQ(proxied.security.context.posture, "compliant");
  EXPECT_EQ(proxied.security.context.risk, 35);
  EXPECT_EQ(proxied.security.context.source_address, "192.168.7.7")
      << "the last hop that is not our proxy; the client-supplied 6.6.6.6 is not trusted";
  EXPECT_EQ(proxied.security.context.zone, "corp");
  RequestContext garbled = Ctx(t, "contacts", "10.0.0.1");
  garbled.request.headers.Add("X-Risk-Score", "low");
  ASSERT_EQ(authn_->OnRequest(garbled), FilterStatus::kContinue);
  EXPECT_EQ(garbled.security.context.risk, 100) << "an unreadable score is the worst score";
}

TEST_F(SecurityFiltersTest, AuthorizationTurnsObligationsIntoAccess) {
  RequestContext adv = Ctx(Token("adv-1", "advisor"));
  ASSERT_EQ(authn_->OnRequest(adv), FilterStatus::kContinue);
  ASSERT_EQ(authz_->OnRequest(adv), FilterStatus::kContinue);
  EXPECT_EQ(adv.security.rule, "advisor-book");
  ASSERT_EQ(adv.security.access.rows.size(), 1u);
  EXPECT_EQ(adv.security.access.rows[0].field, "owner_id");
  EXPECT_EQ(std::get<std::string>(adv.security.access.rows[0].values[0]), "adv-1");
  EXPECT_EQ(adv.security.access.redact_from, crm::Sensitivity::kRestricted);
  EXPECT_EQ(adv.security.access.max_rows, 500);
  // Secondary decisions for handlers, under the same snapshot.
  auto cases = adv.security.authorizer->AccessFor(adv, "cases", "list");
  ASSERT_TRUE(cases.ok());
  EXPECT_EQ(cases->rows.size(), 1u);
  EXPECT_EQ(adv.security.authorizer->AccessFor(adv, "audit", "read").status().code(),
            StatusCode::kPermissionDenied);

  RequestContext agent = Ctx(Token("ag", "agent", {{"regions", {"eu", "us"}}}));
  ASSERT_EQ(authn_->OnRequest(agent), FilterStatus::kContinue);
  ASSERT_EQ(authz_->OnRequest(agent), FilterStatus::kContinue);
  ASSERT_EQ(agent.security.access.rows.size(), 1u);
  EXPECT_EQ(agent.security.access.rows[0].op, store::FieldFilter::Op::kIn);
  EXPECT_EQ(agent.security.access.rows[0].values.size(), 2u);
  EXPECT_EQ(agent.security.access.mask_fields.size(), 3u);

  // Missing attribute: the term matches nothing.
  RequestContext lost = Ctx(Token("ag2", "agent"));
  ASSERT_EQ(authn_->OnRequest(lost), FilterStatus::kContinue);
  ASSERT_EQ(authz_->OnRequest(lost), FilterStatus::kContinue);
  EXPECT_EQ(lost.security.access.rows[0].op, store::FieldFilter::Op::kIn);
  EXPECT_TRUE(lost.security.access.rows[0].values.empty());

  // Denied: 403 naming the rule.
  RequestContext analyst = Ctx(Token("an", "analyst"));
  ASSERT_EQ(authn_->OnRequest(analyst), FilterStatus::kContinue);
  EXPECT_EQ(authz_->OnRequest(analyst), FilterStatus::kStop);
  EXPECT_EQ(analyst.response.status, 403);
  EXPECT_NE(analyst.response.body.find("default-deny"), std::string::npos);

  // A route that cannot filter rows refuses a permit that needs it.
  Route plain = route_;
  plain.applies = kAppliesNothing;
  RequestContext refused = Ctx(Token("adv-1", "advisor"));
  refused.route = &plain;
  ASSERT_EQ(authn_->OnRequest(refused), FilterStatus::kContinue);
  EXPECT_EQ(authz_->OnRequest(refused), FilterStatus::kStop);
  EXPECT_EQ(refused.response.status, 403);
  EXPECT_EQ(refused.response.problem, "obligation-unenforceable");
  EXPECT_FALSE(refused.security.permit) << "recorded as the refusal it is";
}

TEST(AccessFromObligationsTest, EveryObligationKind) {
  trust::Principal p;
  p.subject = "u1";
  p.attrs = {{"regions", {"eu"}}, {"level", {"3"}}};
  trust::Context c;
  std::vector<trust::PolicyError> errors;
  auto policy = trust::Policy::Compile(R"(rules:
  - id: r
    effect: permit
    roles: ["*"]
    resources: ["*"]
    actions: ["*"]
    obligations:
      row_filter: owner_id == principal.sub && region in principal.attr.regions && tier != 'vip' && consent.marketing == true
      mask_fields: [email]
      redact_class: confidential
      max_rows: 7
)",
                                       &errors);
  ASSERT_TRUE(policy) << (errors.empty() ? "" : errors[0].ToString());
  const trust::Obligations& ob = policy->rules()[0].obligations;
  auto a = AccessFromObligations(ob, kAppliesRecords, p, c);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->rows.size(), 4u);
  EXPECT_EQ(a->rows[0].op, store::FieldFilter::Op::kEq);
  EXPECT_EQ(a->rows[1].op, store::FieldFilter::Op::kIn);
  EXPECT_EQ(a->rows[2].op, store::FieldFilter::Op::kNe);
  EXPECT_EQ(std::get<bool>(a->rows[3].values[0]), true);
  EXPECT_EQ(a->mask_fields, std::vector<std::string>{"email"});
  EXPECT_EQ(a->redact_from, crm::Sensitivity::kConfidential);
  EXPECT_EQ(a->max_rows, 7);
  EXPECT_EQ(AccessFromObligations(ob, kAppliesFields | kAppliesMaxRows, p, c).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_FALSE(AccessFromObligations(ob, kAppliesRows | kAppliesMaxRows, p, c).ok());
  EXPECT_FALSE(AccessFromObligations(ob, kAppliesRows | kAppliesFields, p, c).ok());
  trust::Obligations approval;
  approval.require_approval = true;
  EXPECT_FALSE(AccessFromObligations(approval, kAppliesRecords, p, c).ok());
  // A principal without a subject does not turn "owner_id == principal.sub" into IS NULL.
  trust::Principal anon;
  auto b = AccessFromObligations(ob, kAppliesRecords, anon, c);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->rows[0].op, store::FieldFilter::Op::kIn);
  EXPECT_TRUE(b->rows[0].values.empty());
}

TEST(AuditRenderTest, RecordsDecisionsNeverSecrets) {
  Route r;
  r.name = "records.list";
  r.action = "list";
  RequestContext ctx;
  ctx.route = &r;
  ctx.request_id = "rid";
  ctx.tenant = "bank";
  ctx.resource = "contacts";
  ctx.request.method_text = "GET";
  ctx.request.path = "/v1/contacts";
  ctx.request.query = {{"email", "ada@example.com"}};
  ctx.request.headers.Add("Authorization", "Bearer eyJsecret");
  auto p = std::make_shared<trust::Principal>();
  p->subject = "adv-1";
  p->roles = {"advisor"};
  p->method = "jwt";
  ctx.security.principal = p;
  ctx.security.decided = true;
  ctx.security.permit = true;
  ctx.security.rule = "advisor-book";
  ctx.response.status = 200;
  ctx.security.audit_level = "full";
  const std::string full = AuditFilter::Render(ctx, 42);
  EXPECT_EQ(full.find("eyJsecret"), std::string::npos);
  EXPECT_EQ(full.find("ada@example.com"), std::string::npos);
  EXPECT_NE(full.find("\"query\":{\"email\":\""), std::string::npos) << "name kept, value hashed";
  EXPECT_NE(full.find("\"decision\":\"permit\",\"rule\":\"advisor-book\""), std::string::npos);
  EXPECT_NE(full.find("\"latency_us\":42"), std::string::npos);
  EXPECT_NE(full.find("\"ai\":null"), std::string::npos);
  ctx.security.audit_level = "minimal";
  const std::string minimal = AuditFilter::Render(ctx, 42);
  EXPECT_EQ(minimal.find("\"context\""), std::string::npos);
  EXPECT_NE(minimal.find("\"principal\":{\"sub\":\"adv-1\""), std::string::npos);
  ctx.security.ai_json = R"({"model":"m"})";
  EXPECT_NE(AuditFilter::Render(ctx, 1).find("\"ai\":{\"model\":\"m\"}"), std::string::npos);
}

}  // namespace
}  // namespace crmi::http
