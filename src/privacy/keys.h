// Master keys: what wraps (encrypts) the data keys of the vault and, later, of each subject.
//
// KeyProvider is the seam for an external KMS: it only ever wraps and unwraps small keys, so a
// provider backed by a KMS's Encrypt/Decrypt calls implements the same two methods. The local
// provider keeps a 32-byte master key from the environment (CRMI_MASTER_KEY, 64 hex digits) or a
// file (created with a random key, mode 0600, when absent).
//
// Thread-safety: providers are immutable after creation.
#ifndef CRMI_PRIVACY_KEYS_H_
#define CRMI_PRIVACY_KEYS_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi::privacy {

class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  // `context` is bound to the result (AEAD associated data): a wrapped key unwraps only with the
  // same context, so one cannot be moved to another tenant or subject. `*key_id` (when not null)
  // receives the id of the master key used (not secret), stored beside what it wrapped so that a
  // rotation knows what still depends on an old key.
  virtual Result<std::string> Wrap(std::string_view key, std::string_view context,
                                   std::string* key_id) = 0;
  // kDataLoss when `wrapped` was altered, or wrapped by no master key this provider holds, or
  // for another context.
  virtual Result<std::string> Unwrap(std::string_view wrapped, std::string_view context) = 0;
  // The id of the master key new wraps use.
  virtual std::string id() = 0;
};

// A keyring of 32-byte master keys: the first wraps, every one unwraps. From CRMI_MASTER_KEY
// (64 hex digits, or several comma-separated, newest first) or a file (one key per line, newest
// first; created with one random key, mode 0600, when absent). A file keyring is re-read when the
// file changes, so a running server follows `crmi keys rotate` without a restart.
//
// Thread-safety: all methods may be called concurrently.
class LocalKeyProvider final : public KeyProvider {
 public:
  static Result<std::unique_ptr<LocalKeyProvider>> FromEnvOrFile(const std::string& path);
  // kInvalidArgument unless `key` is 32 bytes.
  static Result<std::unique_ptr<LocalKeyProvider>> FromKey(std::string key);

  Result<std::string> Wrap(std::string_view key, std::string_view context,
                           std::string* key_id) override;
  Result<std::string> Unwrap(std::string_view wrapped, std::string_view context) override;
  std::string id() override;

  // Rotation of a file keyring: a new random key put first (the old ones kept for unwrapping);
  // returns its id. Then Retire drops every key but the first, once nothing depends on them.
  static Result<std::string> AddNewKey(const std::string& path);
  static Status Retire(const std::string& path);
  static std::string IdOf(std::string_view key);

 private:
  explicit LocalKeyProvider(std::vector<std::string> keys, std::string path);
  // Re-reads the file when it changed since the last read (mu_ held).
  void MaybeReload();

  std::mutex mu_;
  std::vector<std::string> keys_;  // newest first
  std::string path_;               // empty: from the environment or given
  int64_t stamp_ = 0;              // the file's mtime (ns) and size, when read
};
}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_KEYS_H_
