// A blocking HTTP POST client for crmi's calls to remote services (model endpoints), over
// libcurl. Each thread keeps one libcurl handle, so consecutive calls from a thread reuse its
// connections (keep-alive, TLS sessions) instead of connecting anew.
//
// Thread-safety: Post may be called from any number of threads at once.
#ifndef CRMI_COMMON_HTTP_CLIENT_H_
#define CRMI_COMMON_HTTP_CLIENT_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi::http_client {

struct PostRequest {
  std::string url;                   // http:// or https:// only; redirects are not followed
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  int timeout_ms = 10000;  // the whole exchange
  int connect_timeout_ms = 3000;
  // When set, receives the body of a 2xx answer as it arrives (a stream); returning false
  // aborts the transfer (kCancelled). Bodies of other statuses are always collected.
  std::function<bool(std::string_view)> on_body;
  size_t max_body = 64u << 20;  // collected bodies beyond this fail the call
};

struct PostResponse {
  long status = 0;
  std::string body;        // empty when on_body received it
  int retry_after_s = -1;  // Retry-After in seconds when the service sent one
};

// kUnavailable when the service cannot be reached or the connection breaks, kDeadlineExceeded
// on timeout, kCancelled when on_body aborted, kInvalidArgument for a bad URL. Any HTTP status
// is an OK result: the caller decides what a 429 or 500 means.
Result<PostResponse> Post(const PostRequest& request);

// The service's own error message when `body` is {"error": {"message": ...}} (OpenAI's shape,
// at most 300 bytes), else the first 120 bytes of the body: for error texts, never the request.
std::string ServiceErrorMessage(const std::string& body);

// Full jitter ("exponential backoff and jitter"): a uniform wait in [0, min(cap, base·2^attempt)].
int BackoffMs(int attempt, int base_ms, int cap_ms);

}  // namespace crmi::http_client

#endif  // CRMI_COMMON_HTTP_CLIENT_H_
