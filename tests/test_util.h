// Helpers shared by the unit tests.
#ifndef CRMI_TESTS_TEST_UTIL_H_
#define CRMI_TESTS_TEST_UTIL_H_

#include <map>
#include <memory>
#include <string>

#include "src/store/store.h"

namespace crmi::test {

// Opens a SQLite store with the CRM schema in `dir` (created if needed); aborts the test on
// failure.
std::unique_ptr<store::Store> OpenTestStore(const std::string& dir);

// A fresh directory under $TMPDIR (or /tmp); the caller removes it.
std::string TempDir(const std::string& prefix);

// Contents of a file; empty when unreadable.
std::string ReadFile(const std::string& path);

// The header fields of an HTTP/1.1 message head (start line, then "Name: value" lines separated
// by CRLF, without the blank line), names lower-cased, leading spaces of values dropped.
std::map<std::string, std::string> ParseHeaderFields(const std::string& head);

// Directory of the repository (for tests/cases) and of ../shared/data.
std::string SourceDir();
std::string SharedDataDir();

// A real redis-server on a free loopback port, without persistence, for as long as the object
// lives. started() is false when redis-server is missing or would not start.
class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  bool started() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  void Stop();

 private:
  int pid_ = -1;
  int port_ = 0;
};

}  // namespace crmi::test

#endif  // CRMI_TESTS_TEST_UTIL_H_
