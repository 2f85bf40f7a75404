#include "src/common/crypto.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace crmi::crypto {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

PkeyPtr ReadPem(std::string_view pem, bool private_key) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  EVP_PKEY* key = private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                              : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  return PkeyPtr(key);
}

}  // namespace

struct Ed25519Key::Impl {
  PkeyPtr key;
};

namespace {

// OpenSSL 3 looks an algorithm up in its provider tables on every implicit fetch; fetch once,
// and keep one context per thread (hashing is on the audit and token hot paths).
std::string Sha256Of(std::string_view a, std::string_view b) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned char out[32];
  unsigned int len = 0;
  EVP_DigestInit_ex2(ctx.get(), md, nullptr);
  EVP_DigestUpdate(ctx.get(), a.data(), a.size());
  if (!b.empty()) EVP_DigestUpdate(ctx.get(), b.data(), b.size());
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  return std::string(reinterpret_cast<char*>(out), 32);
}

}  // namespace

std::string Sha256(std::string_view data) { return Sha256Of(data, {}); }

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256Of(data, {})); }

std::string Sha256Hex(std::string_view a, std::string_view b) { return HexEncode(Sha256Of(a, b)); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), 32);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const unsigned char b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 15];
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Unavailable("the random number generator failed");
  }
  return out;
}

namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;
constexpr size_t kGcmNonce = 12, kGcmTag = 16;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Result<std::string> AesGcmEncrypt(std::string_view key, std::string_view plaintext,
                                  std::string_view aad) {
  if (key.size() != 32) return InvalidArgument("AES-256-GCM needs a 32-byte key");
  if (plaintext.size() > (1u << 30)) return InvalidArgument("plaintext too large");
  ASSIGN_OR_RETURN(std::string nonce, RandomBytes(kGcmNonce));
  std::string out(kGcmNonce + plaintext.size() + kGcmTag, '\0');
  std::memcpy(out.data(), nonce.data(), kGcmNonce);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0, total = 0;
  auto* ct = reinterpret_cast<unsigned char*>(out.data() + kGcmNonce);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmNonce, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(nonce)) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), ct, &len, U(plaintext),
                                               static_cast<int>(plaintext.size())) != 1)) {
    return Internal("AES-256-GCM encryption failed");
  }
  total = plaintext.empty() ? 0 : len;
  if (EVP_EncryptFinal_ex(ctx.get(), ct + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTag,
                          out.data() + kGcmNonce + plaintext.size()) != 1) {
    return Internal("AES-256-GCM encryption failed");
  }
  return out;
}

Result<std::string> AesGcmDecrypt(std::string_view key, std::string_view blob,
                                  std::string_view aad) {
  if (key.size() != 32) return InvalidArgument("AES-256-GCM needs a 32-byte key");
  if (blob.size() < kGcmNonce + kGcmTag) return DataLoss("ciphertext too short");
  const size_t n = blob.size() - kGcmNonce - kGcmTag;
  std::string out(n, '\0');
  std::string tag(blob.substr(kGcmNonce + n));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* pt = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmNonce, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(blob)) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      (n > 0 && EVP_DecryptUpdate(ctx.get(), pt, &len, U(blob.substr(kGcmNonce)),
                                  static_cast<int>(n)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTag, tag.data()) != 1) {
    return Internal("AES-256-GCM decryption failed");
  }
  const int total = n > 0 ? len : 0;
  if (EVP_DecryptFinal_ex(ctx.get(), pt + total, &len) != 1) {
    return DataLoss("ciphertext failed authentication (altered, or another key)");
  }
  return out;
}

Result<Ed25519Key> Ed25519Key::Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return Internal("Ed25519 key generation failed");
  auto impl = std::make_shared<Impl>();
  impl->key.reset(key);
  return Ed25519Key(std::move(impl));
}

Result<Ed25519Key> Ed25519Key::FromPem(std::string_view private_pem) {
  PkeyPtr key = ReadPem(private_pem, /*private_key=*/true);
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return InvalidArgument("not a PEM Ed25519 private key");
  }
  auto impl = std::make_shared<Impl>();
  impl->key = std::move(key);
  return Ed25519Key(std::move(impl));
}

Result<Ed25519Key> Ed25519Key::LoadOrCreate(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto key = FromPem(ss.str());
    if (!key.ok()) return key.status().WithContext(path);
    return key;
  }
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  ASSIGN_OR_RETURN(Ed25519Key key, Generate());
  const std::string pem = key.PrivatePem();
  // Create with 0600 from the start: the key must never be readable by others, not even briefly.
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot create " + tmp);
  const bool written =
      write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && fsync(fd) == 0;
  close(fd);
  if (!written || rename(tmp.c_str(), path.c_str()) != 0) {
    return Unavailable("cannot write " + path);
  }
  return key;
}

std::string Ed25519Key::PrivatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return BioToString(bio.get());
}

std::string Ed25519Key::PublicPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), impl_->key.get());
  return BioToString(bio.get());
}

std::string Ed25519Key::PublicRaw() const {
  unsigned char raw[32];
  size_t len = sizeof(raw);
  EVP_PKEY_get_raw_public_key(impl_->key.get(), raw, &len);
  return std::string(reinterpret_cast<char*>(raw), len);
}

std::string Ed25519Key::Sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t len = sizeof(sig);
  EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get());
  EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(message.data()),
                 message.size());
  return std::string(reinterpret_cast<char*>(sig), len);
}

bool Ed25519Verify(std::string_view public_raw, std::string_view message,
                   std::string_view signature) {
  if (public_raw.size() != 32 || signature.size() != 64) return false;
  PkeyPtr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_raw.data()), 32));
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

Result<std::string> Ed25519PublicRawFromPem(std::string_view pem) {
  PkeyPtr key = ReadPem(pem, /*private_key=*/false);
  if (!key) key = ReadPem(pem, /*private_key=*/true);
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return InvalidArgument("not a PEM Ed25519 key");
  }
  unsigned char raw[32];
  size_t len = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key.get(), raw, &len) != 1) {
    return InvalidArgument("cannot read the Ed25519 public key");
  }
  return std::string(reinterpret_cast<char*>(raw), len);
}

}  // namespace crmi::crypto
