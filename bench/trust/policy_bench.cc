// PDP decision latency with 1,000 rules (goal: p99 ≤ 20 µs per decision).
//
// The policy: 1,000 rules over 40 collections, 6 actions and 12 roles, a quarter of them with a
// `when` condition on context and principal attributes, some with wildcard resources or actions,
// a few deny rules. Requests draw a random role, action and resource. Each decision is timed on
// its own so that the percentiles are real, not averages.
//
//   build/release/bench/policy_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "src/trust/policy.h"

namespace {

using crmi::trust::Context;
using crmi::trust::DecisionRequest;
using crmi::trust::Policy;
using crmi::trust::Principal;

const std::vector<std::string> kActions = {"read", "list", "create", "update", "delete", "import"};

std::string Resource(int i) { return "coll" + std::to_string(i); }
std::string Role(int i) { return "role" + std::to_string(i); }

std::shared_ptr<const Policy> MakePolicy(int rules) {
  std::mt19937 rng(42);
  std::string yaml = "rules:\n";
  for (int i = 0; i < rules; ++i) {
    const bool deny = rng() % 20 == 0;
    yaml += "  - id: r" + std::to_string(i) + "\n    effect: " + (deny ? "deny" : "permit") +
            "\n    roles: ['" + Role(rng() % 12) + "', '" + Role(rng() % 12) + "']\n";
    const int shape = static_cast<int>(rng() % 20);
    if (shape == 0) {
      yaml += "    resources: ['*']\n";
    } else if (shape == 1) {
      yaml += "    resources: ['coll1*']\n";
    } else {
      yaml += "    resources: ['" + Resource(rng() % 40) + "', '" + Resource(rng() % 40) + "']\n";
    }
    yaml += "    actions: ['" + (rng() % 30 == 0 ? std::string("*") : kActions[rng() % 6]) + "']\n";
    if (rng() % 4 == 0) {
      yaml += "    when: context.risk < " + std::to_string(rng() % 100) +
              " && principal.attr.region in ['na', 'eu'] && context.posture != 'unmanaged'\n";
    }
    if (!deny && rng() % 3 == 0) {
      yaml +=
          "    obligations:\n      row_filter: owner_id == principal.sub\n      max_rows: 100\n";
    }
  }
  std::vector<crmi::trust::PolicyError> errors;
  auto p = Policy::Compile(yaml, &errors);
  if (!p) {
    std::fprintf(stderr, "policy: %s\n", errors.empty() ? "?" : errors[0].ToString().c_str());
    std::abort();
  }
  return p;
}

void BM_Decide(benchmark::State& state) {
  const auto policy = MakePolicy(static_cast<int>(state.range(0)));
  std::mt19937 rng(7);
  std::vector<Principal> who(64);
  for (auto& p : who) {
    p.subject = "u" + std::to_string(rng() % 1000);
    p.tenant = "t1";
    p.roles = {Role(rng() % 12), Role(rng() % 12)};
    p.attrs["region"] = {rng() % 2 ? "na" : "apac"};
  }
  Context ctx;
  ctx.posture = "managed";
  std::vector<int64_t> nanos;
  nanos.reserve(1 << 20);
  size_t i = 0;
  int64_t permits = 0;
  for (auto _ : state) {
    const Principal& p = who[i % who.size()];
    const std::string& action = kActions[(i * 7) % 6];
    const std::string resource = Resource(static_cast<int>((i * 13) % 40));
    ctx.risk = static_cast<int64_t>(i % 100);
    DecisionRequest req{&p, &ctx, resource, action, {}};
    const auto t0 = std::chrono::steady_clock::now();
    const auto d = policy->Decide(req);
    const auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(d.permit);
    permits += d.permit ? 1 : 0;
    if (nanos.size() < nanos.capacity()) {
      nanos.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    }
    ++i;
  }
  std::sort(nanos.begin(), nanos.end());
  auto pct = [&](double q) {
    return nanos.empty()
               ? 0.0
               : static_cast<double>(nanos[static_cast<size_t>(q * (nanos.size() - 1))]) / 1000.0;
  };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["p999_us"] = pct(0.999);
  state.counters["permit_share"] = static_cast<double>(permits) / static_cast<double>(i);
}

BENCHMARK(BM_Decide)->Arg(100)->Arg(1000)->Arg(5000);

}  // namespace

BENCHMARK_MAIN();
