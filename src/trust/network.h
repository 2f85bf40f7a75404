// Network facts for the policy context: CIDR ranges, named zones, trusted proxies.
//
//   auto lan = Cidr::Parse("10.0.0.0/8");      // also "::1/128", "192.168.1.7" (a /32)
//   lan->Contains("10.1.2.3")                  // true
//
// Thread-safety: immutable values.
#ifndef CRMI_TRUST_NETWORK_H_
#define CRMI_TRUST_NETWORK_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/status.h"

namespace crmi::trust {

class Cidr {
 public:
  static Result<Cidr> Parse(std::string_view text);
  // False for anything that is not an IPv4/IPv6 address. IPv4-mapped IPv6 addresses
  // (::ffff:10.0.0.1) match IPv4 ranges.
  bool Contains(std::string_view address) const;
  const std::string& text() const { return text_; }

 private:
  bool v6_ = false;
  std::array<uint8_t, 16> bytes_{};
  int prefix_ = 0;
  std::string text_;
};

// Named network zones, first match wins; addresses in none are "external".
class Zones {
 public:
  Status Add(std::string name, std::string_view cidr);
  std::string ZoneOf(std::string_view address) const;
  bool empty() const { return zones_.empty(); }

 private:
  std::vector<std::pair<std::string, Cidr>> zones_;
};

}  // namespace crmi::trust

#endif  // CRMI_TRUST_NETWORK_H_
