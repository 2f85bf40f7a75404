#include "tests/e2e/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "tests/test_util.h"

namespace crmi::test {

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpConnection::HttpConnection(int port, std::chrono::milliseconds timeout) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) close(fd_);
}

bool HttpConnection::SendRaw(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool HttpConnection::Fill() {
  char tmp[65536];
  const ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

bool HttpConnection::PeerClosed(std::chrono::milliseconds wait) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
  char c;
  return recv(fd_, &c, 1, MSG_PEEK) == 0;
}

HttpResponse HttpConnection::ReadResponse(bool to_head) {
  HttpResponse r;
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return r;
  }
  const std::string head = buf_.substr(0, end);
  buf_.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12) return r;
  const int status = std::atoi(status_line.c_str() + 9);
  r.headers = ParseHeaderFields(head);
  if (status == 100) return ReadResponse(to_head);
  if (to_head) {
    r.status = status;
    return r;
  }
  if (r.headers.count("content-length")) {
    const size_t len = std::stoul(r.headers["content-length"]);
    while (buf_.size() < len) {
      if (!Fill()) return r;
    }
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
  } else if (r.headers["transfer-encoding"] == "chunked") {
    while (true) {
      size_t le;
      while ((le = buf_.find("\r\n")) == std::string::npos) {
        if (!Fill()) return r;
      }
      const size_t len = std::stoul(buf_.substr(0, le), nullptr, 16);
      while (buf_.size() < le + 2 + len + 2) {
        if (!Fill()) return r;
      }
      r.body += buf_.substr(le + 2, len);
      buf_.erase(0, le + 2 + len + 2);
      if (len == 0) break;
    }
  } else if (status != 204 && status != 304) {
    while (Fill()) {
    }
    r.body = std::move(buf_);
    buf_.clear();
  }
  r.status = status;
  return r;
}

HttpResponse HttpConnection::Request(
    const std::string& method, const std::string& target, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  bool has_ct = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    if (strcasecmp(k.c_str(), "content-type") == 0) has_ct = true;
  }
  if (!body.empty() || method == "POST" || method == "PATCH") {
    if (!has_ct) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  if (!SendRaw(req)) return HttpResponse{};
  return ReadResponse();
}

HttpResponse Fetch(int port, const std::string& method, const std::string& target,
                   const std::string& body,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpConnection c(port);
  if (!c.connected()) return HttpResponse{};
  return c.Request(method, target, body, headers);
}

std::string JsonField(const std::string& json, const std::string& key) {
  const std::string k = "\"" + key + "\":";
  size_t pos = json.find(k);
  if (pos == std::string::npos) return "";
  pos += k.size();
  if (pos < json.size() && json[pos] == '"') {
    std::string out;
    for (size_t i = pos + 1; i < json.size(); ++i) {
      if (json[i] == '\\' && i + 1 < json.size()) {
        out.push_back(json[++i]);
      } else if (json[i] == '"') {
        break;
      } else {
        out.push_back(json[i]);
      }
    }
    return out;
  }
  size_t e = pos;
  while (e < json.size() && json[e] != ',' && json[e] != '}' && json[e] != ']') ++e;
  return json.substr(pos, e - pos);
}

}  // namespace crmi::test
