#include "src/trust/approvals.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/common/crypto.h"
#include "tests/test_util.h"

namespace crmi::trust {
namespace {

Sealer KeySealer(std::string key) {
  Sealer s;
  s.seal = [key](std::string_view plain, std::string_view context) {
    return crypto::AesGcmEncrypt(key, plain, context);
  };
  s.open = [key](std::string_view sealed, std::string_view context) {
    return crypto::AesGcmDecrypt(key, sealed, context);
  };
  return s;
}

Approval Request(const std::string& tenant, const std::string& requester) {
  Approval a;
  a.tenant = tenant;
  a.requester = requester;
  a.kind = "ask";
  a.resource = "template:grounded-answer";
  a.rule = "answer-review-high-risk";
  a.risk = 0.93;
  a.records = {"cas_1", "con_1"};
  return a;
}

TEST(ApprovalsTest, DecisionsAreFinalSeparatedAndDurable) {
  const std::string dir = test::TempDir("approvals");
  FakeClock clock(1'700'000'000'000);
  const std::string key(32, 'k');
  std::string id, other;
  {
    auto q = ApprovalQueue::Open(dir, KeySealer(key), &clock, std::chrono::hours(1));
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    auto a = q.value()->Submit(Request("t1", "ag-1"), R"({"answer":"Card 4111 approved"})");
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    id = a->id;
    EXPECT_EQ(id.rfind("apr_", 0), 0u);
    other = q.value()->Submit(Request("t1", "ag-2"), "second").value().id;
    // Sealed on disk.
    std::ifstream in(dir + "/" + id + ".json");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find("4111"), std::string::npos);
    EXPECT_NE(text.str().find("ag-1"), std::string::npos);

    EXPECT_EQ(q.value()->Get("t2", id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(q.value()->Decide("t1", id, true, "ag-1", "").status().code(),
              StatusCode::kPermissionDenied);  // one's own
    auto d = q.value()->Decide("t1", id, true, "cmp-1", "fine");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->state, Approval::State::kApproved);
    EXPECT_EQ(q.value()->Decide("t1", id, false, "cmp-2", "").status().code(),
              StatusCode::kFailedPrecondition);
    ASSERT_TRUE(q.value()->Decide("t1", other, false, "cmp-1", "no").ok());
    Approval::State pending = Approval::State::kPending;
    EXPECT_TRUE(q.value()->List("t1", &pending, "", 10).empty());
    EXPECT_EQ(q.value()->List("t1", nullptr, "ag-2", 10).size(), 1u);
  }
  auto q = ApprovalQueue::Open(dir, KeySealer(key), &clock, std::chrono::hours(1));
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  auto a = q.value()->Get("t1", id);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->state, Approval::State::kApproved);
  EXPECT_EQ(a->decided_by, "cmp-1");
  EXPECT_EQ(a->note, "fine");
  auto payload = q.value()->Payload("t1", id);
  ASSERT_TRUE(payload.ok()) << payload.status().ToString();
  EXPECT_EQ(*payload, R"({"answer":"Card 4111 approved"})");
  // A rejected answer's payload is gone.
  EXPECT_FALSE(q.value()->Payload("t1", other).ok());

  // Rotation: re-sealed under a new key, readable only with it.
  const std::string new_key(32, 'n');
  Sealer both;
  both.seal = KeySealer(new_key).seal;
  both.open = [&](std::string_view s, std::string_view c) {
    auto r = crypto::AesGcmDecrypt(new_key, s, c);
    return r.ok() ? r : crypto::AesGcmDecrypt(key, s, c);
  };
  auto rotating = ApprovalQueue::Open(dir, both, &clock, std::chrono::hours(1));
  ASSERT_TRUE(rotating.ok());
  EXPECT_EQ(rotating.value()->Reseal().value(), 1);
  auto fresh = ApprovalQueue::Open(dir, KeySealer(new_key), &clock, std::chrono::hours(1));
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh.value()->Payload("t1", id).ok());

  // Erasure of a record it drew on removes it; expiry removes the rest.
  EXPECT_EQ(fresh.value()->ForgetRecord("t1", "con_1"), 2u);
  EXPECT_EQ(fresh.value()->Get("t1", id).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir + "/" + id + ".json"));
  auto next = fresh.value()->Submit(Request("t1", "ag-1"), "x");
  ASSERT_TRUE(next.ok());
  clock.Advance(std::chrono::hours(2));
  EXPECT_EQ(fresh.value()->Get("t1", next->id).status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(ApprovalsTest, PendingPerTenantIsBounded) {
  FakeClock clock(1'700'000'000'000);
  auto q =
      ApprovalQueue::Open("", KeySealer(std::string(32, 'k')), &clock, std::chrono::hours(1), 2);
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(q.value()->Submit(Request("t1", "a"), "1").ok());
  clock.Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(q.value()->Submit(Request("t1", "a"), "2").ok());
  EXPECT_EQ(q.value()->Submit(Request("t1", "a"), "3").status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(q.value()->Submit(Request("t2", "a"), "4").ok());
  // In memory the payload is still sealed and opens.
  auto listed = q.value()->List("t1", nullptr, "", 10);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(q.value()->Payload("t1", listed[0].id).value(), "2");  // newest first
}

}  // namespace
}  // namespace crmi::trust
