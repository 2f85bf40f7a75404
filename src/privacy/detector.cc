// The scan loop (a vectorised search for trigger bytes), names, and the public interface. The
// recognisers of number-shaped identifiers are in recognizers.cc.
#include "src/privacy/detector.h"

#include <emmintrin.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "src/privacy/detector_internal.h"

namespace crmi::privacy {

using internal::kClass;
using internal::Scanner;

namespace {

constexpr std::string_view kTypeNames[kPiiTypeCount] = {
    "EMAIL", "PHONE",         "CARD",    "IBAN",   "US_SSN", "UK_NINO",
    "IP",    "DATE_OF_BIRTH", "ADDRESS", "CRYPTO", "PERSON", "ACCOUNT_NUMBER"};

// Folds a word for the dictionary: ASCII and Latin-1 capitals (UTF-8 C3 80..9E) to lower case,
// then FNV-1a. Never 0, the empty-slot marker.
uint64_t WordHash(std::string_view w) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < w.size(); ++i) {
    auto c = static_cast<uint8_t>(w[i]);
    if (c >= 'A' && c <= 'Z') {
      c += 32;
    } else if (c == 0xC3 && i + 1 < w.size()) {
      auto d = static_cast<uint8_t>(w[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) d += 0x20;
      h = (h ^ c) * 1099511628211ull;
      c = d;
      ++i;
    }
    h = (h ^ c) * 1099511628211ull;
  }
  return h == 0 ? 1 : h;
}

struct BuiltinWord {
  std::string_view word;
  uint8_t flags;
};

// Words every dictionary knows. Stop words are capitalised words common in customer text that are
// never names by themselves; a contact's name that is also one (Will, May, Grace) is still found
// when a capitalised word follows it.
constexpr uint8_t S = internal::kStop;
constexpr BuiltinWord kBuiltins[] = {
    // Titles.
    {"mr", internal::kTitle | S},
    {"mrs", internal::kTitle | S},
    {"ms", internal::kTitle | S},
    {"miss", internal::kTitle | S},
    {"mx", internal::kTitle | S},
    {"dr", internal::kTitle | S},
    {"prof", internal::kTitle | S},
    {"sir", internal::kTitle | S},
    {"herr", internal::kTitle | S},
    {"frau", internal::kTitle | S},
    {"mme", internal::kTitle | S},
    {"mlle", internal::kTitle | S},
    {"monsieur", internal::kTitle | S},
    {"madame", internal::kTitle | S},
    {"señor", internal::kTitle | S},
    {"señora", internal::kTitle | S},
    // Cues.
    {"dear", internal::kCueStrong | S},
    {"attn", internal::kCueStrong | S},
    {"i'm", internal::kCueStrong | S},
    {"im", internal::kCueStrong},
    {"hi", internal::kCueWeak | S},
    {"hello", internal::kCueWeak | S},
    {"hey", internal::kCueWeak | S},
    {"thanks", internal::kCueWeak | S},
    {"regards", internal::kCueWeak | S},
    {"cheers", internal::kCueWeak | S},
    {"sincerely", internal::kCueWeak | S},
    {"contact", internal::kCueWeak | S},
    {"customer", internal::kCueWeak | S},
    {"client", internal::kCueWeak | S},
    {"agent", internal::kCueWeak | S},
    {"with", S},
    {"is", internal::kCueVerb | S},
    {"am", internal::kCueVerb | S},
    // Months: never a name alone, and they start dates.
    {"january", internal::kMonth | S},
    {"february", internal::kMonth | S},
    {"march", internal::kMonth | S},
    {"april", internal::kMonth | S},
    {"may", internal::kMonth | S},
    {"june", internal::kMonth | S},
    {"july", internal::kMonth | S},
    {"august", internal::kMonth | S},
    {"september", internal::kMonth | S},
    {"october", internal::kMonth | S},
    {"november", internal::kMonth | S},
    {"december", internal::kMonth | S},
    {"jan", internal::kMonth | S},
    {"feb", internal::kMonth | S},
    {"mar", internal::kMonth | S},
    {"apr", internal::kMonth | S},
    {"jun", internal::kMonth | S},
    {"jul", internal::kMonth | S},
    {"aug", internal::kMonth | S},
    {"sep", internal::kMonth | S},
    {"sept", internal::kMonth | S},
    {"oct", internal::kMonth | S},
    {"nov", internal::kMonth | S},
    {"dec", internal::kMonth | S},
    // Stop words.
    {"i", S},
    {"a", S},
    {"an", S},
    {"the", S},
    {"this", S},
    {"that", S},
    {"these", S},
    {"those", S},
    {"my", S},
    {"your", S},
    {"our", S},
    {"their", S},
    {"his", S},
    {"her", S},
    {"its", S},
    {"we", S},
    {"you", S},
    {"he", S},
    {"she", S},
    {"they", S},
    {"it", S},
    {"me", S},
    {"us", S},
    {"them", S},
    {"please", S},
    {"thank", S},
    {"ok", S},
    {"okay", S},
    {"yes", S},
    {"no", S},
    {"not", S},
    {"and", S},
    {"or", S},
    {"but", S},
    {"if", S},
    {"so", S},
    {"what", S},
    {"when", S},
    {"where", S},
    {"which", S},
    {"who", S},
    {"why", S},
    {"how", S},
    {"are", S},
    {"was", S},
    {"were", S},
    {"be", S},
    {"been", S},
    {"do", S},
    {"does", S},
    {"did", S},
    {"can", S},
    {"could", S},
    {"would", S},
    {"should", S},
    {"will", S},
    {"might", S},
    {"must", S},
    {"have", S},
    {"has", S},
    {"had", S},
    {"get", S},
    {"got", S},
    {"there", S},
    {"here", S},
    {"all", S},
    {"any", S},
    {"some", S},
    {"every", S},
    {"each", S},
    {"for", S},
    {"from", S},
    {"to", S},
    {"in", S},
    {"on", S},
    {"at", S},
    {"of", S},
    {"by", S},
    {"about", S},
    {"as", S},
    {"after", S},
    {"before", S},
    {"madam", S},
    {"team", S},
    {"support", S},
    {"service", S},
    {"order", S},
    {"account", S},
    {"card", S},
    {"bank", S},
    {"monday", S},
    {"tuesday", S},
    {"wednesday", S},
    {"thursday", S},
    {"friday", S},
    {"saturday", S},
    {"sunday", S},
    {"today", S},
    {"tomorrow", S},
    {"yesterday", S},
    {"also", S},
    {"just", S},
    {"now", S},
    {"then", S},
    {"new", S},
    {"re", S},
    {"fw", S},
    {"fwd", S},
    {"subject", S},
    {"sent", S},
    {"cc", S},
    {"ps", S},
    {"best", S},
    {"kind", S},
    {"good", S},
    {"morning", S},
    {"afternoon", S},
    {"evening", S},
    {"welcome", S},
    {"sorry", S},
    {"great", S},
    {"sure", S},
    {"let", S},
    {"let's", S},
    {"i'll", S},
    {"i've", S},
    {"i'd", S},
    {"don't", S},
    {"can't", S},
    {"it's", S},
    {"there's", S},
    {"we're", S},
    {"you're", S},
    {"could", S},
    {"street", S},
    {"road", S},
    {"avenue", S},
    {"email", S},
    {"phone", S},
    {"name", S},
    {"address", S},
    {"date", S},
    {"birth", S},
};

}  // namespace

std::string_view PiiTypeName(PiiType type) { return kTypeNames[static_cast<int>(type)]; }

std::optional<PiiType> PiiTypeFromName(std::string_view name) {
  for (int i = 0; i < kPiiTypeCount; ++i) {
    if (kTypeNames[i] == name) return static_cast<PiiType>(i);
  }
  return std::nullopt;
}

// --- NameDictionary ---------------------------------------------------------------------------

void NameDictionary::Grow() {
  std::vector<uint64_t> old_keys = std::move(keys_);
  std::vector<uint8_t> old_flags = std::move(flags_);
  const size_t capacity = std::max<size_t>(64, old_keys.size() * 2);
  keys_.assign(capacity, 0);
  flags_.assign(capacity, 0);
  for (size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] == 0) continue;
    size_t slot = old_keys[i] & (capacity - 1);
    while (keys_[slot] != 0) slot = (slot + 1) & (capacity - 1);
    keys_[slot] = old_keys[i];
    flags_[slot] = old_flags[i];
  }
}

void NameDictionary::Add(std::string_view word, uint8_t flags) {
  if (word.empty()) return;
  if ((count_ + 1) * 2 > keys_.size()) Grow();
  const uint64_t h = WordHash(word);
  const size_t mask = keys_.size() - 1;
  size_t slot = h & mask;
  while (keys_[slot] != 0 && keys_[slot] != h) slot = (slot + 1) & mask;
  if (keys_[slot] == 0) {
    keys_[slot] = h;
    ++count_;
  }
  flags_[slot] |= flags;
}

uint8_t NameDictionary::Lookup(std::string_view word) const {
  if (keys_.empty() || word.empty() || word.size() > 40) return 0;
  const uint64_t h = WordHash(word);
  const size_t mask = keys_.size() - 1;
  for (size_t slot = h & mask;; slot = (slot + 1) & mask) {
    if (keys_[slot] == h) return flags_[slot];
    if (keys_[slot] == 0) return 0;
  }
}

namespace {

// Splits a name field into words as the scanner sees them (letters, apostrophes, inner hyphens
// and UTF-8 letters), calling `fn` on each.
template <typename Fn>
void ForEachNameWord(std::string_view s, Fn fn) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !(internal::IsAlphaChar(s[i]) || internal::Is(s[i], internal::kHigh))) {
      ++i;
    }
    size_t j = i;
    while (j < s.size() &&
           (internal::IsAlphaChar(s[j]) || internal::Is(s[j], internal::kHigh) || s[j] == '\'' ||
            (s[j] == '-' && j + 1 < s.size() && internal::IsAlphaChar(s[j + 1])))) {
      ++j;
    }
    if (j > i) fn(s.substr(i, j - i));
    i = j;
  }
}

}  // namespace

std::shared_ptr<const NameDictionary> NameDictionary::Build(const std::vector<Name>& names) {
  std::shared_ptr<NameDictionary> d(new NameDictionary());
  for (const BuiltinWord& b : kBuiltins) d->Add(b.word, b.flags);
  for (const Name& name : names) {
    // One-letter words (initials) would make every capital a name.
    ForEachNameWord(name.first, [&](std::string_view w) {
      if (w.size() > 1) d->Add(w, internal::kFirstName);
    });
    ForEachNameWord(name.last, [&](std::string_view w) {
      if (w.size() > 1) d->Add(w, internal::kLastName);
    });
  }
  return d;
}

std::shared_ptr<const NameDictionary> NameDictionary::Builtin() {
  static const std::shared_ptr<const NameDictionary> kDictionary = Build({});
  return kDictionary;
}

// --- Scanner: the loop and the word-level recognisers -------------------------------------------

namespace internal {

namespace {

// Bit k set when byte base+k (k < 64) can anchor an identifier: a digit or ':' (0x30..0x3A), '@'
// or a capital (0x40..0x5A), or 0xC3 (the lead byte of Latin-1 letters, for names like Émile).
// SSE2 is part of x86-64, so this needs no dispatch; the tail of the text is done byte by byte.
uint64_t TriggerMask(const char* t, size_t base, size_t n) {
  const __m128i lo1 = _mm_set1_epi8('0' - 1), hi1 = _mm_set1_epi8(':' + 1);
  const __m128i lo2 = _mm_set1_epi8('@' - 1), hi2 = _mm_set1_epi8('Z' + 1);
  const __m128i c3 = _mm_set1_epi8(static_cast<char>(0xC3));
  uint64_t mask = 0;
  for (size_t k = 0; k < 64 && base + k < n; k += 16) {
    uint64_t bits = 0;
    if (base + k + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t + base + k));
      // Signed compares: bytes >= 0x80 are negative, so they fall outside both ASCII ranges.
      const __m128i r1 = _mm_and_si128(_mm_cmpgt_epi8(v, lo1), _mm_cmplt_epi8(v, hi1));
      const __m128i r2 = _mm_and_si128(_mm_cmpgt_epi8(v, lo2), _mm_cmplt_epi8(v, hi2));
      const __m128i m = _mm_or_si128(_mm_or_si128(r1, r2), _mm_cmpeq_epi8(v, c3));
      bits = static_cast<uint32_t>(_mm_movemask_epi8(m));
    } else {
      for (size_t j = 0; base + k + j < n; ++j) {
        const auto c = static_cast<uint8_t>(t[base + k + j]);
        if ((c >= '0' && c <= ':') || (c >= '@' && c <= 'Z') || c == 0xC3) bits |= 1u << j;
      }
    }
    mask |= bits << k;
  }
  return mask;
}

}  // namespace

void Scanner::Run() {
  // The mask of the current 64-byte block is kept while handlers return inside it: triggers come
  // every few dozen bytes in ordinary text, so most are found without touching memory again.
  size_t base = SIZE_MAX;
  uint64_t mask = 0;
  size_t i = 0;
  while (i < n_) {
    const size_t block = i & ~size_t{63};
    if (block != base) {
      base = block;
      mask = TriggerMask(t_, base, n_);
    }
    const uint64_t m = mask & (~uint64_t{0} << (i - base));
    if (m == 0) {
      i = base + 64;
      continue;
    }
    i = base + static_cast<size_t>(__builtin_ctzll(m));
    const char c = t_[i];
    size_t next;
    if (IsDigitChar(c)) {
      next = HandleDigitOrToken(i);
    } else if (c == '@') {
      next = HandleAt(i);
    } else if (c == ':') {
      next = HandleColon(i);
    } else if (IsUpperChar(c) && !IsNameByte(At(i + 1)) && !IsDigitChar(At(i + 1)) &&
               At(i + 1) != ':' && At(i + 1) != '.') {
      next = i + 1;  // "I", "A": one capital alone is never the start of an identifier
    } else {
      next = HandleCapital(i);
    }
    i = std::max(next, i + 1);
  }
}

void Scanner::Emit(PiiType type, size_t s, size_t e, float confidence, bool validated) {
  if (s < last_end_ || e <= s) return;
  out_->push_back(Finding{type, static_cast<uint32_t>(s), static_cast<uint32_t>(e),
                          std::min(confidence, 1.0f), validated});
  last_end_ = e;
}

size_t Scanner::SkipDigits(size_t i) const {
  while (i < n_ && IsDigitChar(t_[i])) ++i;
  return i;
}

size_t Scanner::WordEnd(size_t i) const {
  while (i < n_) {
    const char c = t_[i];
    // An apostrophe, ASCII or typographic (U+2019, E2 80 99), inside a word: O'Brien, O’Brien;
    // but not a possessive "'s" at its end (Kowalski's).
    size_t apostrophe = 0;
    if (c == '\'') {
      apostrophe = 1;
    } else if (static_cast<uint8_t>(c) == 0xE2 && At(i + 1) == '\x80' && At(i + 2) == '\x99') {
      apostrophe = 3;
    }
    if (apostrophe != 0) {
      const char next = At(i + apostrophe);
      if (!IsAlphaChar(next) ||
          ((next == 's' || next == 'S') && !IsNameByte(At(i + apostrophe + 1)))) {
        break;
      }
      i += apostrophe + 1;
    } else if (IsNameByte(c)) {
      ++i;
    } else if (c == '-' && i + 1 < n_ && IsAlphaChar(t_[i + 1])) {
      i += 2;  // Jean-Luc
    } else {
      break;
    }
  }
  return i;
}

bool Scanner::Capitalised(size_t i) const {
  if (i >= n_) return false;
  if (IsUpperChar(t_[i])) return true;
  // Latin-1 capitals in UTF-8: C3 80..9E, except C3 97 (the multiplication sign).
  return static_cast<uint8_t>(t_[i]) == 0xC3 && i + 1 < n_ &&
         static_cast<uint8_t>(t_[i + 1]) >= 0x80 && static_cast<uint8_t>(t_[i + 1]) <= 0x9E &&
         static_cast<uint8_t>(t_[i + 1]) != 0x97;
}

bool Scanner::NameShaped(size_t s, size_t e, uint8_t flags) const {
  if (flags & (kFirstName | kLastName)) return true;
  if (IsDigitChar(At(e))) return false;  // GB29..., A4
  // All capitals: an acronym (IBAN, SSN, BTC, DOB), not a name, unless the dictionary says so.
  for (size_t k = s; k < e; ++k) {
    if (!IsUpperChar(t_[k])) return true;
  }
  return false;
}

bool Scanner::SentenceInitial(size_t s) const {
  size_t i = s;
  while (i > 0 && (t_[i - 1] == ' ' || t_[i - 1] == '\t' || t_[i - 1] == '"' || t_[i - 1] == '\'' ||
                   t_[i - 1] == '(' || t_[i - 1] == '*')) {
    --i;
  }
  if (i == 0) return true;
  const char c = t_[i - 1];
  return c == '.' || c == '!' || c == '?' || c == '\n' || c == '\r' || c == ':' || c == '>' ||
         c == '-';
}

bool Scanner::ContextIn(size_t s, const std::string_view* begin, const std::string_view* end,
                        size_t window) const {
  size_t from = s > window ? s - window : 0;
  // Only the clause the value is in: a sentence end (a lower-case letter or digit, '.', space),
  // ';' or a line break cuts the window ("Date of birth: 1984-07-21. The order of 2024-07-21").
  for (size_t k = s; k > from; --k) {
    const char c = t_[k - 1];
    if (c == '\n' || c == ';' ||
        (c == '.' && k < s && t_[k] == ' ' && k >= 2 && (Is(t_[k - 2], kLo | kDig)))) {
      from = k;
      break;
    }
  }
  char buf[64];
  const size_t len = std::min<size_t>(s - from, sizeof(buf));
  for (size_t k = 0; k < len; ++k) buf[k] = Lower(t_[s - len + k]);
  const std::string_view hay(buf, len);
  // Words match where a word starts: "birth" is not in "childbirth".
  for (const std::string_view* w = begin; w != end; ++w) {
    for (size_t at = hay.find(*w); at != std::string_view::npos; at = hay.find(*w, at + 1)) {
      const size_t pos = s - len + at;
      if (pos == 0 || !IsAlphaChar(t_[pos - 1])) {
        return true;
      }
    }
  }
  return false;
}

int Scanner::CueBefore(size_t s) const {
  // The word before `s`, across spaces and one comma or newline ("Regards,\nAnna").
  auto prev_word = [&](size_t at, size_t* ws) -> size_t {
    size_t i = at;
    while (i > 0 && (t_[i - 1] == ' ' || t_[i - 1] == '\t' || t_[i - 1] == '\n' ||
                     t_[i - 1] == '\r' || t_[i - 1] == ',' || t_[i - 1] == ':')) {
      --i;
    }
    const size_t e = i;
    while (i > 0 && (IsNameByte(t_[i - 1]) || t_[i - 1] == '\'')) --i;
    *ws = i;
    return e;
  };
  size_t ws;
  const size_t we = prev_word(s, &ws);
  if (we == ws || s - we > 3) return 0;
  const uint8_t f = Flags(ws, we);
  if (f & kCueStrong) return 2;
  if ((f & kTitle) && NameShaped(ws, we, 0)) return 2;  // "Mr", not "MS" (a disease)
  if (f & kCueVerb) {
    size_t ws2;
    const size_t we2 = prev_word(ws, &ws2);
    const std::string_view w2(t_ + ws2, we2 - ws2);
    std::string lower(w2.size(), ' ');
    std::transform(w2.begin(), w2.end(), lower.begin(), Lower);
    if (lower == "name" || lower == "i") return 2;   // "my name is", "I am"
    if (lower == "this" || lower == "it") return 1;  // "this is Anna"
    return 0;
  }
  if (f & kCueWeak) return 1;
  return 0;
}

size_t Scanner::HandleCapital(size_t i) {
  if (i > 0 && (IsAlnumChar(t_[i - 1]) || Is(t_[i - 1], kHigh))) {
    // Inside a word (McDonald, iPhone): its digits, if any, trigger on their own.
    size_t e = i;
    while (e < n_ && IsNameByte(t_[e])) ++e;
    return e;
  }
  if (!Capitalised(i)) return i + 1;
  const size_t e = WordEnd(i);
  if (e < n_ && (IsDigitChar(t_[e]) || (t_[e] == ':' && e - i <= 4))) {
    return HandleDigitOrToken(i);  // DE89..., AB123456C, SW1A, A099::1
  }
  if (e - i == 2 && IsUpperChar(t_[i + 1]) && At(e) == ' ' && IsDigitChar(At(e + 1))) {
    // Written in groups after the letters: "NO 02 1503 7577 003", "AB 12 34 56 C".
    if (size_t end = Iban(i)) return end;
    if (size_t end = Nino(i)) return end;
  }
  return Name(i, e);
}

size_t Scanner::Name(size_t s, size_t e) {
  if (e - s < 2) return e;  // "I", "A", initials
  const uint8_t f = Flags(s, e);
  // A title, written as one (Dr, not DR: "MS." in a medical text is a disease), then up to three
  // name words or initials: "Dr. J. G. Thomson", "Mrs Ana López".
  if ((f & kTitle) && NameShaped(s, e, 0)) {
    size_t p = e;
    if (At(p) == '.') ++p;
    if (At(p) != ' ') return p;
    ++p;
    const size_t first = p;
    size_t end = p;
    for (int words = 0; words < 4 && Capitalised(p); ++words) {
      const size_t we = WordEnd(p);
      if (we - p == 1) {  // an initial
        if (At(we) != '.' || At(we + 1) != ' ') break;
        end = we + 1;
        p = we + 2;
        continue;
      }
      const uint8_t g = Flags(p, we);
      if (((g & kStop) && !(g & kLastName)) || !NameShaped(p, we, g)) break;
      end = we;
      if (At(we) != ' ') break;
      p = we + 1;
    }
    // Initials alone ("Dr. A.") are not reported: they name no one.
    if (end > first && !(end - first <= 3 && t_[end - 1] == '.')) {
      Emit(PiiType::kPerson, first, end, 0.85f, false);
    }
    return std::max(end, e);
  }
  if (!NameShaped(s, e, f)) return e;
  // "The", "Monday", "Thanks": the next word is looked at on its own. A contact's first name that
  // is also a stop word (Will, May) is a name only when a capitalised word follows.
  if ((f & kStop) && !((f & kFirstName) && At(e) == ' ' && Capitalised(e + 1))) return e;
  // A run of capitalised words (with lower-case particles between them: van, de, da).
  size_t end = e, p = e;
  int words = 1;
  bool any_last = (f & kLastName) != 0;
  const bool first_stop = (f & kStop) != 0;
  while (words < 4 && At(p) == ' ') {
    size_t q = p + 1;
    const size_t pe = WordEnd(q);
    if (pe == q) break;
    if (!Capitalised(q)) {
      const std::string_view w(t_ + q, pe - q);
      if ((w == "van" || w == "von" || w == "de" || w == "da" || w == "di" || w == "del" ||
           w == "der" || w == "la" || w == "le" || w == "bin") &&
          At(pe) == ' ' && Capitalised(pe + 1)) {
        p = pe;
        continue;
      }
      break;
    }
    const uint8_t g = Flags(q, pe);
    if (pe - q < 2 || ((g & kStop) && !(g & (kLastName | kFirstName))) || !NameShaped(q, pe, g)) {
      break;
    }
    any_last |= (g & kLastName) != 0;
    ++words;
    end = pe;
    p = pe;
  }
  if (first_stop && words < 2) return e;
  const bool initial = SentenceInitial(s);
  const int cue = CueBefore(s);
  float confidence = 0;
  if (f & kFirstName) {
    confidence = words >= 2 ? (any_last ? 0.95f : 0.85f) : (initial ? 0.0f : 0.6f);
  } else if (words >= 2 && any_last) {
    confidence = 0.7f;  // an unknown given name before a contact's surname
  } else if (words == 1 && (f & kLastName)) {
    confidence = initial ? 0.0f : 0.6f;
  }
  if (cue == 2) {
    confidence = std::max(confidence, 0.8f);
  } else if (cue == 1) {
    if (words >= 2) confidence = std::max(confidence, 0.65f);
    if (f & (kFirstName | kLastName)) confidence = std::max(confidence, 0.75f);
  }
  if (confidence > 0) Emit(PiiType::kPerson, s, end, confidence, false);
  return end;
}

size_t Scanner::HandleAt(size_t i) {
  // Local part: back over its characters, never into a finding; no leading dot.
  size_t s = i;
  while (s > last_end_ && i - s < 64 && Is(t_[s - 1], kLocal | kHigh)) --s;  // RFC 6531
  while (s < i && (t_[s] == '.' || t_[s] == '-' || t_[s] == '+')) ++s;
  if (s == i || t_[i - 1] == '.') return i + 1;
  // Domain: labels of letters, digits and inner hyphens; the last all letters (2+) or an IDN
  // label (xn--...).
  size_t p = i + 1, end = 0;
  int labels = 0;
  while (p < n_) {
    size_t q = p;
    while (q < n_ && (IsAlnumChar(t_[q]) || t_[q] == '-')) ++q;
    if (q == p || t_[p] == '-' || t_[q - 1] == '-' || q - p > 63) break;
    ++labels;
    bool tld = q - p >= 2;
    for (size_t k = p; k < q && tld; ++k) tld = IsAlphaChar(t_[k]);
    if (!tld && q - p > 4 && Lower(t_[p]) == 'x' && Lower(t_[p + 1]) == 'n' && t_[p + 2] == '-' &&
        t_[p + 3] == '-') {
      tld = true;
    }
    if (labels >= 2 && tld) end = q;
    if (q + 1 < n_ && t_[q] == '.' && IsAlnumChar(t_[q + 1])) {
      p = q + 1;
    } else {
      break;
    }
  }
  if (end == 0 || (end < n_ && (IsAlnumChar(t_[end]) || t_[end] == '@'))) return i + 1;
  Emit(PiiType::kEmail, s, end, 0.9f, false);
  return end;
}

size_t Scanner::HandleColon(size_t i) {
  const char next = At(i + 1);
  const bool prev_hex = i > 0 && Is(t_[i - 1], kHex);
  if (!prev_hex && next != ':' && !Is(next, kHex)) return i + 1;  // "Note: ", "Re:"
  size_t s = i;
  while (s > last_end_ && i - s < 5 && Is(t_[s - 1], kHex)) --s;
  if (s > 0 && (IsAlnumChar(t_[s - 1]) || t_[s - 1] == ':' || t_[s - 1] == '.')) {
    // Part of a longer token ("std::", "MyClass::", "text::"); "::" directly after a colon
    // or a hex group is tried from where that group starts.
    return i + 1;
  }
  if (size_t end = Ipv6(s)) return end;
  return i + 1;
}

}  // namespace internal

// --- Detector ---------------------------------------------------------------------------------

struct Detector::Patterns : internal::AccountMatcher {
  std::unique_ptr<re2::RE2::Set> set;
  std::vector<float> confidence;
  float Match(std::string_view token) const override {
    std::vector<int> hits;
    if (!set->Match(re2::StringPiece(token.data(), token.size()), &hits) || hits.empty()) {
      return 0;
    }
    return confidence[static_cast<size_t>(*std::min_element(hits.begin(), hits.end()))];
  }
};

Detector::Detector(std::unique_ptr<Patterns> patterns) : patterns_(std::move(patterns)) {}
Detector::~Detector() = default;

Result<std::unique_ptr<Detector>> Detector::Create(DetectorOptions options) {
  std::unique_ptr<Patterns> patterns;
  if (!options.account_patterns.empty()) {
    patterns = std::make_unique<Patterns>();
    re2::RE2::Options re_options;
    re_options.set_log_errors(false);
    re_options.set_max_mem(8 << 20);
    patterns->set = std::make_unique<re2::RE2::Set>(re_options, re2::RE2::ANCHOR_BOTH);
    for (const AccountPattern& p : options.account_patterns) {
      re2::RE2 probe(p.regex, re_options);
      if (!probe.ok()) {
        return InvalidArgument("account pattern '" + p.name +
                               "' does not compile: " + probe.error());
      }
      if (re2::RE2::FullMatch("", probe)) {
        return InvalidArgument("account pattern '" + p.name + "' matches the empty string");
      }
      if (!(p.confidence > 0 && p.confidence <= 1)) {
        return InvalidArgument("account pattern '" + p.name + "': confidence must be in (0, 1]");
      }
      std::string error;
      if (patterns->set->Add(re2::StringPiece(p.regex), &error) < 0) {
        return InvalidArgument("account pattern '" + p.name + "': " + error);
      }
      patterns->confidence.push_back(p.confidence);
    }
    if (!patterns->set->Compile()) {
      return InvalidArgument("account patterns exceed the memory budget");
    }
  }
  return std::unique_ptr<Detector>(new Detector(std::move(patterns)));
}

Status Detector::Scan(std::string_view text, const NameDictionary* names,
                      std::vector<Finding>* out) const {
  if (text.size() >= (uint64_t{1} << 32) - 1) {
    return InvalidArgument("text too long to scan (4 GiB or more)");
  }
  static const std::shared_ptr<const NameDictionary> kBuiltin = NameDictionary::Builtin();
  Scanner scanner(text, names != nullptr ? *names : *kBuiltin, patterns_.get(), out);
  scanner.Run();
  return Status::Ok();
}

}  // namespace crmi::privacy
