// The one way crmi parses JSON text into a RapidJSON document.
//
// Why not Document::Parse: RapidJSON 1.1 (Debian's rapidjson-dev) has undefined behaviour in its
// number conversion (the full-precision path on a zero mantissa with a large exponent, found by
// tests/fuzz/record_fuzz.cc). So numbers are taken from the reader as raw tokens and converted
// here with std::from_chars: exact, correctly rounded, no UB. Exact conversion also means a
// stored document re-parsed and re-written (merge patch) keeps every number bit for bit. Inputs
// are capped at 64 MiB, far below the 2^31 digits at which RapidJSON's exponent arithmetic could
// overflow, and number tokens at 100 characters.
//
// Speed: UTF-8 is validated up front by crmi::IsValidUtf8 (word-at-a-time over ASCII) instead of
// RapidJSON's per-character transcoding check, which was a fifth of the cost of a record. (Not
// RapidJSON's SSE2 mode: in 1.1 it lets control characters 0x1A-0x1F through, see
// CMakeLists.txt.)
//
// Include only from .cc files: it pulls in RapidJSON.
#ifndef CRMI_COMMON_JSON_PARSE_H_
#define CRMI_COMMON_JSON_PARSE_H_

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace crmi {

struct JsonParseResult {
  bool ok = false;
  std::string error;  // "Missing a name for object member. (at byte 1)" when !ok
};

// Parses JSON text (invalid UTF-8 and NUL bytes are errors; parsing is iterative, so deep nesting
// cannot overflow the stack) into `doc`. Not re-entrant per thread (it reuses per-thread state).
JsonParseResult ParseJson(std::string_view json, rapidjson::Document* doc);

// The member at a dotted path ("consent.marketing", "realm_access.roles") of an object; null when
// any step is absent or not an object.
const rapidjson::Value* JsonAtPath(const rapidjson::Value& obj, std::string_view path);

// The string at a dotted path, or "" when absent or not a string.
std::string JsonStringAt(const rapidjson::Value& obj, std::string_view path);

}  // namespace crmi

#endif  // CRMI_COMMON_JSON_PARSE_H_
