#include "src/privacy/keys.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
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

// Keys separated by commas or line breaks; each 64 hex digits.
Result<std::vector<std::string>> ParseRing(std::string_view text, const std::string& where) {
  std::vector<std::string> keys;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find_first_of(",\n", i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view part = text.substr(i, j - i);
    while (!part.empty() && (part.back() == '\r' || part.back() == ' ')) part.remove_suffix(1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (!part.empty()) {
      auto key = HexDecode(part);
      if (!key || key->size() != 32) {
        return InvalidArgument(where + ": a master key is 64 hex digits (32 bytes)");
      }
      keys.push_back(std::move(*key));
    }
    i = j + 1;
  }
  if (keys.empty()) return InvalidArgument(where + ": no master key");
  return keys;
}

int64_t Stamp(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec +
         (static_cast<int64_t>(st.st_size) << 48);
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unavailable("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes the keyring atomically, 0600 from the start (WriteFileAtomically): a key is never
// readable by others.
Status WriteRing(const std::string& path, const std::vector<std::string>& keys) {
  std::string text;
  for (const std::string& k : keys) text += crypto::HexEncode(k) + "\n";
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  return WriteFileAtomically(path, text);
}

}  // namespace

std::string LocalKeyProvider::IdOf(std::string_view key) {
  return "local:" + crypto::Sha256Hex(std::string("crmi master key id\0", 19) + std::string(key))
                        .substr(0, 16);
}

LocalKeyProvider::LocalKeyProvider(std::vector<std::string> keys, std::string path)
    : keys_(std::move(keys)), path_(std::move(path)) {
  if (!path_.empty()) stamp_ = Stamp(path_);
}

Result<std::unique_ptr<LocalKeyProvider>> LocalKeyProvider::FromKey(std::string key) {
  if (key.size() != 32) return InvalidArgument("a master key is 32 bytes");
  return std::unique_ptr<LocalKeyProvider>(new LocalKeyProvider({std::move(key)}, ""));
}

Result<std::unique_ptr<LocalKeyProvider>> LocalKeyProvider::FromEnvOrFile(const std::string& path) {
  if (const char* env = std::getenv("CRMI_MASTER_KEY"); env != nullptr && *env != '\0') {
    ASSIGN_OR_RETURN(std::vector<std::string> keys, ParseRing(env, "CRMI_MASTER_KEY"));
    return std::unique_ptr<LocalKeyProvider>(new LocalKeyProvider(std::move(keys), ""));
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    ASSIGN_OR_RETURN(std::string key, crypto::RandomBytes(32));
    RETURN_IF_ERROR(WriteRing(path, {key}));
  }
  ASSIGN_OR_RETURN(std::string text, ReadText(path));
  auto keys = ParseRing(text, path);
  if (!keys.ok()) return DataLoss(keys.status().message());
  return std::unique_ptr<LocalKeyProvider>(new LocalKeyProvider(std::move(*keys), path));
}

void LocalKeyProvider::MaybeReload() {
  if (path_.empty()) return;
  const int64_t now = Stamp(path_);
  if (now == stamp_ || now == 0) return;
  auto text = ReadText(path_);
  if (!text.ok()) return;
  auto keys = ParseRing(*text, path_);
  if (!keys.ok()) return;  // a half-edited file: keep the ring in memory
  // Keys no longer in the file stay known to this process: something it wrapped moments ago
  // may still depend on them.
  for (const std::string& k : keys_) {
    if (std::find(keys->begin(), keys->end(), k) == keys->end()) keys->push_back(k);
  }
  keys_ = std::move(*keys);
  stamp_ = now;
}

std::string LocalKeyProvider::id() {
  std::lock_guard lock(mu_);
  MaybeReload();
  return IdOf(keys_.front());
}

Result<std::string> LocalKeyProvider::Wrap(std::string_view key, std::string_view context,
                                           std::string* key_id) {
  std::lock_guard lock(mu_);
  MaybeReload();
  if (key_id != nullptr) *key_id = IdOf(keys_.front());
  return crypto::AesGcmEncrypt(keys_.front(), key, context);
}

Result<std::string> LocalKeyProvider::Unwrap(std::string_view wrapped, std::string_view context) {
  std::lock_guard lock(mu_);
  MaybeReload();
  Status last = DataLoss("no master key");
  for (const std::string& k : keys_) {
    auto r = crypto::AesGcmDecrypt(k, wrapped, context);
    if (r.ok()) return r;
    last = r.status();
  }
  return last;
}

Result<std::string> LocalKeyProvider::AddNewKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadText(path));
  ASSIGN_OR_RETURN(std::vector<std::string> keys, ParseRing(text, path));
  ASSIGN_OR_RETURN(std::string key, crypto::RandomBytes(32));
  keys.insert(keys.begin(), key);
  RETURN_IF_ERROR(WriteRing(path, keys));
  return IdOf(key);
}

Status LocalKeyProvider::Retire(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadText(path));
  ASSIGN_OR_RETURN(std::vector<std::string> keys, ParseRing(text, path));
  keys.resize(1);
  return WriteRing(path, keys);
}

}  // namespace crmi::privacy
