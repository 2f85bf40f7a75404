// Record bodies: validation against the schema, JSON merge patch, canonical rendering, ETags and
// typed list filters. Pure functions over strings (RapidJSON stays inside record.cc), safe on
// untrusted input: malformed JSON, invalid UTF-8, duplicate keys, deep nesting and wrong types are
// reported as kInvalidArgument with the offending field, never a crash.
//
// Canonical form: the stored document holds user fields only, in schema order, with defaults
// applied and date-times normalised to UTC milliseconds. System fields (id, tenant, version,
// created_at, updated_at) live in store columns and are merged in by RenderRecord.
//
// Input rules for system fields in bodies: `id` is validated (client-chosen ids are allowed on
// create); `tenant`, when present, must equal the caller's tenant; `version`, `created_at` and
// `updated_at` are server-managed and ignored, so an exported record can be re-imported as is.
#ifndef CRMI_CRM_RECORD_H_
#define CRMI_CRM_RECORD_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/crm/schema.h"
#include "src/store/store.h"

namespace crmi::crm {

struct PreparedRecord {
  std::string id;                          // empty: the server assigns one
  std::string doc;                         // canonical JSON object of the user fields
  std::vector<store::Value> index_values;  // per Collection::StoreSpec().indexed_fields
};

// Validates a complete record (create, import line, replace).
Result<PreparedRecord> PrepareRecord(const Collection& collection, std::string_view json,
                                     std::string_view tenant);

// Applies an RFC 7396 JSON merge patch to a stored document and validates the result.
// `id` is the record's id; a patch may repeat it but not change it.
Result<PreparedRecord> PrepareMergePatch(const Collection& collection, std::string_view stored_doc,
                                         std::string_view patch_json, std::string_view id,
                                         std::string_view tenant);

// API representation: {"id","tenant","version","created_at","updated_at", ...user fields}.
void AppendRecordJson(std::string* out, std::string_view tenant, const store::StoredRecord& r);
std::string RecordJson(std::string_view tenant, const store::StoredRecord& r);

// Strong ETag of a record version: "\"<seq>-<version>\"".
std::string ETag(const store::StoredRecord& r);
// Parses one entity tag as produced by ETag(); nullopt for anything else (including W/ tags).
std::optional<store::Expect> ParseETag(std::string_view etag);

// Converts a query-string value for `path` (a field, "consent.marketing" or "custom.<key>") to a
// typed filter value. Values of custom keys are read as JSON scalars when they parse as one
// (7, true, "7") and as plain strings otherwise.
Result<store::Value> ParseFilterValue(const Collection& collection, std::string_view path,
                                      std::string_view raw);

}  // namespace crmi::crm

#endif  // CRMI_CRM_RECORD_H_
