#include "src/crm/record_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "src/crm/customer360.h"
#include "tests/test_util.h"

namespace crmi::crm {
namespace {

class RecordServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("svc");
    store_ = test::OpenTestStore(dir_);
    svc_ = std::make_unique<RecordService>(store_.get(), &Schema::Default(), &clock_);
  }
  void TearDown() override {
    ASSERT_TRUE(store_->Close().ok());
    std::filesystem::remove_all(dir_);
  }
  const Collection& C(const char* name) { return *Schema::Default().Find(name); }

  store::StoredRecord MustCreate(const char* collection, const std::string& body,
                                 const char* tenant = "t1") {
    auto r = svc_->Create(C(collection), tenant, body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : store::StoredRecord{};
  }

  FakeClock clock_;
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RecordService> svc_;
};

TEST_F(RecordServiceTest, CreateAssignsIdsAndTimestamps) {
  auto r = MustCreate("contacts", R"({"last_name":"Ng"})");
  EXPECT_EQ(r.id.substr(0, 4), "con_");
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.created_at, "2026-01-01T00:00:00.000Z");
  auto again = svc_->Create(C("contacts"), "t1", R"({"id":")" + r.id + R"(","last_name":"X"})");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  // Tenants are isolated: the same id is free elsewhere and invisible across.
  EXPECT_TRUE(
      svc_->Create(C("contacts"), "t2", R"({"id":")" + r.id + R"(","last_name":"X"})").ok());
  EXPECT_EQ(svc_->Get(C("contacts"), "t3", r.id).status().code(), StatusCode::kNotFound);
}

TEST_F(RecordServiceTest, PatchWithIfMatch) {
  auto r = MustCreate("contacts", R"({"id":"c1","last_name":"Ng"})");
  clock_.Advance(std::chrono::seconds(5));
  const std::string etag = ETag(r);
  auto p = svc_->Patch(C("contacts"), "t1", "c1", R"({"first_name":"Al"})", etag);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->version, 2);
  EXPECT_EQ(p->updated_at, "2026-01-01T00:00:05.000Z");
  EXPECT_EQ(p->created_at, "2026-01-01T00:00:00.000Z");
  // The old ETag no longer matches.
  auto stale = svc_->Patch(C("contacts"), "t1", "c1", R"({"first_name":"Bo"})", etag);
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(svc_->Patch(C("contacts"), "t1", "c1", R"({"title":"CFO"})", "*").ok());
  EXPECT_EQ(svc_->Patch(C("contacts"), "t1", "c1", R"({"title":"CEO"})", "\"9-9\", \"1-2\"")
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  auto cur = svc_->Get(C("contacts"), "t1", "c1");
  ASSERT_TRUE(cur.ok());
  EXPECT_TRUE(
      svc_->Patch(C("contacts"), "t1", "c1", R"({"title":"CEO"})", "\"9-9\", " + ETag(cur.value()))
          .ok());
  EXPECT_EQ(svc_->Patch(C("contacts"), "t1", "nope", "{}", std::nullopt).status().code(),
            StatusCode::kNotFound);
  // A failed validation changes nothing.
  EXPECT_EQ(
      svc_->Patch(C("contacts"), "t1", "c1", R"({"email":"x"})", std::nullopt).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(svc_->Get(C("contacts"), "t1", "c1")->version, 4);
}

TEST_F(RecordServiceTest, ConcurrentPatchesAllLand) {
  MustCreate("contacts", R"({"id":"c1","last_name":"Ng"})");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string patch =
            "{\"custom\":{\"k" + std::to_string(t) + "_" + std::to_string(i) + "\":true}}";
        auto r = svc_->Patch(C("contacts"), "t1", "c1", patch, std::nullopt);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  auto r = svc_->Get(C("contacts"), "t1", "c1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version, 81);
  for (int t = 0; t < 4; ++t) {
    EXPECT_NE(r->doc.find("\"k" + std::to_string(t) + "_19\":true"), std::string::npos);
  }
}

TEST_F(RecordServiceTest, DeleteWithAndWithoutPrecondition) {
  auto r = MustCreate("cases", R"({"id":"k1","subject":"Broken"})");
  EXPECT_EQ(svc_->Delete(C("cases"), "t1", "k1", "\"1-7\"").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(svc_->Delete(C("cases"), "t1", "k1", ETag(r)).ok());
  EXPECT_EQ(svc_->Delete(C("cases"), "t1", "k1", std::nullopt).code(), StatusCode::kNotFound);
  EXPECT_EQ(svc_->Delete(C("cases"), "t1", "bad id", std::nullopt).code(), StatusCode::kNotFound);
}

TEST_F(RecordServiceTest, PaginationIsStableUnderConcurrentInserts) {
  for (int i = 0; i < 200; ++i) {
    MustCreate("leads", "{\"id\":\"l" + std::to_string(i) + "\",\"last_name\":\"L\"}");
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 300 && !stop; ++i) {
      svc_->Create(C("leads"), "t1", "{\"id\":\"n" + std::to_string(i) + "\",\"last_name\":\"N\"}")
          .status()
          .ok();
    }
  });
  std::vector<std::string> seen;
  ListRequest req;
  req.limit = 7;
  while (true) {
    auto page = svc_->List(C("leads"), "t1", req);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& r : page->items) seen.push_back(r.id);
    if (page->next_cursor.empty()) break;
    req.cursor = page->next_cursor;
  }
  stop = true;
  writer.join();
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a record was returned twice";
  for (int i = 0; i < 200; ++i) {
    EXPECT_TRUE(unique.count("l" + std::to_string(i))) << "lost l" << i;
  }
  // Pre-existing records come first, in insertion order.
  for (int i = 0; i < 200; ++i) EXPECT_EQ(seen[i], "l" + std::to_string(i));
}

TEST_F(RecordServiceTest, ListFiltersAndValidation) {
  MustCreate("opportunities", R"({"name":"A","stage":"proposal","amount":10})");
  MustCreate("opportunities", R"({"name":"B","stage":"closed_won","amount":20})");
  MustCreate("opportunities",
             R"({"name":"C","stage":"proposal","amount":30,"custom":{"vip":true}})");
  ListRequest req;
  req.filters = {{"stage", "proposal"}};
  auto page = svc_->List(C("opportunities"), "t1", req);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 2u);
  req.filters = {{"stage", "proposal"}, {"custom.vip", "true"}};
  page = svc_->List(C("opportunities"), "t1", req);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  req.filters = {{"amount", "20"}};
  EXPECT_EQ(svc_->List(C("opportunities"), "t1", req)->items.size(), 1u);
  req.filters = {{"colour", "red"}};
  EXPECT_EQ(svc_->List(C("opportunities"), "t1", req).status().code(),
            StatusCode::kInvalidArgument);
  req.filters.clear();
  req.cursor = "garbage!";
  EXPECT_EQ(svc_->List(C("opportunities"), "t1", req).status().code(),
            StatusCode::kInvalidArgument);
  req.cursor.clear();
  req.limit = 0;
  EXPECT_FALSE(svc_->List(C("opportunities"), "t1", req).ok());
  req.limit = 1001;
  EXPECT_FALSE(svc_->List(C("opportunities"), "t1", req).ok());
}

TEST_F(RecordServiceTest, CursorEncoding) {
  EXPECT_EQ(DecodeCursor(EncodeCursor(12345)).value(), 12345);
  EXPECT_FALSE(DecodeCursor("").ok());
  EXPECT_FALSE(DecodeCursor("MS4=").ok());
  EXPECT_FALSE(DecodeCursor(EncodeCursor(1) + "x").ok());
}

TEST_F(RecordServiceTest, Customer360OneSnapshot) {
  MustCreate("accounts", R"({"id":"a1","name":"Household Ng"})");
  MustCreate("contacts", R"({"id":"c1","last_name":"Ng","account_id":"a1"})");
  MustCreate("contacts", R"({"id":"c2","last_name":"Other"})");
  for (int i = 0; i < 25; ++i) {
    char ts[40];
    std::snprintf(ts, sizeof(ts), "2026-10-%02dT10:00:00Z", i + 1);
    MustCreate("activities", std::string(R"({"parent_type":"contacts","parent_id":"c1",)") +
                                 R"("channel":"email","occurred_at":")" + ts + "\"}");
  }
  MustCreate(
      "activities",
      R"({"parent_type":"contacts","parent_id":"c2","channel":"email","occurred_at":"2026-10-30T00:00:00Z"})");
  MustCreate("cases", R"({"id":"k1","subject":"Open","contact_id":"c1","status":"open"})");
  MustCreate("cases", R"({"id":"k2","subject":"Done","contact_id":"c1","status":"closed"})");
  MustCreate("opportunities", R"({"id":"o1","name":"Acct deal","account_id":"a1"})");
  MustCreate("opportunities", R"({"id":"o2","name":"Mine","contact_id":"c1","stage":"proposal"})");
  MustCreate("opportunities", R"({"id":"o3","name":"Won","account_id":"a1","stage":"closed_won"})");
  auto json = Customer360Json(store_.get(), "t1", "c1", Customer360Options{}, &clock_);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  const std::string& j = json.value();
  EXPECT_NE(j.find("\"contact\":{\"id\":\"c1\""), std::string::npos);
  EXPECT_NE(j.find("\"account\":{\"id\":\"a1\""), std::string::npos);
  EXPECT_NE(j.find("\"counts\":{\"recent_activities\":20,\"open_cases\":1,"
                   "\"open_opportunities\":2}"),
            std::string::npos)
      << j;
  // Newest first: the 25th of October leads.
  const size_t first = j.find("\"occurred_at\":");
  EXPECT_EQ(j.substr(first + 15, 10), "2026-10-25");
  EXPECT_EQ(j.find("\"id\":\"k2\""), std::string::npos);
  EXPECT_EQ(j.find("\"id\":\"o3\""), std::string::npos);
  EXPECT_EQ(Customer360Json(store_.get(), "t1", "nope", {}, &clock_).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Customer360Json(store_.get(), "t2", "c1", {}, &clock_).status().code(),
            StatusCode::kNotFound);
  // A contact without an account is fine.
  auto other = Customer360Json(store_.get(), "t1", "c2", {}, &clock_);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->find("\"account\":null"), std::string::npos);
}

}  // namespace
}  // namespace crmi::crm
