// Customer 360: everything an agent or a model needs about one contact, in one round trip and
// from one consistent snapshot of the store (a write landing mid-read is either fully in or out).
//
//   {"contact": {...}, "account": {...} | null,
//    "recent_activities": [...],      newest first (activities whose parent is the contact)
//    "open_cases": [...],             cases of the contact not resolved or closed
//    "open_opportunities": [...],     of the contact or its account, not closed won/lost
//    "counts": {...}, "as_of": "..."}
//
// Thread-safety: safe to call concurrently.
#ifndef CRMI_CRM_CUSTOMER360_H_
#define CRMI_CRM_CUSTOMER360_H_

#include <string>
#include <string_view>

#include "src/common/clock.h"
#include "src/common/status.h"
#include "src/store/store.h"

namespace crmi::crm {

struct Customer360Options {
  int activities = 20;
  int cases = 50;
  int opportunities = 50;
};

// kNotFound when the contact does not exist in the tenant.
Result<std::string> Customer360Json(store::Store* store, std::string_view tenant,
                                    std::string_view contact_id, const Customer360Options& options,
                                    Clock* clock);

}  // namespace crmi::crm

#endif  // CRMI_CRM_CUSTOMER360_H_
