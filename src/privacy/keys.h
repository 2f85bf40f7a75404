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
#include <string>
#include <string_view>

#include "src/common/status.h"

namespace crmi::privacy {

class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  // Names the master key (not secret): stored beside what it wrapped, so a rotation knows what
  // is still wrapped by an old key.
  virtual std::string id() const = 0;
  // `context` is bound to the result (AEAD associated data): a wrapped key unwraps only with the
  // same context, so one cannot be moved to another tenant or subject.
  virtual Result<std::string> Wrap(std::string_view key, std::string_view context) const = 0;
  // kDataLoss when `wrapped` was altered, wrapped by another master key or for another context.
  virtual Result<std::string> Unwrap(std::string_view wrapped, std::string_view context) const = 0;
};

class LocalKeyProvider final : public KeyProvider {
 public:
  // CRMI_MASTER_KEY when set (kInvalidArgument unless 64 hex digits), else the file at `path`.
  static Result<std::unique_ptr<LocalKeyProvider>> FromEnvOrFile(const std::string& path);
  // kInvalidArgument unless `key` is 32 bytes.
  static Result<std::unique_ptr<LocalKeyProvider>> FromKey(std::string key);

  std::string id() const override { return id_; }
  Result<std::string> Wrap(std::string_view key, std::string_view context) const override;
  Result<std::string> Unwrap(std::string_view wrapped, std::string_view context) const override;

 private:
  explicit LocalKeyProvider(std::string key);
  std::string key_;
  std::string id_;
};

}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_KEYS_H_
