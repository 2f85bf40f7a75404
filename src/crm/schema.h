// The CRM data model: collections, their fields, types, sensitivity classes and indexes.
//
// Conventions follow Salesforce, Twenty, EspoCRM and Odoo: accounts, contacts, leads,
// opportunities, cases, one polymorphic `activities` collection (email, chat, call, meeting, note,
// web/app event summaries), products and knowledge articles.
//
// Every record also has system fields managed by the server — id, tenant, version, created_at,
// updated_at — and the user fields `owner_id`, `region` (residency) and `custom` (free JSON).
//
// Each field carries a sensitivity class (public < internal < confidential < restricted) so that
// the governance layer can mask by class without knowing the model. The schema is immutable and
// shared; Schema::Default() is the built-in one.
#ifndef CRMI_CRM_SCHEMA_H_
#define CRMI_CRM_SCHEMA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/store/store.h"

namespace crmi::crm {

enum class FieldType {
  kString,  // short text, max_length bytes
  kText,    // long free text (bodies, descriptions, transcripts)
  kEmail,
  kPhone,    // E.164 or national notation
  kEnum,     // one of enum_values
  kInteger,  // int64
  kNumber,   // finite double
  kBoolean,
  kDate,         // YYYY-MM-DD
  kDateTime,     // RFC 3339, stored normalised to UTC milliseconds
  kRef,          // id of a record in ref_collection (or in the collection named by parent_type)
  kCurrency,     // ISO 4217 code, three upper-case letters
  kRegion,       // residency tag: [a-z0-9-]{1,32}
  kLocale,       // BCP 47 tag: en-US
  kObject,       // nested object with declared subfields
  kStringArray,  // array of short strings (tags)
  kJson,         // free JSON object (`custom`)
};

enum class Sensitivity { kPublic = 0, kInternal = 1, kConfidential = 2, kRestricted = 3 };

std::string_view FieldTypeName(FieldType t);
std::string_view SensitivityName(Sensitivity s);

struct Field {
  std::string name;
  FieldType type = FieldType::kString;
  Sensitivity sensitivity = Sensitivity::kInternal;
  bool required = false;
  bool indexed = false;  // mirrored into an indexed store column
  size_t max_length = 255;
  std::vector<std::string> enum_values;
  std::string ref_collection;
  std::vector<Field> subfields;  // kObject
  std::optional<double> min;
  std::optional<double> max;
  std::string default_json;  // JSON text applied on create when the field is absent
  std::string description;

  const Field* FindSubfield(std::string_view name) const;
};

struct Collection {
  std::string name;       // "contacts"
  std::string singular;   // "contact"
  std::string id_prefix;  // "con"
  std::string description;
  std::vector<Field> fields;  // user fields, in canonical output order

  const Field* Find(std::string_view name) const;
  // Resolves "consent.marketing" to the subfield; "custom.<anything>" resolves to `custom`.
  const Field* FindPath(std::string_view path) const;
  store::CollectionSpec StoreSpec() const;
};

class Schema {
 public:
  explicit Schema(std::vector<Collection> collections);

  // The built-in CRM schema.
  static const Schema& Default();

  const Collection* Find(std::string_view name) const;
  const std::vector<Collection>& collections() const { return collections_; }
  std::vector<store::CollectionSpec> StoreSpecs() const;

  // JSON description served at GET /v1/schema (or of one collection).
  std::string ToJson() const;
  static std::string CollectionToJson(const Collection& c);

 private:
  std::vector<Collection> collections_;
};

// Server-managed fields present on every record, in output order.
const std::vector<std::string>& SystemFields();
bool IsSystemField(std::string_view name);

}  // namespace crmi::crm

#endif  // CRMI_CRM_SCHEMA_H_
