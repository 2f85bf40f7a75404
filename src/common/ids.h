// Identifiers: record ids, request ids and the random bits behind them.
//
// Generated ids are ULIDs in lowercase Crockford base32 (48-bit millisecond time + 80 random
// bits), so they sort by creation time and never collide in practice. Record ids carry a short
// collection prefix ("con_01jf..."), which makes logs and support tickets self-explanatory.
// All functions are thread-safe (thread-local generators seeded from the OS).
#ifndef CRMI_COMMON_IDS_H_
#define CRMI_COMMON_IDS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace crmi {

// 64 bits from a per-thread generator seeded with OS entropy. Not for keys or secrets.
uint64_t RandomU64();

// A 26-character ULID for the given time.
std::string NewUlid(int64_t unix_millis);

// "<prefix>_<ulid>".
std::string NewRecordId(std::string_view prefix, int64_t unix_millis);

// Client-supplied record ids: 1..64 bytes of [A-Za-z0-9_.:-], not "." or "..". They travel in URL
// paths and logs, so anything that would need escaping is refused.
bool IsValidRecordId(std::string_view id);

// X-Request-Id values accepted from callers: 1..128 bytes of [A-Za-z0-9_.:-] (UUIDs, ULIDs,
// W3C trace ids). Anything else is replaced by a generated id so logs stay clean.
bool IsValidRequestId(std::string_view id);

// Tenants: 1..63 bytes of [a-z0-9-], starting with a letter or digit.
bool IsValidTenant(std::string_view tenant);

}  // namespace crmi

#endif  // CRMI_COMMON_IDS_H_
