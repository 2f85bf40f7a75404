#include "src/llm/injection.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace crmi::llm {
namespace {

// --- UTF-8 --------------------------------------------------------------------------------

// The code point at s[*i] (advancing *i); malformed bytes read as U+FFFD, one byte each.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto b = static_cast<unsigned char>(s[*i]);
  if (b < 0x80) {
    ++*i;
    return b;
  }
  int len = b >= 0xF0 && b < 0xF5 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
  if (len == 0 || *i + static_cast<size_t>(len) > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  uint32_t cp = b & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[*i + static_cast<size_t>(k)]);
    if ((c & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  *i += static_cast<size_t>(len);
  return cp;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool IsInvisible(uint32_t cp) {
  return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 ||
         cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180E) ||
         (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206F) || cp == 0x3164 ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 ||
         (cp >= 0xE0100 && cp <= 0xE01EF);
}

bool IsSpace(uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
         cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// ASCII for letters and digits written in other blocks to look like them ("ｉｇｎｏｒｅ",
// "𝐢𝐠𝐧𝐨𝐫𝐞", "ⓘⓖⓝⓞⓡⓔ"); 0 when none. `lookalike` is set for Cyrillic and Greek letters, which
// are folded only inside otherwise Latin words (Russian text stays Russian).
char FoldConfusable(uint32_t cp, bool* lookalike) {
  *lookalike = false;
  if (cp >= 0xFF01 && cp <= 0xFF5E) return static_cast<char>(cp - 0xFF01 + 0x21);  // fullwidth
  if (cp >= 0x1D400 && cp <= 0x1D6A3) {  // mathematical alphanumerics, 13 styles of A–Z a–z
    const uint32_t k = (cp - 0x1D400) % 52;
    return static_cast<char>(k < 26 ? 'A' + k : 'a' + (k - 26));
  }
  if (cp >= 0x1D7CE && cp <= 0x1D7FF) return static_cast<char>('0' + (cp - 0x1D7CE) % 10);
  if (cp >= 0x24B6 && cp <= 0x24CF) return static_cast<char>('A' + (cp - 0x24B6));  // Ⓐ
  if (cp >= 0x24D0 && cp <= 0x24E9) return static_cast<char>('a' + (cp - 0x24D0));  // ⓐ
  // Small capitals ("ᴛʜᴇ ᴄʜᴀᴛʙᴏᴛ"): Latin letters in all but name.
  static constexpr std::pair<uint32_t, char> kSmallCaps[] = {
      {0x1D00, 'a'}, {0x0299, 'b'}, {0x1D04, 'c'}, {0x1D05, 'd'}, {0x1D07, 'e'},
      {0xA730, 'f'}, {0x0262, 'g'}, {0x029C, 'h'}, {0x026A, 'i'}, {0x1D0A, 'j'},
      {0x1D0B, 'k'}, {0x029F, 'l'}, {0x1D0D, 'm'}, {0x0274, 'n'}, {0x1D0F, 'o'},
      {0x1D18, 'p'}, {0x01EB, 'q'}, {0x0280, 'r'}, {0xA731, 's'}, {0x1D1B, 't'},
      {0x1D1C, 'u'}, {0x1D20, 'v'}, {0x1D21, 'w'}, {0x028F, 'y'}, {0x1D22, 'z'}};
  for (const auto& [from, to] : kSmallCaps) {
    if (cp == from) return to;
  }
  static constexpr std::pair<uint32_t, char> kLookalikes[] = {
      {0x0430, 'a'}, {0x0435, 'e'}, {0x043E, 'o'}, {0x0440, 'p'}, {0x0441, 'c'}, {0x0443, 'y'},
      {0x0445, 'x'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x0455, 's'}, {0x0501, 'd'}, {0x0261, 'g'},
      {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'}, {0x041A, 'K'}, {0x041C, 'M'}, {0x041D, 'H'},
      {0x041E, 'O'}, {0x0420, 'P'}, {0x0421, 'C'}, {0x0422, 'T'}, {0x0425, 'X'}, {0x03BF, 'o'},
      {0x03B1, 'a'}, {0x03B5, 'e'}, {0x03B9, 'i'}, {0x03BA, 'k'}, {0x03BD, 'v'}, {0x03C1, 'p'},
      {0x03C4, 't'}, {0x03C5, 'u'}, {0x03C7, 'x'}, {0x0391, 'A'}, {0x0392, 'B'}, {0x0395, 'E'},
      {0x0396, 'Z'}, {0x0397, 'H'}, {0x0399, 'I'}, {0x039A, 'K'}, {0x039C, 'M'}, {0x039D, 'N'},
      {0x039F, 'O'}, {0x03A1, 'P'}, {0x03A4, 'T'}, {0x03A5, 'Y'}, {0x03A7, 'X'}};
  for (const auto& [from, to] : kLookalikes) {
    if (cp == from) {
      *lookalike = true;
      return to;
    }
  }
  return 0;
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// --- encoded payloads ---------------------------------------------------------------------

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

std::string DecodeBase64(std::string_view run) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : run) {
    const int v = Base64Value(c);
    if (v < 0) break;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string DecodeHex(std::string_view run) {
  std::string out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < run.size(); i += 2) {
    out += static_cast<char>(nibble(run[i]) << 4 | nibble(run[i + 1]));
  }
  return out;
}

// Mostly printable ASCII with some letters: a decoded payload worth scanning.
bool LooksLikeText(std::string_view s) {
  if (s.size() < 12) return false;
  size_t printable = 0, letters = 0, spaces = 0;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    printable += (u >= 0x20 && u < 0x7F) || c == '\n' || c == '\t';
    letters += IsAsciiLetter(c);
    spaces += c == ' ';
  }
  return printable * 10 >= s.size() * 9 && letters * 2 >= s.size() && spaces > 0;
}

void FindPayloads(std::string_view text, std::vector<std::string>* out) {
  size_t i = 0;
  while (i < text.size() && out->size() < 8) {
    size_t j = i;
    bool hex = true;
    while (j < text.size() && Base64Value(text[j]) >= 0) {
      hex = hex && std::isxdigit(static_cast<unsigned char>(text[j]));
      ++j;
    }
    const size_t len = j - i;
    if (len >= 24) {
      std::string_view run = text.substr(i, len);
      std::string decoded = hex && len % 2 == 0 ? DecodeHex(run) : DecodeBase64(run);
      if (LooksLikeText(decoded)) out->push_back(std::move(decoded));
    }
    i = j + 1;
  }
}

// --- rules --------------------------------------------------------------------------------

struct Rule {
  const char* name;
  const char* pattern;
  double weight;
};

// On normalised text (lower-case ASCII, single spaces). Word gaps are bounded so a rule cannot
// stretch across a whole document.
constexpr Rule kRules[] = {
    {"override",
     R"(\b(ignore|disregard|forget|override|bypass|skip|neglect|abandon|discard)\b(?: \S+){0,6}? (previous|prior|above|earlier|preceding|former|initial|original|all|any|every|your|the|these|those|my)\b(?: \S+){0,4}? (instructions?|prompts?|rules|directions|directives|guidelines|guidance|context|messages|commands|orders|constraints|restrictions|polic(?:y|ies)|programming|training|safeguards)\b)",
     0.9},
    {"new_instructions",
     R"(\b(new|updated|real|actual|true|secret|hidden|additional|revised|override)\s+(instructions?|directives?|system prompt|system message|orders)\s*(:|-|are|is)\s)",
     0.6},
    {"jailbreak_marker",
     R"(\b(do anything now|developer mode|dev mode|jailbreak|jailbroken|dan mode|stay in character|opposite mode|unfiltered and|uncensored (ai|model|assistant|version|mode|response)|without (any )?(restrictions|limitations|filters|censorship|ethical|moral)|no (ethical|moral) (guidelines|constraints|restrictions|principles|boundaries)|not bound by (any )?(rules|guidelines|policies|restrictions)|free from (all )?(restrictions|rules|limitations)|break(ing)? free of|amoral|antgpt|aim mode|evil confidant|betterdan)\b)",
     0.55},
    {"role_hijack",
     R"(\b(you are now|from now on,? you|from now on,? act|act as|pretend (to be|you are|that you)|role-?play as|you will now (act|respond|answer|be)|you are going to (act|pretend)|simulate (a|an|being)|respond as|answer as)\b)",
     0.25},
    {"prompt_extraction",
     R"(\b(reveal|show|print|repeat|output|display|tell me|give me|what (?:is|are|was|were)|leak|dump|expose|recite|write out)\b(?: \S+){0,4}? (your|the|its)( \S+)? (system|initial|original|hidden|secret|confidential|developer|internal|pre-?prompt) (prompt|instructions?|message|rules|guidelines|configuration|context|directives)\b)",
     0.85},
    {"exfiltration",
     R"(\b(send|forward|email|e-mail|post|upload|transmit|exfiltrate|leak|copy|export|share)\b(?: \S+){0,5}? (all|every|the entire|the full|the complete|the whole|complete|full)\b(?: \S+){0,3}? (data|records|emails|contacts|customers|clients|users|passwords|credentials|api keys?|tokens|database|conversations?|chat history|history|personal information|pii)\b)",
     0.7},
    {"delimiter",
     R"((<\|im_start\|>|<\|im_end\|>|<\|system\|>|<\|endoftext\|>|\[inst\]|\[/inst\]|<<sys>>|<</sys>>|</s>|### ?(system|instruction|new instruction)|begin (system|admin|developer) (prompt|instructions|message)|end of (the )?(system )?prompt|\{\{system\}\}))",
     0.75},
    {"addressed_to_ai",
     R"(\b((note|message|instructions?|attention|important|reminder) (to|for) (the )?(ai|assistant|llm|language model|chatbot|chat ?gpt|gpt|model|bot|agent)|(ai|assistant|llm|chatgpt|gpt|language model)s?\s*[,:]\s*(please )?(ignore|disregard|forget|do not|don't|you must|always|never|instead))\b)",
     0.7},
    {"print_payload",
     R"(\b(stop everything|just (say|print|output|write|respond with|reply with)|only (say|print|output|respond with|reply with)|say exactly|print exactly|repeat after me)\b)",
     0.3},
};

}  // namespace

Normalized NormalizeForScan(std::string_view text) {
  Normalized n;
  n.text.reserve(text.size());
  bool space = true;  // no leading space
  size_t i = 0;
  while (i < text.size()) {
    const uint32_t cp = NextCodePoint(text, &i);
    if (cp >= 0xE0000 && cp <= 0xE007F) {  // tags: invisible ASCII
      ++n.tag_characters;
      if (cp >= 0xE0020 && cp <= 0xE007E) {
        n.text += static_cast<char>(std::tolower(static_cast<int>(cp - 0xE0000)));
        space = false;
      }
      continue;
    }
    if (IsInvisible(cp)) {
      ++n.invisible;
      continue;
    }
    if (IsSpace(cp)) {
      if (!space) n.text += ' ';
      space = true;
      continue;
    }
    space = false;
    if (cp < 0x80) {
      n.text += static_cast<char>(std::tolower(static_cast<int>(cp)));
      continue;
    }
    bool lookalike = false;
    const char folded = FoldConfusable(cp, &lookalike);
    if (folded != 0 && lookalike) {
      // Only inside a Latin word: the previous output or the next code point is a Latin letter.
      size_t peek = i;
      const uint32_t next = i < text.size() ? NextCodePoint(text, &peek) : 0;
      const bool latin_before = !n.text.empty() && IsAsciiLetter(n.text.back());
      const bool latin_after = next < 0x80 && IsAsciiLetter(static_cast<char>(next));
      if (!latin_before && !latin_after) {
        AppendUtf8(&n.text, cp);
        continue;
      }
    }
    if (folded != 0) {
      if (IsAsciiLetter(folded) || (folded >= '0' && folded <= '9')) ++n.confusables;
      n.text += static_cast<char>(std::tolower(static_cast<unsigned char>(folded)));
      continue;
    }
    AppendUtf8(&n.text, cp);
  }
  while (!n.text.empty() && n.text.back() == ' ') n.text.pop_back();
  std::vector<std::string> payloads;
  FindPayloads(text, &payloads);
  for (const std::string& p : payloads) n.decoded.push_back(NormalizeForScan(p).text);
  return n;
}

namespace {

uint64_t Hash(std::string_view s, uint64_t salt) {
  uint64_t h = 1469598103934665603ull ^ salt;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

}  // namespace

std::vector<std::pair<uint32_t, float>> InjectionFeatures(std::string_view normalized,
                                                          uint32_t bits) {
  const uint32_t mask = (1u << bits) - 1;
  std::vector<uint32_t> buckets;
  buckets.reserve(normalized.size() * 3 + 16);
  // Words: runs of letters, digits, apostrophes and non-ASCII bytes.
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < normalized.size()) {
    while (i < normalized.size() && normalized[i] == ' ') ++i;
    size_t j = i;
    while (j < normalized.size() && normalized[j] != ' ') ++j;
    if (j > i) words.push_back(normalized.substr(i, j - i));
    i = j;
  }
  std::string bigram;
  for (size_t w = 0; w < words.size(); ++w) {
    buckets.push_back(static_cast<uint32_t>(Hash(words[w], 1)) & mask);
    if (w + 1 < words.size()) {
      bigram.assign(words[w]);
      bigram += ' ';
      bigram.append(words[w + 1]);
      buckets.push_back(static_cast<uint32_t>(Hash(bigram, 2)) & mask);
    }
  }
  // Character 3–5-grams over the text with its spaces (" ign", "ore ").
  for (size_t n = 3; n <= 5; ++n) {
    for (size_t k = 0; k + n <= normalized.size(); ++k) {
      buckets.push_back(static_cast<uint32_t>(Hash(normalized.substr(k, n), 10 + n)) & mask);
    }
  }
  // Counts per bucket without sorting: a per-thread counter array, reset after use.
  thread_local std::vector<uint32_t> counts;
  if (counts.size() < (size_t{1} << bits)) counts.assign(size_t{1} << bits, 0);
  std::vector<std::pair<uint32_t, float>> out;
  out.reserve(buckets.size());
  for (uint32_t b : buckets) {
    if (counts[b]++ == 0) out.emplace_back(b, 0.0f);
  }
  for (auto& [b, v] : out) {
    // Sub-linear counts: a word repeated a hundred times is not a hundred times the evidence.
    v = counts[b] == 1 ? 1.0f : 1.0f + std::log(static_cast<float>(counts[b]));
    counts[b] = 0;
  }
  double norm = 0;
  for (const auto& [b, v] : out) norm += static_cast<double>(v) * v;
  const float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
  for (auto& [b, v] : out) v *= scale;
  return out;
}

double InjectionModel::Probability(std::string_view normalized) const {
  if (weights.empty()) return 0;
  double z = bias;
  for (const auto& [b, v] : InjectionFeatures(normalized, bits)) z += weights[b] * v;
  return 1.0 / (1.0 + std::exp(-z));
}

extern const unsigned char kInjectionModelBlob[];
extern const size_t kInjectionModelSize;

const InjectionModel& InjectionModel::Builtin() {
  // Never destroyed: detectors may outlive static destruction order.
  static const InjectionModel* model = [] {
    auto parsed = Parse(
        std::string_view(reinterpret_cast<const char*>(kInjectionModelBlob), kInjectionModelSize));
    return new InjectionModel(parsed.ok() ? std::move(parsed).value() : InjectionModel{});
  }();
  return *model;
}

// Layout: "crmi-injection-1" '\0', bits (u8), bias, threshold, scale (float32 LE), then
// 2^bits int8 weights (weight = q × scale).
std::string InjectionModel::Serialize() const {
  std::string out = "crmi-injection-1";
  out += '\0';
  out += static_cast<char>(bits);
  float max_abs = 0;
  for (float w : weights) max_abs = std::max(max_abs, std::fabs(w));
  const float scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
  for (float f : {bias, threshold, scale}) {
    char b[4];
    std::memcpy(b, &f, 4);
    out.append(b, 4);
  }
  for (float w : weights) {
    out += static_cast<char>(static_cast<int8_t>(std::lround(w / scale)));
  }
  return out;
}

Result<InjectionModel> InjectionModel::Parse(std::string_view blob) {
  constexpr std::string_view kMagic("crmi-injection-1\0", 17);
  if (blob.substr(0, kMagic.size()) != kMagic || blob.size() < kMagic.size() + 13) {
    return InvalidArgument("not an injection model");
  }
  InjectionModel m;
  m.bits = static_cast<unsigned char>(blob[kMagic.size()]);
  if (m.bits < 8 || m.bits > 24) return InvalidArgument("injection model: bad size");
  float header[3];
  std::memcpy(header, blob.data() + kMagic.size() + 1, 12);
  const size_t at = kMagic.size() + 13;
  if (blob.size() != at + (size_t{1} << m.bits)) {
    return InvalidArgument("injection model: truncated");
  }
  m.bias = header[0];
  m.threshold = header[1];
  m.weights.resize(size_t{1} << m.bits);
  for (size_t k = 0; k < m.weights.size(); ++k) {
    m.weights[k] = static_cast<float>(static_cast<int8_t>(blob[at + k])) * header[2];
  }
  return m;
}

struct InjectionDetector::Rules {
  std::vector<std::unique_ptr<re2::RE2>> compiled;
};

InjectionDetector::InjectionDetector(const InjectionModel* model)
    : model_(model), rules_(std::make_unique<Rules>()) {
  re2::RE2::Options o;
  o.set_log_errors(false);
  for (const Rule& r : kRules) rules_->compiled.push_back(std::make_unique<re2::RE2>(r.pattern, o));
}

InjectionDetector::~InjectionDetector() = default;

InjectionVerdict InjectionDetector::Scan(std::string_view text) const {
  InjectionVerdict v;
  const Normalized n = NormalizeForScan(text);
  double keep = 1.0;  // probability that no rule's evidence is right
  auto apply_rules = [&](std::string_view s, const char* suffix) {
    for (size_t k = 0; k < rules_->compiled.size(); ++k) {
      if (!rules_->compiled[k]->ok()) continue;
      if (re2::RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *rules_->compiled[k])) {
        const std::string reason = std::string(kRules[k].name) + suffix;
        if (std::find(v.reasons.begin(), v.reasons.end(), reason) == v.reasons.end()) {
          v.reasons.push_back(reason);
          keep *= 1.0 - kRules[k].weight;
        }
      }
    }
  };
  apply_rules(n.text, "");
  for (const std::string& d : n.decoded) apply_rules(d, "_encoded");
  // Hidden text is itself a sign: tags smuggle instructions past human readers, and look-alike
  // letters inside Latin words dodge keyword filters.
  if (n.tag_characters > 0 || n.confusables >= 3 || n.invisible >= 3) {
    v.reasons.push_back("obfuscation");
    keep *= n.tag_characters > 0 ? 0.2 : 0.6;
  }
  v.rules = 1.0 - keep;
  v.classifier = model_->Probability(n.text);
  for (const std::string& d : n.decoded)
    v.classifier = std::max(v.classifier, model_->Probability(d));
  if (v.classifier >= 0.5) v.reasons.push_back("classifier");
  v.score = 1.0 - (1.0 - v.rules) * (1.0 - v.classifier);
  v.flagged = v.score >= model_->threshold;
  return v;
}

InjectionModel TrainInjectionModel(const std::vector<std::pair<std::string, bool>>& examples,
                                   const InjectionTrainOptions& options) {
  InjectionModel m;
  m.bits = options.bits;
  m.weights.assign(size_t{1} << options.bits, 0.0f);
  std::vector<std::vector<std::pair<uint32_t, float>>> features;
  size_t positives = 0;
  for (const auto& [text, label] : examples) {
    features.push_back(InjectionFeatures(NormalizeForScan(text).text, options.bits));
    positives += label;
  }
  const size_t negatives = examples.size() - positives;
  const double w_pos = positives ? 0.5 * examples.size() / positives : 1.0;
  const double w_neg = negatives ? 0.5 * examples.size() / negatives : 1.0;
  // AdaGrad: rare n-grams keep large steps, frequent ones settle.
  std::vector<float> g2(m.weights.size(), 1e-6f);
  double bias_g2 = 1e-6;
  std::vector<size_t> order(examples.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::mt19937_64 rng(options.seed);
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t k : order) {
      const bool label = examples[k].second;
      double z = m.bias;
      for (const auto& [b, v] : features[k]) z += m.weights[b] * v;
      const double p = 1.0 / (1.0 + std::exp(-z));
      const double g = (p - (label ? 1.0 : 0.0)) * (label ? w_pos : w_neg);
      for (const auto& [b, v] : features[k]) {
        const double grad = g * v + options.l2 * m.weights[b];
        g2[b] += static_cast<float>(grad * grad);
        m.weights[b] -= static_cast<float>(options.learning_rate * grad / std::sqrt(g2[b]));
      }
      bias_g2 += g * g;
      m.bias -= static_cast<float>(options.learning_rate * g / std::sqrt(bias_g2));
    }
  }
  return m;
}

}  // namespace crmi::llm
