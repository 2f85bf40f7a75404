// Access: what a caller may see of a collection, as the enforcement point hands it to the CRM
// layer after a policy permitted the request — row restrictions pushed into store queries, and
// fields to mask in everything returned. The CRM layer does not know policies; it applies an
// Access exactly, or the request fails.
//
//   Access a;
//   a.rows = {{"owner_id", kEq, {"adv-017"}}};   // only records whose owner_id is adv-017
//   a.redact_from = Sensitivity::kRestricted;    // restricted fields come back masked
//   service.List(collection, tenant, request, a);
//
// A record outside `rows` does not exist for this caller: reads answer 404, writes that would
// create or move a record outside answer 403. Masked fields keep their key; their value becomes
// the string "[masked]".
#ifndef CRMI_CRM_ACCESS_H_
#define CRMI_CRM_ACCESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/crm/schema.h"
#include "src/store/store.h"

namespace crmi::crm {

inline constexpr std::string_view kMasked = "[masked]";

struct Access {
  std::vector<store::FieldFilter> rows;    // all must hold (kEq, kNotIn, kIn)
  std::vector<std::string> mask_fields;    // field paths ("email", "custom.iban")
  std::optional<Sensitivity> redact_from;  // mask every field of this class or above
  int max_rows = 0;                        // cap on list page sizes; 0: none

  bool restricts_rows() const { return !rows.empty(); }
  bool masks() const { return !mask_fields.empty() || redact_from.has_value(); }
  static const Access& Unrestricted();
};

// Evaluates `rows` against a stored document (the user fields of a record), with the semantics
// the store gives the same filters in SQL (null never equals; kNotIn admits null).
bool DocMatches(const Collection& c, std::string_view doc,
                const std::vector<store::FieldFilter>& rows);

// The document with masked fields replaced; the input itself when nothing applies.
std::string MaskDoc(const Collection& c, std::string_view doc, const Access& access);

// The API representation of `r` (crm::AppendRecordJson) with the masks of `access` applied.
void AppendVisibleRecordJson(std::string* out, const Collection& c, std::string_view tenant,
                             const store::StoredRecord& r, const Access& access);

// True when `path` (a field path as in filters) is masked by `access`.
bool IsMaskedPath(const Collection& c, std::string_view path, const Access& access);

// kPermissionDenied naming the first field of `body` (a record or a merge patch) that `access`
// masks — or whose removal would remove a masked field. Writing what one cannot read is refused:
// a "[masked]" sent back must not replace the real value. OK for bodies that are not JSON
// objects (validation reports those).
Status CheckWritable(const Collection& c, std::string_view body, const Access& access);

}  // namespace crmi::crm

#endif  // CRMI_CRM_ACCESS_H_
