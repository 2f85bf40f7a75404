// Finds personal and payment data in text in one pass.
//
// A vectorised pre-scan looks only for the bytes that can begin or anchor an identifier — digits,
// '@', ':', capital letters — and hands the token around each one to the recognisers that can
// start with it (hand-written matchers for the built-in types, one RE2::Set for the configured
// account-number patterns), then to the validators (validators.h) and to context scoring. Text
// between triggers is never looked at twice, and no pattern rescans the text.
//
// Spans are byte offsets [start, end) that never split a UTF-8 sequence: every recogniser starts
// and stops at ASCII bytes, except names, whose words include whole multi-byte letters.
//
// Thread-safety: a Detector and a NameDictionary are immutable after creation; Scan may be called
// from any number of threads at once.
#ifndef CRMI_PRIVACY_DETECTOR_H_
#define CRMI_PRIVACY_DETECTOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi::privacy {

enum class PiiType : uint8_t {
  kEmail,
  kPhone,
  kCard,
  kIban,
  kUsSsn,
  kUkNino,
  kIp,
  kDateOfBirth,
  kAddress,
  kCrypto,
  kPerson,
  kAccountNumber,
};
inline constexpr int kPiiTypeCount = 12;

// "EMAIL", "PHONE", "CARD", "IBAN", "US_SSN", "UK_NINO", "IP", "DATE_OF_BIRTH", "ADDRESS",
// "CRYPTO", "PERSON", "ACCOUNT_NUMBER".
std::string_view PiiTypeName(PiiType type);
std::optional<PiiType> PiiTypeFromName(std::string_view name);

struct Finding {
  PiiType type;
  uint32_t start;  // byte offset of the first byte
  uint32_t end;    // one past the last byte
  // How sure the recogniser is, in (0, 1]: shape alone scores low (a bare 9-digit number as an
  // SSN: 0.3), a passed check digit or context words ("SSN", "born", "card") raise it.
  float confidence;
  // True when a validator confirmed the value (Luhn, IBAN mod-97, SSN issuance rules, NINO
  // prefixes, Base58Check / Bech32 checksums, IP ranges, a real calendar date); false when only
  // its shape and context speak for it (email, phone, address, person, account number).
  bool validated;
};

// Names of the tenant's own contacts, for PERSON. Words are matched case-insensitively (ASCII
// and Latin-1 letters folded) where they appear capitalised in text: a known first name followed
// by capitalised words, or a known surname alone, is a person. Built-in words — titles ("Mr",
// "Dr"), cues ("Dear", "my name is") and capitalised words that are never names — are part of
// every dictionary.
class NameDictionary {
 public:
  struct Name {
    std::string first;  // given name(s), e.g. "Ana María"
    std::string last;   // family name(s), e.g. "López Pérez"
  };
  static std::shared_ptr<const NameDictionary> Build(const std::vector<Name>& names);
  // The built-in words only, shared.
  static std::shared_ptr<const NameDictionary> Builtin();

  // Flags of a word (bits of the enum in detector.cc); 0 when unknown.
  uint8_t Lookup(std::string_view word) const;
  size_t size() const { return count_; }

 private:
  NameDictionary() = default;
  void Add(std::string_view word, uint8_t flags);
  void Grow();

  std::vector<uint64_t> keys_;  // 0 = empty slot; hashes of the folded words
  std::vector<uint8_t> flags_;
  size_t count_ = 0;
};

// A tenant's own account-number format, e.g. {"loan", "LN-[0-9]{8}"}: RE2 syntax, matched against
// whole tokens (letters, digits and '-' between separators) that contain a digit.
struct AccountPattern {
  std::string name;
  std::string regex;
  float confidence = 0.8f;
};

struct DetectorOptions {
  std::vector<AccountPattern> account_patterns;
};

class Detector {
 public:
  // kInvalidArgument when a pattern does not compile or matches the empty string.
  static Result<std::unique_ptr<Detector>> Create(DetectorOptions options = {});
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Appends the findings in `text` to `out`, ordered by start, never overlapping. `names` may be
  // null (built-in words only). kInvalidArgument when the text is 4 GiB or longer (offsets are
  // 32-bit); nothing is appended then.
  Status Scan(std::string_view text, const NameDictionary* names, std::vector<Finding>* out) const;

 private:
  struct Patterns;
  explicit Detector(std::unique_ptr<Patterns> patterns);
  std::unique_ptr<Patterns> patterns_;  // null when none are configured
};

}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_DETECTOR_H_
