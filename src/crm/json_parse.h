// The one way crm code parses JSON text into a RapidJSON document.
//
// Why not Document::Parse: RapidJSON 1.1 (Debian's rapidjson-dev) has undefined behaviour in its
// number conversion — the full-precision path on a zero mantissa with a large exponent, and the
// exponent accumulator on extreme exponents (tests/fuzz/record_fuzz.cc found both). So numbers
// are taken from the reader as raw tokens and converted here with std::from_chars (exact,
// correctly rounded, no UB), and tokens longer than 100 characters or with an exponent above 999
// are refused before RapidJSON reads them. Exact conversion also means a stored document
// re-parsed and re-written (merge patch) keeps every number bit for bit.
//
// Internal to src/crm; include only from .cc files (it pulls in RapidJSON).
#ifndef CRMI_CRM_JSON_PARSE_H_
#define CRMI_CRM_JSON_PARSE_H_

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace crmi::crm {

// True when every number token outside strings is within the limits above.
bool JsonNumbersWithinLimits(std::string_view json);

struct JsonParseResult {
  bool ok = false;
  std::string error;  // "Missing a name for object member. (at byte 1)" when !ok
};

// Parses UTF-8-validated JSON (iteratively: deep nesting cannot overflow the stack) into `doc`.
JsonParseResult ParseJson(std::string_view json, rapidjson::Document* doc);

}  // namespace crmi::crm

#endif  // CRMI_CRM_JSON_PARSE_H_
