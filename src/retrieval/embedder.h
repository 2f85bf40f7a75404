// Embedders turn texts into vectors: the built-in one trained on the tenant's own corpus
// (builtin_embedder.h) and a client of any OpenAI-compatible /v1/embeddings service
// (openai_embedder.h). Vectors come back L2-normalised, so inner product is cosine similarity.
//
// A model is identified by `model` and `version`; vectors of different (model, version) pairs
// are never mixed in one index, and the embedding cache is keyed by both.
//
// Thread-safety: implementations allow concurrent Embed calls.
#ifndef CRMI_RETRIEVAL_EMBEDDER_H_
#define CRMI_RETRIEVAL_EMBEDDER_H_

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "src/common/status.h"

namespace crmi::retrieval {

struct EmbedderInfo {
  std::string model;    // "crmi-builtin", "text-embedding-3-small"
  std::string version;  // changes whenever vectors of the same text would change
  size_t dim = 0;

  std::string Key() const { return model + "@" + version; }
};

class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual const EmbedderInfo& info() const = 0;
  // Appends texts.size() × dim floats to *out, one normalised vector per text (a text with no
  // known content embeds as the zero vector). kUnavailable / kDeadlineExceeded when a remote
  // model cannot answer; *out is then unchanged.
  virtual Status Embed(std::span<const std::string> texts, std::vector<float>* out) = 0;
};

// Scales `v` to unit length (leaves a zero vector alone).
void Normalize(std::span<float> v);

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_EMBEDDER_H_
