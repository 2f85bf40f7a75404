// The small, safe expression language of policy conditions and row filters.
//
//   context.risk < 70 && context.posture in ['managed', 'compliant']
//   principal.attr.department == 'wealth' || 'admin' in principal.roles
//   !(context.zone == 'external') && context.hour >= 8 && context.hour < 18
//   owner_id == principal.sub                    (row filter: record field on the left)
//   region in principal.attr.regions && consent.marketing == true
//
// Values are null, booleans, numbers (double), strings and lists of strings. Operators: == != < <=
// > >= in, "not in", && || !, parentheses. Names are dotted paths resolved by a Resolver at
// evaluation time; anything unknown is null. Comparisons with null are false (except == null and
// != null); ordering compares numbers with numbers and strings with strings only. Evaluation has
// no side effects, allocates little, and is bounded by the expression's size (at most 4096 bytes,
// 256 nodes, 32 levels of nesting), so policies cannot make decisions slow.
//
// Thread-safety: a compiled Expr is immutable and may be evaluated concurrently.
#ifndef CRMI_TRUST_EXPR_H_
#define CRMI_TRUST_EXPR_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/common/status.h"

namespace crmi::trust {

struct ExprValue {
  std::variant<std::monostate, bool, double, std::string, std::vector<std::string>> v;

  bool is_null() const { return v.index() == 0; }
  static ExprValue Null() { return {}; }
  static ExprValue Bool(bool b) { return ExprValue{b}; }
  static ExprValue Num(double d) { return ExprValue{d}; }
  static ExprValue Str(std::string s) { return ExprValue{std::move(s)}; }
  static ExprValue List(std::vector<std::string> l) { return ExprValue{std::move(l)}; }
};

// Resolves a dotted name ("principal.attr.region") to a value; unknown names give null.
using Resolver = std::function<ExprValue(std::string_view name)>;

class Expr {
 public:
  enum class Op {
    kLiteral,
    kName,
    kList,
    kNot,
    kAnd,
    kOr,
    kEq,
    kNe,
    kLt,
    kLe,
    kGt,
    kGe,
    kIn,
    kNotIn
  };
  struct Node {
    Op op;
    ExprValue literal;  // kLiteral
    std::string name;   // kName
    std::vector<std::unique_ptr<Node>> kids;
  };

  // Parses `text`; kInvalidArgument with the column of the problem.
  static Result<Expr> Parse(std::string_view text);

  // Evaluates to a truth value: true only when the result is boolean true.
  bool Test(const Resolver& resolve) const;
  ExprValue Evaluate(const Resolver& resolve) const;

  const Node* root() const { return root_.get(); }
  const std::string& text() const { return text_; }
  // Every dotted name the expression reads, for validation against known prefixes.
  std::vector<std::string> Names() const;

 private:
  std::shared_ptr<const Node> root_;
  std::string text_;
};

}  // namespace crmi::trust

#endif  // CRMI_TRUST_EXPR_H_
