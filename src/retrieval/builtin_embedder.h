// The built-in embedder: needs no downloaded weights. It learns word vectors from the tenant's
// own texts with fastText's subword skip-gram (Debian's libfasttext; Bojanowski et al. 2017) and
// embeds a text as the SIF-weighted average of its word vectors with the corpus' common
// component removed (Arora et al. 2017, "A simple but tough-to-beat baseline for sentence
// embeddings"). Subwords give vectors to words never seen in training (typos, product codes).
//
// Training is deterministic given the seed (one training thread), so retraining the same corpus
// yields the same vectors and the same version.
//
// Files: <path> (fastText model) and <path>.sif (weights' parameter, common component, version).
//
// Thread-safety: Embed is safe concurrently; the model is immutable once loaded.
#ifndef CRMI_RETRIEVAL_BUILTIN_EMBEDDER_H_
#define CRMI_RETRIEVAL_BUILTIN_EMBEDDER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/retrieval/embedder.h"

namespace fasttext {
class FastText;
}

namespace crmi::retrieval {

struct BuiltinEmbedderOptions {
  int dim = 128;
  int epochs = 10;
  int window = 5;
  int min_count = 2;
  int buckets = 100000;  // subword hash buckets (fastText's default 2M makes 800 MB models)
  int min_ngram = 3;
  int max_ngram = 5;
  uint64_t seed = 42;
  double sif_a = 1e-3;  // SIF weight a / (a + p(w))
};

class BuiltinEmbedder final : public Embedder {
 public:
  ~BuiltinEmbedder() override;

  // Trains on `texts` (one document or chunk each) and writes the model to `path`.
  // kInvalidArgument when the texts hold too few words to learn from; kUnavailable on I/O errors;
  // kCancelled when `*cancel` became true meanwhile (checked every 50 ms; nothing is written).
  static Result<std::unique_ptr<BuiltinEmbedder>> Train(const std::vector<std::string>& texts,
                                                        const std::string& path,
                                                        const BuiltinEmbedderOptions& options,
                                                        const std::atomic<bool>* cancel = nullptr);
  // kNotFound when there is no model at `path`; kDataLoss when it is unreadable.
  static Result<std::unique_ptr<BuiltinEmbedder>> Load(const std::string& path);

  const EmbedderInfo& info() const override { return info_; }
  Status Embed(std::span<const std::string> texts, std::vector<float>* out) override;

 private:
  BuiltinEmbedder() = default;
  Status Init(const std::string& path);
  // The SIF-weighted mean of the words' vectors, before the common component is removed.
  void RawEmbed(const std::string& text, float* out) const;

  EmbedderInfo info_;
  std::unique_ptr<fasttext::FastText> ft_;
  double sif_a_ = 1e-3;
  std::unordered_map<std::string, uint32_t> vocab_;  // word → row of word_vectors_
  std::vector<float> word_vectors_;                  // precomputed, row-major
  std::vector<float> word_weights_;                  // SIF weight per row
  std::vector<float> common_;                        // unit first principal component
  float oov_weight_ = 1.0f;
};

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_BUILTIN_EMBEDDER_H_
