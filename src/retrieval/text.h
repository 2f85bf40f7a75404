// Text analysis shared by the lexical index, the built-in embedder and snippets: one tokenizer so
// that a query and a document are cut into the same terms.
//
// Tokens are maximal runs of letters and digits (ASCII letters lower-cased; every byte of a
// multi-byte UTF-8 sequence counts as a letter, so "Müller" and "東京" stay whole). Tokens longer
// than kMaxTokenBytes are dropped (hashes, base64 blobs). For search terms, English stop words
// are removed and the Snowball English stemmer (Debian's libstemmer) maps inflections together
// ("renewals", "renewed" → "renew").
//
// Thread-safety: all functions are safe to call concurrently (each thread has its own stemmer).
#ifndef CRMI_RETRIEVAL_TEXT_H_
#define CRMI_RETRIEVAL_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crmi::retrieval {

inline constexpr size_t kMaxTokenBytes = 64;

struct Token {
  std::string text;    // lower-cased (and stemmed, for terms)
  uint32_t start = 0;  // byte offsets into the input, end exclusive
  uint32_t end = 0;
};

// Lower-cased words with their offsets; nothing removed.
std::vector<Token> Words(std::string_view text);

// Search terms: words without stop words, stemmed. Offsets point at the original words.
std::vector<Token> Terms(std::string_view text);

// Just the term texts (what indexes and embedders consume).
std::vector<std::string> TermTexts(std::string_view text);

bool IsStopWord(std::string_view lower_word);

// The stem of a lower-cased word.
std::string Stem(std::string_view lower_word);

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_TEXT_H_
