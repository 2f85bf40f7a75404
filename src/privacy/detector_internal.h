// Internals of the detector shared by its source files: character classes, the word flags of
// NameDictionary, and the Scanner that runs one scan. Not part of the library's interface.
#ifndef CRMI_PRIVACY_DETECTOR_INTERNAL_H_
#define CRMI_PRIVACY_DETECTOR_INTERNAL_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "src/privacy/detector.h"

namespace crmi::privacy::internal {

enum CharClass : uint8_t {
  kDig = 1,
  kUp = 2,
  kLo = 4,
  kHex = 8,     // 0-9 a-f A-F
  kB58 = 16,    // Bitcoin's Base58 alphabet
  kLocal = 32,  // allowed in an email's local part (unquoted)
  kHigh = 64,   // a byte of a multi-byte UTF-8 sequence
};

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> c{};
  for (int i = '0'; i <= '9'; ++i) c[i] |= kDig | kHex | kLocal;
  for (int i = 'A'; i <= 'Z'; ++i) c[i] |= kUp | kLocal;
  for (int i = 'a'; i <= 'z'; ++i) c[i] |= kLo | kLocal;
  for (int i = 'a'; i <= 'f'; ++i) c[i] |= kHex;
  for (int i = 'A'; i <= 'F'; ++i) c[i] |= kHex;
  for (int i = '1'; i <= '9'; ++i) c[i] |= kB58;
  for (int i = 'A'; i <= 'Z'; ++i) {
    if (i != 'I' && i != 'O') c[i] |= kB58;
  }
  for (int i = 'a'; i <= 'z'; ++i) {
    if (i != 'l') c[i] |= kB58;
  }
  for (char ch : std::string_view("._%+-")) c[static_cast<uint8_t>(ch)] |= kLocal;
  for (int i = 0x80; i <= 0xff; ++i) c[i] |= kHigh;
  return c;
}
inline constexpr std::array<uint8_t, 256> kClass = MakeClasses();

inline bool Is(char c, uint8_t mask) { return (kClass[static_cast<uint8_t>(c)] & mask) != 0; }
inline bool IsDigitChar(char c) { return Is(c, kDig); }
inline bool IsUpperChar(char c) { return Is(c, kUp); }
inline bool IsAlphaChar(char c) { return Is(c, kUp | kLo); }
inline bool IsAlnumChar(char c) { return Is(c, kDig | kUp | kLo); }
inline bool IsNameByte(char c) { return Is(c, kUp | kLo | kHigh); }
inline char Lower(char c) { return IsUpperChar(c) ? static_cast<char>(c + 32) : c; }

// Flags of NameDictionary words.
enum WordFlag : uint8_t {
  kFirstName = 1,   // a contact's given name
  kLastName = 2,    // a contact's family name
  kTitle = 4,       // Mr, Dr, Frau: the capitalised words after it are a name
  kStop = 8,        // a capitalised word that is not (part of) a name: The, Monday, Customer
  kCueStrong = 16,  // the next capitalised word is a name: Dear, Attn, named, I'm
  kCueWeak = 32,    // a name often follows: Hi, Hello, Thanks, Regards
  kCueVerb = 64,    // "is", "am": a cue with the word before it ("my name is", "I am")
  kMonth = 128,
};

// Names of configured account-number patterns, matched against whole tokens.
class AccountMatcher {
 public:
  virtual ~AccountMatcher() = default;
  // The confidence of the first pattern that matches all of `token`; 0 when none does.
  virtual float Match(std::string_view token) const = 0;
};

// One scan of one text. Positions are byte offsets into the text.
class Scanner {
 public:
  Scanner(std::string_view text, const NameDictionary& names, const AccountMatcher* accounts,
          std::vector<Finding>* out)
      : t_(text.data()), n_(text.size()), names_(names), accounts_(accounts), out_(out) {}
  void Run();

 private:
  // Handlers of one trigger byte at `i`; each returns where the scan resumes (> i).
  size_t HandleDigitOrToken(size_t i);
  size_t HandleAt(size_t i);
  size_t HandleColon(size_t i);
  size_t HandleCapital(size_t i);

  // Recognisers: each returns the end of what it found at `s` (and emits it), or 0.
  size_t Iban(size_t s);
  size_t Nino(size_t s);
  size_t UkPostcode(size_t s);
  size_t Crypto(size_t s, size_t token_end);
  size_t Ipv6(size_t s);
  size_t Ipv4(size_t s, bool emit, float confidence);
  size_t Numbers(size_t s);  // cards, SSNs, dates of birth, accounts, phones, addresses
  size_t Phone(size_t p);    // p at '+', '(' or a digit
  size_t DateOfBirth(size_t s);
  size_t Address(size_t s);
  size_t Name(size_t s, size_t word_end);

  // Helpers.
  char At(size_t i) const { return i < n_ ? t_[i] : '\0'; }
  size_t SkipDigits(size_t i) const;
  size_t WordEnd(size_t i) const;  // end of a run of letters, apostrophes, inner hyphens, UTF-8
  bool Capitalised(size_t i) const;
  bool SentenceInitial(size_t s) const;
  // A word that can be part of a name: a contact's, or not an acronym nor glued to digits.
  bool NameShaped(size_t s, size_t e, uint8_t flags) const;
  // True when one of `words` (lower case) occurs in the `window` (<= 64) bytes before `s`.
  bool ContextBefore(size_t s, std::initializer_list<std::string_view> words,
                     size_t window = 40) const {
    return ContextIn(s, words.begin(), words.end(), window);
  }
  template <size_t N>
  bool ContextBefore(size_t s, const std::string_view (&words)[N], size_t window = 40) const {
    return ContextIn(s, words, words + N, window);
  }
  bool ContextIn(size_t s, const std::string_view* begin, const std::string_view* end,
                 size_t window) const;
  int CueBefore(size_t s) const;  // 0 none, 1 weak, 2 strong
  uint8_t Flags(size_t s, size_t e) const { return names_.Lookup(std::string_view(t_ + s, e - s)); }
  void Emit(PiiType type, size_t s, size_t e, float confidence, bool validated);

  const char* t_;
  size_t n_;
  const NameDictionary& names_;
  const AccountMatcher* accounts_;
  std::vector<Finding>* out_;
  size_t last_end_ = 0;  // end of the last finding: nothing before it is reported again
};

}  // namespace crmi::privacy::internal

#endif  // CRMI_PRIVACY_DETECTOR_INTERNAL_H_
