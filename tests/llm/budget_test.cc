// Rate limits and token budgets: token buckets refill with time and say when to retry, unused
// reservations come back, concurrent callers cannot together overspend a monthly budget, and
// monthly usage survives a restart.
#include "src/llm/budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/test_util.h"

namespace crmi::llm {
namespace {

TEST(TokenBudgetTest, RequestsPerMinuteRefillAndSayWhenToRetry) {
  FakeClock clock;
  BudgetLimits limits;
  limits.principal_requests_per_minute = 2;
  TokenBudget budget(limits, &clock, "");
  int retry = -1;
  ASSERT_TRUE(budget.Reserve("t/ana", "t", "default", 10, &retry).ok());
  ASSERT_TRUE(budget.Reserve("t/ana", "t", "default", 10, &retry).ok());
  auto third = budget.Reserve("t/ana", "t", "default", 10, &retry);
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(retry, 30);  // one request regained every 30 s
  EXPECT_TRUE(budget.Reserve("t/bo", "t", "default", 10, nullptr).ok()) << "per principal";
  clock.Advance(std::chrono::seconds(30));
  EXPECT_TRUE(budget.Reserve("t/ana", "t", "default", 10, nullptr).ok());
}

TEST(TokenBudgetTest, UnusedReservationsComeBack) {
  FakeClock clock;
  BudgetLimits limits;
  limits.tenant_tokens_per_minute = 1000;
  TokenBudget budget(limits, &clock, "");
  auto first = budget.Reserve("t/ana", "t", "m", 600, nullptr);
  ASSERT_TRUE(first.ok());
  int retry = -1;
  EXPECT_FALSE(budget.Reserve("t/bo", "t", "m", 600, &retry).ok());
  EXPECT_EQ(retry, 12);        // 200 tokens missing at 1000 a minute
  budget.Settle(*first, 100);  // the call used 100 of its 600
  EXPECT_TRUE(budget.Reserve("t/bo", "t", "m", 600, nullptr).ok());
}

TEST(TokenBudgetTest, ConcurrentCallersNeverOverspendTheMonth) {
  FakeClock clock;
  BudgetLimits limits;
  limits.tenant_tokens_per_month = 10'000;
  TokenBudget budget(limits, &clock, "");
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto r = budget.Reserve("t/p" + std::to_string(t), "t", "m", 100, nullptr);
        if (!r.ok()) continue;
        ++granted;
        budget.Settle(*r, 100);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(granted.load(), 100);
  EXPECT_EQ(budget.MonthUsed("t"), 10'000);
  int retry = -1;
  EXPECT_FALSE(budget.Reserve("t/p0", "t", "m", 1, &retry).ok());
  EXPECT_GT(retry, 0);  // the first of next month
  EXPECT_TRUE(budget.Reserve("u/p0", "u", "m", 100, nullptr).ok()) << "per tenant";
}

TEST(TokenBudgetTest, MonthlyUsageSurvivesARestart) {
  const std::string dir = test::TempDir("budget");
  const std::string file = dir + "/token_usage.txt";
  FakeClock clock;
  BudgetLimits limits;
  limits.tenant_tokens_per_month = 1000;
  {
    TokenBudget budget(limits, &clock, file);
    ASSERT_TRUE(budget.Load().ok());
    auto r = budget.Reserve("t/ana", "t", "m", 900, nullptr);
    ASSERT_TRUE(r.ok());
    budget.Settle(*r, 800);
  }
  TokenBudget again(limits, &clock, file);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.MonthUsed("t"), 800);
  EXPECT_FALSE(again.Reserve("t/ana", "t", "m", 300, nullptr).ok());
  EXPECT_TRUE(again.Reserve("t/ana", "t", "m", 200, nullptr).ok());
  std::ofstream(file) << "t garbage\n";
  TokenBudget damaged(limits, &clock, file);
  EXPECT_EQ(damaged.Load().code(), StatusCode::kDataLoss);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::llm
