// The built-in extractive answerer: the embedded default model, which needs no LLM. It composes
// an answer only from sentences of the retrieved passages — ranked by how much of the question
// (weighted by term rarity) each covers, near-duplicates dropped, each sentence followed by the
// citation of its passage ("[2]") — and says plainly when no passage answers the question.
// It never writes a word that is not in the context.
//
// Thread-safety: stateless; Complete may be called from any thread.
#ifndef CRMI_LLM_EXTRACTIVE_H_
#define CRMI_LLM_EXTRACTIVE_H_

#include <string>

#include "src/llm/chat.h"

namespace crmi::llm {

struct ExtractiveOptions {
  size_t max_sentences = 3;
  size_t max_words = 120;
  // A sentence is used only when it covers at least this share of the question's weight...
  double min_coverage = 0.3;
  // ... and at least this share of the best sentence's score.
  double relative_cutoff = 0.5;
};

// What the extractive model answers when the context does not answer the question.
inline constexpr std::string_view kNoAnswer =
    "The records available to you do not answer this question.";

class ExtractiveBackend final : public ChatBackend {
 public:
  explicit ExtractiveBackend(std::string name = "extractive", ExtractiveOptions options = {});
  const BackendInfo& info() const override { return info_; }
  // Answers request.question (or the last user message) from request.context. Never fails.
  Result<ChatResponse> Complete(const ChatRequest& request, const DeltaFn* on_delta) override;

 private:
  ExtractiveOptions options_;
  BackendInfo info_;
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_EXTRACTIVE_H_
