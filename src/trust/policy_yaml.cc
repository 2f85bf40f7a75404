// Policy::Compile: the YAML policy document → validated, indexed rules. The only TU that includes
// yaml-cpp (whose exceptions stay inside this file).
#include <yaml-cpp/yaml.h>

#include <set>

#include "src/common/ids.h"
#include "src/trust/policy.h"

namespace crmi::trust {
namespace {

constexpr size_t kMaxPolicyBytes = 4 << 20;
constexpr size_t kMaxRules = 20000;

const std::set<std::string> kSensitivities = {"public", "internal", "confidential", "restricted"};
const std::set<std::string> kAuditLevels = {"minimal", "standard", "full"};

class Compiler {
 public:
  explicit Compiler(std::vector<PolicyError>* errors) : errors_(errors) {}

  void Error(const YAML::Node& node, const std::string& field, const std::string& message) {
    if (errors_->size() >= 50) return;
    errors_->push_back({node.IsDefined() ? node.Mark().line + 1 : 0, field, message});
  }

  bool ok() const { return errors_->empty(); }

  // Checks that a mapping has only the given keys.
  void Keys(const YAML::Node& map, const std::string& where, const std::set<std::string>& known) {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (!known.count(key)) {
        Error(kv.first, where.empty() ? key : where + "." + key, "unknown key");
      } else if (!seen.insert(key).second) {
        // yaml-cpp would read the first and silently drop the rest: an obligation lost.
        Error(kv.first, where.empty() ? key : where + "." + key, "duplicate key");
      }
    }
  }

  std::string String(const YAML::Node& node, const std::string& field) {
    if (!node.IsDefined() || node.IsNull()) return {};
    if (!node.IsScalar()) {
      Error(node, field, "must be a string");
      return {};
    }
    return node.Scalar();
  }

  std::vector<std::string> Strings(const YAML::Node& node, const std::string& field) {
    std::vector<std::string> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
      return out;
    }
    if (!node.IsSequence()) {
      Error(node, field, "must be a string or a list of strings");
      return out;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      if (!node[i].IsScalar()) {
        Error(node[i], field + "[" + std::to_string(i) + "]", "must be a string");
      } else {
        out.push_back(node[i].Scalar());
      }
    }
    return out;
  }

  bool Bool(const YAML::Node& node, const std::string& field, bool fallback) {
    if (!node.IsDefined() || node.IsNull()) return fallback;
    try {
      return node.as<bool>();
    } catch (const YAML::Exception&) {
      Error(node, field, "must be true or false");
      return fallback;
    }
  }

  int64_t Int(const YAML::Node& node, const std::string& field, int64_t fallback) {
    if (!node.IsDefined() || node.IsNull()) return fallback;
    try {
      return node.as<int64_t>();
    } catch (const YAML::Exception&) {
      Error(node, field, "must be an integer");
      return fallback;
    }
  }

  // Condition names must start with a known prefix, so typos fail at load, not silently at run.
  void CheckNames(const YAML::Node& node, const std::string& field, const Expr& e) {
    for (const auto& name : e.Names()) {
      const bool known = name == "action" || name.rfind("principal.", 0) == 0 ||
                         name.rfind("context.", 0) == 0 || name.rfind("resource.", 0) == 0;
      if (!known) {
        Error(node, field,
              "unknown name '" + name +
                  "' (names start with principal., context., resource. or "
                  "are action)");
      }
    }
  }

  std::optional<Expr> Condition(const YAML::Node& node, const std::string& field) {
    const std::string text = String(node, field);
    if (text.empty()) return std::nullopt;
    auto e = Expr::Parse(text);
    if (!e.ok()) {
      Error(node, field, e.status().message());
      return std::nullopt;
    }
    CheckNames(node, field, e.value());
    return std::move(e).value();
  }

  // A row filter is a conjunction of `field op value` terms; the field is a record field, the
  // value a literal, a list, or a principal./context. name.
  void RowFilter(const YAML::Node& node, const std::string& field, Obligations* ob) {
    ob->row_filter = String(node, field);
    if (ob->row_filter.empty()) return;
    auto e = Expr::Parse(ob->row_filter);
    if (!e.ok()) return Error(node, field, e.status().message());
    std::vector<const Expr::Node*> terms;
    CollectAnd(e->root(), &terms);
    for (const Expr::Node* t : terms) {
      RowTerm term;
      switch (t->op) {
        case Expr::Op::kEq:
          term.op = RowTerm::Op::kEq;
          break;
        case Expr::Op::kNe:
          term.op = RowTerm::Op::kNe;
          break;
        case Expr::Op::kIn:
          term.op = RowTerm::Op::kIn;
          break;
        default:
          return Error(node, field,
                       "row filters are terms 'field == value', 'field != value' or "
                       "'field in list' joined by &&");
      }
      const Expr::Node* lhs = t->kids[0].get();
      const Expr::Node* rhs = t->kids[1].get();
      if (lhs->op != Expr::Op::kName || lhs->name.rfind("principal.", 0) == 0 ||
          lhs->name.rfind("context.", 0) == 0 || lhs->name.rfind("resource.", 0) == 0) {
        return Error(node, field, "the left side of a row filter term must be a record field");
      }
      for (char c : lhs->name) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.')) {
          return Error(node, field, "bad record field '" + lhs->name + "'");
        }
      }
      if (rhs->op == Expr::Op::kName && rhs->name.rfind("principal.", 0) != 0 &&
          rhs->name.rfind("context.", 0) != 0) {
        return Error(node, field,
                     "the right side of a row filter term must be a literal, a list, or a "
                     "principal./context. name");
      }
      if (rhs->op != Expr::Op::kName && rhs->op != Expr::Op::kLiteral &&
          rhs->op != Expr::Op::kList) {
        return Error(node, field, "the right side of a row filter term must be a single value");
      }
      term.field = lhs->name;
      auto value = Expr::Parse(RhsText(*rhs));
      if (!value.ok()) return Error(node, field, value.status().message());
      term.value = std::move(value).value();
      ob->row_terms.push_back(std::move(term));
    }
  }

  Obligations ParseObligations(const YAML::Node& node, const std::string& field) {
    Obligations ob;
    ob.audit_level = default_audit_level_;
    if (!node.IsDefined() || node.IsNull()) return ob;
    if (!node.IsMap()) {
      Error(node, field, "must be a mapping");
      return ob;
    }
    Keys(node, field,
         {"mask_fields", "redact_class", "row_filter", "max_rows", "require_approval",
          "audit_level", "injection"});
    ob.mask_fields = Strings(node["mask_fields"], field + ".mask_fields");
    ob.redact_class = String(node["redact_class"], field + ".redact_class");
    if (!ob.redact_class.empty() && !kSensitivities.count(ob.redact_class)) {
      Error(node["redact_class"], field + ".redact_class",
            "must be public, internal, confidential or restricted");
    }
    RowFilter(node["row_filter"], field + ".row_filter", &ob);
    ob.max_rows = Int(node["max_rows"], field + ".max_rows", 0);
    if (ob.max_rows < 0) Error(node["max_rows"], field + ".max_rows", "must be >= 0");
    ob.require_approval = Bool(node["require_approval"], field + ".require_approval", false);
    ob.injection = String(node["injection"], field + ".injection");
    if (!ob.injection.empty() && ob.injection != "block" && ob.injection != "strip" &&
        ob.injection != "flag") {
      Error(node["injection"], field + ".injection", "must be block, strip or flag");
    }
    const std::string level = String(node["audit_level"], field + ".audit_level");
    if (!level.empty()) {
      if (!kAuditLevels.count(level)) {
        Error(node["audit_level"], field + ".audit_level", "must be minimal, standard or full");
      }
      ob.audit_level = level;
    }
    return ob;
  }

  void Run(std::string_view text, std::vector<Rule>* out) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      errors_->push_back({e.mark.line + 1, "", e.msg});
      return;
    }
    if (!root.IsMap()) {
      Error(root, "", "a policy is a mapping with a 'rules' list");
      return;
    }
    Keys(root, "", {"version", "description", "defaults", "rules"});
    version_ = Int(root["version"], "version", 1);
    const YAML::Node defaults = root["defaults"];
    if (defaults.IsDefined() && !defaults.IsNull()) {
      if (!defaults.IsMap()) {
        Error(defaults, "defaults", "must be a mapping");
      } else {
        Keys(defaults, "defaults", {"audit_level"});
        const std::string level = String(defaults["audit_level"], "defaults.audit_level");
        if (!level.empty()) {
          if (!kAuditLevels.count(level)) {
            Error(defaults["audit_level"], "defaults.audit_level",
                  "must be minimal, standard or full");
          }
          default_audit_level_ = level;
        }
      }
    }
    const YAML::Node rules = root["rules"];
    if (!rules.IsDefined() || !rules.IsSequence()) {
      Error(root, "rules", "must be a list of rules");
      return;
    }
    if (rules.size() > kMaxRules) {
      Error(rules, "rules", "more than " + std::to_string(kMaxRules) + " rules");
      return;
    }
    std::set<std::string> ids;
    for (size_t i = 0; i < rules.size(); ++i) {
      const YAML::Node r = rules[i];
      const std::string f = "rules[" + std::to_string(i) + "]";
      if (!r.IsMap()) {
        Error(r, f, "must be a mapping");
        continue;
      }
      Keys(r, f,
           {"id", "description", "effect", "shadow", "roles", "subjects", "resources", "actions",
            "when", "reason", "obligations"});
      Rule rule;
      rule.line = r.Mark().line + 1;
      rule.id = String(r["id"], f + ".id");
      if (rule.id.empty()) {
        Error(r, f + ".id", "is required");
      } else if (!IsValidRecordId(rule.id)) {
        Error(r["id"], f + ".id", "must be 1-64 characters of A-Z a-z 0-9 _ . : -");
      } else if (!ids.insert(rule.id).second) {
        Error(r["id"], f + ".id", "duplicate rule id '" + rule.id + "'");
      }
      rule.description = String(r["description"], f + ".description");
      const std::string effect = String(r["effect"], f + ".effect");
      if (effect != "permit" && effect != "deny") {
        Error(r["effect"].IsDefined() ? r["effect"] : r, f + ".effect", "must be permit or deny");
      }
      rule.permit = effect == "permit";
      rule.shadow = Bool(r["shadow"], f + ".shadow", false);
      rule.roles = Strings(r["roles"], f + ".roles");
      rule.subjects = Strings(r["subjects"], f + ".subjects");
      if (rule.roles.empty() && rule.subjects.empty()) {
        Error(r, f + ".roles", "a rule needs roles or subjects (\"*\" for anyone authenticated)");
      }
      rule.resources = Strings(r["resources"], f + ".resources");
      if (rule.resources.empty()) Error(r, f + ".resources", "is required");
      rule.actions = Strings(r["actions"], f + ".actions");
      if (rule.actions.empty()) Error(r, f + ".actions", "is required");
      for (const auto* list : {&rule.resources, &rule.actions}) {
        for (const auto& p : *list) {
          const size_t star = p.find('*');
          if (p.empty() || (star != std::string::npos && star != p.size() - 1)) {
            Error(r, f, "pattern '" + p + "': '*' may only end a pattern");
          }
        }
      }
      rule.when = Condition(r["when"], f + ".when");
      rule.reason = String(r["reason"], f + ".reason");
      rule.obligations = ParseObligations(r["obligations"], f + ".obligations");
      if (!rule.permit && r["obligations"].IsDefined()) {
        Error(r["obligations"], f + ".obligations", "only permit rules carry obligations");
      }
      out->push_back(std::move(rule));
    }
  }

  int64_t version() const { return version_; }
  const std::string& default_audit_level() const { return default_audit_level_; }

 private:
  static void CollectAnd(const Expr::Node* n, std::vector<const Expr::Node*>* out) {
    if (n->op == Expr::Op::kAnd) {
      CollectAnd(n->kids[0].get(), out);
      CollectAnd(n->kids[1].get(), out);
    } else {
      out->push_back(n);
    }
  }

  // Re-serialises a right-hand side so each term owns a small expression of its own.
  static std::string RhsText(const Expr::Node& n) {
    if (n.op == Expr::Op::kName) return n.name;
    if (n.op == Expr::Op::kList) {
      std::string out = "[";
      const auto& items = std::get<std::vector<std::string>>(n.literal.v);
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += Quote(items[i]);
      }
      return out + "]";
    }
    const auto& v = n.literal.v;
    if (std::holds_alternative<bool>(v)) return std::get<bool>(v) ? "true" : "false";
    if (std::holds_alternative<double>(v)) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.17g", std::get<double>(v));
      return buf;
    }
    if (std::holds_alternative<std::string>(v)) return Quote(std::get<std::string>(v));
    return "null";
  }

  static std::string Quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
      if (c == '\'' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out + "'";
  }

  std::vector<PolicyError>* errors_;
  int64_t version_ = 1;
  std::string default_audit_level_ = "standard";
};

}  // namespace

std::shared_ptr<const Policy> Policy::Compile(std::string_view yaml,
                                              std::vector<PolicyError>* errors) {
  errors->clear();
  if (yaml.size() > kMaxPolicyBytes) {
    errors->push_back({0, "", "policy larger than " + std::to_string(kMaxPolicyBytes) + " bytes"});
    return nullptr;
  }
  std::shared_ptr<Policy> policy(new Policy());
  Compiler compiler(errors);
  std::vector<Rule> rules;
  try {
    compiler.Run(yaml, &rules);
  } catch (const YAML::Exception& e) {
    errors->push_back({e.mark.line + 1, "", e.msg});
  }
  if (!errors->empty()) return nullptr;
  policy->rules_ = std::move(rules);
  policy->source_ = std::string(yaml);
  policy->version_ = compiler.version();
  policy->default_audit_level_ = compiler.default_audit_level();
  policy->BuildIndex();
  return policy;
}

}  // namespace crmi::trust
