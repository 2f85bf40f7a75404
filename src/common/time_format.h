// RFC 3339 timestamps and ISO 8601 calendar dates, the only time formats crmi's API speaks.
//
// Stored and returned timestamps are UTC with millisecond precision ("2026-11-24T09:30:00.000Z"),
// so they sort lexicographically. Parsing accepts any RFC 3339 offset and 0-9 fraction digits and
// normalises to Unix milliseconds. All functions are pure and thread-safe.
#ifndef CRMI_COMMON_TIME_FORMAT_H_
#define CRMI_COMMON_TIME_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "src/common/status.h"

namespace crmi {

// "YYYY-MM-DDTHH:MM:SS.mmmZ". REQUIRES: year of the instant within 0000..9999.
std::string FormatRfc3339Millis(int64_t unix_millis);

// Parses an RFC 3339 date-time ("2026-11-24T09:30:00Z", "...T09:30:00.5+02:00").
// Returns kInvalidArgument on any deviation, including impossible dates (Feb 30) and leap seconds.
Result<int64_t> ParseRfc3339(std::string_view text);

// True when `text` is a valid calendar date "YYYY-MM-DD" (leap years respected).
bool IsValidDate(std::string_view text);

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// The proleptic Gregorian date `days` days after 1970-01-01 (before it when negative); the inverse
// of DaysFromCivil.
CivilDate CivilFromDays(int64_t days);

}  // namespace crmi

#endif  // CRMI_COMMON_TIME_FORMAT_H_
