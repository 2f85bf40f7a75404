#include "src/trust/policy.h"

#include <gtest/gtest.h>

#include <random>

#include "src/trust/policy_cases.h"
#include "tests/test_util.h"

namespace crmi::trust {
namespace {

std::shared_ptr<const Policy> MustCompile(const std::string& yaml) {
  std::vector<PolicyError> errors;
  auto p = Policy::Compile(yaml, &errors);
  std::string all;
  for (const auto& e : errors) all += e.ToString() + "\n";
  EXPECT_NE(p, nullptr) << all;
  return p;
}

std::vector<PolicyError> Errors(const std::string& yaml) {
  std::vector<PolicyError> errors;
  EXPECT_EQ(Policy::Compile(yaml, &errors), nullptr);
  return errors;
}

Decision Decide(const Policy& p, const Principal& who, std::string_view action,
                std::string_view resource, Context ctx = {}) {
  DecisionRequest r;
  r.principal = &who;
  r.context = &ctx;
  r.action = action;
  r.resource = resource;
  return p.Decide(r);
}

Principal Who(std::vector<std::string> roles, std::string sub = "u1") {
  Principal p;
  p.subject = std::move(sub);
  p.tenant = "t1";
  p.roles = std::move(roles);
  return p;
}

TEST(PolicyCompileTest, ErrorsCarryLineAndField) {
  auto errors = Errors(R"(version: 1
rules:
  - id: ok
    effect: permit
    roles: [a]
    resources: [contacts]
    actions: [read]
  - id: bad-effect
    effect: allow
    roles: [a]
    resources: [x]
    actions: [read]
  - id: bad-when
    effect: permit
    roles: [a]
    resources: [x]
    actions: [read]
    when: principal.role == 'x' && contxt.risk < 3
  - id: ok
    effect: deny
    colour: blue
    roles: [a]
    resources: [x*y]
    actions: [read]
)");
  ASSERT_GE(errors.size(), 4u);
  std::string all;
  for (const auto& e : errors) all += e.ToString() + "\n";
  EXPECT_NE(all.find("line 9: rules[1].effect: must be permit or deny"), std::string::npos) << all;
  EXPECT_NE(all.find("rules[2].when: unknown name 'contxt.risk'"), std::string::npos) << all;
  EXPECT_NE(all.find("line 19: rules[3].id: duplicate rule id 'ok'"), std::string::npos) << all;
  EXPECT_NE(all.find("line 21: rules[3].colour: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find("'*' may only end a pattern"), std::string::npos) << all;
}

TEST(PolicyCompileTest, SyntaxAndShapeErrors) {
  auto e = Errors("rules: [\n  - id: x\n");
  ASSERT_FALSE(e.empty());
  EXPECT_GT(e[0].line, 0);
  EXPECT_FALSE(Errors("just a string").empty());
  EXPECT_FALSE(Errors("rules: {}").empty());
  EXPECT_FALSE(Errors("rules:\n  - id: x\n    effect: permit\n    resources: [a]\n    "
                      "actions: [read]\n")
                   .empty())
      << "no roles or subjects";
  std::string all;
  for (const auto& err : Errors(R"(rules:
  - id: r
    effect: permit
    roles: [a]
    resources: [contacts]
    actions: [read]
    obligations:
      row_filter: principal.sub == owner_id
      redact_class: secret
      max_rows: -1
      audit_level: loud
)")) {
    all += err.ToString() + "\n";
  }
  EXPECT_NE(all.find("left side of a row filter term must be a record field"), std::string::npos)
      << all;
  EXPECT_NE(all.find("redact_class: must be public"), std::string::npos) << all;
  EXPECT_NE(all.find("max_rows: must be >= 0"), std::string::npos) << all;
  EXPECT_NE(all.find("audit_level: must be minimal"), std::string::npos) << all;
  // A key given twice would silently lose one of its values (yaml-cpp reads the first).
  all.clear();
  for (const auto& err : Errors(R"(rules:
  - id: r
    effect: permit
    roles: [a]
    resources: [assistant]
    actions: [ask]
    obligations:
      require_approval: true
    obligations:
      injection: flag
)")) {
    all += err.ToString() + "\n";
  }
  EXPECT_NE(all.find("rules[0].obligations: duplicate key"), std::string::npos) << all;
  EXPECT_FALSE(Errors(R"(rules:
  - id: r
    effect: permit
    roles: [a]
    resources: [contacts]
    actions: [read]
    obligations:
      row_filter: owner_id == principal.sub || region == 'na'
)")
                   .empty())
      << "row filters are conjunctions";
}

TEST(PolicyDecideTest, DenyOverridesFirstPermitDecidesDefaultDenies) {
  auto p = MustCompile(R"(rules:
  - id: wide
    effect: permit
    roles: [agent]
    resources: ["*"]
    actions: [read]
    obligations: {max_rows: 10}
  - id: narrow
    effect: permit
    roles: [agent]
    resources: [contacts]
    actions: [read, list]
    obligations: {max_rows: 99}
  - id: no-knowledge
    effect: deny
    roles: [agent]
    resources: [knowledge]
    actions: ["*"]
    reason: knowledge is closed
  - id: by-subject
    effect: permit
    subjects: [svc:ingest]
    resources: [events]
    actions: [create]
)");
  ASSERT_NE(p, nullptr);
  Decision d = Decide(*p, Who({"agent"}), "read", "contacts");
  EXPECT_TRUE(d.permit);
  EXPECT_EQ(d.rule, "wide") << "first permit in file order";
  EXPECT_EQ(d.obligations->max_rows, 10);
  d = Decide(*p, Who({"agent"}), "list", "contacts");
  EXPECT_EQ(d.rule, "narrow");
  d = Decide(*p, Who({"agent"}), "read", "knowledge");
  EXPECT_FALSE(d.permit);
  EXPECT_EQ(d.rule, "no-knowledge");
  EXPECT_EQ(d.reason, "knowledge is closed");
  EXPECT_EQ(d.obligations, nullptr);
  d = Decide(*p, Who({"marketer"}), "read", "contacts");
  EXPECT_FALSE(d.permit);
  EXPECT_EQ(d.rule, "default-deny");
  EXPECT_NE(d.reason.find("no rule permits read on contacts for roles [marketer]"),
            std::string::npos);
  EXPECT_TRUE(Decide(*p, Who({}, "svc:ingest"), "create", "events").permit);
  EXPECT_FALSE(Decide(*p, Who({}, "svc:other"), "create", "events").permit);
}

TEST(PolicyDecideTest, ConditionsSeeContextAndResource) {
  auto p = MustCompile(R"(rules:
  - id: office-hours
    effect: permit
    roles: ["*"]
    resources: [contacts]
    actions: [read]
    when: context.hour >= 8 && context.hour < 18 && context.weekday <= 5
  - id: own-region
    effect: permit
    roles: ["*"]
    resources: [accounts]
    actions: [read]
    when: resource.region in principal.attr.regions && resource.kind == 'collection'
  - id: templates
    effect: permit
    roles: ["*"]
    resources: ["template:*"]
    actions: [use]
    when: resource.kind == 'template' && action == 'use'
)");
  ASSERT_NE(p, nullptr);
  Principal who = Who({"x"});
  who.attrs["regions"] = {"eu", "na"};
  Context ctx;
  ctx.now_unix_ms = 1'795'510'800'000;  // Tue 2026-12-01 09:00 UTC
  EXPECT_TRUE(Decide(*p, who, "read", "contacts", ctx).permit);
  ctx.now_unix_ms += 10 * 3600 * 1000;  // 19:00
  EXPECT_FALSE(Decide(*p, who, "read", "contacts", ctx).permit);
  ctx.now_unix_ms = 1'795'856'400'000;  // Sat 2026-12-05 09:00 UTC
  EXPECT_FALSE(Decide(*p, who, "read", "contacts", ctx).permit);
  DecisionRequest r;
  r.principal = &who;
  r.context = &ctx;
  r.action = "read";
  r.resource = "accounts";
  EXPECT_FALSE(p->Decide(r).permit) << "region unknown at route level";
  r.attrs.region = "na";
  EXPECT_TRUE(p->Decide(r).permit);
  r.attrs.region = "apac";
  EXPECT_FALSE(p->Decide(r).permit);
  EXPECT_TRUE(Decide(*p, who, "use", "template:welcome", ctx).permit);
  EXPECT_FALSE(Decide(*p, who, "use", "model:x", ctx).permit);
}

TEST(PolicyDecideTest, ShadowRulesAreCountedNeverEnforced) {
  auto p = MustCompile(R"(rules:
  - id: future-deny
    effect: deny
    shadow: true
    roles: ["*"]
    resources: [contacts]
    actions: [read]
  - id: future-permit
    effect: permit
    shadow: true
    roles: ["*"]
    resources: [cases]
    actions: [read]
  - id: allow
    effect: permit
    roles: ["*"]
    resources: [contacts]
    actions: [read]
)");
  ASSERT_NE(p, nullptr);
  Decision d = Decide(*p, Who({"a"}), "read", "contacts");
  EXPECT_TRUE(d.permit);
  EXPECT_EQ(d.shadow, std::vector<std::string>{"future-deny=deny"});
  d = Decide(*p, Who({"a"}), "read", "cases");
  EXPECT_FALSE(d.permit);
  EXPECT_EQ(d.shadow, std::vector<std::string>{"future-permit=permit"});
  EXPECT_EQ(p->ShadowCounts().at("future-deny"), 1);
  EXPECT_EQ(p->ShadowCounts().at("future-permit"), 1);
}

TEST(PolicyDecideTest, ObligationsCompileRowTerms) {
  auto p = MustCompile(R"(defaults:
  audit_level: full
rules:
  - id: r
    effect: permit
    roles: ["*"]
    resources: [contacts]
    actions: [list]
    obligations:
      row_filter: owner_id == principal.sub && region in ['na', 'eu'] && consent.marketing == true
      mask_fields: [email, phone]
      redact_class: confidential
)");
  ASSERT_NE(p, nullptr);
  const Obligations& o = p->rules()[0].obligations;
  ASSERT_EQ(o.row_terms.size(), 3u);
  EXPECT_EQ(o.row_terms[0].field, "owner_id");
  EXPECT_EQ(o.row_terms[1].op, RowTerm::Op::kIn);
  EXPECT_EQ(o.row_terms[2].field, "consent.marketing");
  EXPECT_EQ(o.audit_level, "full") << "from defaults";
  Principal who = Who({"a"}, "adv-9");
  Context ctx;
  auto resolve = Policy::MakeRowResolver(who, ctx);
  EXPECT_EQ(std::get<std::string>(o.row_terms[0].value.Evaluate(resolve).v), "adv-9");
  EXPECT_EQ(std::get<std::vector<std::string>>(o.row_terms[1].value.Evaluate(resolve).v),
            (std::vector<std::string>{"na", "eu"}));
  EXPECT_TRUE(std::get<bool>(o.row_terms[2].value.Evaluate(resolve).v));
  EXPECT_NE(o.ToJson().find("\"mask_fields\":[\"email\",\"phone\"]"), std::string::npos);
}

// The index must decide exactly as a scan of every rule would.
TEST(PolicyDecideTest, IndexAgreesWithBruteForce) {
  std::mt19937 rng(7);
  const std::vector<std::string> actions = {"read", "list", "create", "update", "*"};
  const std::vector<std::string> resources = {"contacts", "cases",   "template:*",
                                              "*",        "model:a", "con*"};
  const std::vector<std::string> roles = {"a", "b", "c", "*"};
  std::string yaml = "rules:\n";
  for (int i = 0; i < 300; ++i) {
    yaml += "  - id: r" + std::to_string(i) +
            "\n    effect: " + (rng() % 4 == 0 ? "deny" : "permit") + "\n    roles: ['" +
            roles[rng() % 4] + "']\n    resources: ['" + resources[rng() % resources.size()] +
            "', '" + resources[rng() % resources.size()] + "']\n    actions: ['" +
            actions[rng() % actions.size()] + "']\n";
    if (rng() % 5 == 0) yaml += "    when: context.risk < " + std::to_string(rng() % 100) + "\n";
  }
  auto p = MustCompile(yaml);
  ASSERT_NE(p, nullptr);
  for (int q = 0; q < 2000; ++q) {
    Principal who = Who({roles[rng() % 3]});
    Context ctx;
    ctx.risk = static_cast<int64_t>(rng() % 100);
    const std::string action = actions[rng() % 4];
    const std::vector<std::string> names = {"contacts", "cases",     "template:x",
                                            "model:a",  "knowledge", "conx"};
    const std::string resource = names[rng() % names.size()];
    DecisionRequest r{&who, &ctx, resource, action, {}};
    // Brute force.
    const Rule* deny = nullptr;
    const Rule* permit = nullptr;
    auto resolve = Policy::MakeResolver(r);
    for (const Rule& rule : p->rules()) {
      bool a = false, res = false, role = false;
      for (const auto& x : rule.actions) a = a || PatternMatches(x, action);
      for (const auto& x : rule.resources) res = res || PatternMatches(x, resource);
      for (const auto& x : rule.roles) role = role || x == "*" || who.HasRole(x);
      if (!(a && res && role) || (rule.when && !rule.when->Test(resolve))) continue;
      if (!rule.permit && deny == nullptr) deny = &rule;
      if (rule.permit && permit == nullptr) permit = &rule;
    }
    const std::string want = deny ? deny->id : permit ? permit->id : "default-deny";
    EXPECT_EQ(p->Decide(r).rule, want) << action << " " << resource;
  }
}

TEST(PolicyCasesTest, DefaultPolicyDecisionTable) {
  const std::string path = test::SourceDir() + "/tests/cases/policy/default_policy.test";
  auto run =
      RunPolicyCases(test::ReadFile(path), nullptr, test::SourceDir() + "/tests/cases/policy");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_GT(run->results.size(), 20u);
  for (const auto& r : run->results) {
    EXPECT_TRUE(r.passed) << "default_policy.test line " << r.line << " (" << r.name
                          << "): " << r.detail;
  }
}

TEST(PolicyCasesTest, MalformedCaseFilesAreErrors) {
  auto p = MustCompile(
      "rules:\n  - {id: r, effect: permit, roles: ['*'], resources: [x], "
      "actions: [read]}\n");
  EXPECT_FALSE(RunPolicyCases("case x\nrequest read x\n", p, "").ok()) << "no expect";
  EXPECT_FALSE(RunPolicyCases("case x\nfrobnicate\n", p, "").ok());
  EXPECT_FALSE(RunPolicyCases("case x\nrequest read x\nexpect maybe r\n", p, "").ok());
  auto run =
      RunPolicyCases("case x\nprincipal sub=a roles=z\nrequest read x\nexpect deny r\n", p, "");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->failed(), 1);
  EXPECT_NE(run->results[0].detail.find("expected deny r, got permit r"), std::string::npos);
}

}  // namespace
}  // namespace crmi::trust
