// Unpadded base64url (RFC 4648 §5), used for opaque cursors. Pure functions, thread-safe.
#ifndef CRMI_COMMON_BASE64_H_
#define CRMI_COMMON_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace crmi {

std::string Base64UrlEncode(std::string_view data);
// nullopt on any character outside the alphabet, on padding, or on an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace crmi

#endif  // CRMI_COMMON_BASE64_H_
