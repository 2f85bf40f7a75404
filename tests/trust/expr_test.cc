#include "src/trust/expr.h"

#include <gtest/gtest.h>

#include <map>

namespace crmi::trust {
namespace {

class ExprTest : public ::testing::Test {
 protected:
  ExprTest() {
    vars_["context.risk"] = ExprValue::Num(42);
    vars_["context.posture"] = ExprValue::Str("managed");
    vars_["principal.roles"] = ExprValue::List({"advisor", "agent"});
    vars_["principal.attr.region"] = ExprValue::Str("na");
    vars_["principal.attr.regions"] = ExprValue::List({"na", "eu"});
    vars_["principal.attr.single"] = ExprValue::List({"x"});
    vars_["flag"] = ExprValue::Bool(true);
    vars_["num_text"] = ExprValue::Str("7");
  }
  bool T(const std::string& text) {
    auto e = Expr::Parse(text);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
    if (!e.ok()) return false;
    return e->Test([this](std::string_view n) {
      auto it = vars_.find(std::string(n));
      return it == vars_.end() ? ExprValue::Null() : it->second;
    });
  }
  std::map<std::string, ExprValue> vars_;
};

TEST_F(ExprTest, ComparisonsAndLogic) {
  EXPECT_TRUE(T("context.risk < 70"));
  EXPECT_FALSE(T("context.risk >= 70"));
  EXPECT_TRUE(T("context.risk == 42 && context.posture == 'managed'"));
  EXPECT_TRUE(T("context.risk > 100 || context.posture != \"unmanaged\""));
  EXPECT_TRUE(T("!(context.risk > 50)"));
  EXPECT_TRUE(T("not context.risk > 50"));
  EXPECT_TRUE(T("context.risk > 10 and context.risk < 50 or false"));
  EXPECT_TRUE(T("(true || false) && !false"));
  EXPECT_TRUE(T("num_text == 7"));  // strings holding numbers compare with numbers
  EXPECT_TRUE(T("flag == true"));
  EXPECT_FALSE(T("'b' < 'a'"));
  EXPECT_TRUE(T("'a' < 'b'"));
  EXPECT_FALSE(T("'a' < 1"));  // no ordering across types
}

TEST_F(ExprTest, MembershipAndLists) {
  EXPECT_TRUE(T("'advisor' in principal.roles"));
  EXPECT_FALSE(T("'admin' in principal.roles"));
  EXPECT_TRUE(T("'admin' not in principal.roles"));
  EXPECT_TRUE(T("context.posture in ['managed', 'compliant']"));
  EXPECT_TRUE(T("principal.attr.region in principal.attr.regions"));
  EXPECT_TRUE(T("principal.attr.single == 'x'"));  // a one-element attribute equals its value
  EXPECT_TRUE(T("42 in [41, 42]"));
  EXPECT_TRUE(T("'na' in principal.attr.region"));  // a string is a one-element list
}

TEST_F(ExprTest, NullsAreNeverTrueByAccident) {
  EXPECT_FALSE(T("unknown.name == 'x'"));
  EXPECT_TRUE(T("unknown.name != 'x'"));
  EXPECT_TRUE(T("unknown.name == null"));
  EXPECT_FALSE(T("unknown.name < 5"));
  EXPECT_FALSE(T("unknown.name >= 5"));
  EXPECT_FALSE(T("unknown.name in ['x']"));
  EXPECT_FALSE(T("unknown.name not in ['x']"));
  EXPECT_FALSE(T("!unknown.name"));
  EXPECT_FALSE(T("unknown.name"));
  EXPECT_FALSE(T("'x'"));  // only boolean true passes a test
}

TEST_F(ExprTest, ParseErrorsNameTheColumn) {
  for (const auto& [text, want] : std::vector<std::pair<std::string, std::string>>{
           {"context.risk <", "column 15"},
           {"(a == 1", "expected ')'"},
           {"a == 'unterminated", "unterminated string"},
           {"a === b", "column"},
           {"a == b c", "unexpected text"},
           {"[1, 'a'", "expected ',' or ']'"},
           {"a..b == 1", "bad name"},
           {"a $ b", "unexpected character '$'"},
           {"", "expected a value"}}) {
    auto e = Expr::Parse(text);
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_NE(e.status().message().find(want), std::string::npos)
        << text << " → " << e.status().message();
  }
}

TEST_F(ExprTest, SizeLimits) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "(";
  deep += "true";
  for (int i = 0; i < 40; ++i) deep += ")";
  EXPECT_FALSE(Expr::Parse(deep).ok());
  std::string wide = "true";
  for (int i = 0; i < 300; ++i) wide += " && true";
  EXPECT_FALSE(Expr::Parse(wide).ok());
  EXPECT_FALSE(Expr::Parse(std::string(5000, ' ') + "true").ok());
  std::string not_chain;
  for (int i = 0; i < 40; ++i) not_chain += "!";
  EXPECT_FALSE(Expr::Parse(not_chain + "true").ok());
}

TEST_F(ExprTest, NamesAreListed) {
  auto e = Expr::Parse("a.b == 1 && (c in d.e || !f)");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->Names(), (std::vector<std::string>{"a.b", "c", "d.e", "f"}));
}

}  // namespace
}  // namespace crmi::trust
