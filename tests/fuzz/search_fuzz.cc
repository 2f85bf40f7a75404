// Untrusted input of the retrieval layer: search request bodies (any bytes give a request whose
// invariants hold, or a kInvalidArgument), embeddings answers from a remote service (any bytes
// give normalised finite vectors of the promised shape, or kUnavailable), and the text analysis
// every record passes through (words, terms, windows and snippets stay inside the text and valid).
#include <cmath>
#include <cstdlib>
#include <string>

#include "src/common/json_text.h"
#include "src/http/handlers/search.h"
#include "src/retrieval/chunk_index.h"
#include "src/retrieval/chunker.h"
#include "src/retrieval/openai_embedder.h"
#include "src/retrieval/text.h"
#include "tests/fuzz/fuzz.h"

CRMI_FUZZ_TARGET(search) {
  namespace r = crmi::retrieval;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  r::SearchRequest req;
  crmi::Status s = crmi::http::handlers::ParseSearchRequest(in, &req);
  if (s.ok()) {
    if (req.query.empty() || req.query.size() > 4096) std::abort();
    if (req.k < 1 || req.k > r::RetrievalService::kMaxK) std::abort();
  } else if (s.code() != crmi::StatusCode::kInvalidArgument) {
    std::abort();
  }

  for (size_t inputs : {size_t{1}, size_t{2}}) {
    std::vector<float> out = {7.0f};
    s = r::ParseEmbeddingsResponse(in, inputs, 0, &out);
    if (s.ok()) {
      if (out.size() < 1 + inputs || (out.size() - 1) % inputs != 0) std::abort();
      const size_t dim = (out.size() - 1) / inputs;
      for (size_t i = 0; i < inputs; ++i) {
        double norm = 0;
        for (size_t j = 0; j < dim; ++j) {
          const float x = out[1 + i * dim + j];
          if (!std::isfinite(x)) std::abort();
          norm += static_cast<double>(x) * x;
        }
        if (norm != 0 && std::fabs(norm - 1.0) > 1e-3) std::abort();
      }
    } else if (out.size() != 1 || s.code() != crmi::StatusCode::kUnavailable) {
      std::abort();
    }
  }

  for (const auto& t : r::Terms(in)) {
    if (t.start > t.end || t.end > in.size() || t.text.empty()) std::abort();
  }
  r::ChunkOptions o;
  o.max_words = 8 + size % 40;
  o.overlap_words = size % 7;
  size_t last_end = 0;
  for (auto [start, end] : r::SplitText(in, o)) {
    if (start >= end || end > in.size() || end < last_end) std::abort();
    last_end = end;
  }
  if (crmi::IsValidUtf8(in)) {
    const std::string snippet = r::MakeSnippet(in, in.substr(0, size / 3), 64);
    if (!crmi::IsValidUtf8(snippet) || snippet.size() > 64 + 6) std::abort();
  }
  return 0;
}
