// POST /v1/search end to end: the real binary indexes what is written through the API, answers
// with the documented shape, scopes every search by the caller's policy, refreshes within a
// second of a write, and refuses bad requests with problem+json.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "tests/e2e/auth_util.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/test_util.h"

namespace crmi::test {
namespace {

using Clock = std::chrono::steady_clock;

class SearchE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir("search"));
    server_ = new ServerProcess(*dir_);
    ASSERT_TRUE(server_->Start()) << server_->AppLog();
    admin_ = new std::string(MintToken(*dir_, "root", "bank", "admin"));
    mine_ = new std::set<std::string>();
    const char* topics[] = {"refund of a damaged parcel", "mortgage renewal options",
                            "password reset steps", "card declined abroad",
                            "delivery delays in winter"};
    for (int i = 0; i < 40; ++i) {
      std::string body;
      for (int j = 0; j < 8; ++j) {
        body += std::string("This article explains ") + topics[i % 5] + " for our customers. ";
      }
      auto r = Post("/v1/knowledge",
                    R"({"title":"Guide )" + std::to_string(i) + ": " + topics[i % 5] +
                        R"(","body":")" + body + "\"}",
                    *admin_);
      ASSERT_EQ(r.status, 201) << r.body;
    }
    for (int i = 0; i < 12; ++i) {
      const std::string owner = i % 3 == 0 ? "adv-1" : "adv-2";
      auto r = Post("/v1/cases",
                    R"({"subject":"Lost card","description":"the customer lost a travel card )"
                    R"(in Lisbon","owner_id":")" +
                        owner + R"(","region":"eu"})",
                    *admin_);
      ASSERT_EQ(r.status, 201) << r.body;
      if (owner == "adv-1") mine_->insert(JsonField(r.body, "id"));
    }
    // The corpus is now large enough: the built-in model is trained and the index built in the
    // background. Wait until hybrid search runs with it.
    const auto deadline = Clock::now() + std::chrono::seconds(90);
    while (Clock::now() < deadline) {
      auto r = Post("/v1/search", R"({"query":"refund","k":1})", *admin_);
      if (r.status == 200 && JsonField(r.body, "embedder").find("crmi-builtin@") == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  static void TearDownTestSuite() {
    if (server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->AppLog();
    }
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete admin_;
    delete mine_;
  }
  static HttpResponse Post(const std::string& target, const std::string& body,
                           const std::string& token, const std::string& type = "application/json") {
    return Fetch(server_->port(), "POST", target, body,
                 {{"Content-Type", type}, {"Authorization", "Bearer " + token}});
  }
  static rapidjson::Document Json(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    return d;
  }

  static std::string* dir_;
  static ServerProcess* server_;
  static std::string* admin_;
  static std::set<std::string>* mine_;
};

std::string* SearchE2ETest::dir_ = nullptr;
ServerProcess* SearchE2ETest::server_ = nullptr;
std::string* SearchE2ETest::admin_ = nullptr;
std::set<std::string>* SearchE2ETest::mine_ = nullptr;

TEST_F(SearchE2ETest, HybridSearchAnswersWithTheDocumentedShape) {
  auto r = Post("/v1/search", R"({"query":"mortgage renewal","k":5})", *admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  auto d = Json(r.body);
  ASSERT_TRUE(d.IsObject()) << r.body;
  EXPECT_EQ(std::string(d["mode"].GetString()), "hybrid");
  EXPECT_TRUE(d["took_ms"].IsNumber());
  ASSERT_TRUE(d["hits"].IsArray());
  ASSERT_EQ(d["hits"].Size(), 5u);
  for (const auto& h : d["hits"].GetArray()) {
    EXPECT_TRUE(h["id"].IsString());
    EXPECT_EQ(std::string(h["source"]["collection"].GetString()), "knowledge");
    EXPECT_TRUE(h["source"]["id"].IsString());
    EXPECT_EQ(std::string(h["source"]["field"].GetString()), "body");
    EXPECT_TRUE(h["score"].IsNumber());
    EXPECT_TRUE(h["scores"]["vector"].IsNumber());
    EXPECT_TRUE(h["scores"]["lexical"].IsNumber());
    EXPECT_NE(std::string(h["title"].GetString()).find("mortgage renewal"), std::string::npos);
    EXPECT_NE(std::string(h["snippet"].GetString()).find("mortgage"), std::string::npos);
  }
  for (const char* mode : {"vector", "lexical"}) {
    r = Post("/v1/search", std::string(R"({"query":"password reset","mode":")") + mode + "\"}",
             *admin_);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(JsonField(r.body, "title").find("password"), std::string::npos) << mode;
  }
  r = Post(
      "/v1/search",
      R"({"query":"refund","k":3,"mmr":true,"fusion":"rrf","filters":{"collection":"knowledge","from":"2000-01-01T00:00:00Z"}})",
      *admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r.body)["hits"].Size(), 3u);
}

TEST_F(SearchE2ETest, BadRequestsAreProblemJson) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"query":"x","k":0})", "k must be between 1 and 1000"},
      {R"({"query":"x","k":100000})", "k must be between 1 and 1000"},
      {R"({"query":"x","k":"5"})", "k must be an integer"},
      {R"({"query":"x","filters":{"colour":"red"}})", "unknown filter field 'colour'"},
      {R"({"query":"x","filters":{"from":"yesterday"}})", "RFC 3339"},
      {R"({"query":"x","filters":{"contact_id":[1]}})", "filters.contact_id must be"},
      {R"({"query":""})", "query is required"},
      {R"({"k":3})", "query is required"},
      {R"({"query":"x","mode":"semantic"})", "mode must be one of"},
      {R"({"query":"x","limit":3})", "unknown member 'limit'"},
      {R"({"query":"x")", "malformed JSON"},
      {R"(["x"])", "must be a JSON object"},
  };
  for (const auto& [body, detail] : cases) {
    auto r = Post("/v1/search", body, *admin_);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json") << body;
    EXPECT_NE(JsonField(r.body, "detail").find(detail), std::string::npos)
        << body << " -> " << r.body;
  }
  auto r = Post("/v1/search", "query=x", *admin_, "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 415) << r.body;
  r = Fetch(server_->port(), "POST", "/v1/search", R"({"query":"x"})",
            {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 401) << r.body;
}

TEST_F(SearchE2ETest, EverySearchIsScopedByTheCallersPolicy) {
  // An advisor sees the cases of its own book, all of them, and nothing else's.
  const std::string adv = MintToken(*dir_, "adv-1", "bank", "advisor");
  auto r = Post("/v1/search", R"({"query":"lost travel card Lisbon","k":100})", adv);
  ASSERT_EQ(r.status, 200) << r.body;
  std::set<std::string> cases;
  auto hits = Json(r.body);  // the document must outlive the loop over its array
  for (const auto& h : hits["hits"].GetArray()) {
    if (std::string(h["source"]["collection"].GetString()) == "cases") {
      cases.insert(h["source"]["id"].GetString());
    }
  }
  EXPECT_EQ(cases, *mine_);
  // From an unmanaged device the advisor's book is closed: only the knowledge base remains.
  const std::string byod = MintToken(*dir_, "adv-1", "bank", "advisor", {"--posture", "unmanaged"});
  r = Post("/v1/search", R"({"query":"lost travel card Lisbon","k":100})", byod);
  ASSERT_EQ(r.status, 200) << r.body;
  auto byod_hits = Json(r.body);
  for (const auto& h : byod_hits["hits"].GetArray()) {
    EXPECT_EQ(std::string(h["source"]["collection"].GetString()), "knowledge");
  }
  // Naming a collection one may not search is refused, not silently emptied.
  const std::string marketer = MintToken(*dir_, "m-1", "bank", "marketer");
  r = Post("/v1/search", R"({"query":"card","filters":{"collection":"cases"}})", marketer);
  EXPECT_EQ(r.status, 403) << r.body;
  // Another tenant's admin sees nothing of this tenant.
  const std::string other = MintToken(*dir_, "root", "shop", "admin");
  r = Post("/v1/search", R"({"query":"lost travel card Lisbon","k":100})", other);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r.body)["hits"].Size(), 0u);
  // Roles without a search permission are refused at the route.
  const std::string auditor = MintToken(*dir_, "aud", "bank", "auditor");
  r = Post("/v1/search", R"({"query":"card"})", auditor);
  EXPECT_EQ(r.status, 403) << r.body;
}

TEST_F(SearchE2ETest, AWriteIsSearchableWithinASecond) {
  auto created =
      Post("/v1/cases",
           R"({"subject":"Printer","description":"nothing special","owner_id":"adv-1"})", *admin_);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = JsonField(created.body, "id");
  auto find = [&](const std::string& word) {
    auto r = Post("/v1/search", R"({"query":")" + word + R"(","mode":"lexical"})", *admin_);
    return r.status == 200 && r.body.find(id) != std::string::npos;
  };
  auto patched = Fetch(
      server_->port(), "PATCH", "/v1/cases/" + id,
      R"({"description":"the xylophonist called twice"})",
      {{"Content-Type", "application/merge-patch+json"}, {"Authorization", "Bearer " + *admin_}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  const auto start = Clock::now();
  while (!find("xylophonist") && Clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto lag = Clock::now() - start;
  EXPECT_TRUE(find("xylophonist"));
  EXPECT_LT(lag, std::chrono::seconds(1));
  EXPECT_FALSE(find("special"));  // the old text is gone
  auto deleted = Fetch(server_->port(), "DELETE", "/v1/cases/" + id, "",
                       {{"Authorization", "Bearer " + *admin_}});
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  const auto del_start = Clock::now();
  while (find("xylophonist") && Clock::now() - del_start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(find("xylophonist"));
  EXPECT_LT(Clock::now() - del_start, std::chrono::seconds(1));

  auto metrics =
      Fetch(server_->port(), "GET", "/metrics", "", {{"Authorization", "Bearer " + *admin_}});
  EXPECT_NE(metrics.body.find("crmi_retrieval_freshness_lag_seconds_count"), std::string::npos);
  EXPECT_NE(metrics.body.find("crmi_retrieval_queue_depth"), std::string::npos);
  EXPECT_NE(metrics.body.find("crmi_retrieval_embeddings_total{result=\"computed\"}"),
            std::string::npos);
}

TEST_F(SearchE2ETest, FeedbackAndAdministration) {
  auto r = Post("/v1/search", R"({"query":"card declined abroad","k":1})", *admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string hit = JsonField(r.body, "id");
  auto fb =
      Post("/v1/feedback", R"({"hit_id":")" + hit + R"(","label":"used","query":"card"})", *admin_);
  EXPECT_EQ(fb.status, 201) << fb.body;
  fb = Post("/v1/feedback", R"({"hit_id":")" + hit + R"(","label":"great"})", *admin_);
  EXPECT_EQ(fb.status, 400) << fb.body;
  fb = Post("/v1/feedback", R"({"hit_id":"kno_nope:body:0","label":"used"})", *admin_);
  EXPECT_EQ(fb.status, 404) << fb.body;
  // Another tenant cannot even learn that the hit exists.
  const std::string other = MintToken(*dir_, "root", "shop", "admin");
  fb = Post("/v1/feedback", R"({"hit_id":")" + hit + R"(","label":"used"})", other);
  EXPECT_EQ(fb.status, 404) << fb.body;

  auto st = Fetch(server_->port(), "GET", "/v1/admin/retrieval", "",
                  {{"Authorization", "Bearer " + *admin_}});
  ASSERT_EQ(st.status, 200) << st.body;
  EXPECT_EQ(JsonField(st.body, "ready"), "true");
  EXPECT_EQ(JsonField(st.body, "embedder").rfind("crmi-builtin@", 0), 0u) << st.body;
  const std::string adv = MintToken(*dir_, "adv-1", "bank", "advisor");
  st = Fetch(server_->port(), "GET", "/v1/admin/retrieval", "",
             {{"Authorization", "Bearer " + adv}});
  EXPECT_EQ(st.status, 403) << st.body;
  auto re = Post("/v1/admin/retrieval:reindex", "", *admin_);
  EXPECT_EQ(re.status, 202) << re.body;
  // Searches keep being answered while the new index is built.
  for (int i = 0; i < 20; ++i) {
    auto s = Post("/v1/search", R"({"query":"refund","k":3})", *admin_);
    ASSERT_EQ(s.status, 200) << s.body;
  }
}

TEST_F(SearchE2ETest, RestartReopensTheIndexAndAKillLosesNothing) {
  auto status = [&] {
    return Fetch(server_->port(), "GET", "/v1/admin/retrieval", "",
                 {{"Authorization", "Bearer " + *admin_}});
  };
  // A re-index started by an earlier test finishes first (stopping would cancel it, and the next
  // start would then retrain rather than reopen).
  const auto settle = Clock::now() + std::chrono::seconds(120);
  while (JsonField(status().body, "reindexing") != "false" && Clock::now() < settle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto create = [&](const std::string& word) {
    auto r = Post(
        "/v1/cases",
        R"({"subject":"Outback","description":"a )" + word + R"( was seen","owner_id":"adv-1"})",
        *admin_);
    EXPECT_EQ(r.status, 201) << r.body;
    return JsonField(r.body, "id");
  };
  // Polls until the search answers (503 while the index opens) and returns whether it found id.
  auto found = [&](const std::string& word, const std::string& id) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
      auto r = Post("/v1/search", R"({"query":")" + word + R"(","mode":"lexical"})", *admin_);
      if (r.status == 200 && r.body.find(id) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  const std::string kangaroo = create("kangaroo");
  ASSERT_TRUE(found("kangaroo", kangaroo));

  // A clean stop saves the index; the next start reopens it instead of rebuilding.
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->AppLog();
  ASSERT_TRUE(server_->Start()) << server_->AppLog();
  EXPECT_TRUE(found("kangaroo", kangaroo));
  auto st = status();
  EXPECT_EQ(JsonField(st.body, "reopened"), "true") << st.body;
  EXPECT_EQ(JsonField(st.body, "embedder").rfind("crmi-builtin@", 0), 0u) << st.body;

  // Killed right after a write and a delete: the snapshot predates both, the store has them,
  // and the next start reconciles the two.
  const std::string wallaby = create("wallaby");
  ASSERT_TRUE(found("wallaby", wallaby));
  auto deleted = Fetch(server_->port(), "DELETE", "/v1/cases/" + kangaroo, "",
                       {{"Authorization", "Bearer " + *admin_}});
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(server_->Stop(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(server_->Start()) << server_->AppLog();
  EXPECT_TRUE(found("wallaby", wallaby));
  auto r = Post("/v1/search", R"({"query":"kangaroo","mode":"lexical"})", *admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(kangaroo), std::string::npos) << r.body;
  EXPECT_EQ(JsonField(status().body, "reopened"), "true");
}

}  // namespace
}  // namespace crmi::test
