// Consent: what a contact agreed to, and the rule every writer of actions obeys.
//
// A contact's consent lives in its record: consent.marketing and consent.profiling, absent
// meaning not given (the schema's default is false).
// - consent.profiling false: the contact is excluded from scoring and from score-based
//   recommendations (signals/decisioning.h refuses one contact, skips them in a batch).
// - consent.marketing false: no marketing action may be proposed, queued or sent to them. The
//   rule is checked inside the write transaction that creates or changes an action (every
//   RecordService path: create, patch, import), and again by the dispatcher in the transaction
//   that claims a queued action for delivery, so a withdrawal also stops actions already queued.
//
// Refusals are kPermissionDenied whose message starts with "consent required"
// (IsConsentRefusal); the HTTP layer gives them the problem type consent-required.
//
// Thread-safety: free functions without shared state.
#ifndef CRMI_CRM_CONSENT_H_
#define CRMI_CRM_CONSENT_H_

#include <string_view>

#include "src/common/status.h"
#include "src/store/store.h"

namespace crmi::crm {

enum class Consent { kMarketing, kProfiling };

// "consent.marketing" / "consent.profiling".
std::string_view ConsentPath(Consent c);

// True only when the contact document holds `true` at the consent's path.
bool DocConsents(std::string_view contact_doc, Consent c);

Status ConsentRefusal(std::string_view contact_id, Consent c);
bool IsConsentRefusal(const Status& s);

// The actions rule. `doc` is the action as it would be stored (validated, canonical);
// `previous` the stored document a patch or an import replaces, or empty for a create. The rule
// applies to a marketing action left in status proposed, queued, sending or sent — except one
// moving from sending or sent to sent (recording a delivery that already happened). Then the
// contact is read through `txn` (the same transaction as the write, so no concurrent withdrawal
// slips between) and must consent to marketing. kInvalidArgument when the contact does not exist,
// or for an offer or loyalty action whose purpose is not marketing (they are marketing whatever the
// label).
Status CheckActionConsent(store::ReadTxn& txn, std::string_view tenant, std::string_view doc,
                          std::string_view previous);

}  // namespace crmi::crm

#endif  // CRMI_CRM_CONSENT_H_
