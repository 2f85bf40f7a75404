// Runs the real crmi binary for end-to-end tests: `crmi serve` on a free port (port 0, read back
// from the "listening" log line) with a temporary data directory, and one-shot CLI commands.
#ifndef CRMI_TESTS_E2E_SERVER_PROCESS_H_
#define CRMI_TESTS_E2E_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace crmi::test {

class ServerProcess {
 public:
  // `data_dir` must exist; logs go to <data_dir>/app.log and access.log.
  ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();

  // Starts and waits (up to 15 s) until the server listens. False on failure (see AppLog()).
  bool Start();
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // Sends `sig` and waits for exit. Returns the exit code, or 128+signal if killed by one.
  int Stop(int sig);
  // Waits up to `seconds` for the process to exit by itself; -1 on timeout.
  int Wait(double seconds);

  std::string AppLog() const;
  std::string AccessLog() const;
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int port_ = 0;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `crmi <args...>` to completion, feeding `input` on stdin.
RunResult RunCrmi(const std::vector<std::string>& args, const std::string& input = "");

std::string CrmiBinary();

}  // namespace crmi::test

#endif  // CRMI_TESTS_E2E_SERVER_PROCESS_H_
