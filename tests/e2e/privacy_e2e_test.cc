// POST /v1/privacy/scan end to end: the real binary finds personal data with exact byte spans,
// knows the tenant's own contacts by name within moments of their creation (and forgets them
// when deleted), refuses callers the policy does not permit and bad requests with problem+json.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

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

using Clock = std::chrono::steady_clock;

class PrivacyE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir("privacy"));
    server_ = new ServerProcess(*dir_);
    ASSERT_TRUE(server_->Start()) << server_->AppLog();
    admin_ = new std::string(MintToken(*dir_, "root", "bank", "admin"));
    agent_ = new std::string(MintToken(*dir_, "agent-1", "bank", "agent"));
    analyst_ = new std::string(MintToken(*dir_, "analyst-1", "bank", "analyst"));
  }
  static void TearDownTestSuite() {
    if (server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->AppLog();
    }
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete admin_;
    delete agent_;
    delete analyst_;
  }
  static HttpResponse Post(const std::string& target, const std::string& body,
                           const std::string& token) {
    return Fetch(server_->port(), "POST", target, body,
                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
  }
  // "TYPE[start,end)" for each finding, in order.
  static std::string Findings(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("findings")) return "bad: " + body;
    std::string out;
    for (const auto& f : d["findings"].GetArray()) {
      if (!out.empty()) out += ' ';
      out += std::string(f["type"].GetString()) + "[" + std::to_string(f["start"].GetUint()) + "," +
             std::to_string(f["end"].GetUint()) + ")";
      EXPECT_GT(f["confidence"].GetDouble(), 0.0);
      EXPECT_LE(f["confidence"].GetDouble(), 1.0);
    }
    return out;
  }

  static std::string* dir_;
  static ServerProcess* server_;
  static std::string* admin_;
  static std::string* agent_;
  static std::string* analyst_;
};

std::string* PrivacyE2ETest::dir_ = nullptr;
ServerProcess* PrivacyE2ETest::server_ = nullptr;
std::string* PrivacyE2ETest::admin_ = nullptr;
std::string* PrivacyE2ETest::agent_ = nullptr;
std::string* PrivacyE2ETest::analyst_ = nullptr;

TEST_F(PrivacyE2ETest, ScanFindsPersonalDataWithByteSpans) {
  // "é" is two bytes: offsets are bytes, not characters.
  const std::string text =
      "Résumé from zoë@example.com: card 4111 1111 1111 1111, SSN 536-90-4399, "
      "IBAN DE89 3704 0044 0532 0130 00, call +44 20 7946 0958, from 10.1.2.3";
  auto r = Post("/v1/privacy/scan", R"({"text":")" + text + R"("})", *agent_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Findings(r.body),
            "EMAIL[14,30) CARD[37,56) US_SSN[62,73) IBAN[80,107) PHONE[114,130) IP[137,145)");
  EXPECT_EQ(text.substr(14, 16), "zoë@example.com");
  // Filters by type and confidence.
  r = Post("/v1/privacy/scan", R"({"text":")" + text + R"(","types":["CARD","IP"]})", *agent_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Findings(r.body), "CARD[37,56) IP[137,145)");
  r = Post("/v1/privacy/scan", R"({"text":"ref 536904399","min_confidence":0.5})", *agent_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Findings(r.body), "");  // a bare 9-digit number is only a weak SSN candidate
}

TEST_F(PrivacyE2ETest, ContactNamesAreKnownSoonAfterTheyAreWritten) {
  const std::string body = R"({"text":"Spoke to Ingeborg Halvorsen-Quist about her loan."})";
  auto r = Post("/v1/privacy/scan", body, *agent_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Findings(r.body), "");
  auto c =
      Post("/v1/contacts", R"({"first_name":"Ingeborg","last_name":"Halvorsen-Quist"})", *admin_);
  ASSERT_EQ(c.status, 201) << c.body;
  const std::string id = JsonField(c.body, "id");
  std::string found;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    r = Post("/v1/privacy/scan", body, *agent_);
    ASSERT_EQ(r.status, 200) << r.body;
    found = Findings(r.body);
    if (!found.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(found, "PERSON[9,33)");
  // Another tenant does not know this contact.
  const std::string other = MintToken(*dir_, "agent-9", "retail", "agent");
  r = Post("/v1/privacy/scan", body, other);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Findings(r.body), "");
  // Deleted: forgotten.
  auto del = Fetch(server_->port(), "DELETE", "/v1/contacts/" + id, "",
                   {{"Authorization", "Bearer " + *admin_}});
  ASSERT_EQ(del.status, 204) << del.body;
  const auto deadline2 = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline2) {
    r = Post("/v1/privacy/scan", body, *agent_);
    found = Findings(r.body);
    if (found.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(found, "");
}

TEST_F(PrivacyE2ETest, RefusesWhatItMust) {
  auto r = Fetch(server_->port(), "POST", "/v1/privacy/scan", R"({"text":"x"})",
                 {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 401);
  r = Post("/v1/privacy/scan", R"({"text":"a@example.com"})", *analyst_);
  EXPECT_EQ(r.status, 403) << r.body;  // analysts see aggregates only
  for (const char* bad : {R"({"text":5})", R"({})", R"({"text":"x","mode":"all"})",
                          R"({"text":"x","types":["PASSPORT"]})",
                          R"({"text":"x","min_confidence":2})", R"(["text"])", R"({"text":)"}) {
    r = Post("/v1/privacy/scan", bad, *agent_);
    EXPECT_EQ(r.status, 400) << bad << " → " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/problem+json") << bad;
  }
}

TEST_F(PrivacyE2ETest, TokensRoundTripOnlyForThoseAllowedAndEachDetokenisationIsAudited) {
  auto r = Post("/v1/privacy/tokenize",
                R"({"values":[{"type":"CARD","value":"4111 1111 1111 1111"},)"
                R"({"type":"EMAIL","value":"ola.nordmann@example.no"}]})",
                *agent_);
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  ASSERT_TRUE(d.IsObject() && d["tokens"].IsArray() && d["tokens"].Size() == 2) << r.body;
  const std::string card = d["tokens"][0]["token"].GetString();
  const std::string email = d["tokens"][1]["token"].GetString();
  EXPECT_EQ(std::string(d["tokens"][0]["type"].GetString()), "CARD");
  EXPECT_EQ(card.size(), 19u);
  EXPECT_EQ(card.substr(15), "1111");
  EXPECT_NE(card, "4111 1111 1111 1111");
  EXPECT_EQ(email.substr(0, 10), "tok_email_");
  // Deterministic: the same card again gives the same token.
  auto again = Post("/v1/privacy/tokenize",
                    R"({"values":[{"type":"CARD","value":"4111111111111111"}]})", *agent_);
  EXPECT_NE(again.body.find(card), std::string::npos) << again.body;

  // The agent may tokenise but not reveal; the admin may, and it is audited.
  const std::string body = R"({"tokens":[{"type":"CARD","token":")" + card +
                           R"("},{"type":"EMAIL","token":")" + email + R"("}]})";
  EXPECT_EQ(Post("/v1/privacy/detokenize", body, *agent_).status, 403);
  r = Fetch(server_->port(), "POST", "/v1/privacy/detokenize", body,
            {{"Content-Type", "application/json"},
             {"Authorization", "Bearer " + *admin_},
             {"X-Request-Id", "detok-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"values":[{"type":"CARD","value":"4111 1111 1111 1111"},)"
                    R"({"type":"EMAIL","value":"ola.nordmann@example.no"}]})");
  // Unknown token, a token of another type, another tenant's token: 404.
  EXPECT_EQ(Post("/v1/privacy/detokenize", R"({"tokens":["tok_email_0000"]})", *admin_).status,
            404);
  EXPECT_EQ(Post("/v1/privacy/detokenize",
                 R"({"tokens":[{"type":"IBAN","token":")" + email + R"("}]})", *admin_)
                .status,
            404);
  const std::string retail_admin = MintToken(*dir_, "root", "retail", "admin");
  EXPECT_EQ(Post("/v1/privacy/detokenize", body, retail_admin).status, 404);

  const std::string auditor = MintToken(*dir_, "aud-1", "bank", "auditor");
  auto audit = Fetch(server_->port(), "GET", "/v1/audit?limit=1000", "",
                     {{"Authorization", "Bearer " + auditor}});
  ASSERT_EQ(audit.status, 200) << audit.body;
  const size_t at = audit.body.find("\"request_id\":\"detok-1\"");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(audit.body.find(card, at), std::string::npos) << "the revealed tokens are recorded";
  EXPECT_EQ(audit.body.find("ola.nordmann"), std::string::npos) << "never the values";
  EXPECT_EQ(audit.body.find("4111 1111 1111 1111"), std::string::npos);

  // Bad requests.
  for (const char* bad :
       {R"({"values":[]})", R"({"values":[{"type":"PASSPORT","value":"X"}]})",
        R"({"values":[{"type":"CARD","value":"12"}]})", R"({"values":[{"type":"EMAIL"}]})",
        R"({"values":[{"type":"EMAIL","value":"a@b.c"}],"mode":"fast"})", R"({})"}) {
    r = Post("/v1/privacy/tokenize", bad, *agent_);
    EXPECT_EQ(r.status, 400) << bad << " → " << r.body;
  }
  EXPECT_EQ(Post("/v1/privacy/detokenize", R"({"tokens":[5]})", *admin_).status, 400);
}

// A remote embeddings endpoint (a local stub speaking the OpenAI API) receives passages and queries
// with every personal value replaced by its type — including the name of a contact created a
// moment before the activity that mentions it — and never the values themselves.
TEST(EmbeddingsRedactionE2ETest, PersonalValuesNeverReachTheEmbeddingsEndpoint) {
  std::mutex mu;
  std::string received;  // every input text the endpoint was sent
  StubHttpServer stub([&](const StubRequest& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    if (r.target != "/v1/embeddings" || d.HasParseError() || !d.IsObject() ||
        !d.HasMember("input") || !d["input"].IsArray()) {
      return StubResponse{400, "application/json", {}, R"({"error":{"message":"bad"}})"};
    }
    std::string data;
    for (rapidjson::SizeType i = 0; i < d["input"].Size(); ++i) {
      const std::string text = d["input"][i].GetString();
      {
        std::lock_guard lock(mu);
        received += text + "\n";
      }
      const uint64_t h = std::hash<std::string>()(text);
      std::string v;
      for (int j = 0; j < 8; ++j) v += (j ? "," : "") + std::to_string((h >> (j * 7)) % 97 + 1);
      data += std::string(data.empty() ? "" : ",") + R"({"index":)" + std::to_string(i) +
              R"(,"embedding":[)" + v + "]}";
    }
    return StubResponse{200, "application/json", {}, R"({"data":[)" + data + "]}"};
  });
  const std::string dir = TempDir("redact-embeddings");
  {
    std::ofstream cfg(dir + "/crmi.toml");
    cfg << "[retrieval]\nembedder = \"openai\"\n[retrieval.openai]\nbase_url = \"" << stub.url()
        << "/v1\"\nmodel = \"emb\"\ndim = 8\n";
  }
  ServerProcess server(dir, {"--config", dir + "/crmi.toml"});
  ASSERT_TRUE(server.Start()) << server.AppLog();
  const std::string admin = MintToken(dir, "root", "bank", "admin");
  auto post = [&](const std::string& target, const std::string& body) {
    return Fetch(server.port(), "POST", target, body,
                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin}});
  };
  auto c =
      post("/v1/contacts",
           R"({"first_name":"Zebediah","last_name":"Quillfeather","email":"zeb.q@example.org",)"
           R"("phone":"+44 20 7946 0123","title":"treasurer"})");
  ASSERT_EQ(c.status, 201) << c.body;
  // At once: the activity is indexed within milliseconds, before any debounce would have passed.
  auto a = post("/v1/activities",
                R"({"parent_type":"contacts","parent_id":")" + JsonField(c.body, "id") +
                    R"(","channel":"call","occurred_at":"2026-11-20T10:00:00Z","body":)"
                    R"("Zebediah Quillfeather phoned about a frobnication fee on card )"
                    R"(4111 1111 1111 1111; reply to zeb.q@example.org or +44 20 7946 0123."})");
  ASSERT_EQ(a.status, 201) << a.body;
  // Searchable (and so embedded) soon; vector mode proves the query went out too.
  HttpResponse r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    r = post("/v1/search",
             R"({"query":"frobnication fee for zeb.q@example.org","mode":"vector","k":20})");
    if (r.status == 200 && r.body.find(JsonField(a.body, "id")) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_NE(r.body.find(JsonField(a.body, "id")), std::string::npos) << r.body;
  {
    std::lock_guard lock(mu);
    EXPECT_NE(received.find("<PERSON> phoned about a frobnication fee on card <CARD>; reply to "
                            "<EMAIL> or <PHONE>."),
              std::string::npos)
        << received;
    EXPECT_NE(received.find("frobnication fee for <EMAIL>"), std::string::npos) << received;
    for (const char* value : {"Zebediah", "Quillfeather", "zeb.q", "4111", "7946"}) {
      EXPECT_EQ(received.find(value), std::string::npos) << value << " reached the endpoint";
    }
  }
  auto m = Fetch(server.port(), "GET", "/metrics", "", {{"Authorization", "Bearer " + admin}});
  EXPECT_NE(m.body.find(R"(crmi_privacy_redactions_total{endpoint="embeddings"})"),
            std::string::npos);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.AppLog();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::test
