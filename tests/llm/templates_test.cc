#include "src/llm/templates.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/test_util.h"

namespace crmi::llm {
namespace {

constexpr char kBody[] =
    R"({"description":"d","system":"Be {{tone}}. {{context}}","user":"{{ question }} {{today}}",)"
    R"("variables":[{"name":"tone","default":"brief","max_bytes":10}],"models":["a","b"]})";

TEST(TemplatesTest, ParsesValidatesAndRenders) {
  auto t = ParseTemplate("reply", kBody);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->AllowsModel("b"));
  EXPECT_FALSE(t->AllowsModel("c"));
  auto vars = ResolveVariables(*t, {});
  ASSERT_TRUE(vars.ok());
  EXPECT_EQ(vars->at("tone"), "brief");
  (*vars)["context"] = "[1] {{question}}";  // a value is text, never expanded again
  (*vars)["question"] = "Q?";
  (*vars)["today"] = "2026-11-24";
  EXPECT_EQ(RenderTemplate(t->system, *vars), "Be brief. [1] {{question}}");
  EXPECT_EQ(RenderTemplate(t->user, *vars), "Q? 2026-11-24");

  EXPECT_EQ(ResolveVariables(*t, {{"tone", "far too long a tone"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveVariables(*t, {{"mood", "x"}}).status().code(), StatusCode::kInvalidArgument);
  auto required = ParseTemplate(
      "r", R"({"system":"{{context}}","user":"{{question}} {{x}}","variables":[{"name":"x",)"
           R"("required":true}]})");
  ASSERT_TRUE(required.ok());
  EXPECT_EQ(ResolveVariables(*required, {}).status().code(), StatusCode::kInvalidArgument);

  for (
      const char* bad : {
          R"({"user":"{{question}}"})",                                  // no context
          R"({"system":"{{context}}","user":"hi"})",                     // no question
          R"({"system":"{{context}} {{nope}}","user":"{{question}}"})",  // undeclared
          R"({"system":"{{context}} {{","user":"{{question}}"})",        // unclosed
          R"({"system":"{{context}} {{a b}}","user":"{{question}}"})",   // not a name
          R"({"system":"{{context}}","user":"{{question}}","variables":[{"name":"context"}]})",
          R"({"system":"{{context}}","user":"{{question}}","colour":"red"})",
          R"({"system":"{{context}}","user":"{{question}}","variables":[{"name":"x"},{"name":"x"}]})",
          R"([1])",
      }) {
    auto r = ParseTemplate("t", bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(ValidateTemplateName("../x").ok());
  EXPECT_FALSE(ValidateTemplateName("").ok());
  EXPECT_TRUE(ValidateTemplateName("churn-outreach.v2").ok());
}

TEST(TemplatesTest, RegistryVersionsPersistAndRefuseStaleWrites) {
  const std::string dir = test::TempDir("templates");
  const std::string path = dir + "/templates.json";
  {
    auto reg = TemplateRegistry::Open(path);
    ASSERT_TRUE(reg.ok());
    auto& r = *reg.value();
    // The built-in exists for every tenant.
    auto builtin = r.Get("t1", kBuiltinTemplate);
    ASSERT_TRUE(builtin.ok());
    EXPECT_EQ((*builtin)->version, 1);
    EXPECT_EQ(r.Get("t1", "reply").status().code(), StatusCode::kNotFound);

    auto t = ParseTemplate("reply", kBody);
    ASSERT_TRUE(t.ok());
    auto put = r.Put("t1", *t, 0, "root", "2026-11-24T00:00:00Z");
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    EXPECT_TRUE(put->created);
    EXPECT_EQ(put->stored->version, 1);
    auto same = r.Put("t1", *t, -1, "root", "later");
    ASSERT_TRUE(same.ok());
    EXPECT_FALSE(same->created);
    t->description = "changed";
    EXPECT_EQ(r.Put("t1", *t, 0, "root", "x").status().code(), StatusCode::kFailedPrecondition);
    put = r.Put("t1", *t, 1, "root", "x");
    ASSERT_TRUE(put.ok());
    EXPECT_EQ(put->stored->version, 2);
    // Tenants are apart; a tenant's own version of the built-in is version 2.
    EXPECT_EQ(r.Get("t2", "reply").status().code(), StatusCode::kNotFound);
    auto own =
        ParseTemplate(kBuiltinTemplate, R"({"system":"S {{context}}","user":"{{question}}"})");
    ASSERT_TRUE(own.ok());
    put = r.Put("t2", *own, -1, "root", "x");
    ASSERT_TRUE(put.ok());
    EXPECT_EQ(put->stored->version, 2);
  }
  auto reg = TemplateRegistry::Open(path);
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  auto& r = *reg.value();
  auto latest = r.Get("t1", "reply");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ((*latest)->description, "changed");
  auto first = r.Get("t1", "reply", 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->description, "d");
  EXPECT_EQ((*first)->created_by, "root");
  EXPECT_EQ(r.Versions("t2", kBuiltinTemplate).size(), 2u);
  EXPECT_EQ(r.Get("t2", kBuiltinTemplate, 1).value()->system, BuiltinTemplate()->system);
  EXPECT_EQ(r.List("t1").size(), 2u);  // grounded-answer and reply

  // Concurrent writers with the same expected version: exactly one wins.
  auto t = ParseTemplate("race", kBody);
  ASSERT_TRUE(t.ok());
  std::atomic<int> won{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      PromptTemplate mine = *t;
      mine.description = "writer " + std::to_string(i);
      if (r.Put("t1", mine, 0, "w", "x").ok()) ++won;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);

  // A damaged file is refused, not half read.
  {
    std::ofstream out(path, std::ios::trunc);
    out << R"({"format":1,"templates":[{"tenant":"t1","name":"x","version":3)";
  }
  EXPECT_EQ(TemplateRegistry::Open(path).status().code(), StatusCode::kDataLoss);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::llm
