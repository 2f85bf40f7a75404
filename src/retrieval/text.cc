#include "src/retrieval/text.h"

#include <libstemmer.h>

#include <algorithm>
#include <array>
#include <memory>

namespace crmi::retrieval {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Lucene's English stop set plus the commonest function words of customer-service text.
constexpr std::array<std::string_view, 62> kStopWords = {
    "a",    "about", "an",    "and",  "are",  "as",   "at",   "be",   "been", "but",  "by",
    "can",  "could", "did",   "do",   "does", "for",  "from", "had",  "has",  "have", "he",
    "her",  "his",   "i",     "if",   "in",   "into", "is",   "it",   "its",  "me",   "my",
    "no",   "not",   "of",    "on",   "or",   "our",  "she",  "such", "that", "the",  "their",
    "then", "there", "these", "they", "this", "to",   "was",  "we",   "were", "what", "which",
    "will", "with",  "would", "you",  "your", "who",  "how"};

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

sb_stemmer* ThreadStemmer() {
  // libstemmer's stemmer objects keep state between calls: one per thread.
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  return stemmer.get();
}

}  // namespace

bool IsStopWord(std::string_view w) {
  return std::find(kStopWords.begin(), kStopWords.end(), w) != kStopWords.end();
}

std::string Stem(std::string_view w) {
  sb_stemmer* s = ThreadStemmer();
  if (s == nullptr || w.empty()) return std::string(w);
  const sb_symbol* out =
      sb_stemmer_stem(s, reinterpret_cast<const sb_symbol*>(w.data()), static_cast<int>(w.size()));
  if (out == nullptr) return std::string(w);  // out of memory: the word itself still matches
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(sb_stemmer_length(s)));
}

std::vector<Token> Words(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    while (i < n && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < n && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i - start > kMaxTokenBytes) continue;
    Token t;
    t.text.assign(text.substr(start, i - start));
    for (char& c : t.text) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    t.start = static_cast<uint32_t>(start);
    t.end = static_cast<uint32_t>(i);
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<Token> Terms(std::string_view text) {
  std::vector<Token> words = Words(text);
  std::vector<Token> out;
  out.reserve(words.size());
  for (Token& w : words) {
    if (IsStopWord(w.text)) continue;
    w.text = Stem(w.text);
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<std::string> TermTexts(std::string_view text) {
  std::vector<std::string> out;
  for (Token& t : Terms(text)) out.push_back(std::move(t.text));
  return out;
}

}  // namespace crmi::retrieval
