// Output scanning: secrets never reach the caller, abusive sentences are dropped, personal data
// is masked for callers who may not see it — and a stream cut anywhere gives the same text as
// the whole answer checked at once.
#include "src/llm/output_guard.h"

#include <gtest/gtest.h>

#include "src/privacy/detector.h"

namespace crmi::llm {
namespace {

class OutputGuardTest : public ::testing::Test {
 protected:
  void SetUp() override { detector_ = std::move(privacy::Detector::Create()).value(); }
  std::unique_ptr<privacy::Detector> detector_;
};

TEST_F(OutputGuardTest, SecretsAreRemoved) {
  OutputGuard g(detector_.get(), nullptr, false);
  const std::string out = g.Clean(
      "Use sk-proj-abcdefghijklmnopqrstuvwxyz0123 for the API. The AWS key is "
      "AKIAIOSFODNN7EXAMPLE. "
      "Token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJlLXZhbHVl here. "
      "password: hunter22\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabcdEFGH\n"
      "-----END RSA PRIVATE KEY-----\nDone.");
  for (const char* secret : {"sk-proj", "AKIAIOSFODNN7EXAMPLE", "eyJhbGciOiJIUzI1NiJ9", "hunter22",
                             "MIIEowIBAAKCAQEA7", "abcdEFGH", "BEGIN RSA"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in: " << out;
  }
  EXPECT_NE(out.find("[secret removed] for the API."), std::string::npos) << out;
  EXPECT_NE(out.find("Done."), std::string::npos) << out;
  EXPECT_DOUBLE_EQ(g.risk(), 0.9);
  EXPECT_EQ(g.reasons(), std::vector<std::string>{"secret"});
}

TEST_F(OutputGuardTest, AbusiveSentencesAreDroppedAndCleanTextPasses) {
  OutputGuard g(detector_.get(), nullptr, false);
  EXPECT_EQ(g.Clean("You are an idiot. The refund is approved."),
            "[removed: abusive language] The refund is approved.");
  EXPECT_DOUBLE_EQ(g.risk(), 0.7);
  OutputGuard clean(detector_.get(), nullptr, false);
  const std::string text = "Refunds take 5 days [1]. Idiomatic phrasing is fine.";
  EXPECT_EQ(clean.Clean(text), text);
  EXPECT_DOUBLE_EQ(clean.risk(), 0.0);
  EXPECT_TRUE(clean.reasons().empty());
}

TEST_F(OutputGuardTest, PersonalDataIsMaskedOnlyForCallersWhoMayNotSeeIt) {
  const std::string text = "Write to ana.lopez@example.org or call +44 20 7946 0958 today.";
  OutputGuard masked(detector_.get(), nullptr, true);
  const std::string out = masked.Clean(text);
  EXPECT_EQ(out.find("ana.lopez@"), std::string::npos) << out;
  EXPECT_EQ(out.find("7946 0958"), std::string::npos) << out;
  EXPECT_NE(out.find("@example.org"), std::string::npos) << "masked, not erased: " << out;
  EXPECT_DOUBLE_EQ(masked.risk(), 0.5);
  OutputGuard revealed(detector_.get(), nullptr, false);
  EXPECT_EQ(revealed.Clean(text), text);
}

TEST_F(OutputGuardTest, AStreamCutAnywhereGivesTheSameText) {
  const std::string text =
      "First sentence with sk-abcdefghijklmnopqrstuvwxyz012345 inside. You moron! Mail "
      "bo@example.com.\nA new line? Yes.";
  OutputGuard whole(detector_.get(), nullptr, true);
  const std::string want = whole.Clean(text);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    OutputGuard g(detector_.get(), nullptr, true);
    std::string got = g.Push(text.substr(0, cut));
    got += g.Push(text.substr(cut));
    got += g.Finish();
    ASSERT_EQ(got, want) << "cut at " << cut;
  }
  EXPECT_EQ(want.find("sk-abc"), std::string::npos);
  EXPECT_EQ(want.find("moron"), std::string::npos);
  EXPECT_EQ(want.find("bo@example.com"), std::string::npos);
}

TEST_F(OutputGuardTest, PolicyTopicsAreWithheldForCallersWhoMayNotReceiveThem) {
  auto topics = TopicSet::Compile(
      {{"guarantees", {"guaranteed return", "cannot lose"}}, {"tax-advice", {"tax deductible"}}});
  ASSERT_TRUE(topics.ok()) << topics.status().ToString();
  EXPECT_EQ((*topics)->Match("A GUARANTEED return, tax deductible."),
            (std::vector<std::string>{"guarantees", "tax-advice"}));
  EXPECT_TRUE((*topics)->Match("Unguaranteed returns vary.").empty()) << "whole words only";
  EXPECT_FALSE(TopicSet::Compile({{"Bad Name", {"x"}}}).ok());
  EXPECT_FALSE(TopicSet::Compile({{"empty", {}}}).ok());

  const std::string text =
      "The fund has a guaranteed return of 8% [1]. Fees are 0.2% a year [2]. "
      "Contributions are tax deductible [3].";
  int asked = 0;
  auto only_tax = [&](const std::string& t) {
    ++asked;
    return t == "tax-advice";
  };
  OutputGuard guard(detector_.get(), nullptr, false);
  guard.SetTopics(topics->get(), only_tax);
  const std::string out = guard.Clean(text);
  EXPECT_EQ(out.find("guaranteed"), std::string::npos) << out;
  EXPECT_NE(out.find("Fees are 0.2% a year [2]."), std::string::npos) << out;
  EXPECT_NE(out.find("tax deductible"), std::string::npos) << out;
  EXPECT_NE(out.find("[crmi withheld what this answer said about guarantees"), std::string::npos)
      << out;
  EXPECT_EQ(guard.blocked_topics(), std::vector<std::string>{"guarantees"});
  EXPECT_DOUBLE_EQ(guard.risk(), 0.8);
  EXPECT_EQ(asked, 2) << "one decision per topic";
  // Streamed in small pieces: the same text.
  OutputGuard streamed(detector_.get(), nullptr, false);
  streamed.SetTopics(topics->get(), only_tax);
  std::string pieces;
  for (size_t i = 0; i < text.size(); i += 3) pieces += streamed.Push(text.substr(i, 3));
  pieces += streamed.Finish();
  EXPECT_EQ(pieces, out);
  // Without a decision function nothing governed passes.
  OutputGuard closed(detector_.get(), nullptr, false);
  closed.SetTopics(topics->get(), nullptr);
  EXPECT_EQ(closed.Clean(text).find("tax deductible"), std::string::npos);
}

}  // namespace
}  // namespace crmi::llm
