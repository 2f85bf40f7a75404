#include "src/common/ids.h"

#include <sys/random.h>

#include <chrono>
#include <cstring>

namespace crmi {
namespace {

// splitmix64: tiny, fast, statistically solid; seeded per thread from getrandom().
struct SplitMix {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

uint64_t SeedFromOs() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) {
    // Entropy pool unavailable (very early boot): fall back to time and address bits.
    seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
           reinterpret_cast<uintptr_t>(&seed);
  }
  return seed;
}

constexpr char kCrockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':';
}

bool AllIdChars(std::string_view s) {
  for (char c : s) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

}  // namespace

uint64_t RandomU64() {
  thread_local SplitMix gen{SeedFromOs()};
  return gen.Next();
}

std::string NewUlid(int64_t unix_millis) {
  std::string out(26, '0');
  uint64_t t = static_cast<uint64_t>(unix_millis) & ((1ull << 48) - 1);
  for (int i = 9; i >= 0; --i) {
    out[i] = kCrockford[t & 31];
    t >>= 5;
  }
  uint64_t hi = RandomU64(), lo = RandomU64();
  // 80 random bits: 16 characters of 5 bits.
  for (int i = 0; i < 16; ++i) {
    uint64_t& src = i < 8 ? hi : lo;
    out[10 + i] = kCrockford[src & 31];
    src >>= 5;
  }
  return out;
}

std::string NewRecordId(std::string_view prefix, int64_t unix_millis) {
  std::string out;
  out.reserve(prefix.size() + 27);
  out.append(prefix);
  out.push_back('_');
  out += NewUlid(unix_millis);
  return out;
}

bool IsValidRecordId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id == "." || id == "..") return false;
  return AllIdChars(id);
}

bool IsValidRequestId(std::string_view id) {
  return !id.empty() && id.size() <= 128 && AllIdChars(id);
}

bool IsValidTenant(std::string_view t) {
  if (t.empty() || t.size() > 63 || t.front() == '-') return false;
  for (char c : t) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace crmi
