// Recognisers of identifiers that contain digits: what the scanner runs on the token around a
// digit (or a capital followed by digits). Each checks structure, then the validator, then the
// words before it; none reads more than a few dozen bytes around the token.
#include <algorithm>
#include <cstring>

#include "src/common/crypto.h"
#include "src/privacy/detector_internal.h"
#include "src/privacy/validators.h"

namespace crmi::privacy::internal {
namespace {

// Digit groups from one position: "(415) 555-0132", "4012 8888 8888 1881", "+44 (0)20 7123".
struct Groups {
  static constexpr int kMax = 8;
  int n = 0;
  int len[kMax] = {};       // digits in group k
  size_t begin[kMax] = {};  // first digit of group k
  size_t end[kMax] = {};    // after group k (after its ')' when parenthesised)
  char sep[kMax] = {};      // what came before group k: 0, ' ', '-', '.', '/', or ')' (none)
  bool paren[kMax] = {};

  int Digits(int k) const {
    int d = 0;
    for (int i = 0; i < k; ++i) d += len[i];
    return d;
  }
  bool AnyParen(int k) const {
    for (int i = 0; i < k; ++i) {
      if (paren[i]) return true;
    }
    return false;
  }
  // Separators of groups 1..k-1 all equal and in `allowed`.
  bool SameSeparators(int k, std::string_view allowed) const {
    for (int i = 1; i < k; ++i) {
      if (sep[i] != sep[1] || allowed.find(sep[i]) == std::string_view::npos) return false;
    }
    return true;
  }
};

bool IsSeparator(char c) { return c == ' ' || c == '-' || c == '.' || c == '/'; }

constexpr std::string_view kPhoneWords[] = {"phone", "tel", "call",   "mobile",  "cell", "whatsapp",
                                            "sms",   "fax", "number", "contact", "ring", "text me"};
constexpr std::string_view kNotPhoneWords[] = {"account",  "order", "invoice", "ref",    "ticket",
                                               "tracking", "card",  "iban",    "policy", "case"};

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

bool ValidDate(int year, int month, int day) {
  if (year < 100) year += year < 40 ? 2000 : 1900;
  return year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 &&
         day <= DaysInMonth(year, month);
}

int Number(const char* p, size_t len) {
  int v = 0;
  for (size_t i = 0; i < len; ++i) v = v * 10 + (p[i] - '0');
  return v;
}

// Month number of an English month name or its abbreviation; 0 otherwise.
int MonthOf(std::string_view w) {
  if (w.size() < 3) return 0;
  char m[3] = {Lower(w[0]), Lower(w[1]), Lower(w[2])};
  static constexpr std::string_view kMonths = "janfebmaraprmayjunjulaugsepoctnovdec";
  for (int i = 0; i < 12; ++i) {
    if (std::memcmp(kMonths.data() + 3 * i, m, 3) == 0) return i + 1;
  }
  return 0;
}

bool Base58CheckValid(std::string_view s) {
  static constexpr std::string_view kAlphabet =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  uint8_t bytes[40] = {};
  size_t used = 0;  // bytes[40-used..40) hold the number, big-endian
  for (char c : s) {
    const size_t digit = kAlphabet.find(c);
    if (digit == std::string_view::npos) return false;
    unsigned carry = static_cast<unsigned>(digit);
    for (size_t j = 0; j < used; ++j) {
      carry += bytes[39 - j] * 58u;
      bytes[39 - j] = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry != 0) {
      if (used == sizeof(bytes)) return false;
      bytes[39 - used++] = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
  }
  size_t zeros = 0;
  while (zeros < s.size() && s[zeros] == '1') ++zeros;
  if (zeros + used != 25) return false;
  uint8_t full[25] = {};
  std::memcpy(full + zeros, bytes + 40 - used, used);
  if (full[0] != 0x00 && full[0] != 0x05) return false;  // P2PKH, P2SH
  const std::string hash =
      crypto::Sha256(crypto::Sha256(std::string_view(reinterpret_cast<char*>(full), 21)));
  return std::memcmp(hash.data(), full + 21, 4) == 0;
}

bool Bech32Valid(std::string_view s) {
  static constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  static constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  bool lower = false, upper = false;
  for (char c : s) {
    lower |= c >= 'a' && c <= 'z';
    upper |= c >= 'A' && c <= 'Z';
  }
  if (lower && upper) return false;
  uint32_t chk = 1;
  auto step = [&](uint32_t v) {
    const uint32_t b = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((b >> i) & 1) chk ^= kGen[i];
    }
  };
  // Human-readable part "bc", expanded.
  step('b' >> 5);
  step('c' >> 5);
  step(0);
  step('b' & 31);
  step('c' & 31);
  for (char c : s.substr(3)) {
    const size_t v = kCharset.find(Lower(c));
    if (v == std::string_view::npos) return false;
    step(static_cast<uint32_t>(v));
  }
  return chk == 1 || chk == 0x2bc830a3;  // bech32 (v0), bech32m (v1+)
}

}  // namespace

size_t Scanner::HandleDigitOrToken(size_t i) {
  size_t s = i;
  while (s > last_end_ && i - s < 64 && IsAlnumChar(t_[s - 1])) --s;
  size_t e = i;
  while (e < n_ && IsAlnumChar(t_[e])) ++e;
  if (accounts_ != nullptr) {
    // Configured formats see the whole token, hyphens included ("LN-00123456").
    size_t ws = s, we = e;
    while (ws > last_end_ && s - ws < 64 && (IsAlnumChar(t_[ws - 1]) || t_[ws - 1] == '-')) --ws;
    while (we < n_ && we - e < 64 && (IsAlnumChar(t_[we]) || t_[we] == '-')) ++we;
    while (ws < s && t_[ws] == '-') ++ws;
    while (we > e && t_[we - 1] == '-') --we;
    if (ws == 0 || !IsAlnumChar(t_[ws - 1])) {
      const std::string_view token(t_ + ws, we - ws);
      if (const float c = accounts_->Match(token); c > 0) {
        if (!CardNumberValid(token) && !IbanValid(token)) {
          Emit(PiiType::kAccountNumber, ws, we, c, false);
          return we;
        }
      }
    }
  }
  if (s > 0 && IsAlnumChar(t_[s - 1])) return e;  // the rest of a token already looked at
  if (s >= 2 && (t_[s - 1] == '.' || t_[s - 1] == '-' || t_[s - 1] == '/' || t_[s - 1] == ',') &&
      IsAlnumChar(t_[s - 2])) {
    return e;  // the tail of a compound that was not an identifier: "IP192.168.1.1", "4012-8888-"
  }
  if (e < n_ && t_[e] == ':' && e - s <= 4) {
    if (size_t end = Ipv6(s)) return end;
  }
  if (IsUpperChar(t_[s])) {
    if (size_t end = Iban(s)) return end;
    if (size_t end = Nino(s)) return end;
    if (size_t end = UkPostcode(s)) return end;
  }
  if (size_t end = Crypto(s, e)) return end;
  if (!IsDigitChar(t_[s])) return e;
  if (s > 0 && (t_[s - 1] == '+' || t_[s - 1] == '(') && s - 1 >= last_end_ &&
      (s < 2 || !IsAlnumChar(t_[s - 2]))) {
    if (size_t end = Phone(s - 1)) return end;
  }
  if (size_t end = Numbers(s)) return end;
  return e;
}

size_t Scanner::Iban(size_t s) {
  const size_t check = At(s + 2) == ' ' ? s + 3 : s + 2;  // the check digits
  if (!IsUpperChar(At(s)) || !IsUpperChar(At(s + 1)) || !IsDigitChar(At(check)) ||
      !IsDigitChar(At(check + 1))) {
    return 0;
  }
  const int length = IbanLength(std::string_view(t_ + s, 2));
  if (length == 0) return 0;
  // Upper case only (a lower-case letter in the BBAN is refused, as Presidio does); grouped by
  // single spaces, dashes or dots anywhere after the country code ("ES 58 0049 ...",
  // "ES72 2013-0692", "NO07.8380.08.06006").
  size_t p = s;
  int count = 0;
  while (count < length && p < n_) {
    const char c = t_[p];
    if (IsDigitChar(c) || IsUpperChar(c)) {
      ++count;
      ++p;
    } else if ((c == ' ' || c == '-' || c == '.') && count >= 2 &&
               (IsDigitChar(At(p + 1)) || IsUpperChar(At(p + 1)))) {
      ++p;
    } else {
      return 0;
    }
  }
  if (count != length || IsAlnumChar(At(p))) return 0;
  // A registry-shaped IBAN with a wrong check is consumed without a finding, so that its digit
  // groups are not read again as a card or a phone number.
  if (!IbanValid(std::string_view(t_ + s, p - s))) return p;
  Emit(PiiType::kIban, s, p, 1.0f, true);
  return p;
}

size_t Scanner::Nino(size_t s) {
  // AB123456C or AB 12 34 56 C.
  size_t p = s + 2;
  if (At(p) == ' ') ++p;
  for (int pair = 0; pair < 3; ++pair) {
    if (!IsDigitChar(At(p)) || !IsDigitChar(At(p + 1))) return 0;
    p += 2;
    if (pair < 2 && At(p) == ' ' && IsDigitChar(At(p + 1))) ++p;
  }
  if (At(p) == ' ' && IsUpperChar(At(p + 1))) ++p;
  if (!IsUpperChar(At(p))) return 0;
  ++p;
  if (IsAlnumChar(At(p))) return 0;
  if (!UkNinoValid(std::string_view(t_ + s, p - s))) return 0;
  const bool context = ContextBefore(s, {"national insurance", "nino", "ni number", "ni no"});
  Emit(PiiType::kUkNino, s, p, context ? 1.0f : 0.6f, true);
  return p;
}

size_t Scanner::UkPostcode(size_t s) {
  // Outward code A9, A99, AA9, AA99, A9A, AA9A; inward code 9AA.
  size_t p = s;
  if (!IsUpperChar(At(p))) return 0;
  ++p;
  if (IsUpperChar(At(p))) ++p;
  if (!IsDigitChar(At(p))) return 0;
  ++p;
  if (IsDigitChar(At(p)) || IsUpperChar(At(p))) ++p;
  if (At(p) == ' ') ++p;
  if (!IsDigitChar(At(p)) || !IsUpperChar(At(p + 1)) || !IsUpperChar(At(p + 2))) return 0;
  p += 3;
  if (IsAlnumChar(At(p))) return 0;
  Emit(PiiType::kAddress, s, p, 0.5f, false);
  return p;
}

size_t Scanner::Crypto(size_t s, size_t e) {
  const size_t len = e - s;
  const char c = t_[s];
  if ((c == '1' || c == '3') && len >= 26 && len <= 35) {
    if (Base58CheckValid(std::string_view(t_ + s, len))) {
      Emit(PiiType::kCrypto, s, e, 1.0f, true);
      return e;
    }
  } else if ((c == 'b' || c == 'B') && len >= 14 && len <= 74 && Lower(t_[s + 1]) == 'c' &&
             t_[s + 2] == '1') {
    if (Bech32Valid(std::string_view(t_ + s, len))) {
      Emit(PiiType::kCrypto, s, e, 1.0f, true);
      return e;
    }
  } else if (c == '0' && len == 42 && (t_[s + 1] == 'x' || t_[s + 1] == 'X')) {
    for (size_t k = s + 2; k < e; ++k) {
      if (!Is(t_[k], kHex)) return 0;
    }
    // An Ethereum address: its EIP-55 mixed-case checksum needs Keccak-256, not checked here.
    Emit(PiiType::kCrypto, s, e, 0.6f, false);
    return e;
  }
  return 0;
}

// Four dotted octets 0-255 from `s`; returns the end, or 0. With `emit`, also checks the
// boundaries, takes a CIDR suffix (/0-32) and reports the address.
size_t Scanner::Ipv4(size_t s, bool emit, float confidence) {
  size_t p = s;
  for (int octet = 0; octet < 4; ++octet) {
    const size_t q = SkipDigits(p);
    if (q == p || q - p > 3 || Number(t_ + p, q - p) > 255) return 0;
    p = q;
    if (octet < 3) {
      if (At(p) != '.') return 0;
      ++p;
    }
  }
  if (!emit) return p;
  if (IsAlnumChar(At(p))) return 0;
  if (At(p) == '/' && IsDigitChar(At(p + 1))) {
    const size_t q = SkipDigits(p + 1);
    if (q - p - 1 <= 2 && Number(t_ + p + 1, q - p - 1) <= 32 && !IsAlnumChar(At(q))) p = q;
  }
  Emit(PiiType::kIp, s, p, confidence, true);
  return p;
}

size_t Scanner::Ipv6(size_t s) {
  if (s > 0 && (IsAlnumChar(t_[s - 1]) || t_[s - 1] == ':')) return 0;
  size_t p = s;
  int groups = 0;
  bool compressed = false;
  size_t after_compression = 0;
  if (At(p) == ':') {
    if (At(p + 1) != ':') return 0;
    compressed = true;
    p += 2;
    after_compression = p;
    if (At(p) == ':') return 0;
  }
  while (true) {
    if (IsDigitChar(At(p)) && (compressed ? groups <= 5 : groups == 6)) {
      size_t q = p;
      while (q < n_ && q - p < 4 && IsDigitChar(t_[q])) ++q;
      if (At(q) == '.') {  // an embedded IPv4 address ends the IPv6 one
        if (const size_t v4 = Ipv4(p, false, 0)) {
          groups += 2;
          p = v4;
          break;
        }
      }
    }
    size_t q = p;
    while (q < n_ && q - p < 5 && Is(t_[q], kHex)) ++q;
    if (q == p) {
      if (compressed && p == after_compression) break;  // "2001:db8::", "::"
      return 0;
    }
    if (q - p > 4) return 0;
    ++groups;
    p = q;
    if (At(p) == ':' && At(p + 1) == ':') {
      if (compressed) return 0;
      compressed = true;
      p += 2;
      after_compression = p;
      if (At(p) == ':') return 0;
      continue;
    }
    if (At(p) == ':' && Is(At(p + 1), kHex)) {
      ++p;
      continue;
    }
    break;
  }
  if (compressed ? groups > 7 : groups != 8) return 0;
  if (IsAlnumChar(At(p)) || At(p) == ':') return 0;
  if (At(p) == '.' && IsDigitChar(At(p + 1))) return 0;  // "::ffff:192.168.1"
  const bool unspecified = groups == 0;                  // "::"
  if (At(p) == '%' && IsAlnumChar(At(p + 1))) {          // zone: fe80::1%eth0
    ++p;
    while (IsAlnumChar(At(p))) ++p;
  }
  if (At(p) == '/' && IsDigitChar(At(p + 1))) {
    const size_t q = SkipDigits(p + 1);
    if (q - p - 1 <= 3 && Number(t_ + p + 1, q - p - 1) <= 128 && !IsAlnumChar(At(q))) p = q;
  }
  Emit(PiiType::kIp, s, p, unspecified ? 0.1f : 0.75f, true);
  return p;
}

namespace {

Groups ParseGroups(const char* t, size_t n, size_t p) {
  Groups g;
  int digits = 0;
  while (g.n < Groups::kMax && p < n) {
    size_t q = p;
    const bool paren = t[q] == '(';
    if (paren) ++q;
    const size_t first = q;
    while (q < n && t[q] >= '0' && t[q] <= '9') ++q;
    if (q == first || q - first > 24) break;
    if (paren) {
      if (q >= n || t[q] != ')') break;
      ++q;
    }
    g.len[g.n] = static_cast<int>(q - first - (paren ? 1 : 0));
    g.begin[g.n] = first;
    g.end[g.n] = q;
    g.paren[g.n] = paren;
    digits += g.len[g.n];
    ++g.n;
    if (digits > 24 || q >= n) break;
    // What joins the next group: one separator, or nothing after a ')': "(415)555", "(0)20".
    if (IsSeparator(t[q]) && q + 1 < n &&
        ((t[q + 1] >= '0' && t[q + 1] <= '9') || t[q + 1] == '(')) {
      if (g.n < Groups::kMax) g.sep[g.n] = t[q];
      p = q + 1;
    } else if (paren && t[q] >= '0' && t[q] <= '9') {
      if (g.n < Groups::kMax) g.sep[g.n] = ')';
      p = q;
    } else {
      break;
    }
  }
  return g;
}

}  // namespace

size_t Scanner::Numbers(size_t s) {
  const Groups g = ParseGroups(t_, n_, s);
  if (g.n == 0) return 0;
  // A prefix of k groups ends cleanly when a space follows it, or nothing alphanumeric.
  auto clean_end = [&](int k) {
    return k < g.n ? g.sep[k] == ' ' : !IsAlnumChar(At(g.end[k - 1]));
  };
  auto text = [&](int k) { return std::string_view(t_ + s, g.end[k - 1] - s); };

  // Payment cards: the longest Luhn-valid prefix of 13-19 digits with one kind of separator.
  for (int k = g.n; k >= 1; --k) {
    const int d = g.Digits(k);
    if (d > 19 || g.AnyParen(k)) continue;
    if (d < 13) break;
    if (!clean_end(k) || !g.SameSeparators(k, " -") || !CardNumberValid(text(k))) continue;
    float c = CardBrandOf(*DigitsOf(text(k))) != CardBrand::kUnknown ? 0.9f : 0.6f;
    if (ContextBefore(s, {"card", "visa", "master", "amex", "credit", "debit", "cc", "pan"})) {
      c = 1.0f;
    }
    Emit(PiiType::kCard, s, g.end[k - 1], c, true);
    return g.end[k - 1];
  }
  if (g.n >= 4 && g.sep[1] == '.') {
    // Five dotted groups are a French phone number (01.42.68.53.00) before they are an address
    // with a trailing group (192.168.1.1.1).
    if (g.n >= 5 && g.SameSeparators(5, ".")) {
      if (size_t end = Phone(s)) return end;
    }
    if (size_t end = Ipv4(s, true, 0.75f)) return end;
  }
  const bool ssn_context =
      ContextBefore(s, {"ssn", "social security", "ss#", "ss #", "social sec", "taxpayer"});
  // US SSN as AAA-GG-SSSS.
  if (g.n >= 3 && g.len[0] == 3 && g.len[1] == 2 && g.len[2] == 4 && !g.AnyParen(3) &&
      g.SameSeparators(3, "-. ") && clean_end(3) && UsSsnValid(text(3))) {
    Emit(PiiType::kUsSsn, s, g.end[2], ssn_context ? 0.95f : 0.6f, true);
    return g.end[2];
  }
  if (size_t end = DateOfBirth(s)) return end;
  // Account numbers named as such: "account no. 12345678", "acct 0012-3456-78".
  {
    int k = g.n;
    while (k > 1 && !g.SameSeparators(k, " -")) --k;
    const int d = g.Digits(k);
    if (d >= 6 && d <= 20 && !g.AnyParen(k) && clean_end(k) &&
        ContextBefore(s, {"account", "acct", "a/c", "acc no", "acc. no", "konto", "policy no",
                          "policy number", "member id", "membership no"})) {
      Emit(PiiType::kAccountNumber, s, g.end[k - 1], 0.6f, false);
      return g.end[k - 1];
    }
  }
  // Bare or loosely grouped SSNs with context come before phones.
  auto weak_ssn = [&]() -> size_t {
    const bool bare = g.len[0] == 9 && clean_end(1);
    const bool split = g.n >= 2 && g.sep[1] == '-' && clean_end(2) &&
                       ((g.len[0] == 3 && g.len[1] == 6) || (g.len[0] == 5 && g.len[1] == 4));
    if (!bare && !split) return 0;
    const int k = bare ? 1 : 2;
    if (!UsSsnValid(text(k))) return 0;
    float c = bare ? 0.3f : 0.2f;
    if (ssn_context) c += 0.6f;
    Emit(PiiType::kUsSsn, s, g.end[k - 1], c, true);
    return g.end[k - 1];
  };
  // 078-051121 is an SSN written carelessly more often than a phone number, unless the words
  // before it speak of phones.
  const bool split_ssn_shape =
      g.n >= 2 && g.sep[1] == '-' &&
      ((g.len[0] == 3 && g.len[1] == 6) || (g.len[0] == 5 && g.len[1] == 4));
  if (ssn_context || (split_ssn_shape && !ContextBefore(s, kPhoneWords))) {
    if (size_t end = weak_ssn()) return end;
  }
  if (size_t end = Phone(s)) return end;
  if (size_t end = weak_ssn()) return end;
  if (size_t end = Address(s)) return end;
  return 0;
}

size_t Scanner::Phone(size_t p) {
  // "00" is the international call prefix of Europe and India: "0049 171 1234567" is written
  // for "+49 171 1234567". Taken as such only when the country code and length validate below
  // (or the words before speak of phones), since "00" starts many other numbers.
  const bool intl00 =
      t_[p] == '0' && At(p + 1) == '0' && IsDigitChar(At(p + 2)) && At(p + 2) != '0';
  const bool plus = t_[p] == '+' || intl00;
  const size_t q = t_[p] == '+' ? p + 1 : intl00 ? p + 2 : p;
  if (!IsDigitChar(At(q)) && At(q) != '(') return 0;
  const Groups g = ParseGroups(t_, n_, q);
  if (g.n == 0) return 0;
  auto clean_end = [&](int k) {
    if (k < g.n) return g.sep[k] == ' ';
    const char c = At(g.end[k - 1]);
    return !IsAlnumChar(c) && !(c == '.' && IsDigitChar(At(g.end[k - 1] + 1)));
  };
  const bool context = ContextBefore(p, kPhoneWords);
  auto nanp = [&](int k0) {  // groups k0..k0+2 are NXX NXX XXXX
    return g.len[k0] == 3 && g.len[k0 + 1] == 3 && g.len[k0 + 2] == 4 && t_[g.begin[k0]] >= '2' &&
           t_[g.begin[k0 + 1]] >= '2';
  };
  for (int k = g.n; k >= 1; --k) {
    if (!clean_end(k)) continue;
    int d = g.Digits(k);
    float c = 0;
    bool validated = false;
    if (plus) {
      // E.164: a country code and at most 15 digits. "(0)" after the code is the national trunk
      // prefix written for domestic callers; it is not part of the number.
      if (k >= 2 && g.paren[1] && g.len[1] == 1 && t_[g.begin[1]] == '0') --d;
      if (d < 8 || d > 15) continue;
      c = 0.7f;
      const char c1 = t_[g.begin[0]];
      const int nsn = d - (g.len[0] <= 3 ? g.len[0] : 0);
      if (g.len[0] <= 3) {
        const int cc = Number(t_ + g.begin[0], static_cast<size_t>(g.len[0]));
        validated = (cc == 1 && nsn == 10) || (cc == 44 && (nsn == 9 || nsn == 10)) ||
                    (cc == 49 && nsn >= 6 && nsn <= 13) || (cc == 33 && nsn == 9) ||
                    (cc == 91 && nsn == 10);
        if (validated) c = 0.85f;
      }
      if (c1 == '0') continue;  // no country code starts with 0
      if (intl00 && !validated && !context) continue;
    } else if (g.paren[0]) {
      if (k == 3 && nanp(0) && !g.paren[1] && !g.paren[2]) {
        c = 0.7f;
        validated = true;
      } else if (t_[g.begin[0]] == '0' && d >= 9 && d <= 12 && k >= 2) {
        c = 0.6f;
      } else {
        continue;
      }
    } else if (g.AnyParen(k)) {
      continue;
    } else if (k == 3 && nanp(0)) {
      c = 0.6f;
      validated = true;
    } else if (k == 4 && g.len[0] <= 3 && nanp(1)) {
      c = 0.5f;  // with a country code but no '+': "1-415-555-0132", "91-415-555-0132"
    } else if (k >= 2 && t_[g.begin[0]] == '0' && t_[g.begin[0] + 1] != '0' && g.len[0] <= 5 &&
               d >= 9 && d <= 12 && !(k == 3 && g.len[0] == 3 && g.len[1] == 2)) {
      bool pairs_ok = true;  // national format with trunk 0: UK, DE, FR, IN, and most others
      for (int i = 0; i < k; ++i) pairs_ok &= g.len[i] >= 2;
      if (!pairs_ok) continue;
      c = 0.55f;
    } else if (k == 2 && g.len[0] == 5 && g.len[1] == 5 && t_[g.begin[0]] >= '6') {
      c = 0.5f;  // Indian mobile: 98765 43210
    } else if (k == 2 && g.len[0] == 6 && g.len[1] == 5 && t_[g.begin[0]] == '0' &&
               t_[g.begin[0] + 1] >= '6') {
      c = 0.5f;  // the same with the trunk prefix: 098765 43210
    } else if (k == 1 && d >= 8 && d <= 15 && context && !ContextBefore(p, kNotPhoneWords)) {
      c = 0.4f;  // unformatted, but introduced as a phone number
    } else {
      continue;
    }
    if (context) c = std::min(1.0f, c + 0.15f);
    Emit(PiiType::kPhone, p, g.end[k - 1], c, validated);
    return g.end[k - 1];
  }
  return 0;
}

size_t Scanner::DateOfBirth(size_t s) {
  static constexpr std::string_view kWords[] = {"born", "birth",   "dob",       "d.o.b",    "b'day",
                                                "bday", "geboren", "n\xC3\xA9", "naissance"};
  size_t start = s, end = 0;
  int year = 0, month = 0, day = 0;
  const size_t a = SkipDigits(s);
  const size_t la = a - s;
  const char sep = At(a);
  if ((sep == '/' || sep == '-' || sep == '.') && IsDigitChar(At(a + 1))) {
    const size_t b = SkipDigits(a + 1);
    const size_t lb = b - a - 1;
    if (At(b) != sep || !IsDigitChar(At(b + 1))) return 0;
    const size_t c = SkipDigits(b + 1);
    const size_t lc = c - b - 1;
    const int x = Number(t_ + s, la), y = Number(t_ + a + 1, lb), z = Number(t_ + b + 1, lc);
    bool ok = false;
    if (la == 4 && lb <= 2 && lc <= 2) {
      ok = ValidDate(x, y, z);
    } else if (la <= 2 && lb <= 2 && (lc == 4 || lc == 2)) {
      ok = ValidDate(z, y, x) || ValidDate(z, x, y);  // day first or month first
    }
    if (!ok || IsAlnumChar(At(c))) return 0;
    end = c;
  } else if (la <= 2) {
    // "12 March 1980", "12th of March, 1980"; or "March 12, 1980" with the month before.
    size_t p = a;
    if (IsAlphaChar(At(p)) && IsAlphaChar(At(p + 1)) && !IsAlphaChar(At(p + 2))) p += 2;
    day = Number(t_ + s, la);
    auto year_at = [&](size_t at) -> size_t {
      if (At(at) == ',') ++at;
      if (At(at) != ' ') return 0;
      ++at;
      const size_t ye = SkipDigits(at);
      if (ye - at != 4 || IsAlnumChar(At(ye))) return 0;
      year = Number(t_ + at, 4);
      return ye;
    };
    if (At(p) == ' ') {
      size_t w = p + 1;
      if (At(w) == 'o' && At(w + 1) == 'f' && At(w + 2) == ' ') w += 3;
      const size_t we = WordEnd(w);
      if (we > w && (Flags(w, we) & kMonth)) {
        month = MonthOf(std::string_view(t_ + w, we - w));
        end = year_at(At(we) == '.' ? we + 1 : we);
      }
    }
    if (end == 0 && s >= 2 && t_[s - 1] == ' ') {
      const size_t we = s - 1;
      size_t ws = we;
      while (ws > last_end_ && IsAlphaChar(t_[ws - 1])) --ws;
      if (we > ws && (Flags(ws, we) & kMonth) && (ws == 0 || !IsAlnumChar(t_[ws - 1]))) {
        month = MonthOf(std::string_view(t_ + ws, we - ws));
        end = year_at(p);
        start = ws;
      }
    }
    if (end == 0 || !ValidDate(year, month, day)) return 0;
  } else {
    return 0;
  }
  if (!ContextBefore(start, kWords, 48)) return 0;  // a date is personal when it is a birth date
  Emit(PiiType::kDateOfBirth, start, end, 0.85f, true);
  return end;
}

namespace {

bool StreetSuffix(std::string_view w) {
  static constexpr std::string_view kSuffixes[] = {
      "street",  "st",     "road",    "rd",        "avenue",   "ave",     "av",    "lane",
      "ln",      "drive",  "dr",      "boulevard", "blvd",     "way",     "court", "ct",
      "place",   "pl",     "terrace", "close",     "crescent", "highway", "hwy",   "parkway",
      "pkwy",    "square", "sq",      "circle",    "cir",      "trail",   "row",   "mews",
      "gardens", "grove",  "walk",    "alley",     "plaza"};
  if (w.size() > 9) return false;
  char buf[10];
  for (size_t i = 0; i < w.size(); ++i) buf[i] = Lower(w[i]);
  const std::string_view l(buf, w.size());
  for (std::string_view s : kSuffixes) {
    if (l == s) return true;
  }
  return false;
}

bool FrenchStreetType(std::string_view w) {
  for (std::string_view s : {"rue", "avenue", "boulevard", "bd", "place",
                             "all\xC3\xA9"
                             "e",
                             "impasse", "chemin", "quai", "route", "cours"}) {
    if (w == s) return true;
  }
  return false;
}

bool GermanStreet(std::string_view w) {
  for (std::string_view s : {"stra\xC3\x9F"
                             "e",
                             "strasse", "str.", "weg", "platz", "allee", "gasse", "damm", "ufer"}) {
    if (w.size() >= s.size() && w.substr(w.size() - s.size()) == s) return true;
  }
  return false;
}

}  // namespace

size_t Scanner::Address(size_t s) {
  size_t p = SkipDigits(s);
  if (p - s > 5) return 0;
  if (IsUpperChar(At(p)) && !IsAlnumChar(At(p + 1))) ++p;  // 221B
  if (IsAlnumChar(At(p))) return 0;
  size_t start = s, end = 0;
  bool postal = false;
  // German order: "Hauptstraße 5".
  if (s >= 2 && t_[s - 1] == ' ') {
    size_t ws = s - 1;
    while (ws > last_end_ && (IsNameByte(t_[ws - 1]) || t_[ws - 1] == '.')) --ws;
    const std::string_view w(t_ + ws, s - 1 - ws);
    if (w.size() > 3 && Capitalised(ws) && GermanStreet(w)) {
      start = ws;
      end = p;
    }
  }
  if (end == 0 && At(p) == ' ') {
    size_t q = p + 1;
    size_t we = WordEnd(q);
    if (we > q && FrenchStreetType(std::string_view(t_ + q, we - q))) {
      // "12 rue de la Paix": particles and capitalised words after the type.
      size_t last = 0;
      for (int words = 0; words < 5 && At(we) == ' '; ++words) {
        const size_t r = we + 1;
        const size_t re = WordEnd(r);
        if (re == r) break;
        const std::string_view w(t_ + r, re - r);
        if (Capitalised(r)) {
          last = re;
        } else if (!(w == "de" || w == "la" || w == "du" || w == "des" || w == "le" || w == "l'" ||
                     w == "d'")) {
          break;
        }
        we = re;
      }
      end = last;
    } else {
      // "221B Baker Street", "1600 Pennsylvania Avenue": capitalised words ending in a suffix.
      for (int words = 0; words < 5 && we > q && Capitalised(q); ++words) {
        if (words > 0 && StreetSuffix(std::string_view(t_ + q, we - q))) {
          end = At(we) == '.' ? we + 1 : we;
          break;
        }
        if (At(we) != ' ') break;
        q = we + 1;
        we = WordEnd(q);
      }
    }
  }
  if (end == 0) return 0;
  // City and postal code: ", Springfield, IL 62704", ", London SW1A 1AA", ", 75002 Paris".
  size_t r = end;
  if (At(r) == ',') ++r;
  if (At(r) == ' ') {
    ++r;
    if (IsDigitChar(At(r))) {
      const size_t z = SkipDigits(r);
      if ((z - r == 5 || z - r == 4) && At(z) == ' ' && Capitalised(z + 1)) {
        end = WordEnd(z + 1);
        postal = true;
      }
    } else {
      size_t city_end = 0;
      for (int words = 0; words < 3 && Capitalised(r); ++words) {
        const size_t we = WordEnd(r);
        if (we - r == 2 && IsUpperChar(t_[r + 1])) break;  // a state code, not a city word
        city_end = we;
        if (At(we) != ' ') break;
        r = we + 1;
      }
      if (city_end != 0) {
        size_t z = city_end;
        if (At(z) == ',') ++z;
        if (At(z) == ' ') ++z;
        if (IsUpperChar(At(z)) && IsUpperChar(At(z + 1)) && At(z + 2) == ' ' &&
            IsDigitChar(At(z + 3))) {
          const size_t zip = SkipDigits(z + 3);
          if (zip - z - 3 == 5 && !IsAlnumChar(At(zip))) {
            end = zip;
            if (At(zip) == '-' && SkipDigits(zip + 1) == zip + 5) end = zip + 5;
            postal = true;
          }
        } else if (IsUpperChar(At(z))) {
          const size_t mark = last_end_;
          const size_t before = out_->size();
          if (size_t pc = UkPostcode(z)) {  // probe only: the whole address is reported
            out_->resize(before);
            last_end_ = mark;
            end = pc;
            postal = true;
          }
        }
      }
    }
  }
  if (start < last_end_) return 0;
  Emit(PiiType::kAddress, start, end, postal ? 0.85f : 0.6f, false);
  return end;
}

}  // namespace crmi::privacy::internal
