// Decisioning end to end, through the real binary and its default policy: consent.profiling
// keeps a contact out of scoring (one, many, recommendations); consent.marketing keeps marketing
// actions from being created, imported or delivered — including an action queued before the
// contact withdrew — while service actions flow; queued actions reach a real webhook through the
// contact's preferred channel, and every delivery is counted and audited.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "tests/e2e/auth_util.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/stub_http_server.h"
#include "tests/test_util.h"

namespace crmi::test {
namespace {

TEST(DecisioningE2ETest, ConsentExcludesContactsFromScoringAndMarketing) {
  std::mutex mu;
  std::vector<StubRequest> hooks;
  bool failing = false;               // the receiving system is down
  std::vector<std::string> accepted;  // bodies answered 2xx
  StubHttpServer webhook([&](const StubRequest& r) {
    std::lock_guard lock(mu);
    hooks.push_back(r);
    StubResponse resp;
    if (failing) {
      resp.status = 503;
    } else {
      accepted.push_back(r.body);
    }
    resp.body = "{}";
    return resp;
  });
  const std::string dir = TempDir("decisioning-e2e");
  {
    std::ofstream cfg(dir + "/crmi.toml");
    cfg << "[actions]\nwebhook_url = \"" << webhook.url()
        << "/crm-flow\"\ninterval_ms = 50\nmax_attempts = 3\n";
  }
  ServerProcess server(dir, {"--config", dir + "/crmi.toml"});
  ASSERT_TRUE(server.Start()) << server.AppLog();
  const std::string admin = MintToken(dir, "root", "bank", "admin");
  const std::string marketer = MintToken(dir, "mkt-1", "bank", "marketer");
  const std::string advisor = MintToken(dir, "adv-1", "bank", "advisor");
  auto call = [&](const std::string& method, const std::string& target, const std::string& token,
                  const std::string& body = "", const std::string& type = "application/json") {
    std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + token}};
    if (!body.empty()) h.emplace_back("Content-Type", type);
    return Fetch(server.port(), method, target, body, h);
  };
  auto contact = [&](const std::string& id, bool marketing, bool profiling) {
    auto r = call("POST", "/v1/contacts", admin,
                  R"({"id":")" + id +
                      R"(","last_name":"Lindqvist","owner_id":"adv-1",)"
                      R"("preferred_channel":"sms","consent":{"marketing":)" +
                      (marketing ? "true" : "false") + R"(,"profiling":)" +
                      (profiling ? "true" : "false") + "}}");
    ASSERT_EQ(r.status, 201) << r.body;
    r = call("POST", "/v1/activities", admin,
             R"({"parent_type":"contacts","parent_id":")" + id +
                 R"(","channel":"call","direction":"inbound","occurred_at":"2026-11-20T10:00:00Z",)"
                 R"("body":"Unhappy about fees; asked how to transfer out to a competitor."})");
    ASSERT_EQ(r.status, 201) << r.body;
    r = call("POST", "/v1/cases", admin,
             R"({"subject":"Fee complaint","status":"escalated","priority":"high",)"
             R"("contact_id":")" +
                 id + R"(","owner_id":"adv-1"})");
    ASSERT_EQ(r.status, 201) << r.body;
  };
  contact("con_all", true, true);
  contact("con_noprof", true, false);
  contact("con_nomkt", false, true);

  // Scoring: consent.profiling or nothing.
  auto s = call("GET", "/v1/customers/con_all/scores", advisor);
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_NE(s.body.find("\"churn\":{\"score\":"), std::string::npos) << s.body;
  EXPECT_NE(s.body.find("exit_signals_90d"), std::string::npos) << s.body;
  EXPECT_EQ(s.body.find("Unhappy"), std::string::npos) << "reasons name features, not content";
  s = call("GET", "/v1/customers/con_noprof/scores", advisor);
  EXPECT_EQ(s.status, 403) << s.body;
  EXPECT_NE(s.body.find("urn:crmi:problem:consent-required"), std::string::npos) << s.body;
  EXPECT_NE(s.body.find("consent.profiling"), std::string::npos) << s.body;
  s = call("POST", "/v1/customers:score", advisor,
           R"({"contact_ids":["con_all","con_noprof","con_nomkt","con_nobody"]})");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_NE(s.body.find(R"("excluded":["con_noprof"])"), std::string::npos) << s.body;
  EXPECT_NE(s.body.find(R"("not_found":["con_nobody"])"), std::string::npos) << s.body;
  EXPECT_EQ(s.body.find(R"("contact_id":"con_noprof","scores")"), std::string::npos) << s.body;
  EXPECT_EQ(call("POST", "/v1/customers:score", advisor, R"({"ids":[]})").status, 400);

  // Recommendations: no profile without profiling consent, no marketing without marketing
  // consent; the escalated case is answered either way.
  auto n = call("GET", "/v1/customers/con_noprof/next-best-actions", advisor);
  ASSERT_EQ(n.status, 200) << n.body;
  EXPECT_NE(n.body.find(R"("scores":null)"), std::string::npos) << n.body;
  EXPECT_NE(n.body.find(R"({"what":"scoring","why":"consent.profiling"})"), std::string::npos);
  EXPECT_EQ(n.body.find(R"("purpose":"marketing")"), std::string::npos) << n.body;
  EXPECT_NE(n.body.find(R"("purpose":"service")"), std::string::npos) << n.body;
  n = call("GET", "/v1/customers/con_nomkt/next-best-actions", advisor);
  ASSERT_EQ(n.status, 200) << n.body;
  EXPECT_NE(n.body.find(R"({"what":"marketing","why":"consent.marketing"})"), std::string::npos)
      << n.body;
  EXPECT_EQ(n.body.find(R"("purpose":"marketing")"), std::string::npos) << n.body;
  n = call("GET", "/v1/customers/con_all/next-best-actions", advisor);
  ASSERT_EQ(n.status, 200) << n.body;
  EXPECT_NE(n.body.find(R"("purpose":"marketing")"), std::string::npos) << n.body;
  // Marketers do not even see contacts without marketing consent.
  EXPECT_EQ(call("GET", "/v1/customers/con_nomkt/next-best-actions", marketer).status, 404);

  // Marketing actions: refused without consent, nothing written; service actions flow.
  auto a = call("POST", "/v1/actions", marketer,
                R"({"contact_id":"con_nomkt","kind":"offer","purpose":"marketing"})");
  EXPECT_EQ(a.status, 403) << a.body;
  EXPECT_NE(a.body.find("urn:crmi:problem:consent-required"), std::string::npos) << a.body;
  auto listed = call("GET", "/v1/actions?contact_id=con_nomkt", admin);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find("nba_"), std::string::npos) << listed.body;
  auto imported =
      call("POST", "/v1/actions:import", admin,
           R"({"contact_id":"con_nomkt","kind":"offer","purpose":"marketing"})"
           "\n"
           R"({"contact_id":"con_nomkt","kind":"call","purpose":"service","owner_id":"adv-1"})"
           "\n",
           "application/x-ndjson");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(JsonField(imported.body, "created"), "1") << imported.body;
  EXPECT_EQ(JsonField(imported.body, "failed"), "1") << imported.body;
  EXPECT_NE(imported.body.find("consent required"), std::string::npos) << imported.body;

  // A consented marketing action is delivered to the webhook through the contact's channel.
  auto status_of = [&](const std::string& id) {
    return JsonField(call("GET", "/v1/actions/" + id, admin).body, "status");
  };
  auto wait_for = [&](const std::string& id, const std::string& want) {
    for (int i = 0; i < 200 && status_of(id) != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return status_of(id);
  };
  a = call("POST", "/v1/actions", marketer,
           R"({"contact_id":"con_all","kind":"offer","purpose":"marketing",)"
           R"("message":"A fee review, just for you"})");
  ASSERT_EQ(a.status, 201) << a.body;
  const std::string sent_id = JsonField(a.body, "id");
  EXPECT_EQ(wait_for(sent_id, "sent"), "sent");
  auto sent = call("GET", "/v1/actions/" + sent_id, admin);
  EXPECT_EQ(JsonField(sent.body, "channel"), "sms") << sent.body;
  {
    std::lock_guard lock(mu);
    ASSERT_GE(hooks.size(), 1u);
    EXPECT_EQ(hooks.back().target, "/crm-flow");
    EXPECT_EQ(hooks.back().headers["idempotency-key"], "bank/" + sent_id);
    EXPECT_NE(hooks.back().body.find(R"("contact_id":"con_all")"), std::string::npos);
    EXPECT_EQ(hooks.back().body.find("Lindqvist"), std::string::npos) << "ids, not people";
  }

  // Queued, the receiver is down, consent is withdrawn meanwhile: it must never be sent, even
  // once the receiver is back. (Back-offs of 1-2 s, then 2-4 s, leave ample time to withdraw
  // before max_attempts.)
  {
    std::lock_guard lock(mu);
    failing = true;
  }
  a = call("POST", "/v1/actions", admin,
           R"({"contact_id":"con_all","kind":"loyalty","purpose":"marketing"})");
  ASSERT_EQ(a.status, 201) << a.body;
  const std::string withdrawn_id = JsonField(a.body, "id");
  for (int i = 0; i < 200 && JsonField(call("GET", "/v1/actions/" + withdrawn_id, admin).body,
                                       "attempts") != "1";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(call("PATCH", "/v1/contacts/con_all", admin, R"({"consent":{"marketing":false}})",
                 "application/merge-patch+json")
                .status,
            200);
  {
    std::lock_guard lock(mu);
    failing = false;
  }
  EXPECT_EQ(wait_for(withdrawn_id, "suppressed"), "suppressed");
  auto suppressed = call("GET", "/v1/actions/" + withdrawn_id, admin);
  EXPECT_NE(suppressed.body.find("consent.marketing withdrawn"), std::string::npos)
      << suppressed.body;
  EXPECT_EQ(suppressed.body.find("sent_at"), std::string::npos) << suppressed.body;
  {
    std::lock_guard lock(mu);
    int attempts = 0;
    for (const auto& h : hooks) attempts += h.body.find(withdrawn_id) != std::string::npos;
    EXPECT_GE(attempts, 1);  // it was tried while the receiver was down...
    for (const auto& b : accepted) {
      EXPECT_EQ(b.find(withdrawn_id), std::string::npos) << "...and never handed over";
    }
  }

  // Counted and audited.
  auto metrics = call("GET", "/metrics", admin);
  EXPECT_NE(metrics.body.find("crmi_actions_total{result=\"suppressed\"} 1"), std::string::npos)
      << metrics.body.substr(0, 200);
  EXPECT_EQ(metrics.body.find("crmi_actions_total{result=\"retried\"} 0"), std::string::npos);
  const std::string auditor = MintToken(dir, "aud-1", "bank", "auditor");
  auto audit = call("GET", "/v1/audit?limit=1000", auditor);
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("crmi:dispatcher"), std::string::npos);
  EXPECT_NE(audit.body.find(withdrawn_id), std::string::npos);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::test
