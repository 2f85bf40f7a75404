// A client of any OpenAI-compatible embeddings endpoint (POST {base_url}/embeddings): OpenAI,
// Azure OpenAI behind a compatible gateway, vLLM, Ollama, LiteLLM, llama.cpp's server.
//
// Texts go out in batches of `batch`; each request has a timeout and is retried with full
// jitter (AWS's "exponential backoff and jitter") on connection errors, timeouts, 429 and 5xx,
// honouring Retry-After. Answers are checked (one finite vector per input, of one dimension)
// and normalised. The API key is sent as a bearer token and never logged.
//
// Thread-safety: Embed is safe to call concurrently (common/http_client: a handle per thread,
// whose connections are reused).
#ifndef CRMI_RETRIEVAL_OPENAI_EMBEDDER_H_
#define CRMI_RETRIEVAL_OPENAI_EMBEDDER_H_

#include <atomic>
#include <memory>
#include <string>

#include "src/retrieval/embedder.h"

namespace crmi::retrieval {

struct OpenAiEmbedderOptions {
  std::string base_url;  // "https://api.openai.com/v1"
  std::string api_key;   // may be empty for local servers
  std::string model;     // "text-embedding-3-small"
  // Bump to re-index when the provider changes a model behind the same name.
  std::string version = "1";
  size_t dim = 0;  // expected dimension; 0: learnt from the first answer (a probe at Create)
  size_t batch = 64;
  int timeout_ms = 10000;
  int max_retries = 3;
  int backoff_ms = 200;  // first retry waits up to this, doubling each time (full jitter)
  int max_backoff_ms = 5000;
};

// Checks an embeddings answer for `inputs` texts — one finite vector per input index, all of
// `dim` dimensions (0: whatever the first has) — and appends them, normalised, to *out.
// kUnavailable (the service misbehaved) for anything else; *out is then unchanged.
Status ParseEmbeddingsResponse(std::string_view body, size_t inputs, size_t dim,
                               std::vector<float>* out);

class OpenAiEmbedder final : public Embedder {
 public:
  // kInvalidArgument for a bad URL or model; with dim 0, embeds a probe text to learn the
  // dimension (and so fails with kUnavailable when the service cannot be reached).
  static Result<std::unique_ptr<OpenAiEmbedder>> Create(OpenAiEmbedderOptions options);

  const EmbedderInfo& info() const override { return info_; }
  // kUnavailable after the retries are spent; kInvalidArgument when the service rejects the
  // input or answers something that is not a valid embeddings response; kPermissionDenied when
  // it rejects the key (401/403).
  Status Embed(std::span<const std::string> texts, std::vector<float>* out) override;

  // Requests sent (retries included), for tests and metrics.
  uint64_t requests() const { return requests_.load(); }

 private:
  explicit OpenAiEmbedder(OpenAiEmbedderOptions options);
  Status EmbedBatch(std::span<const std::string> texts, std::vector<float>* out);

  OpenAiEmbedderOptions options_;
  EmbedderInfo info_;
  std::atomic<uint64_t> requests_{0};
};

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_OPENAI_EMBEDDER_H_
