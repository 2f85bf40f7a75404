// HTTP request/response as seen by filters and handlers, independent of Boost.Beast (which stays
// inside server.cc). A RequestContext carries one request through the filter chain: the parsed
// request, the matched route, per-request metadata filters share (request id, tenant; later the
// principal and the policy decision), and the response being built.
//
// Not thread-safe: a context belongs to one request, handled by one thread at a time.
#ifndef CRMI_HTTP_MESSAGE_H_
#define CRMI_HTTP_MESSAGE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/status.h"
#include "src/http/security.h"

namespace crmi::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method m);
Method ParseMethod(std::string_view text);

// Ordered header list with case-insensitive lookup.
class Headers {
 public:
  void Add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  // Replaces every field of that name.
  void Set(std::string_view name, std::string value);
  std::optional<std::string_view> Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Method method = Method::kOther;
  std::string method_text;
  std::string target;  // as received
  std::string path;    // target without the query, still percent-encoded
  QueryParams query;   // decoded, in order
  Headers headers;
  std::string body;
  std::string remote_address;
  // Subject of the client certificate the TLS listener verified ("CN=x,O=y"); empty otherwise.
  std::string client_cert_subject;
  std::optional<uint64_t> content_length;
  bool chunked = false;
  int http_version = 11;  // 10 or 11
  bool has_body() const { return chunked || (content_length && *content_length > 0); }
};

// The sink of a streamed response body (see Response::stream). Called from the worker thread
// that runs the producer; not thread-safe beyond that one caller.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Sends `data` as the next piece of the body. Blocks while too much is waiting to be sent.
  // False once the client is gone or the write timed out: the producer should stop.
  virtual bool Write(std::string_view data) = 0;
  // Before the first Write only: answer with this problem instead of a stream (the status and
  // body are rendered like any error; `retry_after_s` ≥ 0 adds Retry-After). Ignored after the
  // first Write.
  virtual void Fail(const Status& status, int retry_after_s = -1) = 0;
};

// Produces a streamed body; runs on the worker pool. It must not touch the RequestContext:
// capture copies of what it needs.
using StreamProducer = std::function<void(StreamWriter&)>;

struct Response {
  int status = 200;
  Headers headers;
  std::string content_type;  // empty: no Content-Type
  std::string body;
  // Machine-readable reason of a problem reply ("not-found"), for logs and metrics.
  std::string problem;
  // When set, the body is streamed (chunked) from this producer instead of `body`. The server
  // runs it, waits for its first Write (or Fail), and only then runs the response and commit
  // stages — so the audit record is durable, and carries the right status, before any byte of
  // the stream leaves — and sends the headers and each written piece as it comes.
  StreamProducer stream;
};

struct Route;

struct RequestContext {
  Request request;
  Response response;

  std::string request_id;
  const Route* route = nullptr;                             // null: no route matched the path
  std::vector<std::pair<std::string, std::string>> params;  // decoded path parameters
  std::string resource;  // the route's resource with parameters substituted ("contacts")
  std::string tenant;    // the authenticated principal's tenant
  Security security;

  int64_t start_nanos = 0;
  int64_t bytes_received = 0;
  int64_t bytes_sent = 0;
  bool local_reply = false;  // answered by a filter or the server, not the handler
  bool close_connection = false;
  bool in_flight_counted = false;  // metrics filter bookkeeping

  std::string_view Param(std::string_view name) const;
};

// Splits an origin-form request target into its path and decoded query parameters.
// kInvalidArgument for anything else (absolute form, bad percent-encoding, NUL bytes).
Status ParseTarget(std::string_view target, std::string* path, QueryParams* query);

// Percent-decodes one path segment or query component (`plus_as_space` for queries).
std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space);

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type);

}  // namespace crmi::http

#endif  // CRMI_HTTP_MESSAGE_H_
