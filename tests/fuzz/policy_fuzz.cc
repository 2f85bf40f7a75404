// Policy documents (PUT /v1/admin/policies, the policy file, `crmi policy check`): arbitrary
// bytes must compile or be refused with line/field errors; a compiled policy must decide and
// explain any request without crashing, deny overriding permit, and round-trip its obligations.
// Seeds (tests/fuzz/corpus/policy/) include config/policy.yaml and JSON/YAML variants with
// conditions, row filters and every obligation.
#include <cstdlib>
#include <string_view>

#include "src/trust/policy.h"
#include "tests/fuzz/fuzz.h"

CRMI_FUZZ_TARGET(policy) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<crmi::trust::PolicyError> errors;
  auto policy = crmi::trust::Policy::Compile(in, &errors);
  if (!policy) {
    if (errors.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  crmi::trust::Principal who;
  who.subject = "u1";
  who.tenant = "t1";
  who.roles = {"advisor", "admin"};
  who.attrs["regions"] = {"eu", "na"};
  who.attrs["region"] = {"eu"};
  crmi::trust::Context ctx;
  ctx.posture = "managed";
  ctx.risk = 40;
  ctx.zone = "internal";
  ctx.now_unix_ms = 1'750'000'000'000;
  for (std::string_view resource : {"contacts", "template:x", "audit", "zzz"}) {
    for (std::string_view action : {"read", "list", "update"}) {
      crmi::trust::DecisionRequest r;
      r.principal = &who;
      r.context = &ctx;
      r.resource = resource;
      r.action = action;
      r.attrs.tenant = "t1";
      r.attrs.region = "eu";
      r.attrs.owner_id = "u1";
      const auto d = policy->Decide(r);
      if (d.rule.empty() || (d.permit && d.obligations == nullptr)) std::abort();
      if (d.permit) (void)d.obligations->ToJson();
      (void)policy->Explain(r);
    }
  }
  return 0;
}
