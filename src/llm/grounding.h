// Grounding checks shared by every model: sentences, the passages an answer cites ("[2]",
// "[1, 3]") and a groundedness score — the share of the answer's sentences whose content terms
// are mostly found in the passages they cite (or, when a sentence cites none, in any passage).
//
// Pure functions, safe from any thread.
#ifndef CRMI_LLM_GROUNDING_H_
#define CRMI_LLM_GROUNDING_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "src/llm/chat.h"

namespace crmi::llm {

struct SentenceSpan {
  size_t start = 0;  // byte offsets, end exclusive, trimmed of surrounding space
  size_t end = 0;
};

// Sentences end at '.', '!' or '?' followed by space (or the end), and at every line break
// (dialogue turns, greetings and bullets are units of their own). Abbreviations like "e.g." split
// wrongly at worst, which only costs precision.
std::vector<SentenceSpan> SplitSentences(std::string_view text);

// 1-based passage numbers cited in `text` ("[2]", "[1, 3]", "[1][3]"), each at most
// `passages`, in order of first appearance, without repeats.
std::vector<int> CitedPassages(std::string_view text, size_t passages);

// `text` without its citation markers.
std::string StripCitations(std::string_view text);

// In [0, 1]; 1 when the answer makes no checkable statement (no sentence with content terms).
double Groundedness(std::string_view answer, const std::vector<ContextPassage>& context);

}  // namespace crmi::llm

#endif  // CRMI_LLM_GROUNDING_H_
