#include "src/retrieval/openai_embedder.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "src/common/http_client.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/log.h"

namespace crmi::retrieval {

Status ParseEmbeddingsResponse(std::string_view body, size_t inputs, size_t dim,
                               std::vector<float>* out) {
  rapidjson::Document d;
  if (!ParseJson(body, &d).ok || !d.IsObject() || !d.HasMember("data") || !d["data"].IsArray()) {
    return Unavailable("embeddings service answered a malformed response");
  }
  const auto& data = d["data"];
  if (data.Size() != inputs || inputs == 0) {
    return Unavailable("embeddings service answered " + std::to_string(data.Size()) +
                       " vectors for " + std::to_string(inputs) + " inputs");
  }
  std::vector<float> vectors;
  std::vector<bool> seen(inputs, false);
  for (const auto& item : data.GetArray()) {
    if (!item.IsObject() || !item.HasMember("embedding") || !item["embedding"].IsArray() ||
        !item.HasMember("index") || !item["index"].IsUint64() ||
        item["index"].GetUint64() >= inputs || seen[item["index"].GetUint64()]) {
      return Unavailable("embeddings service answered a malformed response");
    }
    const size_t index = item["index"].GetUint64();
    seen[index] = true;
    const auto& emb = item["embedding"];
    if (dim == 0) dim = emb.Size();
    if (emb.Size() != dim || dim == 0 || dim > 65536) {
      return Unavailable("embeddings service answered a vector of " + std::to_string(emb.Size()) +
                         " dimensions, expected " + std::to_string(dim));
    }
    if (vectors.empty()) vectors.assign(inputs * dim, 0.0f);
    float* v = vectors.data() + index * dim;
    for (size_t j = 0; j < dim; ++j) {
      const auto& x = emb[static_cast<rapidjson::SizeType>(j)];
      if (!x.IsNumber()) return Unavailable("embeddings service answered a non-numeric vector");
      v[j] = static_cast<float>(x.GetDouble());
      if (!std::isfinite(v[j]))
        return Unavailable("embeddings service answered a non-finite value");
    }
    Normalize(std::span<float>(v, dim));
  }
  out->insert(out->end(), vectors.begin(), vectors.end());
  return Status::Ok();
}

OpenAiEmbedder::OpenAiEmbedder(OpenAiEmbedderOptions options) : options_(std::move(options)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/')
    options_.base_url.pop_back();
  info_.model = options_.model;
  info_.version = options_.version;
  info_.dim = options_.dim;
}

Result<std::unique_ptr<OpenAiEmbedder>> OpenAiEmbedder::Create(OpenAiEmbedderOptions options) {
  if (options.base_url.rfind("http://", 0) != 0 && options.base_url.rfind("https://", 0) != 0) {
    return InvalidArgument("embeddings base_url must start with http:// or https://");
  }
  if (options.model.empty()) return InvalidArgument("embeddings model must be set");
  if (options.batch == 0 || options.batch > 2048) {
    return InvalidArgument("embeddings batch must be 1..2048");
  }
  std::unique_ptr<OpenAiEmbedder> e(new OpenAiEmbedder(std::move(options)));
  if (e->info_.dim == 0) {
    std::vector<float> probe;
    const std::string text = "dimension probe";
    Status s = e->EmbedBatch(std::span<const std::string>(&text, 1), &probe);
    if (!s.ok()) return s.WithContext("probing the embeddings model");
    e->info_.dim = probe.size();
  }
  return e;
}

Status OpenAiEmbedder::Embed(std::span<const std::string> texts, std::vector<float>* out) {
  std::vector<float> all;
  for (size_t i = 0; i < texts.size(); i += options_.batch) {
    RETURN_IF_ERROR(EmbedBatch(texts.subspan(i, std::min(options_.batch, texts.size() - i)), &all));
  }
  out->insert(out->end(), all.begin(), all.end());
  return Status::Ok();
}

Status OpenAiEmbedder::EmbedBatch(std::span<const std::string> texts, std::vector<float>* out) {
  std::string inputs = "[";
  for (const auto& t : texts) {
    if (inputs.size() > 1) inputs += ",";
    // Models reject empty inputs; a space embeds as "nothing" the same way for every model.
    AppendJsonString(&inputs, t.empty() ? std::string(" ") : t);
  }
  inputs += "]";
  const std::string request = JsonObject()
                                  .Add("model", options_.model)
                                  .AddRaw("input", inputs)
                                  .Add("encoding_format", "float")
                                  .Finish();
  http_client::PostRequest post;
  post.url = options_.base_url + "/embeddings";
  post.body = request;
  post.headers = {"Content-Type: application/json"};
  if (!options_.api_key.empty())
    post.headers.push_back("Authorization: Bearer " + options_.api_key);
  post.timeout_ms = options_.timeout_ms;
  Status last;
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    ++requests_;
    auto r = http_client::Post(post);
    bool retry = false;
    if (!r.ok()) {
      last = Unavailable("embeddings service unreachable: " + r.status().message());
      retry = true;
    } else if (r->status == 429 || r->status >= 500) {
      last = Unavailable("embeddings service answered " + std::to_string(r->status) + ": " +
                         http_client::ServiceErrorMessage(r->body));
      retry = true;
    } else if (r->status == 401 || r->status == 403) {
      return PermissionDenied("embeddings service refused the API key (" +
                              std::to_string(r->status) + ")");
    } else if (r->status != 200) {
      return InvalidArgument("embeddings service answered " + std::to_string(r->status) + ": " +
                             http_client::ServiceErrorMessage(r->body));
    }
    if (retry) {
      if (attempt == options_.max_retries) break;
      const int wait =
          r.ok() && r->retry_after_s >= 0
              ? std::min(r->retry_after_s * 1000, options_.max_backoff_ms)
              : http_client::BackoffMs(attempt, options_.backoff_ms, options_.max_backoff_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      continue;
    }
    // 200: check and normalise.
    std::vector<float> vectors;
    RETURN_IF_ERROR(ParseEmbeddingsResponse(r->body, texts.size(), info_.dim, &vectors));
    out->insert(out->end(), vectors.begin(), vectors.end());
    return Status::Ok();
  }
  return last;
}

}  // namespace crmi::retrieval
