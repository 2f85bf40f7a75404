// The tokenisation vault: tokens replace sensitive values; the vault maps each token back to its
// value, encrypted.
//
// Tokens:
//  - deterministic (default): "tok_<type>_<24 hex>" from HMAC-SHA256 under the tenant's token
//    key over the type and the normalised value, so equal values get equal tokens and still join;
//  - format-preserving for CARD (same length, grouping and last four digits, and deliberately
//    failing Luhn, so a token can never pass as a card) and PHONE (same length and grouping, the
//    '+' country code and the last two digits kept); still deterministic;
//  - random (TokenMode::kRandom, or type TEXT): "tok_<type>_<24 hex>" from the CSPRNG, no join.
// Values are stored AES-256-GCM encrypted under the tenant's data key, bound to tenant and token;
// the tenant's keys are random and stored wrapped by the KeyProvider's master key.
//
// Storage: one SQLite database (WAL, synchronous=FULL: a token handed out is never lost).
// Thread-safety: all methods may be called concurrently (one connection behind a mutex; a
// request's tokens are written in one transaction).
#ifndef CRMI_PRIVACY_VAULT_H_
#define CRMI_PRIVACY_VAULT_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/privacy/keys.h"

struct sqlite3;

namespace crmi::privacy {

struct TokenRequest {
  std::string type;     // a PiiType name (CARD, EMAIL, ...) or TEXT
  std::string value;    // 1..4096 bytes
  std::string subject;  // optional: the contact the value belongs to (GDPR erasure)
};

struct Detokenized {
  std::string type;
  std::string value;
};

enum class TokenMode { kDeterministic, kRandom };

class Vault {
 public:
  // Opens or creates the database at `path`. `keys` must outlive the vault.
  static Result<std::unique_ptr<Vault>> Open(const std::string& path, KeyProvider* keys);
  ~Vault();
  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;

  // One token per request, in order; all or nothing. kInvalidArgument for an unknown type, an
  // empty or too long value, a CARD that is not 13-19 digits (spaces or dashes allowed) or a
  // PHONE with fewer than 6 digits; kUnavailable when the database or the key provider fails.
  Result<std::vector<std::string>> Tokenize(std::string_view tenant,
                                            const std::vector<TokenRequest>& requests,
                                            TokenMode mode = TokenMode::kDeterministic);
  // The values, in order. kNotFound (naming the first unknown token) when a token is not the
  // tenant's; kDataLoss when a stored value fails authentication.
  Result<std::vector<Detokenized>> Detokenize(std::string_view tenant,
                                              const std::vector<std::string>& tokens);
  struct Entry {
    std::string type, token, value;
  };
  // Every entry tokenised for `subject`, decrypted (GDPR access).
  Result<std::vector<Entry>> ListSubject(std::string_view tenant, std::string_view subject);
  // Deletes every entry tokenised for `subject`; returns how many.
  Result<int64_t> EraseSubject(std::string_view tenant, std::string_view subject);

  // Per-subject data keys (encryption at rest, EncryptingStore): random 32-byte keys, stored
  // wrapped by the master key and bound to (tenant, subject). Destroying one is crypto-shredding:
  // what was encrypted under it can never be read again, from any copy of the data.
  //
  // The subject's key; kNotFound when it has none (never made, or destroyed).
  Result<std::string> SubjectKey(std::string_view tenant, std::string_view subject);
  // A new random key, not stored: stored by StoreSubjectKeys before anything it encrypted is
  // committed, so a crash can never leave data under a key that was lost.
  static Result<std::string> NewSubjectKey();
  struct SubjectKeyEntry {
    std::string tenant, subject, key;
  };
  // Stores keys in one transaction (one fsync for a whole import batch). kAborted, storing none,
  // when a subject already has a key (another process made one meanwhile).
  Status StoreSubjectKeys(const std::vector<SubjectKeyEntry>& keys);
  // Crypto-shredding; true when a key existed.
  Result<bool> DestroySubjectKey(std::string_view tenant, std::string_view subject);

  // Key rotation: re-wraps every tenant and subject key not wrapped by the provider's current
  // master key (unwrapped with whichever key of the ring opens it). Returns how many; safe while
  // servers use the vault (one row per transaction).
  Result<int64_t> Rewrap();
  // How many keys are still wrapped by another master key than the current one.
  Result<int64_t> CountNotCurrent();

  // True when `token` has the shape of a vault token (tok_...) or is a format-preserving card
  // token (digits failing Luhn); no lookup.
  static bool LooksLikeToken(std::string_view token);

 private:
  struct TenantKeys {
    std::string data_key;   // encrypts values
    std::string token_key;  // derives deterministic tokens
  };
  Vault(sqlite3* db, KeyProvider* keys) : db_(db), keys_(keys) {}
  Result<TenantKeys> KeysFor(std::string_view tenant);  // mu_ held
  Status Exec(const char* sql);                         // mu_ held

  std::mutex mu_;
  sqlite3* db_;
  KeyProvider* keys_;
  std::map<std::string, TenantKeys, std::less<>> tenant_keys_;
  // Unwrapped subject keys, "<tenant>\0<subject>" → key; cleared when it grows past a bound.
  std::map<std::string, std::string, std::less<>> subject_keys_;
};

}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_VAULT_H_
