#include "src/retrieval/openai_embedder.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/log.h"

namespace crmi::retrieval {
namespace {

size_t CollectBody(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  // An embeddings answer is a few MB at most; refuse to buffer without bound.
  if (body->size() + size * n > (64u << 20)) return 0;
  body->append(data, size * n);
  return size * n;
}

size_t CollectRetryAfter(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == kName) {
      int seconds = 0;
      for (char c : line.substr(kName.size())) {
        if (c >= '0' && c <= '9') seconds = std::min(seconds * 10 + (c - '0'), 3600);
      }
      *static_cast<int*>(user) = seconds;
    }
  }
  return size * n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

int JitterMs(int cap) {
  thread_local std::mt19937 rng(std::random_device{}());
  return cap <= 0 ? 0 : std::uniform_int_distribution<int>(0, cap)(rng);
}

// The service's own error message, if its body is {"error": {"message": ...}}.
std::string ServiceError(const std::string& body) {
  rapidjson::Document d;
  if (ParseJson(body, &d).ok && d.IsObject()) {
    const rapidjson::Value* m = JsonAtPath(d, "error.message");
    if (m != nullptr && m->IsString()) return std::string(m->GetString()).substr(0, 300);
  }
  return body.substr(0, 120);
}

}  // namespace

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
  GlobalInit();
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
  const std::string url = options_.base_url + "/embeddings";
  Status last;
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return Unavailable("cannot create an HTTP client");
    std::unique_ptr<curl_slist, SlistDeleter> headers(
        curl_slist_append(nullptr, "Content-Type: application/json"));
    if (!options_.api_key.empty()) {
      headers.reset(curl_slist_append(headers.release(),
                                      ("Authorization: Bearer " + options_.api_key).c_str()));
    }
    std::string body;
    int retry_after = -1;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, request.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.size()));
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &CollectBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &CollectRetryAfter);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &retry_after);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "https,http");
    ++requests_;
    const CURLcode rc = curl_easy_perform(curl.get());
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    bool retry = false;
    if (rc != CURLE_OK) {
      last = Unavailable(std::string("embeddings service unreachable: ") + curl_easy_strerror(rc));
      retry = true;
    } else if (status == 429 || status >= 500) {
      last = Unavailable("embeddings service answered " + std::to_string(status) + ": " +
                         ServiceError(body));
      retry = true;
    } else if (status == 401 || status == 403) {
      return PermissionDenied("embeddings service refused the API key (" + std::to_string(status) +
                              ")");
    } else if (status != 200) {
      return InvalidArgument("embeddings service answered " + std::to_string(status) + ": " +
                             ServiceError(body));
    }
    if (retry) {
      if (attempt == options_.max_retries) break;
      const int cap = std::min(options_.max_backoff_ms, options_.backoff_ms << attempt);
      const int wait =
          retry_after >= 0 ? std::min(retry_after * 1000, options_.max_backoff_ms) : JitterMs(cap);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      continue;
    }
    // 200: check and normalise.
    std::vector<float> vectors;
    RETURN_IF_ERROR(ParseEmbeddingsResponse(body, texts.size(), info_.dim, &vectors));
    out->insert(out->end(), vectors.begin(), vectors.end());
    return Status::Ok();
  }
  return last;
}

}  // namespace crmi::retrieval
