#include "src/privacy/keys.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/common/binary_file.h"
#include "src/common/crypto.h"

namespace crmi::privacy {
namespace {

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

LocalKeyProvider::LocalKeyProvider(std::string key)
    : key_(std::move(key)),
      id_("local:" +
          crypto::Sha256Hex(std::string("crmi master key id\0", 19) + key_).substr(0, 16)) {}

Result<std::unique_ptr<LocalKeyProvider>> LocalKeyProvider::FromKey(std::string key) {
  if (key.size() != 32) return InvalidArgument("a master key is 32 bytes");
  return std::unique_ptr<LocalKeyProvider>(new LocalKeyProvider(std::move(key)));
}

Result<std::unique_ptr<LocalKeyProvider>> LocalKeyProvider::FromEnvOrFile(const std::string& path) {
  if (const char* env = std::getenv("CRMI_MASTER_KEY"); env != nullptr && *env != '\0') {
    auto key = HexDecode(env);
    if (!key || key->size() != 32) {
      return InvalidArgument("CRMI_MASTER_KEY must be 64 hex digits (32 bytes)");
    }
    return FromKey(std::move(*key));
  }
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto key = HexDecode(text);
    if (!key || key->size() != 32) {
      return DataLoss(path + ": not a master key (64 hex digits expected)");
    }
    return FromKey(std::move(*key));
  }
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  ASSIGN_OR_RETURN(std::string key, crypto::RandomBytes(32));
  const std::string text = crypto::HexEncode(key) + "\n";
  // Created 0600 from the start: the key is never readable by others, not even briefly.
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot create " + tmp);
  Status s = WriteFully(fd, text.data(), text.size());
  if (s.ok()) s = SyncAndRename(fd, tmp, path);
  close(fd);
  if (!s.ok()) {
    unlink(tmp.c_str());
    return s;
  }
  return FromKey(std::move(key));
}

Result<std::string> LocalKeyProvider::Wrap(std::string_view key, std::string_view context) const {
  return crypto::AesGcmEncrypt(key_, key, context);
}

Result<std::string> LocalKeyProvider::Unwrap(std::string_view wrapped,
                                             std::string_view context) const {
  return crypto::AesGcmDecrypt(key_, wrapped, context);
}

}  // namespace crmi::privacy
