#include "src/llm/grounding.h"

#include <algorithm>
#include <unordered_set>

#include "src/retrieval/text.h"

namespace crmi::llm {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Parses "[1]" / "[1, 3]" at text[i] == '['; returns the end of the marker (0 if none).
size_t Marker(std::string_view text, size_t i, std::vector<int>* numbers) {
  size_t j = i + 1;
  std::vector<int> found;
  while (j < text.size()) {
    int n = 0, digits = 0;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9' && digits < 4) {
      n = n * 10 + (text[j] - '0');
      ++j;
      ++digits;
    }
    if (digits == 0) return 0;
    found.push_back(n);
    while (j < text.size() && text[j] == ' ') ++j;
    if (j < text.size() && text[j] == ']') {
      if (numbers != nullptr) numbers->insert(numbers->end(), found.begin(), found.end());
      return j + 1;
    }
    if (j >= text.size() || text[j] != ',') return 0;
    ++j;
    while (j < text.size() && text[j] == ' ') ++j;
  }
  return 0;
}

}  // namespace

std::vector<SentenceSpan> SplitSentences(std::string_view text) {
  std::vector<SentenceSpan> out;
  size_t start = 0;
  auto emit = [&](size_t end) {
    size_t s = start, e = end;
    while (s < e && IsSpace(text[s])) ++s;
    while (e > s && IsSpace(text[e - 1])) --e;
    // Leading bullets are not part of the sentence.
    while (s < e && (text[s] == '-' || text[s] == '*')) {
      ++s;
      while (s < e && IsSpace(text[s])) ++s;
    }
    if (e > s) out.push_back({s, e});
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {  // lines are units of their own: dialogue turns, greetings, bullets
      emit(i);
      start = i + 1;
    } else if ((c == '.' || c == '!' || c == '?') &&
               (i + 1 == text.size() || IsSpace(text[i + 1]))) {
      // Keep a citation that follows the full stop with its sentence: "... fee. [2] Next".
      size_t end = i + 1;
      size_t k = end;
      while (k < text.size() && text[k] == ' ') ++k;
      while (k < text.size() && text[k] == '[') {
        const size_t m = Marker(text, k, nullptr);
        if (m == 0) break;
        end = m;
        k = m;
        while (k < text.size() && text[k] == ' ') ++k;
      }
      emit(end);
      start = end;
      i = end - 1;
    }
  }
  emit(text.size());
  return out;
}

std::vector<int> CitedPassages(std::string_view text, size_t passages) {
  std::vector<int> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '[') continue;
    std::vector<int> numbers;
    const size_t end = Marker(text, i, &numbers);
    if (end == 0) continue;
    for (int n : numbers) {
      if (n >= 1 && static_cast<size_t>(n) <= passages &&
          std::find(out.begin(), out.end(), n) == out.end()) {
        out.push_back(n);
      }
    }
    i = end - 1;
  }
  return out;
}

std::string StripCitations(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '[') {
      const size_t end = Marker(text, i, nullptr);
      if (end != 0) {
        while (!out.empty() && out.back() == ' ') out.pop_back();
        i = end - 1;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

double Groundedness(std::string_view answer, const std::vector<ContextPassage>& context) {
  std::vector<std::unordered_set<std::string>> passage_terms;
  passage_terms.reserve(context.size());
  for (const auto& p : context) {
    auto terms = retrieval::TermTexts(p.text);
    passage_terms.emplace_back(terms.begin(), terms.end());
  }
  size_t counted = 0, supported = 0;
  for (const SentenceSpan& s : SplitSentences(answer)) {
    const std::string_view sentence = answer.substr(s.start, s.end - s.start);
    std::vector<int> cited = CitedPassages(sentence, context.size());
    auto terms = retrieval::TermTexts(StripCitations(sentence));
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    if (terms.size() < 2) continue;  // "Yes." checks nothing
    ++counted;
    if (cited.empty()) {
      for (size_t i = 1; i <= context.size(); ++i) cited.push_back(static_cast<int>(i));
    }
    size_t found = 0;
    for (const std::string& t : terms) {
      for (int n : cited) {
        if (passage_terms[static_cast<size_t>(n - 1)].count(t)) {
          ++found;
          break;
        }
      }
    }
    if (found * 10 >= terms.size() * 6) ++supported;  // ≥ 60% of its terms
  }
  return counted == 0 ? 1.0 : static_cast<double>(supported) / static_cast<double>(counted);
}

}  // namespace crmi::llm
