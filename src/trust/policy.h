// The policy decision point (PDP): declarative rules compiled into an index, decisions with the
// deciding rule, a reason and obligations.
//
// Semantics (docs/security.md has the schema and examples):
// - A rule applies when the action and resource match, the principal has one of its roles (or
//   is one of its subjects), and its `when` condition holds.
// - Deny overrides: any applicable deny rule denies. Otherwise the first applicable permit rule,
//   in file order, permits, with its obligations. Otherwise the default is deny.
// - Shadow rules are evaluated and counted, never enforced: they show what a new rule would do.
// - Resources are names ("contacts", "system", "template:welcome", "model:gpt-4o"); a trailing
//   '*' matches any suffix, "*" alone anything. Actions likewise ("read", "list", "*").
//
// Obligations travel with a permit and must all be applied by the enforcement point, which
// refuses the request when it cannot apply one (fail closed).
//
// Thread-safety: a Policy is immutable after compilation (shadow counters are atomics); Decide
// is safe from any number of threads.
#ifndef CRMI_TRUST_POLICY_H_
#define CRMI_TRUST_POLICY_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/common/status.h"
#include "src/trust/expr.h"
#include "src/trust/principal.h"

namespace crmi::trust {

// One term of a row filter: `field op value`, the value computed from the principal/context.
struct RowTerm {
  enum class Op { kEq, kNe, kIn };
  std::string field;  // record field path: owner_id, region, consent.marketing, custom.x
  Op op = Op::kEq;
  Expr value;
};

struct Obligations {
  std::vector<std::string> mask_fields;  // field paths masked in every response
  std::string redact_class;  // "": none; else mask every field of this sensitivity or above
  std::string row_filter;    // source text; compiled into row_terms (a conjunction)
  std::vector<RowTerm> row_terms;
  int64_t max_rows = 0;  // 0: no cap on list sizes
  bool require_approval = false;
  std::string audit_level = "standard";  // minimal | standard | full
  // What a prompt-injection verdict on the caller's own text does where a model is called
  // (POST /v1/ask, /v1/chat/completions): block | strip | flag; "": the server's default
  // ([llm.safety] question). Ignored by routes that call no model.
  std::string injection;

  bool restricts_rows() const { return !row_terms.empty(); }
  bool masks() const { return !mask_fields.empty() || !redact_class.empty(); }
  std::string ToJson() const;
};

struct Rule {
  std::string id;
  std::string description;
  bool permit = false;
  bool shadow = false;
  std::vector<std::string> roles;     // any of; "*" anyone authenticated
  std::vector<std::string> subjects;  // or one of these subjects
  std::vector<std::string> resources;
  std::vector<std::string> actions;
  std::optional<Expr> when;
  std::string reason;
  Obligations obligations;
  int line = 0;  // where the rule starts in its source
};

// Attributes of the resource a decision is about, when known.
struct ResourceAttrs {
  std::string tenant;
  std::string region;
  std::string owner_id;
  std::string sensitivity;
  // An answer's risk (0..1) when a decision is about releasing it (resource.risk); < 0: none.
  double risk = -1;
};

struct DecisionRequest {
  const Principal* principal = nullptr;
  const Context* context = nullptr;
  std::string_view resource;
  std::string_view action;
  ResourceAttrs attrs;
};

struct Decision {
  bool permit = false;
  std::string rule;  // the deciding rule's id, or "default-deny"
  std::string reason;
  const Obligations* obligations = nullptr;  // points into the Policy; null for denials
  std::vector<std::string> shadow;           // "rule-id=permit|deny" of matching shadow rules
};

// How one rule fared on a request (dry runs: why did this decide the way it did?).
struct RuleTrace {
  std::string rule;
  bool permit = false;
  bool shadow = false;
  bool subject_matches = false;  // roles or subjects
  int condition = -1;            // -1: no condition; 0 false; 1 true
  bool applies = false;
};

struct PolicyError {
  int line = 0;       // 1-based; 0 when unknown
  std::string field;  // "rules[3].effect"
  std::string message;
  std::string ToString() const;
};

class Policy {
 public:
  // Parses and compiles a policy document (YAML; JSON is accepted as YAML). On failure returns
  // null and fills `errors` (each with its line and field).
  static std::shared_ptr<const Policy> Compile(std::string_view yaml,
                                               std::vector<PolicyError>* errors);

  Decision Decide(const DecisionRequest& request) const;
  // Every rule whose resources and actions match the request, in file order, with what held.
  // Scans all rules: for explanations, not the request path.
  std::vector<RuleTrace> Explain(const DecisionRequest& request) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const std::string& source() const { return source_; }
  int64_t version() const { return version_; }
  // How often each shadow rule matched since this policy was compiled.
  std::map<std::string, int64_t> ShadowCounts() const;

  // Builds the resolver conditions see (principal.*, context.*, resource.*, action).
  static Resolver MakeResolver(const DecisionRequest& request);
  // Resolves the right-hand side of row filter terms (principal.* and context.* only).
  static Resolver MakeRowResolver(const Principal& principal, const Context& context);

 private:
  Policy() = default;
  void BuildIndex();
  bool Applies(const Rule& rule, const DecisionRequest& request, const Resolver& resolve) const;

  std::vector<Rule> rules_;
  std::string source_;
  int64_t version_ = 0;
  std::string default_audit_level_ = "standard";
  // "action\x1fresource" → rule indexes, for rules naming both exactly; others by action (or
  // under "*"), checked by pattern. All lists are in file order.
  std::unordered_map<std::string, std::vector<int>> exact_;
  std::unordered_map<std::string, std::vector<int>> wild_by_action_;
  std::vector<int> wild_any_action_;
  std::unique_ptr<std::atomic<int64_t>[]> shadow_counts_;
};

// True when `pattern` ("contacts", "template:*", "*") matches `name`.
bool PatternMatches(std::string_view pattern, std::string_view name);

}  // namespace crmi::trust

#endif  // CRMI_TRUST_POLICY_H_
