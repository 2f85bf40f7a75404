#include "src/privacy/validators.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace crmi::privacy {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// The leading `n` digits as a number.
int Prefix(std::string_view digits, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n && i < digits.size(); ++i) v = v * 10 + (digits[i] - '0');
  return v;
}

struct IbanCountry {
  char code[3];
  int length;
  // The BBAN's structure in the registry's notation without '!' ("4a6n8c": 4 letters, 6 digits,
  // 8 letters or digits); empty where only the length is checked.
  const char* bban;
};

// SWIFT's IBAN registry (release 2024): every country, its length, and the BBAN structure for
// the countries where crmi checks it.
constexpr IbanCountry kIban[] = {
    {"AD", 24, "4n4n12c"},  {"AE", 23, ""},         {"AL", 28, ""},         {"AT", 20, "16n"},
    {"AZ", 28, ""},         {"BA", 20, "16n"},      {"BE", 16, "12n"},      {"BG", 22, "4a6n8c"},
    {"BH", 22, ""},         {"BI", 27, ""},         {"BR", 29, ""},         {"BY", 28, ""},
    {"CH", 21, "5n12c"},    {"CR", 22, ""},         {"CY", 28, "8n16c"},    {"CZ", 24, "20n"},
    {"DE", 22, "18n"},      {"DJ", 27, ""},         {"DK", 18, "14n"},      {"DO", 28, ""},
    {"EE", 20, "16n"},      {"EG", 29, ""},         {"ES", 24, "20n"},      {"FI", 18, "14n"},
    {"FK", 18, ""},         {"FO", 18, ""},         {"FR", 27, "10n11c2n"}, {"GB", 22, "4a14n"},
    {"GE", 22, ""},         {"GI", 23, "4a15c"},    {"GL", 18, ""},         {"GR", 27, "7n16c"},
    {"GT", 28, ""},         {"HN", 28, ""},         {"HR", 21, "17n"},      {"HU", 28, "24n"},
    {"IE", 22, "4a14n"},    {"IL", 23, ""},         {"IQ", 23, ""},         {"IS", 26, "22n"},
    {"IT", 27, "1a10n12c"}, {"JO", 30, ""},         {"KW", 30, ""},         {"KZ", 20, ""},
    {"LB", 28, ""},         {"LC", 32, ""},         {"LI", 21, "5n12c"},    {"LT", 20, "16n"},
    {"LU", 20, "3n13c"},    {"LV", 21, "4a13c"},    {"LY", 25, ""},         {"MC", 27, "10n11c2n"},
    {"MD", 24, ""},         {"ME", 22, ""},         {"MK", 19, ""},         {"MN", 20, ""},
    {"MR", 27, ""},         {"MT", 31, "4a5n18c"},  {"MU", 30, ""},         {"NI", 28, ""},
    {"NL", 18, "4a10n"},    {"NO", 15, "11n"},      {"OM", 23, ""},         {"PK", 24, ""},
    {"PL", 28, "24n"},      {"PS", 29, ""},         {"PT", 25, "21n"},      {"QA", 29, ""},
    {"RO", 24, "4a16c"},    {"RS", 22, ""},         {"RU", 33, ""},         {"SA", 24, ""},
    {"SC", 31, ""},         {"SD", 18, ""},         {"SE", 24, "20n"},      {"SI", 19, "15n"},
    {"SK", 24, "20n"},      {"SM", 27, "1a10n12c"}, {"SO", 23, ""},         {"ST", 25, ""},
    {"SV", 28, ""},         {"TL", 23, ""},         {"TN", 24, ""},         {"TR", 26, ""},
    {"UA", 29, ""},         {"VA", 22, ""},         {"VG", 24, ""},         {"XK", 20, ""},
    {"YE", 30, ""},
};

const IbanCountry* FindIban(std::string_view country) {
  for (const auto& c : kIban) {
    if (country == c.code) return &c;
  }
  return nullptr;
}

bool MatchesStructure(std::string_view bban, std::string_view structure) {
  size_t pos = 0;
  for (size_t i = 0; i < structure.size();) {
    size_t count = 0;
    while (i < structure.size() && IsDigit(structure[i]))
      count = count * 10 + (structure[i++] - '0');
    if (i >= structure.size()) return false;
    const char kind = structure[i++];
    for (size_t j = 0; j < count; ++j, ++pos) {
      if (pos >= bban.size()) return false;
      const char c = bban[pos];
      const bool ok = kind == 'n'   ? IsDigit(c)
                      : kind == 'a' ? IsUpper(c)
                                    : IsDigit(c) || IsUpper(c);
      if (!ok) return false;
    }
  }
  return pos == bban.size();
}

}  // namespace

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    if (!IsDigit(digits[i])) return false;
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

std::optional<std::string> DigitsOf(std::string_view text, std::string_view separators) {
  std::string out;
  bool after_separator = true;  // a leading separator is refused like a doubled one
  for (char c : text) {
    if (IsDigit(c)) {
      out += c;
      after_separator = false;
    } else if (separators.find(c) != std::string_view::npos && !after_separator) {
      after_separator = true;
    } else {
      return std::nullopt;
    }
  }
  if (after_separator) return std::nullopt;  // empty, or a trailing separator
  return out;
}

std::string_view CardBrandName(CardBrand brand) {
  switch (brand) {
    case CardBrand::kVisa:
      return "visa";
    case CardBrand::kMastercard:
      return "mastercard";
    case CardBrand::kAmex:
      return "amex";
    case CardBrand::kDiscover:
      return "discover";
    case CardBrand::kDiners:
      return "diners";
    case CardBrand::kJcb:
      return "jcb";
    case CardBrand::kUnionPay:
      return "unionpay";
    case CardBrand::kMaestro:
      return "maestro";
    case CardBrand::kUnknown:
      break;
  }
  return "unknown";
}

CardBrand CardBrandOf(std::string_view digits) {
  const size_t n = digits.size();
  if (n < 12 || n > 19) return CardBrand::kUnknown;
  const int p1 = Prefix(digits, 1), p2 = Prefix(digits, 2), p3 = Prefix(digits, 3),
            p4 = Prefix(digits, 4), p6 = Prefix(digits, 6);
  if (p1 == 4 && (n == 13 || n == 16 || n == 19)) return CardBrand::kVisa;
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n == 16) {
    return CardBrand::kMastercard;
  }
  if ((p2 == 34 || p2 == 37) && n == 15) return CardBrand::kAmex;
  if ((p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65 || (p6 >= 622126 && p6 <= 622925)) &&
      n >= 16) {
    return CardBrand::kDiscover;
  }
  if (p4 >= 3528 && p4 <= 3589 && n >= 16) return CardBrand::kJcb;
  if (((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39 || p4 == 3095) && n >= 14) {
    return CardBrand::kDiners;
  }
  if (p2 == 62 && n >= 16) return CardBrand::kUnionPay;
  if ((p2 == 50 || (p2 >= 56 && p2 <= 69)) && n >= 12) return CardBrand::kMaestro;
  return CardBrand::kUnknown;
}

bool CardNumberValid(std::string_view text) {
  const auto digits = DigitsOf(text);
  if (!digits || digits->size() < 13 || digits->size() > 19) return false;
  // Thirteen digits starting with 1 are far likelier a Unix time in milliseconds (2001-2286)
  // than a card: no network issues such numbers (Presidio excludes them too).
  if (digits->size() == 13 && (*digits)[0] == '1') return false;
  return LuhnValid(*digits);
}

int IbanLength(std::string_view country) {
  const IbanCountry* c = FindIban(country);
  return c == nullptr ? 0 : c->length;
}

bool IbanValid(std::string_view text) {
  std::string iban;
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '.') continue;  // grouping, as printed on statements
    if (!IsDigit(c) && !std::isalpha(static_cast<unsigned char>(c))) return false;
    iban += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (iban.size() > 34) return false;
  }
  if (iban.size() < 5 || !IsUpper(iban[0]) || !IsUpper(iban[1]) || !IsDigit(iban[2]) ||
      !IsDigit(iban[3])) {
    return false;
  }
  const IbanCountry* country = FindIban(std::string_view(iban).substr(0, 2));
  if (country == nullptr || static_cast<int>(iban.size()) != country->length) return false;
  const std::string_view bban = std::string_view(iban).substr(4);
  if (*country->bban != '\0' && !MatchesStructure(bban, country->bban)) return false;
  if (!std::all_of(bban.begin(), bban.end(), [](char c) { return IsDigit(c) || IsUpper(c); })) {
    return false;
  }
  // ISO 7064 mod 97-10 over BBAN + country + check digits, letters as 10..35, digit by digit.
  int rem = 0;
  auto feed = [&](char c) {
    if (IsDigit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    }
  };
  for (char c : bban) feed(c);
  for (char c : std::string_view(iban).substr(0, 4)) feed(c);
  return rem == 1;
}

bool UsSsnValid(std::string_view text) {
  std::string d;
  char separator = 0;
  for (char c : text) {
    if (IsDigit(c)) {
      d += c;
    } else if (c == '-' || c == '.' || c == ' ') {
      if (separator != 0 && c != separator) return false;  // "693-09.4444"
      separator = c;
    } else {
      return false;
    }
  }
  if (d.size() != 9) return false;
  const int area = Prefix(d, 3);
  const int group = (d[3] - '0') * 10 + (d[4] - '0');
  const int serial = Prefix(std::string_view(d).substr(5), 4);
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) return false;
  if (std::all_of(d.begin(), d.end(), [&](char c) { return c == d[0]; })) return false;
  return d != "078051120" && d != "219099999" && d != "123456789";
}

bool UkNinoValid(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c == ' ') continue;
    s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (s.size() != 9 || !IsUpper(s[0]) || !IsUpper(s[1]) || !IsUpper(s[8])) return false;
  for (size_t i = 2; i < 8; ++i) {
    if (!IsDigit(s[i])) return false;
  }
  constexpr std::string_view kNeverFirst = "DFIQUV", kNeverSecond = "DFIQUVO";
  if (kNeverFirst.find(s[0]) != std::string_view::npos ||
      kNeverSecond.find(s[1]) != std::string_view::npos) {
    return false;
  }
  const std::string_view prefix = std::string_view(s).substr(0, 2);
  for (std::string_view bad : {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}) {
    if (prefix == bad) return false;
  }
  return s[8] >= 'A' && s[8] <= 'D';
}

}  // namespace crmi::privacy
