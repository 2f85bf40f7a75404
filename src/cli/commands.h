// The crmi subcommands, callable without the command-line parser (main.cc maps flags to these
// option structs). Each returns the process exit code: 0 success, 1 failure, 2 bad usage.
#ifndef CRMI_CLI_COMMANDS_H_
#define CRMI_CLI_COMMANDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/status.h"

namespace crmi::cli {

// An OIDC/OAuth2 issuer whose bearer tokens are accepted ([[auth.issuers]]).
struct IssuerEntry {
  std::string issuer;
  std::vector<std::string> audiences;
  std::string jwks_file;
  std::string jwks_url;
  std::string tenant;  // fixed tenant of all its tokens, or empty: from tenant_claim
  std::string tenant_claim = "tenant";
  std::string roles_claim = "roles";
  std::string attrs_claim = "attrs";
  bool allow_hs256 = false;
  int64_t refresh_seconds = 300;
};

// A client certificate subject mapped to a service principal ([[auth.client_certs]]).
struct ClientCertEntry {
  std::string subject;  // as the TLS listener renders it: "CN=ingest,O=Acme"
  std::string sub;
  std::string tenant;
  std::vector<std::string> roles;
};

// A remote chat model ([[llm.backends]]), any OpenAI-compatible endpoint.
struct LlmBackendEntry {
  std::string name;
  std::string base_url;
  std::string model;
  std::string region;       // residency tag of the endpoint
  std::string api_key_env;  // the key is read from this variable, never a file
  int64_t timeout_ms = 60000;
  int64_t max_retries = 2;
  bool stream = true;
};

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
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

  // [auth]
  bool dev_issuer = true;  // accept tokens of `crmi token mint` (development only)
  bool api_keys = true;
  int64_t skew_seconds = 60;
  std::vector<std::string> trusted_proxies;                // CIDRs
  std::vector<std::pair<std::string, std::string>> zones;  // (zone, CIDR), first match wins
  std::vector<IssuerEntry> issuers;
  std::vector<ClientCertEntry> client_certs;
  // [policy]
  std::string policy_file;  // empty: <data-dir>/policy.yaml
  bool policy_watch = true;
  // [retention]: per collection, records older than this (seconds since creation) are purged.
  std::vector<std::pair<std::string, int64_t>> retention_max_age_s;
  int64_t retention_interval_s = 3600;
  // [actions]: the dispatcher of queued actions runs only with a webhook.
  std::string actions_webhook_url;
  std::string actions_webhook_token_env;  // env var with a bearer token for the webhook
  int64_t actions_interval_ms = 1000;
  int64_t actions_max_attempts = 5;
  int64_t actions_timeout_ms = 5000;
  // [retrieval]
  int64_t retrieval_min_training_words = 2000;
  int64_t retrieval_dim = 128;
  int64_t retrieval_epochs = 10;
  int64_t retrieval_chunk_words = 200;
  int64_t retrieval_chunk_overlap = 30;
  int64_t retrieval_queue_capacity = 100000;
  int64_t retrieval_snapshot_interval_s = 60;  // 0: no index snapshots (restarts rebuild)
  std::string retrieval_embedder = "builtin";  // or "openai"
  std::string openai_base_url;                 // [retrieval.openai]
  std::string openai_model;
  std::string openai_region;  // residency: records of other regions are never sent to it
  bool openai_redact = true;  // personal values replaced by "<TYPE>" before texts are sent
  std::string openai_api_key_env = "CRMI_EMBEDDINGS_API_KEY";  // the key itself never in a file
  std::string openai_version = "1";
  int64_t openai_dim = 0;
  int64_t openai_batch = 64;
  int64_t openai_timeout_ms = 10000;
  int64_t embedding_cache_entries = 200000;

  // [llm]: the built-in backend "extractive" always exists; aliases name fallback chains.
  std::string llm_default_model = "default";
  int64_t llm_k = 8;
  int64_t llm_max_context_tokens = 3000;
  std::vector<LlmBackendEntry> llm_backends;
  // [[llm.topics]]: name → phrases; answers about one are governed by topic:<name>/receive.
  std::vector<std::pair<std::string, std::vector<std::string>>> llm_topics;
  std::vector<std::string> llm_grounded_models = {"default", "crmi-rag"};
  int64_t llm_cache_entries = 10000;  // answer cache; 0: off
  int64_t llm_cache_ttl_s = 600;
  int64_t llm_approval_ttl_s = 7 * 86400;   // held answers expire, decided or not
  double llm_cache_semantic_threshold = 0;  // 0: no semantic layer
  std::string llm_cache_redis;              // redis://host:port/db; empty: no L2
  std::string llm_cache_redis_prefix = "crmi:";
  int64_t retrieval_cache_entries = 10000;
  std::vector<std::pair<std::string, std::vector<std::string>>> llm_models;  // alias → chain
  // [llm.limits] (0: unlimited)
  int64_t llm_principal_requests_per_minute = 0;
  int64_t llm_principal_tokens_per_minute = 0;
  int64_t llm_tenant_tokens_per_minute = 0;
  int64_t llm_model_tokens_per_minute = 0;
  int64_t llm_tenant_tokens_per_month = 0;
  int64_t llm_completion_tokens = 1024;
  // [llm.safety]
  bool llm_injection_scan = true;
  double llm_injection_threshold = 0;         // 0: the compiled-in model's own
  std::string llm_question_action = "block";  // block, strip, flag
  std::string llm_passage_action = "drop";    // drop, strip, flag

  // [audit]
  int64_t audit_checkpoint_every = 1000;
  int64_t audit_checkpoint_seconds = 10;
  // [tls]: an HTTPS listener beside the plain one, optionally requiring client certificates
  std::string tls_listen;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;  // set: client certificates are verified against it
  bool tls_require_client_cert = false;
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

struct SubjectArgs {
  std::string data_dir = "./data";
  std::string tenant = "default";
  std::string contact_id;
};
// `crmi subject export`: everything crmi holds about a contact, as GET /v1/subjects/{id}/export
// answers it, to stdout. Exit 1 when the tenant holds nothing of the contact.
int RunSubjectExport(const SubjectArgs& args);

struct KeysRotateArgs {
  std::string data_dir = "./data";
  bool rewrap_only = false;  // no new key: re-wrap to the current one (CRMI_MASTER_KEY rings)
};
// `crmi keys rotate`: a new master key first in <data-dir>/keys/master.key, every tenant and
// subject key re-wrapped under it (while servers run: they follow the file), then the old master
// keys dropped once nothing depends on them. Prints {"master_key", "rewrapped", "retired"}.
int RunKeysRotate(const KeysRotateArgs& args);

struct DemoArgs {
  std::string data_dir = "./data";
  std::string out_dir;  // write NDJSON files here instead of loading the store
  uint64_t seed = 42;
  std::string size = "small";
  bool force = false;
};
int RunDemo(const DemoArgs& args);

int RunDoctor(const std::string& data_dir);

// "90s", "15m", "1h", "30d" (a bare number is seconds) → seconds.
Result<int64_t> ParseDuration(std::string_view text);

struct TokenMintArgs {
  std::string data_dir = "./data";
  std::string sub;
  std::string tenant;
  std::string roles;               // comma-separated
  std::vector<std::string> attrs;  // key=value or key=v1,v2
  std::string ttl = "1h";
  std::string posture;
  int64_t risk = -1;
};
int RunTokenMint(const TokenMintArgs& args);

int RunPolicyCheck(const std::string& file);
// `policy_file` empty: the cases file names its policy.
int RunPolicyTest(const std::string& cases_file, const std::string& policy_file);

int RunAuditVerify(const std::string& data_dir, const std::vector<std::string>& pubkey_files);
struct AuditExportArgs {
  std::string data_dir = "./data";
  std::string tenant, principal, decision, from, to;
  bool checkpoints = false;
};
int RunAuditExport(const AuditExportArgs& args);
int RunAuditPubkey(const std::string& data_dir);

struct ApiKeyArgs {
  std::string data_dir = "./data";
  std::string tenant;
  std::string name;
  std::string roles;
  std::vector<std::string> attrs;
  std::string ttl;  // empty: never expires
  std::string id;
};
int RunApiKeyCreate(const ApiKeyArgs& args);
int RunApiKeyList(const ApiKeyArgs& args);
int RunApiKeyRevoke(const ApiKeyArgs& args);
int RunVersion();

struct EvalRetrievalArgs {
  std::string corpus, queries, qrels;
  std::vector<std::string> modes = {"lexical", "vector", "hybrid"};
  std::string fusion = "weighted";
  double vector_weight = 0.3;
  int rrf_k = 60;
  int dim = 128;
  int epochs = 10;
  uint64_t seed = 42;
  std::string work_dir = "./eval-work";  // the trained model is kept here
  bool reuse_model = false;
  std::string out;  // JSON report
};
int RunEvalRetrieval(const EvalRetrievalArgs& args);

}  // namespace crmi::cli

#endif  // CRMI_CLI_COMMANDS_H_
