// A deliberately small blocking HTTP/1.1 client for end-to-end tests: raw sockets, so tests can
// also send malformed, slow, pipelined or oversized requests byte by byte.
#ifndef CRMI_TESTS_E2E_HTTP_CLIENT_H_
#define CRMI_TESTS_E2E_HTTP_CLIENT_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace crmi::test {

struct HttpResponse {
  int status = 0;  // 0: no complete response (connection closed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

class HttpConnection {
 public:
  explicit HttpConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Sends raw bytes. False when the peer is gone.
  bool SendRaw(const std::string& bytes);
  // Reads one response (Content-Length or chunked framing, or until close). `to_head`: the
  // response answers a HEAD request and has no body whatever its Content-Length says.
  HttpResponse ReadResponse(bool to_head = false);
  // True when the server closed the connection (read returns EOF) within `wait`.
  bool PeerClosed(std::chrono::milliseconds wait);

  HttpResponse Request(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  bool Fill();  // reads more into buf_; false on EOF/error/timeout
  int fd_ = -1;
  std::string buf_;
};

// One request on a fresh connection.
HttpResponse Fetch(int port, const std::string& method, const std::string& target,
                   const std::string& body = "",
                   const std::vector<std::pair<std::string, std::string>>& headers = {});

// Crude JSON field extraction for assertions: the text value of the first "key": "..." or
// "key": number at any depth.
std::string JsonField(const std::string& json, const std::string& key);

}  // namespace crmi::test

#endif  // CRMI_TESTS_E2E_HTTP_CLIENT_H_
