// The answer cache's shared layer against a real redis-server started here: two caches (two
// processes) share answers, a change in one makes the other's lookups miss, values are sealed,
// and a Redis outage is a miss, not an error.
#include "src/llm/redis_answers.h"

#include <gtest/gtest.h>

#include "src/common/crypto.h"
#include "tests/test_util.h"

namespace crmi::llm {
namespace {

RedisAnswersOptions Sealing() {
  const std::string key(32, 'k');
  RedisAnswersOptions o;
  o.prefix = "test:";
  o.seal = [key](std::string_view plain, std::string_view context) {
    return crypto::AesGcmEncrypt(key, plain, context);
  };
  o.open = [key](std::string_view sealed, std::string_view context) {
    return crypto::AesGcmDecrypt(key, sealed, context);
  };
  return o;
}

AskResult Answer(const std::string& text) {
  AskResult r;
  r.answer = text;
  r.model_alias = "default";
  r.backend.name = "extractive";
  r.backend.extractive = true;
  Citation c;
  c.n = 1;
  c.passage = {"cas_1:description:0", "cases", "cas_1", "description", "eu", "Refund", text};
  r.citations.push_back(c);
  r.safety.push_back({"question", 0.4, {"rule:x"}, SafetyAction::kFlag});
  r.usage = {120, 30, false};
  r.retrieved = {"cas_1"};
  r.stage_ms = {{"model", 1.5}};
  return r;
}

TEST(RedisAnswersTest, RoundTripOfAnAnswer) {
  AskResult r = Answer("Ewa asked for a refund [1].");
  auto back = AskResultFromJson(AskResultToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(AskResultToJson(*back), AskResultToJson(r));
  EXPECT_EQ(back->citations[0].passage.region, "eu");
  EXPECT_EQ(back->safety[0].action, SafetyAction::kFlag);
  EXPECT_FALSE(AskResultFromJson("{\"format\":2}").ok());
  EXPECT_FALSE(AskResultFromJson("[").ok());
}

TEST(RedisAnswersTest, TwoProcessesShareAnswersAndChangesInvalidateThemEverywhere) {
  test::RedisServer redis;
  ASSERT_TRUE(redis.started()) << "redis-server (scripts/bootstrap installs it)";
  auto options = ParseRedisUrl(redis.url());
  ASSERT_TRUE(options.ok());
  auto client = std::make_shared<RedisClient>(*options);
  RedisAnswers shared_a(client, Sealing(), nullptr);
  RedisAnswers shared_b(std::make_shared<RedisClient>(*options), Sealing(), nullptr);
  AnswerCache a(10, std::chrono::minutes(1), Clock::Real(), nullptr, &shared_a);
  AnswerCache b(10, std::chrono::minutes(1), Clock::Real(), nullptr, &shared_b);

  auto stamp = a.Begin("acme");
  ASSERT_TRUE(stamp.shared.has_value());
  EXPECT_EQ(*stamp.shared, 0u);
  a.Put("acme", "k1", stamp, Answer("Card 4111 refund approved [1]."));
  // The other process finds it in Redis.
  bool shared_hit = false;
  auto hit = b.Get("acme", "k1", b.Begin("acme"), &shared_hit);
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(shared_hit);
  EXPECT_EQ(hit->answer, "Card 4111 refund approved [1].");
  EXPECT_EQ(hit->usage.prompt, 120);
  // Now in b's L1 too.
  hit = b.Get("acme", "k1", b.Begin("acme"), &shared_hit);
  ASSERT_NE(hit, nullptr);
  EXPECT_FALSE(shared_hit);
  EXPECT_EQ(b.Get("globex", "k1", b.Begin("globex")), nullptr) << "tenants are apart";

  // Sealed in Redis: the raw values hold no answer text.
  auto keys = client->Command({"KEYS", "test:ans:*"});
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->elements.size(), 1u);
  auto raw = client->Command({"GET", keys->elements[0].str});
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->str.find("4111"), std::string::npos);
  EXPECT_EQ(raw->str.find("refund"), std::string::npos);
  auto ttl = client->Command({"PTTL", keys->elements[0].str});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 60000);

  // A record changes in process a: until the bump is published, a does not use the L2 for the
  // tenant; afterwards nobody finds the old answer.
  a.Invalidate("acme");
  ASSERT_TRUE(shared_a.WaitPublished(std::chrono::seconds(5)));
  auto after = b.Begin("acme");
  ASSERT_TRUE(after.shared.has_value());
  EXPECT_EQ(*after.shared, 1u);
  AnswerCache c(10, std::chrono::minutes(1), Clock::Real(), nullptr, &shared_b);  // cold L1
  EXPECT_EQ(c.Get("acme", "k1", c.Begin("acme")), nullptr);

  // Redis goes away: lookups miss at once, nothing fails.
  redis.Stop();
  const auto start = std::chrono::steady_clock::now();
  auto down = c.Begin("acme");
  EXPECT_FALSE(down.shared.has_value());
  EXPECT_EQ(c.Get("acme", "k2", down), nullptr);
  c.Put("acme", "k2", down, Answer("x"));
  EXPECT_NE(c.Get("acme", "k2", c.Begin("acme")), nullptr) << "the L1 still works";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(RedisAnswersTest, UrlsAreParsedAndPasswordsNotEchoed) {
  auto o = ParseRedisUrl("redis://:s3cret@cache.internal:6380/2");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->host, "cache.internal");
  EXPECT_EQ(o->port, 6380);
  EXPECT_EQ(o->db, 2);
  EXPECT_EQ(o->password, "s3cret");
  EXPECT_FALSE(ParseRedisUrl("http://x").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://x:0").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://x/99").ok());
  test::RedisServer redis;
  ASSERT_TRUE(redis.started());
  RedisOptions wrong = *ParseRedisUrl(redis.url());
  wrong.password = "s3cret";  // the server has none: AUTH is refused
  RedisClient client(wrong);
  auto r = client.Command({"PING"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("s3cret"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace crmi::llm
