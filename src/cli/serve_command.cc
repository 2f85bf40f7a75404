#include "src/cli/commands.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

#include "src/audit/audit_log.h"
#include "src/common/build_info.h"
#include "src/common/clock.h"
#include "src/common/ids.h"
#include "src/common/json_text.h"
#include "src/common/log.h"
#include "src/common/metrics.h"
#include "src/common/time_format.h"
#include "src/crm/demo_data.h"
#include "src/crm/importer.h"
#include "src/crm/record.h"
#include "src/crm/record_service.h"
#include "src/crm/retention.h"
#include "src/crm/schema.h"
#include "src/crm/subject.h"
#include "src/http/app.h"
#include "src/http/filters/access_log.h"
#include "src/http/filters/audit.h"
#include "src/http/filters/authn.h"
#include "src/http/filters/authz.h"
#include "src/http/filters/limits.h"
#include "src/http/filters/metrics.h"
#include "src/http/filters/request_id.h"
#include "src/http/routes.h"
#include "src/http/server.h"
#include "src/llm/answer_cache.h"
#include "src/llm/ask.h"
#include "src/llm/budget.h"
#include "src/llm/extractive.h"
#include "src/llm/injection.h"
#include "src/llm/openai_chat.h"
#include "src/llm/output_guard.h"
#include "src/llm/redis_answers.h"
#include "src/llm/router.h"
#include "src/llm/templates.h"
#include "src/privacy/contact_names.h"
#include "src/privacy/detector.h"
#include "src/privacy/encrypting_store.h"
#include "src/privacy/keys.h"
#include "src/privacy/redaction.h"
#include "src/privacy/subject_export.h"
#include "src/privacy/vault.h"
#include "src/retrieval/embedding_cache.h"
#include "src/retrieval/openai_embedder.h"
#include "src/retrieval/retrieval_service.h"
#include "src/signals/decisioning.h"
#include "src/signals/dispatcher.h"
#include "src/store/sqlite/sqlite_store.h"
#include "src/trust/api_keys.h"
#include "src/trust/approvals.h"
#include "src/trust/dev_issuer.h"
#include "src/trust/network.h"
#include "src/trust/policy_store.h"
#include "src/trust/token_verifier.h"

#include "src/cli/data_dir.h"

namespace crmi::cli {
namespace fs = std::filesystem;
namespace {

void PrintError(const std::string& what) { std::fprintf(stderr, "crmi: %s\n", what.c_str()); }

// A background service's event as a system record of the audit trail (no request behind it);
// a record that cannot be written is logged, the service carries on.
void AuditSystemEvent(audit::AuditLog* trail, std::string_view id_prefix, std::string_view tenant,
                      std::string_view actor, std::string_view action, std::string_view resource,
                      const std::string& detail) {
  trail->Append(audit::AuditEntry{audit::SystemRecordMembers(
                    std::string(id_prefix) + NewUlid(Clock::Real()->NowUnixMillis()), tenant, actor,
                    action, resource, detail)},
                [actor = std::string(actor)](const Status& st) {
                  if (!st.ok()) {
                    log::Error("audit record of a background service failed",
                               log::Fields().Add("actor", actor).Add("error", st.ToString()));
                  }
                });
}

// Exclusive lock on <data_dir>/LOCK for the lifetime of a server, so two servers never share a
// data directory. (One-shot commands such as import may run beside a server: SQLite serialises
// their writes.)
class DataDirLock {
 public:
  Status Acquire(const std::string& data_dir) {
    const std::string path = data_dir + "/LOCK";
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return Unavailable("cannot open " + path + ": " + std::strerror(errno));
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char buf[32] = {0};
      const ssize_t n = pread(fd_, buf, sizeof(buf) - 1, 0);
      std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
      return Unavailable("data dir " + data_dir + " is in use by another crmi server (pid " + pid +
                         ")");
    }
    const std::string pid = std::to_string(getpid());
    if (ftruncate(fd_, 0) == 0) (void)!pwrite(fd_, pid.data(), pid.size(), 0);
    return Status::Ok();
  }
  ~DataDirLock() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  int fd_ = -1;
};

void RegisterBuildInfo(metrics::Registry* registry) {
  prometheus::BuildGauge()
      .Name("crmi_build_info")
      .Help("Build facts; the value is always 1")
      .Register(registry->prom())
      .Add({{"version", build::kVersion},
            {"commit", build::kCommit},
            {"build_type", build::kBuildType},
            {"compiler", build::kCompiler},
            {"sqlite", sqlite3_libversion()}})
      .Set(1);
}

}  // namespace

int RunServe(const ServeConfig& config) {
  Status valid = ValidateServeConfig(config);
  if (!valid.ok()) {
    PrintError(valid.message());
    return 2;
  }
  log::Options lo;
  lo.level = log::ParseLevel(config.log_level).value();
  lo.app_sink = config.app_log;
  lo.access_sink = config.access_log;
  Status s = log::Init(lo);
  if (!s.ok()) {
    PrintError(s.message());
    return 1;
  }
  auto fail = [](const Status& st) {
    log::Error("startup failed", log::Fields().Add("error", st.ToString()));
    log::Shutdown();
    PrintError(st.ToString());
    return 1;
  };

  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  if (ec)
    return fail(Unavailable("cannot create data dir " + config.data_dir + ": " + ec.message()));
  DataDirLock lock;
  s = lock.Acquire(config.data_dir);
  if (!s.ok()) return fail(s);

  metrics::Registry registry;
  RegisterBuildInfo(&registry);
  auto store = OpenStore(config.data_dir, config.synchronous, &registry);
  if (!store.ok()) return fail(store.status());

  // Audit trail first: nothing may be served that could not be recorded.
  audit::AuditOptions ao;
  ao.dir = config.data_dir + "/audit";
  ao.key_path = config.data_dir + "/keys/audit.ed25519.pem";
  ao.checkpoint_every = config.audit_checkpoint_every;
  ao.checkpoint_seconds = config.audit_checkpoint_seconds;
  ao.registry = &registry;
  auto audit_log = audit::AuditLog::Open(ao, Clock::Real());
  if (!audit_log.ok()) return fail(audit_log.status().WithContext("audit trail"));

  trust::PolicyStore policies(
      config.policy_file.empty() ? config.data_dir + "/policy.yaml" : config.policy_file,
      Clock::Real());
  s = policies.Load();
  if (!s.ok()) return fail(s);
  if (config.policy_watch) policies.StartWatching();

  trust::TokenVerifier verifier(Clock::Real());
  verifier.options().skew_seconds = config.skew_seconds;
  if (config.dev_issuer) {
    auto dev = trust::DevIssuer::Load(config.data_dir);
    if (!dev.ok()) return fail(dev.status().WithContext("development issuer"));
    s = verifier.AddIssuer(dev->Config(), dev->Keys());
    if (!s.ok()) return fail(s);
    log::Warn(
        "development token issuer enabled: anyone who can read the data dir can mint "
        "tokens; disable it in production ([auth] dev_issuer = false or --no-dev-issuer)",
        log::Fields().Add("key", trust::DevIssuerKeyPath(config.data_dir)));
  }
  for (const auto& e : config.issuers) {
    trust::IssuerConfig ic;
    ic.issuer = e.issuer;
    ic.audiences = e.audiences;
    ic.jwks_file = e.jwks_file;
    ic.jwks_url = e.jwks_url;
    ic.tenant = e.tenant;
    ic.tenant_claim = e.tenant_claim;
    ic.roles_claim = e.roles_claim;
    ic.attrs_claim = e.attrs_claim;
    ic.allow_hs256 = e.allow_hs256;
    ic.refresh_seconds = e.refresh_seconds;
    s = verifier.AddIssuer(std::move(ic));
    if (!s.ok()) return fail(s);
  }
  s = verifier.Start();
  if (!s.ok()) return fail(s.WithContext("token issuers"));
  trust::ApiKeyStore api_keys(store->get(), Clock::Real());

  http::AuthnConfig authn;
  authn.tokens = (config.dev_issuer || !config.issuers.empty()) ? &verifier : nullptr;
  authn.api_keys = config.api_keys ? &api_keys : nullptr;
  for (const auto& p : config.trusted_proxies) {
    authn.trusted_proxies.push_back(trust::Cidr::Parse(p).value());
  }
  if (config.zones.empty()) {
    (void)authn.zones.Add("local", "127.0.0.0/8");
    (void)authn.zones.Add("local", "::1");
  }
  for (const auto& [zone, cidr] : config.zones) (void)authn.zones.Add(zone, cidr);
  for (const auto& c : config.client_certs) {
    trust::Principal p;
    p.subject = c.sub;
    p.tenant = c.tenant;
    p.roles = c.roles;
    p.issuer = "client-certificate";
    p.credential_id = c.subject;
    authn.cert_principals[c.subject] = p;
  }
  if (authn.tokens == nullptr && authn.api_keys == nullptr && authn.cert_principals.empty()) {
    log::Warn(
        "no credential can be verified (no issuers, API keys off, no client certificates): "
        "every request except the health probes will be refused");
  }

  auto detector = privacy::Detector::Create();
  if (!detector.ok()) return fail(detector.status());
  privacy::ContactNames contact_names(store->get());
  s = contact_names.Start();  // the tenants' names load in the background
  if (!s.ok()) return fail(s);
  crm::RecordService records(store->get(), &crm::Schema::Default(), Clock::Real());
  retrieval::RetrievalOptions ro;
  ro.dir = (std::filesystem::path(config.data_dir) / "retrieval").string();
  ro.min_training_words = static_cast<size_t>(config.retrieval_min_training_words);
  ro.builtin.dim = static_cast<int>(config.retrieval_dim);
  ro.builtin.epochs = static_cast<int>(config.retrieval_epochs);
  ro.chunking.max_words = static_cast<size_t>(config.retrieval_chunk_words);
  ro.chunking.overlap_words = static_cast<size_t>(config.retrieval_chunk_overlap);
  ro.queue_capacity = static_cast<size_t>(config.retrieval_queue_capacity);
  ro.search_cache_entries = static_cast<size_t>(config.retrieval_cache_entries);
  ro.snapshot_interval = std::chrono::seconds(config.retrieval_snapshot_interval_s);
  ro.embedder_region = config.openai_region;
  if (config.retrieval_embedder == "openai") {
    retrieval::OpenAiEmbedderOptions oo;
    oo.base_url = config.openai_base_url;
    oo.model = config.openai_model;
    oo.version = config.openai_version;
    oo.dim = static_cast<size_t>(config.openai_dim);
    oo.batch = static_cast<size_t>(config.openai_batch);
    oo.timeout_ms = static_cast<int>(config.openai_timeout_ms);
    if (const char* key = std::getenv(config.openai_api_key_env.c_str())) oo.api_key = key;
    auto remote = retrieval::OpenAiEmbedder::Create(std::move(oo));
    if (!remote.ok()) return fail(remote.status().WithContext("embeddings service"));
    ro.shared_embedder = std::make_shared<retrieval::CachedEmbedder>(
        std::shared_ptr<retrieval::Embedder>(std::move(*remote)),
        static_cast<size_t>(config.embedding_cache_entries));
    if (config.openai_redact) {
      ro.before_embedding =
          privacy::EmbeddingRedactor(detector.value().get(), &contact_names, &registry);
    }
    log::Info("embeddings from an OpenAI-compatible service",
              log::Fields()
                  .Add("model", ro.shared_embedder->info().Key())
                  .Add("url", config.openai_base_url));
  }
  retrieval::RetrievalService retrieval(store->get(), &crm::Schema::Default(), ro, &registry);
  s = retrieval.Start();  // indexes are built in the background; search answers 503 until then
  if (!s.ok()) return fail(s);
  // Retention: expired records deleted in the background, each batch in the audit trail.
  std::vector<crm::RetentionRule> retention_rules;
  for (const auto& [collection, seconds] : config.retention_max_age_s) {
    retention_rules.push_back({collection, seconds});
  }
  s = crm::ValidateRetention(retention_rules);
  if (!s.ok()) return fail(s);
  audit::AuditLog* trail = audit_log.value().get();
  crm::RetentionService retention(
      &records, store->get(), retention_rules, std::chrono::seconds(config.retention_interval_s),
      Clock::Real(), &registry, [trail](const crm::PurgeBatch& b) {
        const std::string detail =
            JsonObject().Add("purged", b.deleted).Add("created_before", b.cutoff).Finish();
        AuditSystemEvent(trail, "retention-", b.tenant, "crmi:retention", "delete", b.collection,
                         detail);
        log::Info("retention purge", log::Fields()
                                         .Add("tenant", b.tenant)
                                         .Add("collection", b.collection)
                                         .Add("deleted", b.deleted));
      });
  // Models: the built-in extractive answerer, configured remote backends, aliases.
  llm::ModelRouter models(Clock::Real(), &registry);
  s = models.AddBackend(std::make_shared<llm::ExtractiveBackend>());
  for (const auto& b : config.llm_backends) {
    if (!s.ok()) break;
    llm::OpenAiChatOptions oo;
    oo.name = b.name;
    oo.base_url = b.base_url;
    oo.model = b.model;
    oo.region = b.region;
    oo.timeout_ms = static_cast<int>(b.timeout_ms);
    oo.max_retries = static_cast<int>(b.max_retries);
    oo.stream = b.stream;
    if (!b.api_key_env.empty()) {
      if (const char* key = std::getenv(b.api_key_env.c_str())) oo.api_key = key;
    }
    auto backend = llm::OpenAiChatBackend::Create(std::move(oo));
    s = backend.ok() ? models.AddBackend(std::move(backend).value()) : backend.status();
  }
  bool default_defined = false;
  for (const auto& [alias, chain] : config.llm_models) {
    if (!s.ok()) break;
    s = models.AddAlias(alias, chain);
    default_defined = default_defined || alias == config.llm_default_model;
  }
  if (s.ok() && !default_defined) s = models.AddAlias(config.llm_default_model, {"extractive"});
  // "crmi-rag", the grounded alias SDK users name, is the extractive model unless configured.
  if (s.ok() && !models.HasAlias("crmi-rag")) s = models.AddAlias("crmi-rag", {"extractive"});
  if (!s.ok()) return fail(s.WithContext("[llm]"));
  // Content safety: the compiled-in injection model, at its own threshold unless configured.
  llm::InjectionModel injection_model = llm::InjectionModel::Builtin();
  if (config.llm_injection_threshold > 0) {
    injection_model.threshold = static_cast<float>(config.llm_injection_threshold);
  }
  llm::InjectionDetector injection(&injection_model);
  llm::BudgetLimits llm_limits;
  llm_limits.principal_requests_per_minute = config.llm_principal_requests_per_minute;
  llm_limits.principal_tokens_per_minute = config.llm_principal_tokens_per_minute;
  llm_limits.tenant_tokens_per_minute = config.llm_tenant_tokens_per_minute;
  llm_limits.model_tokens_per_minute = config.llm_model_tokens_per_minute;
  llm_limits.tenant_tokens_per_month = config.llm_tenant_tokens_per_month;
  llm_limits.completion_tokens = config.llm_completion_tokens;
  std::filesystem::create_directories(std::filesystem::path(config.data_dir) / "llm", ec);
  llm::TokenBudget budget(
      llm_limits, Clock::Real(),
      (std::filesystem::path(config.data_dir) / "llm" / "token_usage.txt").string());
  s = budget.Load();
  if (!s.ok()) return fail(s);
  // The answer cache's shared layer (Redis), values sealed under the master keys.
  std::unique_ptr<llm::RedisAnswers> shared_answers;
  if (!config.llm_cache_redis.empty()) {
    auto redis_options = ParseRedisUrl(config.llm_cache_redis);
    if (!redis_options.ok()) return fail(redis_options.status().WithContext("llm cache_redis"));
    auto cache_keys = privacy::LocalKeyProvider::FromEnvOrFile(
        (fs::path(config.data_dir) / "keys" / "master.key").string());
    if (!cache_keys.ok()) return fail(cache_keys.status());
    std::shared_ptr<privacy::KeyProvider> sealing = std::move(cache_keys).value();
    llm::RedisAnswersOptions rao;
    rao.prefix = config.llm_cache_redis_prefix;
    rao.seal = [sealing](std::string_view plain, std::string_view context) {
      return sealing->Wrap(plain, context, nullptr);
    };
    rao.open = [sealing](std::string_view sealed, std::string_view context) {
      return sealing->Unwrap(sealed, context);
    };
    shared_answers = std::make_unique<llm::RedisAnswers>(
        std::make_shared<RedisClient>(*redis_options), std::move(rao), &registry);
    // What changed while this process was not watching is unknown: every tenant starts at a
    // new generation, so no answer computed before this start is served.
    std::vector<std::string> tenants;
    if (store.value()->ListTenants(&tenants).ok()) {
      for (const auto& t : tenants) shared_answers->Advance(t);
    }
  }
  llm::AnswerCache answer_cache(static_cast<size_t>(config.llm_cache_entries),
                                std::chrono::seconds(config.llm_cache_ttl_s), Clock::Real(),
                                store->get(), shared_answers.get());
  llm::AskOptions ask_options;
  ask_options.budget = &budget;
  if (config.llm_cache_entries > 0) ask_options.cache = &answer_cache;
  ask_options.semantic_threshold = config.llm_cache_semantic_threshold;
  {
    std::vector<llm::PolicyTopic> topics;
    for (const auto& [name, phrases] : config.llm_topics) topics.push_back({name, phrases});
    auto compiled = llm::TopicSet::Compile(topics);
    if (!compiled.ok()) return fail(compiled.status().WithContext("[[llm.topics]]"));
    if (!topics.empty()) ask_options.topics = std::move(compiled).value();
  }
  ask_options.embed = [&retrieval](
                          const std::string& tenant, const std::string& text,
                          const std::vector<std::string>& regions) -> Result<std::vector<float>> {
    std::vector<float> v;
    std::string model;
    size_t dim = 0;
    RETURN_IF_ERROR(retrieval.EmbedForTenant(tenant, {text}, regions, &v, &model, &dim));
    return v;
  };
  if (config.llm_injection_scan) ask_options.injection = &injection;
  ask_options.question_action = *llm::ParseSafetyAction(config.llm_question_action);
  ask_options.passage_action = *llm::ParseSafetyAction(config.llm_passage_action);
  ask_options.k = static_cast<size_t>(config.llm_k);
  ask_options.max_context_tokens = config.llm_max_context_tokens;
  ask_options.default_model = config.llm_default_model;
  llm::AskService ask(&retrieval, detector.value().get(), &contact_names, &models, ask_options,
                      &registry);

  // Prompt templates, and answers held for a person's approval (payloads sealed under the
  // master keys; a deleted record — GDPR erasure included — takes the approvals citing it).
  auto templates = llm::TemplateRegistry::Open(
      (std::filesystem::path(config.data_dir) / "llm" / "templates.json").string());
  if (!templates.ok()) return fail(templates.status().WithContext("templates"));
  auto approvals =
      OpenApprovals(config.data_dir, std::chrono::seconds(config.llm_approval_ttl_s), &registry);
  if (!approvals.ok()) return fail(approvals.status().WithContext("approvals"));
  trust::ApprovalQueue* approval_queue = approvals.value().get();
  const int approvals_listener = store.value()->AddChangeListener(
      [approval_queue](const std::vector<store::RecordChange>& cs) {
        for (const auto& c : cs) {
          if (c.kind == store::RecordChange::Kind::kDelete) {
            approval_queue->ForgetRecord(c.tenant, c.id);
          }
        }
      });

  // Decisioning: scores and recommendations on request; queued actions delivered to a webhook.
  signals::Decisioning decisioning(store->get(), Clock::Real());
  std::unique_ptr<signals::ActionDispatcher> dispatcher;
  if (!config.actions_webhook_url.empty()) {
    signals::DispatcherOptions dopt;
    dopt.webhook_url = config.actions_webhook_url;
    if (!config.actions_webhook_token_env.empty()) {
      const char* token = std::getenv(config.actions_webhook_token_env.c_str());
      if (token == nullptr || *token == '\0') {
        return fail(InvalidArgument("actions webhook_token_env names " +
                                    config.actions_webhook_token_env + ", which is not set"));
      }
      dopt.webhook_token = token;
    }
    dopt.interval = std::chrono::milliseconds(config.actions_interval_ms);
    dopt.max_attempts = static_cast<int>(config.actions_max_attempts);
    dopt.timeout_ms = static_cast<int>(config.actions_timeout_ms);
    dispatcher = std::make_unique<signals::ActionDispatcher>(
        &records, std::move(dopt), Clock::Real(), &registry,
        [trail](const signals::ActionEvent& e) {
          const std::string detail = JsonObject()
                                         .Add("action_id", e.action_id)
                                         .Add("contact_id", e.contact_id)
                                         .Add("purpose", e.purpose)
                                         .Add("result", e.result)
                                         .Add("outcome", e.detail)
                                         .Finish();
          AuditSystemEvent(trail, "dispatch-", e.tenant, "crmi:dispatcher",
                           e.result == "sent" ? "deliver" : e.result, "actions", detail);
        });
  }

  http::App app;
  app.decisioning = &decisioning;
  app.ask = &ask;
  app.templates = templates.value().get();
  app.approvals = approval_queue;
  app.ask_default_model = config.llm_default_model;
  app.grounded_models.insert(config.llm_grounded_models.begin(), config.llm_grounded_models.end());
  app.retrieval = &retrieval;
  app.detector = detector.value().get();
  app.contact_names = &contact_names;
  app.vault = store.value()->vault();
  app.store = store->get();
  app.records = &records;
  app.schema = &crm::Schema::Default();
  app.metrics = &registry;
  app.policies = &policies;
  app.api_keys = &api_keys;
  app.audit_dir = ao.dir;
  app.audit = audit_log.value().get();
  std::vector<http::Route> routes = http::BuildRoutes(&app);
  s = http::ValidateRoutes(routes);
  if (!s.ok()) return fail(s);
  http::Router router(std::move(routes));

  http::FilterChain chain;
  chain.Add(std::make_unique<http::RequestIdFilter>());
  chain.Add(std::make_unique<http::AccessLogFilter>(Clock::Real()));
  chain.Add(std::make_unique<http::MetricsFilter>(&registry, &router, Clock::Real()));
  chain.Add(std::make_unique<http::AuditFilter>(audit_log->get(), Clock::Real()));
  auto limits_owned = std::make_unique<http::LimitsFilter>(
      http::LimitsConfig{static_cast<uint64_t>(config.max_body_bytes)});
  const http::LimitsFilter* limits = limits_owned.get();
  chain.Add(std::move(limits_owned));
  chain.Add(std::make_unique<http::AuthnFilter>(std::move(authn)));
  chain.Add(std::make_unique<http::AuthzFilter>(&policies));

  http::ServerOptions so;
  s = http::ParseListenAddress(config.listen, &so.host, &so.port);
  if (!s.ok()) return fail(s);
  so.io_threads = config.io_threads;
  so.worker_threads = config.worker_threads;
  so.max_connections = static_cast<size_t>(config.max_connections);
  so.max_header_bytes = static_cast<size_t>(config.max_header_bytes);
  so.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  so.body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  so.write_timeout = std::chrono::milliseconds(config.write_timeout_ms);
  so.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  so.drain_timeout = std::chrono::milliseconds(config.drain_timeout_ms);
  if (!config.tls_listen.empty()) {
    s = http::ParseListenAddress(config.tls_listen, &so.tls.host, &so.tls.port);
    if (!s.ok()) return fail(s);
    so.tls.cert_file = config.tls_cert;
    so.tls.key_file = config.tls_key;
    so.tls.client_ca_file = config.tls_client_ca;
    so.tls.require_client_cert = config.tls_require_client_cert;
  }
  http::Server server(so, &router, &chain, limits, &registry, Clock::Real());
  s = server.Listen();
  if (!s.ok()) return fail(s);
  auto url_of = [](const char* scheme, const std::string& host, uint16_t port) {
    return std::string(scheme) + "://" +
           (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
  };
  const std::string url = url_of("http", so.host, server.port());
  if (server.tls_port() != 0) {
    log::Info("listening (tls)",
              log::Fields()
                  .Add("url", url_of("https", so.tls.host, server.tls_port()))
                  .Add("client_certificates", so.tls.client_ca_file.empty() ? "off"
                                              : so.tls.require_client_cert  ? "required"
                                                                            : "optional"));
  }
  log::Info("listening", log::Fields()
                             .Add("url", url)
                             .Add("data_dir", config.data_dir)
                             .Add("version", build::kVersion)
                             .Add("schema_version", store.value()->Info().schema_version));
  retention.Start();
  if (dispatcher) dispatcher->Start();
  s = server.Run(/*handle_signals=*/true, [&app] { app.draining = true; });
  if (dispatcher) dispatcher->Stop();
  retention.Stop();
  policies.Stop();
  verifier.Stop();
  retrieval.Stop();  // derived state: rebuilt from the store at the next start
  contact_names.Stop();
  store.value()->RemoveChangeListener(approvals_listener);
  Status closed = store.value()->Close();
  if (!closed.ok()) {
    log::Error("store close failed", log::Fields().Add("error", closed.ToString()));
  }
  Status audit_closed = audit_log.value()->Close();  // ends with a signed checkpoint
  if (!audit_closed.ok()) {
    log::Error("audit trail close failed", log::Fields().Add("error", audit_closed.ToString()));
    closed = audit_closed;
  }
  log::Info("stopped");
  log::Shutdown();
  return s.ok() && closed.ok() ? 0 : 1;
}

}  // namespace crmi::cli
