#include "tests/test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "src/crm/schema.h"
#include "src/store/sqlite/sqlite_store.h"

namespace crmi::test {

std::string TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/crmi-" + prefix + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<store::Store> OpenTestStore(const std::string& dir) {
  store::sqlite::SqliteOptions o;
  o.path = dir + "/crmi.db";
  o.synchronous = "normal";
  auto s = store::sqlite::Open(o, crm::Schema::Default().StoreSpecs());
  if (!s.ok()) throw std::runtime_error("open test store: " + s.status().ToString());
  return std::move(s).value();
}

std::map<std::string, std::string> ParseHeaderFields(const std::string& head) {
  std::map<std::string, std::string> out;
  const size_t line_end = head.find("\r\n");
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    const std::string line = head.substr(pos, e - pos);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' ') == std::string::npos
                         ? value.size()
                         : value.find_first_not_of(' '));
      out[name] = value;
    }
    pos = e + 2;
  }
  return out;
}

std::string SourceDir() { return CRMI_SOURCE_DIR; }

std::string SharedDataDir() {
  const char* env = std::getenv("CRMI_SHARED_DATA");
  if (env != nullptr) return env;
  return std::string(CRMI_SOURCE_DIR) + "/../shared/data";
}

namespace {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

}  // namespace

RedisServer::RedisServer() {
  for (int attempt = 0; attempt < 3 && pid_ <= 0; ++attempt) {
    port_ = FreePort();
    const std::string port = std::to_string(port_);
    const pid_t pid = fork();
    if (pid == 0) {
      const int null = open("/dev/null", O_WRONLY);  // its start-up banner is noise here
      if (null >= 0) {
        dup2(null, 1);
        dup2(null, 2);
      }
      execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--loglevel", "warning", nullptr);
      _exit(127);
    }
    if (pid < 0) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Accepts(port_)) {
        pid_ = pid;
        break;
      }
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) break;  // exited: missing, or port taken
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (pid_ <= 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

RedisServer::~RedisServer() { Stop(); }

}  // namespace crmi::test
