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
  bool no_dev_issuer = false;
  serve->add_flag("--no-dev-issuer", no_dev_issuer,
                  "Refuse tokens of the local development issuer (crmi token mint)");
  serve->add_option("--policy-file", flags.policy_file,
                    "Access policy (YAML); default <data-dir>/policy.yaml, created if absent");
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

  // subject
  crmi::cli::SubjectArgs subject_args;
  CLI::App* subject = app.add_subcommand("subject", "A data subject's rights (GDPR)");
  subject->require_subcommand(1);
  CLI::App* subject_export =
      subject->add_subcommand("export", "Write everything held about a contact as JSON to stdout");
  subject_export->add_option("contact_id", subject_args.contact_id, "The contact's id")->required();
  subject_export->add_option("--tenant", subject_args.tenant, "The contact's tenant")
      ->default_str(subject_args.tenant);
  subject_export->add_option("--data-dir", subject_args.data_dir, "Directory holding the database")
      ->default_str(subject_args.data_dir);

  // keys
  crmi::cli::KeysRotateArgs rotate_args;
  CLI::App* keys = app.add_subcommand("keys", "Master keys of the privacy layer");
  keys->require_subcommand(1);
  CLI::App* keys_rotate = keys->add_subcommand(
      "rotate", "New master key; re-wrap every data key under it while servers run");
  keys_rotate->add_option("--data-dir", rotate_args.data_dir, "Data directory")
      ->default_str(rotate_args.data_dir);
  keys_rotate->add_flag("--rewrap-only", rotate_args.rewrap_only,
                        "No new key: re-wrap under the current one (CRMI_MASTER_KEY keyrings)");

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

  // token mint
  crmi::cli::TokenMintArgs mint;
  CLI::App* token = app.add_subcommand("token", "Development tokens");
  token->require_subcommand(1);
  CLI::App* token_mint = token->add_subcommand(
      "mint", "Sign a bearer token with the local development issuer (key in <data-dir>/keys)");
  token_mint->add_option("--sub", mint.sub, "Subject (user or service id)")->required();
  token_mint->add_option("--tenant", mint.tenant, "Tenant")->required();
  token_mint->add_option("--roles", mint.roles, "Comma-separated roles, e.g. advisor,agent")
      ->required();
  token_mint->add_option("--attr", mint.attrs, "Attribute key=value or key=v1,v2 (repeatable)");
  token_mint->add_option("--ttl", mint.ttl, "Lifetime: 90s, 15m, 1h, 30d")->capture_default_str();
  token_mint->add_option("--posture", mint.posture, "Device posture claim")
      ->check(CLI::IsMember({"managed", "compliant", "unmanaged", "unknown"}));
  token_mint->add_option("--risk", mint.risk, "Risk score claim, 0..100")
      ->check(CLI::Range(0, 100));
  token_mint->add_option("--data-dir", mint.data_dir, "Data directory holding the issuer key")
      ->default_str(mint.data_dir);

  // policy check|test
  CLI::App* policy = app.add_subcommand("policy", "Check and test access policies");
  policy->require_subcommand(1);
  std::string policy_file, cases_file, test_policy;
  CLI::App* policy_check = policy->add_subcommand("check", "Validate a policy file");
  policy_check->add_option("file", policy_file, "policy.yaml")->required();
  CLI::App* policy_test =
      policy->add_subcommand("test", "Run a decision table (request -> expected decision, rule)");
  policy_test->add_option("cases", cases_file, "cases file")->required();
  policy_test->add_option("--policy", test_policy, "Policy to test (default: the file's own)");

  // audit verify|export|pubkey
  CLI::App* auditc = app.add_subcommand("audit", "The tamper-evident audit trail");
  auditc->require_subcommand(1);
  std::string audit_dir = "./data";
  std::vector<std::string> pubkeys;
  CLI::App* audit_verify = auditc->add_subcommand(
      "verify",
      "Verify the hash chain and checkpoint signatures (exit 1 naming the first bad seq)");
  audit_verify->add_option("--data-dir", audit_dir, "Data directory (or a copy of it)")
      ->default_str(audit_dir);
  audit_verify->add_option("--pubkey", pubkeys,
                           "Trusted audit public key (PEM; from 'crmi audit pubkey'); repeat it "
                           "after a key rotation; default: the data dir's own key");
  crmi::cli::AuditExportArgs exp_args;
  CLI::App* audit_export = auditc->add_subcommand("export", "Write audit records as JSON Lines");
  audit_export->add_option("--data-dir", exp_args.data_dir, "Data directory")
      ->default_str(exp_args.data_dir);
  audit_export->add_option("--tenant", exp_args.tenant, "Only this tenant");
  audit_export->add_option("--principal", exp_args.principal, "Only this subject");
  audit_export->add_option("--decision", exp_args.decision, "permit, deny or none")
      ->check(CLI::IsMember({"permit", "deny", "none"}));
  audit_export->add_option("--from", exp_args.from, "From (RFC 3339, inclusive)");
  audit_export->add_option("--to", exp_args.to, "To (RFC 3339, exclusive)");
  audit_export->add_flag("--checkpoints", exp_args.checkpoints, "Include checkpoint records");
  CLI::App* audit_pubkey =
      auditc->add_subcommand("pubkey", "Print the audit trail's public key (PEM)");
  audit_pubkey->add_option("--data-dir", audit_dir, "Data directory")->default_str(audit_dir);

  // apikey create|list|revoke
  crmi::cli::ApiKeyArgs key_args;
  CLI::App* apikey = app.add_subcommand("apikey", "API keys for machine clients");
  apikey->require_subcommand(1);
  CLI::App* key_create = apikey->add_subcommand("create", "Create a key (printed once)");
  key_create->add_option("--tenant", key_args.tenant, "Tenant")->required();
  key_create->add_option("--name", key_args.name, "What the key is for")->required();
  key_create->add_option("--roles", key_args.roles, "Comma-separated roles")->required();
  key_create->add_option("--attr", key_args.attrs, "Attribute key=value (repeatable)");
  key_create->add_option("--ttl", key_args.ttl, "Expire after: 30d, 12h (default: never)");
  key_create->add_option("--data-dir", key_args.data_dir, "Data directory")
      ->default_str(key_args.data_dir);
  CLI::App* key_list = apikey->add_subcommand("list", "List a tenant's keys (never the secrets)");
  key_list->add_option("--tenant", key_args.tenant, "Tenant")->required();
  key_list->add_option("--data-dir", key_args.data_dir, "Data directory")
      ->default_str(key_args.data_dir);
  CLI::App* key_revoke = apikey->add_subcommand("revoke", "Revoke a key");
  key_revoke->add_option("id", key_args.id, "Key id (key_...)")->required();
  key_revoke->add_option("--tenant", key_args.tenant, "Tenant")->required();
  key_revoke->add_option("--data-dir", key_args.data_dir, "Data directory")
      ->default_str(key_args.data_dir);

  // eval retrieval
  crmi::cli::EvalRetrievalArgs eval_args;
  CLI::App* evalc = app.add_subcommand("eval", "Offline evaluation");
  evalc->require_subcommand(1);
  CLI::App* eval_retrieval =
      evalc->add_subcommand("retrieval", "Retrieval quality and latency on a BEIR-format data set");
  eval_retrieval->add_option("--corpus", eval_args.corpus, "corpus.jsonl")->required();
  eval_retrieval->add_option("--queries", eval_args.queries, "queries.jsonl")->required();
  eval_retrieval->add_option("--qrels", eval_args.qrels, "qrels .tsv")->required();
  eval_retrieval
      ->add_option("--mode", eval_args.modes, "lexical, vector, hybrid (repeatable; default all)")
      ->check(CLI::IsMember({"lexical", "vector", "hybrid"}));
  eval_retrieval->add_option("--fusion", eval_args.fusion, "rrf or weighted")
      ->check(CLI::IsMember({"rrf", "weighted"}))
      ->default_str(eval_args.fusion);
  eval_retrieval->add_option("--vector-weight", eval_args.vector_weight, "Weighted fusion share")
      ->check(CLI::Range(0.0, 1.0));
  eval_retrieval->add_option("--rrf-k", eval_args.rrf_k, "RRF constant")
      ->check(CLI::Range(1, 1000));
  eval_retrieval->add_option("--dim", eval_args.dim, "Embedding dimension")
      ->check(CLI::Range(8, 1024));
  eval_retrieval->add_option("--epochs", eval_args.epochs, "Training epochs")
      ->check(CLI::Range(1, 100));
  eval_retrieval->add_option("--seed", eval_args.seed, "Training seed");
  eval_retrieval->add_option("--work-dir", eval_args.work_dir, "Where the model is written")
      ->default_str(eval_args.work_dir);
  eval_retrieval->add_flag("--reuse-model", eval_args.reuse_model,
                           "Load the model from --work-dir instead of training");
  eval_retrieval->add_option("--out", eval_args.out, "Write the report as JSON here");

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
    Override(*serve, "--policy-file", flags.policy_file, &config.policy_file);
    if (no_dev_issuer) config.dev_issuer = false;
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
  if (subject_export->parsed()) return crmi::cli::RunSubjectExport(subject_args);
  if (keys_rotate->parsed()) return crmi::cli::RunKeysRotate(rotate_args);
  if (demo->parsed()) return crmi::cli::RunDemo(demo_args);
  if (doctor->parsed()) return crmi::cli::RunDoctor(doctor_dir);
  if (version->parsed()) return crmi::cli::RunVersion();
  if (token_mint->parsed()) return crmi::cli::RunTokenMint(mint);
  if (policy_check->parsed()) return crmi::cli::RunPolicyCheck(policy_file);
  if (policy_test->parsed()) return crmi::cli::RunPolicyTest(cases_file, test_policy);
  if (audit_verify->parsed()) return crmi::cli::RunAuditVerify(audit_dir, pubkeys);
  if (audit_export->parsed()) return crmi::cli::RunAuditExport(exp_args);
  if (audit_pubkey->parsed()) return crmi::cli::RunAuditPubkey(audit_dir);
  if (key_create->parsed()) return crmi::cli::RunApiKeyCreate(key_args);
  if (key_list->parsed()) return crmi::cli::RunApiKeyList(key_args);
  if (key_revoke->parsed()) return crmi::cli::RunApiKeyRevoke(key_args);
  if (eval_retrieval->parsed()) return crmi::cli::RunEvalRetrieval(eval_args);
  return kUsageError;
}
