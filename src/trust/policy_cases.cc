#include "src/trust/policy_cases.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "src/common/time_format.h"

namespace crmi::trust {
namespace {

std::vector<std::string> SplitList(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t p = s.find(sep);
    if (p != 0) out.emplace_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

// "k=v k2=v2" → pairs (values run to the next space).
std::vector<std::pair<std::string, std::string>> Pairs(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& word : SplitList(s, ' ')) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(word, "");
    } else {
      out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
  }
  return out;
}

struct Case {
  int line = 0;
  std::string name;
  Principal principal;
  Context context;
  ResourceAttrs attrs;
  std::string action, resource;
  std::string expect_effect, expect_rule;
  std::vector<std::string> expect_obligations;
  bool has_request = false;
};

Status Apply(Case* c, const std::string& key, std::string_view rest, int line) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("line " + std::to_string(line) + ": " + why);
  };
  if (key == "case") {
    c->name = std::string(rest);
  } else if (key == "principal") {
    for (const auto& [k, v] : Pairs(rest)) {
      if (k == "sub") {
        c->principal.subject = v;
      } else if (k == "tenant") {
        c->principal.tenant = v;
      } else if (k == "roles") {
        c->principal.roles = SplitList(v, ',');
      } else if (k == "kind") {
        c->principal.kind = v;
      } else if (k.rfind("attr.", 0) == 0) {
        c->principal.attrs[k.substr(5)] = SplitList(v, ',');
      } else {
        return bad("unknown principal key '" + k + "'");
      }
    }
  } else if (key == "context") {
    for (const auto& [k, v] : Pairs(rest)) {
      if (k == "posture") {
        c->context.posture = v;
      } else if (k == "risk") {
        c->context.risk = std::atoll(v.c_str());
      } else if (k == "zone") {
        c->context.zone = v;
      } else if (k == "ip") {
        c->context.source_address = v;
      } else if (k == "time") {
        auto ms = ParseRfc3339(v);
        if (!ms.ok()) return bad("context time: " + ms.status().message());
        c->context.now_unix_ms = ms.value();
      } else {
        return bad("unknown context key '" + k + "'");
      }
    }
  } else if (key == "resource") {
    for (const auto& [k, v] : Pairs(rest)) {
      if (k == "tenant") {
        c->attrs.tenant = v;
      } else if (k == "region") {
        c->attrs.region = v;
      } else if (k == "owner_id") {
        c->attrs.owner_id = v;
      } else if (k == "sensitivity") {
        c->attrs.sensitivity = v;
      } else if (k == "risk") {
        char* end = nullptr;
        c->attrs.risk = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0' || !(c->attrs.risk >= 0)) {
          return bad("resource risk must be a number ≥ 0");
        }
      } else {
        return bad("unknown resource key '" + k + "'");
      }
    }
  } else if (key == "request") {
    auto words = SplitList(rest, ' ');
    if (words.size() != 2) return bad("request takes an action and a resource");
    c->action = words[0];
    c->resource = words[1];
    c->has_request = true;
  } else if (key == "expect") {
    auto words = SplitList(rest, ' ');
    if (words.size() != 2 || (words[0] != "permit" && words[0] != "deny")) {
      return bad("expect takes permit|deny and a rule id");
    }
    c->expect_effect = words[0];
    c->expect_rule = words[1];
  } else if (key == "obligations") {
    c->expect_obligations.emplace_back(rest);
  } else {
    return bad("unknown directive '" + key + "'");
  }
  return Status::Ok();
}

}  // namespace

int PolicyCaseRun::failed() const {
  int n = 0;
  for (const auto& r : results) n += r.passed ? 0 : 1;
  return n;
}

Result<PolicyCaseRun> RunPolicyCases(std::string_view text, std::shared_ptr<const Policy> policy,
                                     const std::string& base_dir) {
  PolicyCaseRun run;
  std::vector<Case> cases;
  Case cur;
  bool in_case = false;
  std::istringstream in{std::string(text)};
  std::string line;
  int n = 0;
  auto flush = [&]() -> Status {
    if (!in_case) return Status::Ok();
    if (!cur.has_request || cur.expect_effect.empty()) {
      return InvalidArgument("case at line " + std::to_string(cur.line) +
                             " needs a request and an expect line");
    }
    cases.push_back(std::move(cur));
    cur = Case();
    in_case = false;
    return Status::Ok();
  };
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] == '#') continue;
    if (line.find_first_not_of(" \t") == std::string::npos) {
      RETURN_IF_ERROR(flush());
      continue;
    }
    const size_t sp = line.find(' ');
    const std::string key = line.substr(0, sp);
    const std::string_view rest =
        sp == std::string::npos ? std::string_view() : std::string_view(line).substr(sp + 1);
    if (key == "policy" && !in_case) {
      run.policy_path = base_dir.empty() ? std::string(rest) : base_dir + "/" + std::string(rest);
      continue;
    }
    if (!in_case) {
      in_case = true;
      cur.line = n;
    }
    RETURN_IF_ERROR(Apply(&cur, key, rest, n));
  }
  RETURN_IF_ERROR(flush());
  if (!policy) {
    if (run.policy_path.empty()) return InvalidArgument("no policy given and no 'policy' line");
    std::ifstream f(run.policy_path, std::ios::binary);
    if (!f) return InvalidArgument("cannot read policy " + run.policy_path);
    std::stringstream ss;
    ss << f.rdbuf();
    std::vector<PolicyError> errors;
    policy = Policy::Compile(ss.str(), &errors);
    if (!policy) {
      std::string msg = "policy " + run.policy_path + " is invalid:";
      for (const auto& e : errors) msg += "\n  " + e.ToString();
      return InvalidArgument(msg);
    }
  }
  for (const Case& c : cases) {
    DecisionRequest req;
    req.principal = &c.principal;
    req.context = &c.context;
    req.resource = c.resource;
    req.action = c.action;
    req.attrs = c.attrs;
    const Decision d = policy->Decide(req);
    PolicyCaseResult r;
    r.line = c.line;
    r.name = c.name;
    const std::string got = std::string(d.permit ? "permit " : "deny ") + d.rule;
    const std::string want = c.expect_effect + " " + c.expect_rule;
    r.passed = got == want;
    if (r.passed && !c.expect_obligations.empty()) {
      const std::string json = d.obligations != nullptr ? d.obligations->ToJson() : "";
      for (const auto& o : c.expect_obligations) {
        // `key=value` checks a member; plain text is looked up as is.
        std::string needle = o;
        const size_t eq = o.find('=');
        if (eq != std::string::npos) {
          needle = "\"" + o.substr(0, eq) + "\":";
          const std::string value = o.substr(eq + 1);
          const bool quoted = !value.empty() && (value[0] == '[' || value == "true" ||
                                                 value == "false" || std::isdigit(value[0]));
          needle += quoted ? value : "\"" + value + "\"";
        }
        if (json.find(needle) == std::string::npos) {
          r.passed = false;
          r.detail = "obligations " + json + " lack " + needle;
        }
      }
    } else if (!r.passed) {
      r.detail = "expected " + want + ", got " + got + " (" + d.reason + ")";
    }
    run.results.push_back(std::move(r));
  }
  return run;
}

}  // namespace crmi::trust
