// Demo data: a deterministic, realistic CRM data set for two tenants, used by `crmi demo`, the
// import benchmark and the search / question-answering / scoring demos.
//
//   maple-bank    North-American wealth management: households, clients, advisors (owner_id
//                 "adv-017"), call transcripts, emails, meetings, web/app behaviour digests, cases,
//                 opportunities, bank products and a knowledge base.
//   orbit-retail  Global retailer: loyalty members in na/eu/apac, a ~200-listing catalogue priced
//                 per market (USD, EUR, GBP, JPY, AUD), orders and carts as web/app events, support
//                 chats, warranty/delivery/refund cases and a knowledge base.
//
// Some contacts follow coherent storylines so that scoring has something to find: churn risk (fee
// complaints, a competitor, falling logins, a transfer-out request; for the retailer a late order,
// a slow refund, an unsubscribe, a silent app) and purchase intent (repeated product views,
// calculators or an abandoned cart, an open opportunity). Ground truth for evaluation, which
// scorers must not read: contacts' custom.demo_cohort ("steady", "churn_risk",
// "intent_mortgage", "intent_retirement_income", "intent_estate", "intent_managed_portfolio" at
// the bank; "steady", "lapsing", "intent_purchase" at the retailer). Activities carry a
// disposition-like custom.topic ("fee_complaint", "order_placed", ...).
//
// Every record is a valid body for PrepareRecord of its collection with an explicit id
// ("con_b000123"), and every reference points at a record generated earlier for the same tenant.
// Output depends only on DemoOptions: the same options give byte-identical output on every
// platform (own PRNG, integer arithmetic only, no standard-library distributions).
//
//   Status s = GenerateDemo({.seed = 7, .size = DemoSize::kMedium},
//                           [&](std::string_view tenant, std::string_view collection,
//                               std::string_view json) { return importer.Add(...); });
#ifndef CRMI_CRM_DEMO_DATA_H_
#define CRMI_CRM_DEMO_DATA_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi::crm {

enum class DemoSize { kSmall, kMedium, kLarge };

// "small", "medium" or "large"; anything else is kInvalidArgument naming the accepted values.
Result<DemoSize> ParseDemoSize(std::string_view name);

struct DemoOptions {
  uint64_t seed = 42;
  DemoSize size = DemoSize::kSmall;
  // "Now" of the data set (default 2026-11-01T00:00:00Z). Every occurred_at lies in the ~18 months
  // before it; only close dates of open opportunities and end dates of running offers lie after.
  int64_t anchor_unix_ms = 1793491200000;
};

// Receives each record as one JSON object text. The views are valid only during the call.
using DemoSink = std::function<Status(std::string_view tenant, std::string_view collection,
                                      std::string_view json)>;

// Emits the whole data set: for each tenant of DemoTenants(), in order, accounts, contacts,
// products, knowledge, leads, opportunities, cases, activities. Stops at and returns the first
// non-OK status of the sink. Memory stays proportional to the number of contacts (a few dozen
// bytes each), not to the output.
Status GenerateDemo(const DemoOptions& options, const DemoSink& sink);

// The two demo tenants, in generation order: "maple-bank", "orbit-retail".
const std::vector<std::string>& DemoTenants();

// Approximate totals over both tenants, for docs and help text.
struct DemoCounts {
  int64_t contacts;
  int64_t activities;
};
DemoCounts ExpectedDemoCounts(DemoSize size);

}  // namespace crmi::crm

#endif  // CRMI_CRM_DEMO_DATA_H_
