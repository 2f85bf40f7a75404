// A small HTTP/1.1 server for tests that need a real remote service (an OpenAI-compatible
// embeddings or chat API, a JWKS endpoint): loopback, a free port, one thread per connection,
// and a handler that decides the answer — including faults (slow answers, 5xx, 429, garbage).
#ifndef CRMI_TESTS_STUB_HTTP_SERVER_H_
#define CRMI_TESTS_STUB_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace crmi::test {

struct StubRequest {
  std::string method, target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct StubResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // before answering
  // When set, the body is these pieces instead, written one by one `piece_delay` apart and
  // ended by closing the connection (no Content-Length): a stream, complete or cut short.
  std::vector<std::string> pieces;
  std::chrono::milliseconds piece_delay{0};
};

class StubHttpServer {
 public:
  explicit StubHttpServer(std::function<StubResponse(const StubRequest&)> handler);
  ~StubHttpServer();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }

 private:
  void Serve();
  void Handle(int fd);

  std::function<StubResponse(const StubRequest&)> handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::thread> conns_;
};

}  // namespace crmi::test

#endif  // CRMI_TESTS_STUB_HTTP_SERVER_H_
