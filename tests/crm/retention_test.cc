// Retention: records older than their collection's maximum age are deleted in every tenant, the
// rest stay; bad rules are refused.
#include "src/crm/retention.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/test_util.h"

namespace crmi::crm {
namespace {

TEST(RetentionTest, PurgesWhatIsOlderThanTheMaximumAgeInEveryTenant) {
  const std::string dir = test::TempDir("retention");
  auto store = test::OpenTestStore(dir);
  FakeClock clock;
  RecordService records(store.get(), &Schema::Default(), &clock);
  const Collection& activities = *Schema::Default().Find("activities");
  const Collection& contacts = *Schema::Default().Find("contacts");
  auto note = [&](const char* tenant) {
    auto r = records.Create(activities, tenant,
                            R"({"parent_type":"contacts","parent_id":"con_x","channel":"note",)"
                            R"("occurred_at":"2026-01-01T00:00:00Z","body":"old"})");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : "";
  };
  const std::string old1 = note("t1"), old2 = note("t2");
  ASSERT_TRUE(records.Create(contacts, "t1", R"({"last_name":"Keep"})").ok());
  clock.Advance(std::chrono::hours(24 * 40));
  const std::string young = note("t1");
  std::vector<PurgeBatch> batches;
  const std::vector<RetentionRule> rules = {{"activities", 30 * 86400}};
  ASSERT_TRUE(PurgeExpired(&records, store.get(), rules, &clock, [&](const PurgeBatch& b) {
                batches.push_back(b);
              }).ok());
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].tenant, "t1");
  EXPECT_EQ(batches[0].collection, "activities");
  EXPECT_EQ(batches[0].deleted, 1);
  EXPECT_EQ(batches[0].cutoff, "2026-01-11T00:00:00.000Z");
  EXPECT_EQ(batches[1].tenant, "t2");
  EXPECT_EQ(records.Get(activities, "t1", old1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(records.Get(activities, "t2", old2).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(records.Get(activities, "t1", young).ok());
  // Contacts have no rule: untouched. A second pass finds nothing more.
  batches.clear();
  ASSERT_TRUE(PurgeExpired(&records, store.get(), rules, &clock, [&](const PurgeBatch& b) {
                batches.push_back(b);
              }).ok());
  EXPECT_TRUE(batches.empty());

  EXPECT_EQ(ValidateRetention({{"nonsense", 10}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRetention({{"cases", 0}}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store->Close().ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::crm
