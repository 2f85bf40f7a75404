#include "src/trust/expr.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace crmi::trust {
namespace {

constexpr size_t kMaxExprBytes = 4096;
constexpr int kMaxNodes = 256;
constexpr int kMaxDepth = 32;

using Node = Expr::Node;
using Op = Expr::Op;

enum class Tok {
  kEnd,
  kName,
  kString,
  kNumber,
  kTrue,
  kFalse,
  kNull,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
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

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // names and string literals (unescaped)
  double number = 0;
  size_t pos = 0;
};

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; }

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<std::unique_ptr<Node>> Parse() {
    RETURN_IF_ERROR(Next());
    ASSIGN_OR_RETURN(auto root, ParseOr(0));
    if (tok_.kind != Tok::kEnd) return Error("unexpected text");
    return root;
  }

 private:
  Status Error(const std::string& what) const {
    return InvalidArgument(what + " at column " + std::to_string(tok_.pos + 1));
  }

  Status Next() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
    tok_ = Token();
    tok_.pos = i_;
    if (i_ >= s_.size()) return Status::Ok();
    const char c = s_[i_];
    auto two = [&](char a, char b) { return c == a && i_ + 1 < s_.size() && s_[i_ + 1] == b; };
    if (two('&', '&')) return Single(Tok::kAnd, 2);
    if (two('|', '|')) return Single(Tok::kOr, 2);
    if (two('=', '=')) return Single(Tok::kEq, 2);
    if (two('!', '=')) return Single(Tok::kNe, 2);
    if (two('<', '=')) return Single(Tok::kLe, 2);
    if (two('>', '=')) return Single(Tok::kGe, 2);
    switch (c) {
      case '<':
        return Single(Tok::kLt, 1);
      case '>':
        return Single(Tok::kGt, 1);
      case '!':
        return Single(Tok::kNot, 1);
      case '(':
        return Single(Tok::kLParen, 1);
      case ')':
        return Single(Tok::kRParen, 1);
      case '[':
        return Single(Tok::kLBracket, 1);
      case ']':
        return Single(Tok::kRBracket, 1);
      case ',':
        return Single(Tok::kComma, 1);
      default:
        break;
    }
    if (c == '\'' || c == '"') {
      const char quote = c;
      std::string out;
      ++i_;
      while (i_ < s_.size() && s_[i_] != quote) {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out.push_back(s_[i_++]);
      }
      if (i_ >= s_.size()) return Error("unterminated string");
      ++i_;
      tok_.kind = Tok::kString;
      tok_.text = std::move(out);
      return Status::Ok();
    }
    if ((c >= '0' && c <= '9') ||
        (c == '-' && i_ + 1 < s_.size() && s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9')) {
      size_t j = i_ + 1;
      while (j < s_.size() && ((s_[j] >= '0' && s_[j] <= '9') || s_[j] == '.')) ++j;
      double d = 0;
      auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + j, d);
      if (ec != std::errc() || p != s_.data() + j) return Error("bad number");
      tok_.kind = Tok::kNumber;
      tok_.number = d;
      i_ = j;
      return Status::Ok();
    }
    if (IsNameStart(c)) {
      size_t j = i_;
      while (j < s_.size() && IsNameChar(s_[j])) ++j;
      std::string word(s_.substr(i_, j - i_));
      i_ = j;
      if (word == "true") {
        tok_.kind = Tok::kTrue;
      } else if (word == "false") {
        tok_.kind = Tok::kFalse;
      } else if (word == "null") {
        tok_.kind = Tok::kNull;
      } else if (word == "in") {
        tok_.kind = Tok::kIn;
      } else if (word == "and") {
        tok_.kind = Tok::kAnd;
      } else if (word == "or") {
        tok_.kind = Tok::kOr;
      } else if (word == "not") {
        // "not in" is one operator; a lone "not" negates.
        size_t k = i_;
        while (k < s_.size() && s_[k] == ' ') ++k;
        if (s_.substr(k, 2) == "in" && (k + 2 >= s_.size() || !IsNameChar(s_[k + 2]))) {
          i_ = k + 2;
          tok_.kind = Tok::kNotIn;
        } else {
          tok_.kind = Tok::kNot;
        }
      } else {
        if (word.back() == '.' || word.find("..") != std::string::npos) return Error("bad name");
        tok_.kind = Tok::kName;
        tok_.text = std::move(word);
      }
      return Status::Ok();
    }
    return Error(std::string("unexpected character '") + c + "'");
  }

  Status Single(Tok kind, size_t len) {
    tok_.kind = kind;
    i_ += len;
    return Status::Ok();
  }

  Result<std::unique_ptr<Node>> Make(Op op) {
    if (++nodes_ > kMaxNodes) return Error("expression too large");
    auto n = std::make_unique<Node>();
    n->op = op;
    return n;
  }

  Result<std::unique_ptr<Node>> ParseOr(int depth) {
    if (depth > kMaxDepth) return Error("expression nested too deeply");
    ASSIGN_OR_RETURN(auto left, ParseAnd(depth));
    while (tok_.kind == Tok::kOr) {
      RETURN_IF_ERROR(Next());
      ASSIGN_OR_RETURN(auto right, ParseAnd(depth));
      ASSIGN_OR_RETURN(auto n, Make(Op::kOr));
      n->kids.push_back(std::move(left));
      n->kids.push_back(std::move(right));
      left = std::move(n);
    }
    return left;
  }

  Result<std::unique_ptr<Node>> ParseAnd(int depth) {
    ASSIGN_OR_RETURN(auto left, ParseUnary(depth));
    while (tok_.kind == Tok::kAnd) {
      RETURN_IF_ERROR(Next());
      ASSIGN_OR_RETURN(auto right, ParseUnary(depth));
      ASSIGN_OR_RETURN(auto n, Make(Op::kAnd));
      n->kids.push_back(std::move(left));
      n->kids.push_back(std::move(right));
      left = std::move(n);
    }
    return left;
  }

  Result<std::unique_ptr<Node>> ParseUnary(int depth) {
    if (tok_.kind == Tok::kNot) {
      RETURN_IF_ERROR(Next());
      if (depth + 1 > kMaxDepth) return Error("expression nested too deeply");
      ASSIGN_OR_RETURN(auto operand, ParseUnary(depth + 1));
      ASSIGN_OR_RETURN(auto n, Make(Op::kNot));
      n->kids.push_back(std::move(operand));
      return n;
    }
    return ParseComparison(depth);
  }

  Result<std::unique_ptr<Node>> ParseComparison(int depth) {
    ASSIGN_OR_RETURN(auto left, ParsePrimary(depth));
    Op op;
    switch (tok_.kind) {
      case Tok::kEq:
        op = Op::kEq;
        break;
      case Tok::kNe:
        op = Op::kNe;
        break;
      case Tok::kLt:
        op = Op::kLt;
        break;
      case Tok::kLe:
        op = Op::kLe;
        break;
      case Tok::kGt:
        op = Op::kGt;
        break;
      case Tok::kGe:
        op = Op::kGe;
        break;
      case Tok::kIn:
        op = Op::kIn;
        break;
      case Tok::kNotIn:
        op = Op::kNotIn;
        break;
      default:
        return left;
    }
    RETURN_IF_ERROR(Next());
    ASSIGN_OR_RETURN(auto right, ParsePrimary(depth));
    ASSIGN_OR_RETURN(auto n, Make(op));
    n->kids.push_back(std::move(left));
    n->kids.push_back(std::move(right));
    return n;
  }

  Result<std::unique_ptr<Node>> ParsePrimary(int depth) {
    switch (tok_.kind) {
      case Tok::kLParen: {
        RETURN_IF_ERROR(Next());
        ASSIGN_OR_RETURN(auto inner, ParseOr(depth + 1));
        if (tok_.kind != Tok::kRParen) return Error("expected ')'");
        RETURN_IF_ERROR(Next());
        return inner;
      }
      case Tok::kLBracket: {
        ASSIGN_OR_RETURN(auto n, Make(Op::kList));
        RETURN_IF_ERROR(Next());
        std::vector<std::string> items;
        while (tok_.kind != Tok::kRBracket) {
          if (tok_.kind == Tok::kString) {
            items.push_back(tok_.text);
          } else if (tok_.kind == Tok::kNumber) {
            char buf[32];
            auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), tok_.number);
            items.emplace_back(buf, ec == std::errc() ? end : buf);
          } else {
            return Error("lists hold strings or numbers");
          }
          if (items.size() > 256) return Error("list too long");
          RETURN_IF_ERROR(Next());
          if (tok_.kind == Tok::kComma) {
            RETURN_IF_ERROR(Next());
          } else if (tok_.kind != Tok::kRBracket) {
            return Error("expected ',' or ']'");
          }
        }
        RETURN_IF_ERROR(Next());
        n->literal = ExprValue::List(std::move(items));
        return n;
      }
      case Tok::kString:
      case Tok::kNumber:
      case Tok::kTrue:
      case Tok::kFalse:
      case Tok::kNull: {
        ASSIGN_OR_RETURN(auto n, Make(Op::kLiteral));
        if (tok_.kind == Tok::kString) n->literal = ExprValue::Str(tok_.text);
        if (tok_.kind == Tok::kNumber) n->literal = ExprValue::Num(tok_.number);
        if (tok_.kind == Tok::kTrue) n->literal = ExprValue::Bool(true);
        if (tok_.kind == Tok::kFalse) n->literal = ExprValue::Bool(false);
        RETURN_IF_ERROR(Next());
        return n;
      }
      case Tok::kName: {
        ASSIGN_OR_RETURN(auto n, Make(Op::kName));
        n->name = tok_.text;
        RETURN_IF_ERROR(Next());
        return n;
      }
      default:
        return Error("expected a value, a name or '('");
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  Token tok_;
  int nodes_ = 0;
};

// String form of a scalar for equality with strings and list membership.
bool AsString(const ExprValue& v, std::string* out) {
  switch (v.v.index()) {
    case 1:
      *out = std::get<bool>(v.v) ? "true" : "false";
      return true;
    case 2: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), std::get<double>(v.v));
      out->assign(buf, ec == std::errc() ? end : buf);
      return true;
    }
    case 3:
      *out = std::get<std::string>(v.v);
      return true;
    default:
      return false;
  }
}

bool Equal(const ExprValue& a, const ExprValue& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (a.v.index() == b.v.index()) return a.v == b.v;
  // A one-element list (an attribute that was a single claim value) equals its element.
  auto single = [](const ExprValue& l, const ExprValue& s) {
    const auto* list = std::get_if<std::vector<std::string>>(&l.v);
    std::string str;
    return list != nullptr && list->size() == 1 && AsString(s, &str) && (*list)[0] == str;
  };
  if (single(a, b) || single(b, a)) return true;
  // Strings that hold numbers compare with numbers ("7" == 7), booleans likewise.
  std::string sa, sb;
  return AsString(a, &sa) && AsString(b, &sb) && sa == sb && (a.v.index() != 3 || b.v.index() != 3);
}

bool Member(const ExprValue& item, const ExprValue& list) {
  const auto* l = std::get_if<std::vector<std::string>>(&list.v);
  std::string s;
  if (l != nullptr && AsString(item, &s)) return std::find(l->begin(), l->end(), s) != l->end();
  // "x in 'abc'": a single string acts as a one-element list.
  const auto* str = std::get_if<std::string>(&list.v);
  return str != nullptr && AsString(item, &s) && s == *str;
}

int Compare(const ExprValue& a, const ExprValue& b, bool* ok) {
  *ok = true;
  if (const auto* x = std::get_if<double>(&a.v)) {
    if (const auto* y = std::get_if<double>(&b.v)) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  if (const auto* x = std::get_if<std::string>(&a.v)) {
    if (const auto* y = std::get_if<std::string>(&b.v)) return x->compare(*y);
  }
  *ok = false;
  return 0;
}

ExprValue Eval(const Node& n, const Resolver& resolve) {
  switch (n.op) {
    case Op::kLiteral:
    case Op::kList:
      return n.literal;
    case Op::kName:
      return resolve(n.name);
    case Op::kNot: {
      const ExprValue v = Eval(*n.kids[0], resolve);
      const auto* b = std::get_if<bool>(&v.v);
      return b == nullptr ? ExprValue::Null() : ExprValue::Bool(!*b);
    }
    case Op::kAnd: {
      const ExprValue l = Eval(*n.kids[0], resolve);
      if (!(std::holds_alternative<bool>(l.v) && std::get<bool>(l.v)))
        return ExprValue::Bool(false);
      const ExprValue r = Eval(*n.kids[1], resolve);
      return ExprValue::Bool(std::holds_alternative<bool>(r.v) && std::get<bool>(r.v));
    }
    case Op::kOr: {
      const ExprValue l = Eval(*n.kids[0], resolve);
      if (std::holds_alternative<bool>(l.v) && std::get<bool>(l.v)) return ExprValue::Bool(true);
      const ExprValue r = Eval(*n.kids[1], resolve);
      return ExprValue::Bool(std::holds_alternative<bool>(r.v) && std::get<bool>(r.v));
    }
    default:
      break;
  }
  const ExprValue a = Eval(*n.kids[0], resolve);
  const ExprValue b = Eval(*n.kids[1], resolve);
  switch (n.op) {
    case Op::kEq:
      return ExprValue::Bool(Equal(a, b));
    case Op::kNe:
      return ExprValue::Bool(!Equal(a, b));
    case Op::kIn:
      return ExprValue::Bool(Member(a, b));
    case Op::kNotIn:
      return ExprValue::Bool(!a.is_null() && !b.is_null() && !Member(a, b));
    default: {
      bool ok = false;
      const int c = Compare(a, b, &ok);
      if (!ok) return ExprValue::Bool(false);
      if (n.op == Op::kLt) return ExprValue::Bool(c < 0);
      if (n.op == Op::kLe) return ExprValue::Bool(c <= 0);
      if (n.op == Op::kGt) return ExprValue::Bool(c > 0);
      return ExprValue::Bool(c >= 0);
    }
  }
}

void CollectNames(const Node& n, std::vector<std::string>* out) {
  if (n.op == Op::kName) out->push_back(n.name);
  for (const auto& k : n.kids) CollectNames(*k, out);
}

}  // namespace

Result<Expr> Expr::Parse(std::string_view text) {
  if (text.size() > kMaxExprBytes) {
    return InvalidArgument("expression longer than " + std::to_string(kMaxExprBytes) + " bytes");
  }
  Parser p(text);
  ASSIGN_OR_RETURN(std::unique_ptr<Node> root, p.Parse());
  Expr e;
  e.root_ = std::shared_ptr<const Node>(std::move(root));
  e.text_ = std::string(text);
  return e;
}

ExprValue Expr::Evaluate(const Resolver& resolve) const {
  if (!root_) return ExprValue::Null();
  return Eval(*root_, resolve);
}

bool Expr::Test(const Resolver& resolve) const {
  const ExprValue v = Evaluate(resolve);
  const auto* b = std::get_if<bool>(&v.v);
  return b != nullptr && *b;
}

std::vector<std::string> Expr::Names() const {
  std::vector<std::string> out;
  if (root_) CollectNames(*root_, &out);
  return out;
}

}  // namespace crmi::trust
