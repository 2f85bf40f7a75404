#include "src/common/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <random>

#include "src/common/json_parse.h"

namespace crmi::http_client {
namespace {

struct Transfer {
  const PostRequest* request;
  PostResponse* response;
  bool aborted = false;
  bool too_big = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  long status = t->response->status;
  if (t->request->on_body && status >= 200 && status < 300) {
    if (!t->request->on_body(std::string_view(data, bytes))) {
      t->aborted = true;
      return 0;
    }
    return bytes;
  }
  if (t->response->body.size() + bytes > t->request->max_body) {
    t->too_big = true;
    return 0;
  }
  t->response->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {  // a status line (also of a 100 Continue)
    const size_t sp = line.find(' ');
    long status = 0;
    for (size_t i = sp == std::string_view::npos ? line.size() : sp + 1;
         i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
      status = status * 10 + (line[i] - '0');
    }
    t->response->status = status;
    return size * n;
  }
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
      t->response->retry_after_s = seconds;
    }
  }
  return size * n;
}

struct Handle {
  Handle() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl = curl_easy_init();
  }
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
  CURL* curl = nullptr;
};

}  // namespace

Result<PostResponse> Post(const PostRequest& request) {
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0) {
    return InvalidArgument("URL must start with http:// or https://");
  }
  thread_local Handle handle;  // its connection cache outlives the call
  CURL* curl = handle.curl;
  if (curl == nullptr) return Unavailable("cannot create an HTTP client");
  curl_easy_reset(curl);  // options only; connections stay cached
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  PostResponse response;
  Transfer t{&request, &response};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  // "Expect: 100-continue" costs a round trip on large prompts for nothing here.
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (t.aborted) return Cancelled("the response stream was abandoned");
  if (t.too_big) return Unavailable("the service's answer is larger than allowed");
  if (rc == CURLE_OPERATION_TIMEDOUT) return DeadlineExceeded("the service did not answer in time");
  if (rc != CURLE_OK) {
    return Unavailable(std::string("the service is unreachable: ") + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = status;
  return response;
}

std::string ServiceErrorMessage(const std::string& body) {
  rapidjson::Document d;
  if (ParseJson(body, &d).ok && d.IsObject()) {
    const rapidjson::Value* m = JsonAtPath(d, "error.message");
    if (m != nullptr && m->IsString()) return std::string(m->GetString()).substr(0, 300);
  }
  return body.substr(0, 120);
}

int BackoffMs(int attempt, int base_ms, int cap_ms) {
  thread_local std::mt19937 rng(std::random_device{}());
  const int64_t ceiling =
      std::min<int64_t>(cap_ms, static_cast<int64_t>(base_ms) << std::min(attempt, 20));
  if (ceiling <= 0) return 0;
  return std::uniform_int_distribution<int>(0, static_cast<int>(ceiling))(rng);
}

}  // namespace crmi::http_client
