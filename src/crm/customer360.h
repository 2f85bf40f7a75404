// Customer 360: everything an agent or a model needs about one contact, in one round trip and
// from one consistent snapshot of the store (a write landing mid-read is either fully in or out).
//
//   {"contact": {...}, "account": {...} | null,
//    "recent_activities": [...],      newest first (activities whose parent is the contact)
//    "open_cases": [...],             cases of the contact not resolved or closed
//    "open_opportunities": [...],     of the contact or its account, not closed won/lost
//    "counts": {...}, "withheld": [...], "as_of": "..."}
//
// Access is decided per section: the caller's Access for each collection restricts its rows and
// masks its fields; a section whose collection the caller may not read is withheld (null or [],
// and named in "withheld") rather than failing the whole view.
//
// Thread-safety: safe to call concurrently.
#ifndef CRMI_CRM_CUSTOMER360_H_
#define CRMI_CRM_CUSTOMER360_H_

#include <string>
#include <string_view>

#include "src/common/clock.h"
#include "src/common/status.h"
#include "src/crm/access.h"
#include "src/store/store.h"

namespace crmi::crm {

struct Customer360Options {
  int activities = 20;
  int cases = 50;
  int opportunities = 50;
};

// Per collection: what the caller may see; null withholds the section.
struct Customer360Access {
  const Access* contacts = &Access::Unrestricted();
  const Access* accounts = &Access::Unrestricted();
  const Access* activities = &Access::Unrestricted();
  const Access* cases = &Access::Unrestricted();
  const Access* opportunities = &Access::Unrestricted();
};

// kNotFound when the contact does not exist in the tenant or lies outside access.contacts
// (which must not be null).
Result<std::string> Customer360Json(store::Store* store, std::string_view tenant,
                                    std::string_view contact_id, const Customer360Options& options,
                                    Clock* clock, const Customer360Access& access = {});

}  // namespace crmi::crm

#endif  // CRMI_CRM_CUSTOMER360_H_
