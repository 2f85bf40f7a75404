#include "tests/stub_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "tests/test_util.h"

namespace crmi::test {

StubHttpServer::StubHttpServer(std::function<StubResponse(const StubRequest&)> handler)
    : handler_(std::move(handler)) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  listen(fd_, 64);
  thread_ = std::thread([this] { Serve(); });
}

StubHttpServer::~StubHttpServer() {
  stop_ = true;
  shutdown(fd_, SHUT_RDWR);
  close(fd_);
  thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& t : conns_) t.join();
}

void StubHttpServer::Serve() {
  while (!stop_) {
    const int c = accept(fd_, nullptr, nullptr);
    if (c < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    conns_.emplace_back([this, c] { Handle(c); });
  }
}

void StubHttpServer::Handle(int fd) {
  std::string buf;
  char chunk[65536];
  // One request per connection (the clients under test open a connection per call or reuse it;
  // Connection: close keeps the stub simple).
  size_t header_end;
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) {
      close(fd);
      return;
    }
    buf.append(chunk, static_cast<size_t>(n));
  }
  StubRequest req;
  const std::string head = buf.substr(0, header_end);
  size_t line_end = head.find("\r\n");
  const std::string first = head.substr(0, line_end);
  const size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
  req.method = first.substr(0, sp1);
  req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  req.headers = ParseHeaderFields(head);
  const size_t length =
      req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
  req.body = buf.substr(header_end + 4);
  while (req.body.size() < length) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    req.body.append(chunk, static_cast<size_t>(n));
  }
  ++requests_;
  StubResponse resp = handler_(req);
  if (resp.delay.count() > 0) std::this_thread::sleep_for(resp.delay);
  auto send = [fd](const std::string& out) {
    size_t sent = 0;
    while (sent < out.size()) {
      const ssize_t n = write(fd, out.data() + sent, out.size() - sent);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  };
  std::string out = "HTTP/1.1 " + std::to_string(resp.status) +
                    " Stub\r\nContent-Type: " + resp.content_type + "\r\n";
  if (resp.pieces.empty()) out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
  out += "Connection: close\r\n";
  for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
  out += "\r\n" + resp.body;
  bool ok = send(out);
  for (size_t i = 0; ok && i < resp.pieces.size(); ++i) {
    if (resp.piece_delay.count() > 0) std::this_thread::sleep_for(resp.piece_delay);
    ok = send(resp.pieces[i]);
  }
  close(fd);
}

}  // namespace crmi::test
