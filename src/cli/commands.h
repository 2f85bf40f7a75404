// The crmi subcommands, callable without the command-line parser (main.cc maps flags to these
// option structs). Each returns the process exit code: 0 success, 1 failure, 2 bad usage.
#ifndef CRMI_CLI_COMMANDS_H_
#define CRMI_CLI_COMMANDS_H_

#include <cstdint>
#include <string>

#include "src/common/status.h"

namespace crmi::cli {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string default_tenant = "default";
  int io_threads = 0;
  int worker_threads = 16;
  int64_t max_connections = 10000;
  int64_t max_header_bytes = 16 << 10;
  int64_t max_body_bytes = 16 << 20;
  int64_t header_timeout_ms = 10'000;
  int64_t body_timeout_ms = 60'000;
  int64_t write_timeout_ms = 30'000;
  int64_t idle_timeout_ms = 60'000;
  int64_t drain_timeout_ms = 30'000;
  std::string synchronous = "full";
  std::string log_level = "info";
  std::string app_log = "stderr";
  std::string access_log = "stderr";
};

// Reads a crmi.toml into `config` (keys it sets override the defaults). Unknown keys and wrong
// types are errors naming the key and its line.
Status LoadConfigFile(const std::string& path, ServeConfig* config);
// Checks ranges and formats of a complete configuration.
Status ValidateServeConfig(const ServeConfig& config);

int RunServe(const ServeConfig& config);

struct ImportArgs {
  std::string data_dir = "./data";
  std::string collection;
  std::string file;
  std::string tenant = "default";
  std::string format;  // "ndjson", "csv" or empty: from the file extension
};
int RunImport(const ImportArgs& args);

struct ExportArgs {
  std::string data_dir = "./data";
  std::string collection;
  std::string tenant = "default";
};
int RunExport(const ExportArgs& args);

struct DemoArgs {
  std::string data_dir = "./data";
  std::string out_dir;  // write NDJSON files here instead of loading the store
  uint64_t seed = 42;
  std::string size = "small";
  bool force = false;
};
int RunDemo(const DemoArgs& args);

int RunDoctor(const std::string& data_dir);
int RunVersion();

}  // namespace crmi::cli

#endif  // CRMI_CLI_COMMANDS_H_
