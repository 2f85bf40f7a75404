#include "src/trust/policy.h"

#include <algorithm>
#include <ctime>

#include "src/common/json_text.h"

namespace crmi::trust {
namespace {

ExprValue ListOrNull(const std::vector<std::string>& values) {
  if (values.empty()) return ExprValue::Null();
  if (values.size() == 1) return ExprValue::Str(values.front());
  return ExprValue::List(values);
}

ExprValue StrOrNull(const std::string& s) {
  return s.empty() ? ExprValue::Null() : ExprValue::Str(s);
}

// principal.* and context.* names, shared by conditions and row filters.
ExprValue ResolveSubject(const Principal* p, const Context* c, std::string_view name) {
  if (p != nullptr && name.rfind("principal.", 0) == 0) {
    const std::string_view n = name.substr(10);
    if (n == "sub" || n == "subject") return StrOrNull(p->subject);
    if (n == "tenant") return StrOrNull(p->tenant);
    if (n == "roles") return ExprValue::List(p->roles);
    if (n == "kind") return StrOrNull(p->kind);
    if (n == "method") return StrOrNull(p->method);
    if (n == "issuer") return StrOrNull(p->issuer);
    if (n.rfind("attr.", 0) == 0) {
      auto it = p->attrs.find(std::string(n.substr(5)));
      return it == p->attrs.end() ? ExprValue::Null() : ListOrNull(it->second);
    }
    return ExprValue::Null();
  }
  if (c != nullptr && name.rfind("context.", 0) == 0) {
    const std::string_view n = name.substr(8);
    if (n == "posture") return StrOrNull(c->posture);
    if (n == "risk") return ExprValue::Num(static_cast<double>(c->risk));
    if (n == "zone") return StrOrNull(c->zone);
    if (n == "ip") return StrOrNull(c->source_address);
    if (n == "hour" || n == "weekday" || n == "minute") {
      const time_t t = static_cast<time_t>(c->now_unix_ms / 1000);
      struct tm tm;
      gmtime_r(&t, &tm);
      if (n == "hour") return ExprValue::Num(tm.tm_hour);
      if (n == "minute") return ExprValue::Num(tm.tm_min);
      return ExprValue::Num(tm.tm_wday == 0 ? 7 : tm.tm_wday);  // ISO: Monday 1 .. Sunday 7
    }
    return ExprValue::Null();
  }
  return ExprValue::Null();
}

}  // namespace

std::string Obligations::ToJson() const {
  JsonObject o;
  if (!mask_fields.empty()) {
    std::string arr;
    AppendJsonStringArray(&arr, mask_fields);
    o.AddRaw("mask_fields", arr);
  }
  if (!redact_class.empty()) o.Add("redact_class", redact_class);
  if (!row_filter.empty()) o.Add("row_filter", row_filter);
  if (max_rows > 0) o.Add("max_rows", max_rows);
  if (require_approval) o.Add("require_approval", true);
  if (!injection.empty()) o.Add("injection", injection);
  o.Add("audit_level", audit_level);
  return o.Finish();
}

std::string PolicyError::ToString() const {
  std::string out;
  if (line > 0) out += "line " + std::to_string(line) + ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

bool PatternMatches(std::string_view pattern, std::string_view name) {
  if (pattern == "*") return true;
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return name.substr(0, pattern.size()) == pattern;
  }
  return pattern == name;
}

Resolver Policy::MakeResolver(const DecisionRequest& r) {
  return [&r](std::string_view name) -> ExprValue {
    if (name == "action") return ExprValue::Str(std::string(r.action));
    if (name.rfind("resource.", 0) == 0) {
      const std::string_view n = name.substr(9);
      if (n == "name") return ExprValue::Str(std::string(r.resource));
      if (n == "kind") {
        const size_t colon = r.resource.find(':');
        return ExprValue::Str(colon == std::string_view::npos
                                  ? std::string("collection")
                                  : std::string(r.resource.substr(0, colon)));
      }
      if (n == "tenant") return StrOrNull(r.attrs.tenant);
      if (n == "region") return StrOrNull(r.attrs.region);
      if (n == "owner_id") return StrOrNull(r.attrs.owner_id);
      if (n == "sensitivity") return StrOrNull(r.attrs.sensitivity);
      if (n == "risk") return r.attrs.risk < 0 ? ExprValue::Null() : ExprValue::Num(r.attrs.risk);
      return ExprValue::Null();
    }
    return ResolveSubject(r.principal, r.context, name);
  };
}

Resolver Policy::MakeRowResolver(const Principal& principal, const Context& context) {
  return [&principal, &context](std::string_view name) {
    return ResolveSubject(&principal, &context, name);
  };
}

void Policy::BuildIndex() {
  shadow_counts_ = std::make_unique<std::atomic<int64_t>[]>(rules_.size());
  for (size_t i = 0; i < rules_.size(); ++i) {
    shadow_counts_[i] = 0;
    const Rule& r = rules_[i];
    const int idx = static_cast<int>(i);
    bool any_action = false;
    std::vector<std::string> wild_actions;
    for (const auto& a : r.actions) {
      if (a.find('*') != std::string::npos) {
        any_action = true;
        continue;
      }
      bool wild_resource = false;
      for (const auto& res : r.resources) {
        if (res.find('*') != std::string::npos) {
          wild_resource = true;
        } else {
          auto& list = exact_[a + '\x1f' + res];
          if (list.empty() || list.back() != idx) list.push_back(idx);
        }
      }
      if (wild_resource) wild_actions.push_back(a);
    }
    if (any_action) {
      wild_any_action_.push_back(idx);
    } else {
      for (const auto& a : wild_actions) {
        auto& list = wild_by_action_[a];
        if (list.empty() || list.back() != idx) list.push_back(idx);
      }
    }
  }
}

bool Policy::Applies(const Rule& rule, const DecisionRequest& req, const Resolver& resolve) const {
  bool matched = false;
  for (const auto& a : rule.actions) matched = matched || PatternMatches(a, req.action);
  if (!matched) return false;
  matched = false;
  for (const auto& r : rule.resources) matched = matched || PatternMatches(r, req.resource);
  if (!matched) return false;
  const Principal& p = *req.principal;
  bool who = false;
  for (const auto& role : rule.roles) who = who || role == "*" || p.HasRole(role);
  for (const auto& s : rule.subjects) who = who || s == p.subject;
  if (!who) return false;
  return !rule.when || rule.when->Test(resolve);
}

Decision Policy::Decide(const DecisionRequest& req) const {
  Decision d;
  const Resolver resolve = MakeResolver(req);
  // Candidates in file order: exact (action, resource) rules and the pattern rules that could
  // match this action, merged.
  static const std::vector<int> kNone;
  const std::string key = std::string(req.action) + '\x1f' + std::string(req.resource);
  auto e = exact_.find(key);
  auto w = wild_by_action_.find(std::string(req.action));
  const std::vector<int>& lists0 = e == exact_.end() ? kNone : e->second;
  const std::vector<int>& lists1 = w == wild_by_action_.end() ? kNone : w->second;
  const std::vector<int>& lists2 = wild_any_action_;
  size_t i0 = 0, i1 = 0, i2 = 0;
  int last = -1;
  const Rule* permit = nullptr;
  const Rule* deny = nullptr;
  while (true) {
    int next = INT32_MAX;
    if (i0 < lists0.size()) next = std::min(next, lists0[i0]);
    if (i1 < lists1.size()) next = std::min(next, lists1[i1]);
    if (i2 < lists2.size()) next = std::min(next, lists2[i2]);
    if (next == INT32_MAX) break;
    if (i0 < lists0.size() && lists0[i0] == next) ++i0;
    if (i1 < lists1.size() && lists1[i1] == next) ++i1;
    if (i2 < lists2.size() && lists2[i2] == next) ++i2;
    if (next == last) continue;
    last = next;
    const Rule& rule = rules_[static_cast<size_t>(next)];
    if (!Applies(rule, req, resolve)) continue;
    if (rule.shadow) {
      shadow_counts_[static_cast<size_t>(next)].fetch_add(1, std::memory_order_relaxed);
      d.shadow.push_back(rule.id + (rule.permit ? "=permit" : "=deny"));
      continue;
    }
    if (!rule.permit) {
      if (deny == nullptr) deny = &rule;
    } else if (permit == nullptr) {
      permit = &rule;
    }
  }
  if (deny != nullptr) {
    d.rule = deny->id;
    d.reason = !deny->reason.empty()        ? deny->reason
               : !deny->description.empty() ? deny->description
                                            : "denied by rule " + deny->id;
    return d;
  }
  if (permit != nullptr) {
    d.permit = true;
    d.rule = permit->id;
    d.reason =
        permit->description.empty() ? "permitted by rule " + permit->id : permit->description;
    d.obligations = &permit->obligations;
    return d;
  }
  d.rule = "default-deny";
  std::string roles;
  for (const auto& r : req.principal->roles) roles += (roles.empty() ? "" : ",") + r;
  d.reason = "no rule permits " + std::string(req.action) + " on " + std::string(req.resource) +
             " for roles [" + roles + "]";
  return d;
}

std::vector<RuleTrace> Policy::Explain(const DecisionRequest& req) const {
  std::vector<RuleTrace> out;
  const Resolver resolve = MakeResolver(req);
  for (const Rule& rule : rules_) {
    bool target = false;
    for (const auto& a : rule.actions) target = target || PatternMatches(a, req.action);
    bool res = false;
    for (const auto& r : rule.resources) res = res || PatternMatches(r, req.resource);
    if (!target || !res) continue;
    RuleTrace t;
    t.rule = rule.id;
    t.permit = rule.permit;
    t.shadow = rule.shadow;
    for (const auto& role : rule.roles) {
      t.subject_matches = t.subject_matches || role == "*" || req.principal->HasRole(role);
    }
    for (const auto& s : rule.subjects) {
      t.subject_matches = t.subject_matches || s == req.principal->subject;
    }
    if (rule.when) t.condition = rule.when->Test(resolve) ? 1 : 0;
    t.applies = t.subject_matches && t.condition != 0;
    out.push_back(std::move(t));
  }
  return out;
}

std::map<std::string, int64_t> Policy::ShadowCounts() const {
  std::map<std::string, int64_t> out;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].shadow) out[rules_[i].id] = shadow_counts_[i].load();
  }
  return out;
}

bool Principal::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string Principal::Attr(std::string_view name) const {
  auto it = attrs.find(std::string(name));
  return it == attrs.end() || it->second.empty() ? std::string() : it->second.front();
}

}  // namespace crmi::trust
