// File-driven decision tables for policies (DuckDB sqllogictest style), run by
// `crmi policy test CASES` and by the unit tests. A file holds blank-line separated cases:
//
//   # comment
//   case advisor reads a contact of her book
//   principal sub=adv-017 tenant=maple-bank roles=advisor attr.region=na attr.regions=na,us
//   context posture=managed risk=10 zone=internal time=2026-11-24T10:00:00Z
//   resource region=na owner_id=adv-017          (optional resource attributes)
//   request read contacts                         (action, resource)
//   expect permit advisor-book                    (permit|deny, then the deciding rule id)
//   obligations row_filter=owner_id == principal.sub   (optional: text the obligations JSON has)
//
// A line `policy PATH` (relative to the case file) names the policy, unless the caller gives one.
#ifndef CRMI_TRUST_POLICY_CASES_H_
#define CRMI_TRUST_POLICY_CASES_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/trust/policy.h"

namespace crmi::trust {

struct PolicyCaseResult {
  int line = 0;
  std::string name;
  bool passed = false;
  std::string detail;  // what was expected and what came out, when failed
};

struct PolicyCaseRun {
  std::string policy_path;  // from the `policy` line, resolved against `base_dir`
  std::vector<PolicyCaseResult> results;
  int failed() const;
};

// Parses and runs the cases in `text`. When `policy` is null, the file must name one with a
// `policy` line (loaded relative to `base_dir`). kInvalidArgument for malformed case files.
Result<PolicyCaseRun> RunPolicyCases(std::string_view text, std::shared_ptr<const Policy> policy,
                                     const std::string& base_dir);

}  // namespace crmi::trust

#endif  // CRMI_TRUST_POLICY_CASES_H_
