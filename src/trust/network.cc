#include "src/trust/network.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace crmi::trust {
namespace {

// Parses an address into 16 bytes; v4 addresses (and v4-mapped v6) set *v6 = false and fill
// the first 4 bytes.
bool ParseAddress(std::string_view text, std::array<uint8_t, 16>* out, bool* v6) {
  if (text.empty() || text.size() > 45) return false;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  out->fill(0);
  in_addr a4;
  if (inet_pton(AF_INET, buf, &a4) == 1) {
    std::memcpy(out->data(), &a4, 4);
    *v6 = false;
    return true;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, buf, &a6) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(&a6, kMapped, 12) == 0) {
      std::memcpy(out->data(), reinterpret_cast<const uint8_t*>(&a6) + 12, 4);
      *v6 = false;
      return true;
    }
    std::memcpy(out->data(), &a6, 16);
    *v6 = true;
    return true;
  }
  return false;
}

}  // namespace

Result<Cidr> Cidr::Parse(std::string_view text) {
  Cidr c;
  c.text_ = std::string(text);
  const size_t slash = text.find('/');
  const std::string_view addr = text.substr(0, slash);
  if (!ParseAddress(addr, &c.bytes_, &c.v6_)) {
    return InvalidArgument("'" + std::string(text) + "' is not an IP address or CIDR range");
  }
  const int max = c.v6_ ? 128 : 32;
  c.prefix_ = max;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    int n = -1;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (ec != std::errc() || ptr != p.data() + p.size() || n < 0 || n > max) {
      return InvalidArgument("'" + std::string(text) + "' has an invalid prefix length");
    }
    c.prefix_ = n;
  }
  return c;
}

bool Cidr::Contains(std::string_view address) const {
  std::array<uint8_t, 16> a;
  bool v6 = false;
  if (!ParseAddress(address, &a, &v6) || v6 != v6_) return false;
  int bits = prefix_;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (bytes_[i] & mask)) return false;
  }
  return true;
}

Status Zones::Add(std::string name, std::string_view cidr) {
  ASSIGN_OR_RETURN(Cidr c, Cidr::Parse(cidr));
  zones_.emplace_back(std::move(name), std::move(c));
  return Status::Ok();
}

std::string Zones::ZoneOf(std::string_view address) const {
  for (const auto& [name, cidr] : zones_) {
    if (cidr.Contains(address)) return name;
  }
  return "external";
}

}  // namespace crmi::trust
