// Cryptographic primitives on OpenSSL 3 EVP, behind a small interface so that OpenSSL headers stay
// in crypto.cc. Byte strings are std::string (binary-safe).
//
// Thread-safety: functions are thread-safe; an Ed25519Key is immutable after creation and may be
// used from many threads.
#ifndef CRMI_COMMON_CRYPTO_H_
#define CRMI_COMMON_CRYPTO_H_

#include <memory>
#include <string>
#include <string_view>

#include "src/common/status.h"

namespace crmi::crypto {

std::string Sha256(std::string_view data);  // 32 raw bytes
std::string Sha256Hex(std::string_view data);
// SHA-256 (hex) of the concatenation a‖b, without building it.
std::string Sha256Hex(std::string_view a, std::string_view b);
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string HexEncode(std::string_view bytes);
// Equal length and content, in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// `n` bytes from the OS-seeded CSPRNG; kUnavailable if it cannot deliver.
Result<std::string> RandomBytes(size_t n);

// AES-256-GCM with a random 96-bit nonce: returns nonce ‖ ciphertext ‖ 16-byte tag. `key` must be
// 32 bytes (kInvalidArgument otherwise); `aad` is authenticated, not encrypted (bind a ciphertext
// to its place: tenant, record, field). A key must not encrypt more than 2^32 messages.
Result<std::string> AesGcmEncrypt(std::string_view key, std::string_view plaintext,
                                  std::string_view aad = {});
// The inverse; kDataLoss when the blob was altered, was made under another key or another `aad`.
Result<std::string> AesGcmDecrypt(std::string_view key, std::string_view blob,
                                  std::string_view aad = {});

class Ed25519Key {
 public:
  static Result<Ed25519Key> Generate();
  static Result<Ed25519Key> FromPem(std::string_view private_pem);
  // Reads a PEM private key from `path`, or generates one and writes it there (mode 0600,
  // parent directory created) when the file does not exist.
  static Result<Ed25519Key> LoadOrCreate(const std::string& path);

  std::string PrivatePem() const;
  std::string PublicPem() const;
  std::string PublicRaw() const;                     // 32 bytes
  std::string Sign(std::string_view message) const;  // 64 bytes

 private:
  struct Impl;
  explicit Ed25519Key(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

bool Ed25519Verify(std::string_view public_raw, std::string_view message,
                   std::string_view signature);
// The raw 32-byte public key of a PEM public (or private) key.
Result<std::string> Ed25519PublicRawFromPem(std::string_view pem);

}  // namespace crmi::crypto

#endif  // CRMI_COMMON_CRYPTO_H_
