// ContactNames: the tenants' names load at start and follow every committed write.
#include "src/privacy/contact_names.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "src/common/clock.h"
#include "src/crm/record_service.h"
#include "tests/test_util.h"

namespace crmi::privacy {
namespace {

bool Knows(const ContactNames& names, const std::string& tenant, const std::string& word) {
  return names.For(tenant)->Lookup(word) != 0;
}

TEST(ContactNamesTest, LoadsAtStartAndFollowsWrites) {
  const std::string dir = test::TempDir("names");
  auto store = test::OpenTestStore(dir);
  crm::RecordService records(store.get(), &crm::Schema::Default(), Clock::Real());
  const auto& contacts = *crm::Schema::Default().Find("contacts");
  const auto& leads = *crm::Schema::Default().Find("leads");
  ASSERT_TRUE(
      records.Create(contacts, "t1", R"({"first_name":"Aurelio","last_name":"Bastos"})").ok());
  {
    ContactNames names(store.get(), {std::chrono::milliseconds(10)});
    ASSERT_TRUE(names.Start().ok());
    names.WaitIdle();
    EXPECT_TRUE(Knows(names, "t1", "Aurelio"));
    EXPECT_TRUE(Knows(names, "t1", "bastos"));    // case-folded
    EXPECT_FALSE(Knows(names, "t2", "Aurelio"));  // tenants apart
    auto lead = records.Create(leads, "t2", R"({"first_name":"Wiremu","last_name":"Tane"})");
    ASSERT_TRUE(lead.ok());
    auto c = records.Create(contacts, "t1", R"({"first_name":"Signe","last_name":"Aas"})");
    ASSERT_TRUE(c.ok());
    names.WaitIdle();
    EXPECT_TRUE(Knows(names, "t2", "Wiremu"));
    EXPECT_TRUE(Knows(names, "t1", "Signe"));
    // A rename drops the old words; a delete drops the record's.
    ASSERT_TRUE(
        records.Patch(contacts, "t1", c.value().id, R"({"first_name":"Sunniva"})", std::nullopt)
            .ok());
    names.WaitIdle();
    EXPECT_FALSE(Knows(names, "t1", "Signe"));
    EXPECT_TRUE(Knows(names, "t1", "Sunniva"));
    ASSERT_TRUE(records.Delete(contacts, "t1", c.value().id, std::nullopt).ok());
    names.WaitIdle();
    EXPECT_FALSE(Knows(names, "t1", "Sunniva"));
    EXPECT_TRUE(Knows(names, "t1", "Aurelio"));
    names.Stop();
  }
  ASSERT_TRUE(store->Close().ok());
  std::filesystem::remove_all(dir);
}

// Current() is what text bound for a remote model is scanned with: a contact created just
// before the call must be in it, even under a long debounce, and without WaitIdle.
TEST(ContactNamesTest, CurrentWaitsForChangesAnnouncedBeforeTheCall) {
  const std::string dir = test::TempDir("names-current");
  auto store = test::OpenTestStore(dir);
  crm::RecordService records(store.get(), &crm::Schema::Default(), Clock::Real());
  const auto& contacts = *crm::Schema::Default().Find("contacts");
  {
    ContactNames names(store.get(), {std::chrono::milliseconds(300)});
    ASSERT_TRUE(names.Start().ok());
    for (const char* first : {"Ingeborg", "Tiihu", "Oyelaran"}) {
      ASSERT_TRUE(
          records
              .Create(contacts, "t1",
                      std::string(R"({"first_name":")") + first + R"(","last_name":"Quenby"})")
              .ok());
      auto d = names.Current("t1", std::chrono::seconds(5));
      ASSERT_TRUE(d.ok()) << d.status().ToString();
      EXPECT_NE((*d)->Lookup(first), 0) << first;
    }
    // A tenant with no changes answers at once; a deadline too short to absorb a change refuses.
    EXPECT_TRUE(names.Current("t2", std::chrono::milliseconds(0)).ok());
    ASSERT_TRUE(
        records.Create(contacts, "t1", R"({"first_name":"Radomir","last_name":"Quenby"})").ok());
    EXPECT_EQ(names.Current("t1", std::chrono::milliseconds(1)).status().code(),
              StatusCode::kUnavailable);
    names.Stop();
  }
  ASSERT_TRUE(store->Close().ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::privacy
