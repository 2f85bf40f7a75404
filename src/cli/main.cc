// crmi command line: flags → option structs → commands.cc. The only TU that includes CLI11.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "src/cli/commands.h"

namespace {

constexpr int kUsageError = 2;

// Options given on the command line override the config file, which overrides the defaults.
template <typename T>
void Override(CLI::App& sub, const char* flag, const T& value, T* target) {
  if (sub.count(flag) > 0) *target = value;
}

}  // namespace

int main(int argc, char** argv) {
  using crmi::cli::ServeConfig;
  CLI::App app{"crmi: self-hosted CRM intelligence server", "crmi"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for all subcommands");

  // serve
  ServeConfig flags;
  std::string config_path;
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP server");
  serve->add_option("--config", config_path, "TOML configuration file (flags override it)")
      ->check(CLI::ExistingFile);
  serve->add_option("--listen", flags.listen, "Address to listen on, host:port")
      ->default_str(flags.listen);
  serve->add_option("--data-dir", flags.data_dir, "Directory holding the database")
      ->default_str(flags.data_dir);
  serve->add_option("--default-tenant", flags.default_tenant, "Tenant of requests without X-Tenant")
      ->default_str(flags.default_tenant);
  serve->add_option("--io-threads", flags.io_threads, "I/O threads (0 = one per core)")
      ->capture_default_str();
  serve->add_option("--worker-threads", flags.worker_threads, "Threads for blocking handlers")
      ->capture_default_str();
  serve->add_option("--max-connections", flags.max_connections, "Open connections at most")
      ->capture_default_str();
  serve->add_option("--max-body-bytes", flags.max_body_bytes, "Request body limit (413 above)")
      ->capture_default_str();
  serve->add_option("--max-header-bytes", flags.max_header_bytes, "Request header limit (431)")
      ->capture_default_str();
  serve->add_option("--idle-timeout-ms", flags.idle_timeout_ms, "Keep-alive idle timeout")
      ->capture_default_str();
  serve
      ->add_option("--header-timeout-ms", flags.header_timeout_ms,
                   "Time allowed to receive request headers (408)")
      ->capture_default_str();
  serve
      ->add_option("--body-timeout-ms", flags.body_timeout_ms,
                   "Time allowed to receive a request body (408)")
      ->capture_default_str();
  serve->add_option("--write-timeout-ms", flags.write_timeout_ms, "Time allowed to send a reply")
      ->capture_default_str();
  serve
      ->add_option("--drain-timeout-ms", flags.drain_timeout_ms,
                   "How long shutdown waits for in-flight requests")
      ->capture_default_str();
  serve
      ->add_option("--synchronous", flags.synchronous,
                   "full: durable on power loss; normal: durable on process crash")
      ->check(CLI::IsMember({"full", "normal"}));
  serve->add_option("--log-level", flags.log_level, "debug, info, warn, error or off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  serve->add_option("--app-log", flags.app_log, "stderr, stdout, off or a file path")
      ->capture_default_str();
  serve->add_option("--access-log", flags.access_log, "stderr, stdout, off or a file path")
      ->capture_default_str();

  // import
  crmi::cli::ImportArgs import_args;
  CLI::App* import = app.add_subcommand("import", "Bulk-load NDJSON or CSV into a collection");
  import->add_option("collection", import_args.collection, "Collection, e.g. contacts")->required();
  import->add_option("file", import_args.file, "file.ndjson or file.csv")
      ->required()
      ->check(CLI::ExistingFile);
  import->add_option("--tenant", import_args.tenant, "Tenant the records belong to")
      ->default_str(import_args.tenant);
  import->add_option("--data-dir", import_args.data_dir, "Directory holding the database")
      ->default_str(import_args.data_dir);
  import->add_option("--format", import_args.format, "ndjson or csv (default: by extension)")
      ->check(CLI::IsMember({"ndjson", "csv"}));

  // export
  crmi::cli::ExportArgs export_args;
  CLI::App* exp = app.add_subcommand("export", "Write a collection as NDJSON to stdout");
  exp->add_option("collection", export_args.collection, "Collection, e.g. contacts")->required();
  exp->add_option("--tenant", export_args.tenant, "Tenant to export")
      ->default_str(export_args.tenant);
  exp->add_option("--data-dir", export_args.data_dir, "Directory holding the database")
      ->default_str(export_args.data_dir);

  // demo
  crmi::cli::DemoArgs demo_args;
  CLI::App* demo = app.add_subcommand(
      "demo", "Generate the synthetic demo data set (a bank and a retailer) and load it");
  demo->add_option("--seed", demo_args.seed, "Random seed; same seed, same data")->default_val(42);
  demo->add_option("--size", demo_args.size,
                   "small (2k contacts), medium (20k contacts, 200k activities), large (10x)")
      ->check(CLI::IsMember({"small", "medium", "large"}))
      ->default_str("small");
  demo->add_option("--data-dir", demo_args.data_dir, "Load into this data directory")
      ->default_str(demo_args.data_dir);
  demo->add_option("--out", demo_args.out_dir,
                   "Write NDJSON files (<out>/<tenant>/<collection>.ndjson) instead of loading");
  demo->add_flag("--force", demo_args.force, "Reload even if demo data is already loaded");

  // doctor, version
  std::string doctor_dir = "./data";
  CLI::App* doctor = app.add_subcommand("doctor", "Check a data directory and its database");
  doctor->add_option("--data-dir", doctor_dir, "Directory holding the database")
      ->default_str(doctor_dir);
  CLI::App* version = app.add_subcommand("version", "Print version and build information");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "crmi: %s\nRun 'crmi --help' (or 'crmi <command> --help') for usage.\n",
                 e.what());
    return kUsageError;
  }

  if (serve->parsed()) {
    ServeConfig config;
    if (!config_path.empty()) {
      crmi::Status s = crmi::cli::LoadConfigFile(config_path, &config);
      if (!s.ok()) {
        std::fprintf(stderr, "crmi: %s\n", s.message().c_str());
        return kUsageError;
      }
    }
    Override(*serve, "--listen", flags.listen, &config.listen);
    Override(*serve, "--data-dir", flags.data_dir, &config.data_dir);
    Override(*serve, "--default-tenant", flags.default_tenant, &config.default_tenant);
    Override(*serve, "--io-threads", flags.io_threads, &config.io_threads);
    Override(*serve, "--worker-threads", flags.worker_threads, &config.worker_threads);
    Override(*serve, "--max-connections", flags.max_connections, &config.max_connections);
    Override(*serve, "--max-body-bytes", flags.max_body_bytes, &config.max_body_bytes);
    Override(*serve, "--max-header-bytes", flags.max_header_bytes, &config.max_header_bytes);
    Override(*serve, "--idle-timeout-ms", flags.idle_timeout_ms, &config.idle_timeout_ms);
    Override(*serve, "--header-timeout-ms", flags.header_timeout_ms, &config.header_timeout_ms);
    Override(*serve, "--body-timeout-ms", flags.body_timeout_ms, &config.body_timeout_ms);
    Override(*serve, "--write-timeout-ms", flags.write_timeout_ms, &config.write_timeout_ms);
    Override(*serve, "--drain-timeout-ms", flags.drain_timeout_ms, &config.drain_timeout_ms);
    Override(*serve, "--synchronous", flags.synchronous, &config.synchronous);
    Override(*serve, "--log-level", flags.log_level, &config.log_level);
    Override(*serve, "--app-log", flags.app_log, &config.app_log);
    Override(*serve, "--access-log", flags.access_log, &config.access_log);
    return crmi::cli::RunServe(config);
  }
  if (import->parsed()) return crmi::cli::RunImport(import_args);
  if (exp->parsed()) return crmi::cli::RunExport(export_args);
  if (demo->parsed()) return crmi::cli::RunDemo(demo_args);
  if (doctor->parsed()) return crmi::cli::RunDoctor(doctor_dir);
  if (version->parsed()) return crmi::cli::RunVersion();
  return kUsageError;
}
