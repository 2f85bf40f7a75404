// crmi.toml loading (the only TU that includes toml++).
#include <toml++/toml.h>

#include <functional>
#include <set>

#include "src/cli/commands.h"
#include "src/common/ids.h"
#include "src/common/log.h"
#include "src/common/redis.h"
#include "src/http/server.h"
#include "src/trust/network.h"

namespace crmi::cli {
namespace {

std::string Where(const toml::node& n, const std::string& key) {
  return "'" + key + "' (line " + std::to_string(n.source().begin.line) + ")";
}

class Reader {
 public:
  explicit Reader(const toml::table& root) : root_(root) {}

  Status Str(const toml::table& t, const std::string& prefix, const char* key, std::string* out) {
    seen(prefix, key);
    const toml::node* n = t.get(key);
    if (n == nullptr) return Status::Ok();
    auto v = n->value<std::string>();
    if (!v) return InvalidArgument("config: " + Where(*n, prefix + key) + " must be a string");
    *out = *v;
    return Status::Ok();
  }

  template <typename T>
  Status Int(const toml::table& t, const std::string& prefix, const char* key, T* out) {
    seen(prefix, key);
    const toml::node* n = t.get(key);
    if (n == nullptr) return Status::Ok();
    auto v = n->value<int64_t>();
    if (!n->is_integer() || !v) {
      return InvalidArgument("config: " + Where(*n, prefix + key) + " must be an integer");
    }
    *out = static_cast<T>(*v);
    return Status::Ok();
  }

  Status Bool(const toml::table& t, const std::string& prefix, const char* key, bool* out) {
    seen(prefix, key);
    const toml::node* n = t.get(key);
    if (n == nullptr) return Status::Ok();
    auto v = n->value<bool>();
    if (!n->is_boolean() || !v) {
      return InvalidArgument("config: " + Where(*n, prefix + key) + " must be true or false");
    }
    *out = *v;
    return Status::Ok();
  }

  Status StrList(const toml::table& t, const std::string& prefix, const char* key,
                 std::vector<std::string>* out) {
    seen(prefix, key);
    const toml::node* n = t.get(key);
    if (n == nullptr) return Status::Ok();
    return ReadStrList(*n, prefix + key, out);
  }

  static Status ReadStrList(const toml::node& n, const std::string& key,
                            std::vector<std::string>* out) {
    const toml::array* a = n.as_array();
    if (a == nullptr) return InvalidArgument("config: " + Where(n, key) + " must be an array");
    out->clear();
    for (const auto& e : *a) {
      auto v = e.value<std::string>();
      if (!e.is_string() || !v) {
        return InvalidArgument("config: " + Where(e, key) + " must hold strings");
      }
      out->push_back(*v);
    }
    return Status::Ok();
  }

  void Known(const std::string& full_key) { known_.insert(full_key); }

  // Every key of the file must have been read by the schema above.
  Status CheckUnknown() const {
    for (const auto& [k, v] : root_) {
      const std::string key(k.str());
      if (v.is_table()) {
        if (!known_tables_.count(key)) {
          return InvalidArgument("config: unknown section " + Where(v, "[" + key + "]"));
        }
        for (const auto& [k2, v2] : *v.as_table()) {
          const std::string full = key + "." + std::string(k2.str());
          if (v2.is_table() && known_tables_.count(full)) {  // a declared sub-section
            for (const auto& [k3, v3] : *v2.as_table()) {
              const std::string full3 = full + "." + std::string(k3.str());
              if (!known_.count(full3)) {
                return InvalidArgument("config: unknown key " + Where(v3, full3));
              }
            }
            continue;
          }
          if (!known_.count(full)) return InvalidArgument("config: unknown key " + Where(v2, full));
        }
      } else if (!known_.count(key)) {
        return InvalidArgument("config: unknown key " + Where(v, key));
      }
    }
    return Status::Ok();
  }

  void Table(const std::string& name) { known_tables_.insert(name); }

 private:
  void seen(const std::string& prefix, const char* key) { known_.insert(prefix + key); }
  const toml::table& root_;
  std::set<std::string> known_;
  std::set<std::string> known_tables_;
};

}  // namespace

Status LoadConfigFile(const std::string& path, ServeConfig* c) {
  // Debian's toml++ is built with exceptions: contain them here, at start-up, off the request path.
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& err) {
    return InvalidArgument("config " + path + " line " + std::to_string(err.source().begin.line) +
                           ": " + std::string(err.description()));
  }
  Reader r(root);
  RETURN_IF_ERROR(r.Str(root, "", "listen", &c->listen));
  RETURN_IF_ERROR(r.Str(root, "", "data_dir", &c->data_dir));
  const toml::table empty;
  r.Table("server");
  const toml::table* server = root.get_as<toml::table>("server");
  const toml::table& s = server ? *server : empty;
  RETURN_IF_ERROR(r.Int(s, "server.", "io_threads", &c->io_threads));
  RETURN_IF_ERROR(r.Int(s, "server.", "worker_threads", &c->worker_threads));
  RETURN_IF_ERROR(r.Int(s, "server.", "max_connections", &c->max_connections));
  RETURN_IF_ERROR(r.Int(s, "server.", "max_header_bytes", &c->max_header_bytes));
  RETURN_IF_ERROR(r.Int(s, "server.", "max_body_bytes", &c->max_body_bytes));
  RETURN_IF_ERROR(r.Int(s, "server.", "header_timeout_ms", &c->header_timeout_ms));
  RETURN_IF_ERROR(r.Int(s, "server.", "body_timeout_ms", &c->body_timeout_ms));
  RETURN_IF_ERROR(r.Int(s, "server.", "write_timeout_ms", &c->write_timeout_ms));
  RETURN_IF_ERROR(r.Int(s, "server.", "idle_timeout_ms", &c->idle_timeout_ms));
  RETURN_IF_ERROR(r.Int(s, "server.", "drain_timeout_ms", &c->drain_timeout_ms));
  r.Table("store");
  const toml::table* store = root.get_as<toml::table>("store");
  RETURN_IF_ERROR(r.Str(store ? *store : empty, "store.", "synchronous", &c->synchronous));
  r.Table("log");
  const toml::table* logt = root.get_as<toml::table>("log");
  const toml::table& l = logt ? *logt : empty;
  RETURN_IF_ERROR(r.Str(l, "log.", "level", &c->log_level));
  RETURN_IF_ERROR(r.Str(l, "log.", "app", &c->app_log));
  RETURN_IF_ERROR(r.Str(l, "log.", "access", &c->access_log));

  r.Table("auth");
  const toml::table* autht = root.get_as<toml::table>("auth");
  const toml::table& a = autht ? *autht : empty;
  RETURN_IF_ERROR(r.Bool(a, "auth.", "dev_issuer", &c->dev_issuer));
  RETURN_IF_ERROR(r.Bool(a, "auth.", "api_keys", &c->api_keys));
  RETURN_IF_ERROR(r.Int(a, "auth.", "skew_seconds", &c->skew_seconds));
  RETURN_IF_ERROR(r.StrList(a, "auth.", "trusted_proxies", &c->trusted_proxies));
  r.Known("auth.zones");
  if (const toml::node* z = a.get("zones")) {
    const toml::table* zt = z->as_table();
    if (zt == nullptr) {
      return InvalidArgument("config: " + Where(*z, "auth.zones") +
                             " must be a table: zone = [\"CIDR\", ...]");
    }
    for (const auto& [name, list] : *zt) {
      std::vector<std::string> cidrs;
      RETURN_IF_ERROR(Reader::ReadStrList(list, "auth.zones." + std::string(name.str()), &cidrs));
      for (auto& cidr : cidrs) c->zones.emplace_back(std::string(name.str()), cidr);
    }
  }
  // Arrays of tables: every member checked here, since CheckUnknown sees one level only.
  auto each_table =
      [&](const char* key,
          const std::function<Status(const toml::table&, const std::string&)>& fn) -> Status {
    r.Known(std::string("auth.") + key);
    const toml::node* n = a.get(key);
    if (n == nullptr) return Status::Ok();
    const toml::array* arr = n->as_array();
    if (arr == nullptr) {
      return InvalidArgument("config: " + Where(*n, std::string("auth.") + key) +
                             " must be an array of tables ([[auth." + key + "]])");
    }
    int i = 0;
    for (const auto& e : *arr) {
      const toml::table* t = e.as_table();
      const std::string prefix = "auth." + std::string(key) + "[" + std::to_string(i++) + "].";
      if (t == nullptr) return InvalidArgument("config: " + Where(e, prefix) + " must be a table");
      RETURN_IF_ERROR(fn(*t, prefix));
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(each_table("issuers", [&](const toml::table& t, const std::string& p) {
    IssuerEntry e;
    Reader sub(t);
    RETURN_IF_ERROR(sub.Str(t, "", "issuer", &e.issuer));
    RETURN_IF_ERROR(sub.StrList(t, "", "audiences", &e.audiences));
    RETURN_IF_ERROR(sub.Str(t, "", "jwks_file", &e.jwks_file));
    RETURN_IF_ERROR(sub.Str(t, "", "jwks_url", &e.jwks_url));
    RETURN_IF_ERROR(sub.Str(t, "", "tenant", &e.tenant));
    RETURN_IF_ERROR(sub.Str(t, "", "tenant_claim", &e.tenant_claim));
    RETURN_IF_ERROR(sub.Str(t, "", "roles_claim", &e.roles_claim));
    RETURN_IF_ERROR(sub.Str(t, "", "attrs_claim", &e.attrs_claim));
    RETURN_IF_ERROR(sub.Bool(t, "", "allow_hs256", &e.allow_hs256));
    RETURN_IF_ERROR(sub.Int(t, "", "refresh_seconds", &e.refresh_seconds));
    Status unknown = sub.CheckUnknown();
    if (!unknown.ok()) return InvalidArgument(unknown.message() + " in " + p);
    if (e.issuer.empty()) return InvalidArgument("config: " + p + "issuer is required");
    if (e.audiences.empty()) return InvalidArgument("config: " + p + "audiences is required");
    if (e.jwks_file.empty() == e.jwks_url.empty()) {
      return InvalidArgument("config: " + p + " needs exactly one of jwks_file and jwks_url");
    }
    c->issuers.push_back(std::move(e));
    return Status::Ok();
  }));
  RETURN_IF_ERROR(each_table("client_certs", [&](const toml::table& t, const std::string& p) {
    ClientCertEntry e;
    Reader sub(t);
    RETURN_IF_ERROR(sub.Str(t, "", "subject", &e.subject));
    RETURN_IF_ERROR(sub.Str(t, "", "sub", &e.sub));
    RETURN_IF_ERROR(sub.Str(t, "", "tenant", &e.tenant));
    RETURN_IF_ERROR(sub.StrList(t, "", "roles", &e.roles));
    Status unknown = sub.CheckUnknown();
    if (!unknown.ok()) return InvalidArgument(unknown.message() + " in " + p);
    if (e.subject.empty() || e.sub.empty() || !IsValidTenant(e.tenant) || e.roles.empty()) {
      return InvalidArgument("config: " + p + " needs subject, sub, a valid tenant and roles");
    }
    c->client_certs.push_back(std::move(e));
    return Status::Ok();
  }));

  r.Table("policy");
  const toml::table* policyt = root.get_as<toml::table>("policy");
  const toml::table& pt = policyt ? *policyt : empty;
  RETURN_IF_ERROR(r.Str(pt, "policy.", "file", &c->policy_file));
  RETURN_IF_ERROR(r.Bool(pt, "policy.", "watch", &c->policy_watch));

  r.Table("audit");
  const toml::table* auditt = root.get_as<toml::table>("audit");
  const toml::table& at = auditt ? *auditt : empty;
  RETURN_IF_ERROR(r.Int(at, "audit.", "checkpoint_every", &c->audit_checkpoint_every));
  RETURN_IF_ERROR(r.Int(at, "audit.", "checkpoint_seconds", &c->audit_checkpoint_seconds));

  r.Table("retrieval");
  const toml::table* rett = root.get_as<toml::table>("retrieval");
  const toml::table& rt = rett ? *rett : empty;
  RETURN_IF_ERROR(r.Int(rt, "retrieval.", "min_training_words", &c->retrieval_min_training_words));
  RETURN_IF_ERROR(r.Int(rt, "retrieval.", "embedding_dim", &c->retrieval_dim));
  RETURN_IF_ERROR(r.Int(rt, "retrieval.", "training_epochs", &c->retrieval_epochs));
  RETURN_IF_ERROR(r.Int(rt, "retrieval.", "chunk_words", &c->retrieval_chunk_words));
  RETURN_IF_ERROR(r.Int(rt, "retrieval.", "chunk_overlap", &c->retrieval_chunk_overlap));
  RETURN_IF_ERROR(r.Int(rt, "retrieval.", "queue_capacity", &c->retrieval_queue_capacity));
  RETURN_IF_ERROR(r.Int(rt, "retrieval.", "search_cache_entries", &c->retrieval_cache_entries));
  RETURN_IF_ERROR(
      r.Int(rt, "retrieval.", "snapshot_interval_s", &c->retrieval_snapshot_interval_s));
  RETURN_IF_ERROR(r.Str(rt, "retrieval.", "embedder", &c->retrieval_embedder));
  RETURN_IF_ERROR(r.Int(rt, "retrieval.", "cache_entries", &c->embedding_cache_entries));
  r.Table("retrieval.openai");
  const toml::table* oait = rt.get_as<toml::table>("openai");
  const toml::table& ot = oait ? *oait : empty;
  RETURN_IF_ERROR(r.Str(ot, "retrieval.openai.", "base_url", &c->openai_base_url));
  RETURN_IF_ERROR(r.Str(ot, "retrieval.openai.", "model", &c->openai_model));
  RETURN_IF_ERROR(r.Str(ot, "retrieval.openai.", "region", &c->openai_region));
  RETURN_IF_ERROR(r.Bool(ot, "retrieval.openai.", "redact", &c->openai_redact));
  RETURN_IF_ERROR(r.Str(ot, "retrieval.openai.", "api_key_env", &c->openai_api_key_env));
  RETURN_IF_ERROR(r.Str(ot, "retrieval.openai.", "version", &c->openai_version));
  RETURN_IF_ERROR(r.Int(ot, "retrieval.openai.", "dim", &c->openai_dim));
  RETURN_IF_ERROR(r.Int(ot, "retrieval.openai.", "batch", &c->openai_batch));
  RETURN_IF_ERROR(r.Int(ot, "retrieval.openai.", "timeout_ms", &c->openai_timeout_ms));

  r.Table("retention");
  r.Table("retention.max_age");
  const toml::table* retn = root.get_as<toml::table>("retention");
  const toml::table& rn = retn ? *retn : empty;
  RETURN_IF_ERROR(r.Int(rn, "retention.", "interval_s", &c->retention_interval_s));
  if (const toml::table* ages = rn.get_as<toml::table>("max_age")) {
    // collection = "730d" (units s, m, h, d)
    for (const auto& [k, v] : *ages) {
      const std::string key = "retention.max_age." + std::string(k.str());
      r.Known(key);
      auto text = v.value<std::string>();
      int64_t seconds = 0;
      if (text && text->size() >= 2) {
        const char unit = text->back();
        const int64_t mult = unit == 's'   ? 1
                             : unit == 'm' ? 60
                             : unit == 'h' ? 3600
                             : unit == 'd' ? 86400
                                           : 0;
        const std::string digits = text->substr(0, text->size() - 1);
        if (mult != 0 && digits.size() <= 9 &&
            digits.find_first_not_of("0123456789") == std::string::npos) {
          seconds = std::stoll(digits) * mult;
        }
      }
      if (seconds <= 0) {
        return InvalidArgument("config: " + Where(v, key) +
                               " must be a positive duration such as \"730d\", \"12h\" or \"90s\"");
      }
      c->retention_max_age_s.emplace_back(std::string(k.str()), seconds);
    }
  }

  r.Table("actions");
  const toml::table* actt = root.get_as<toml::table>("actions");
  const toml::table& act = actt ? *actt : empty;
  RETURN_IF_ERROR(r.Str(act, "actions.", "webhook_url", &c->actions_webhook_url));
  RETURN_IF_ERROR(r.Str(act, "actions.", "webhook_token_env", &c->actions_webhook_token_env));
  RETURN_IF_ERROR(r.Int(act, "actions.", "interval_ms", &c->actions_interval_ms));
  RETURN_IF_ERROR(r.Int(act, "actions.", "max_attempts", &c->actions_max_attempts));
  RETURN_IF_ERROR(r.Int(act, "actions.", "timeout_ms", &c->actions_timeout_ms));

  r.Table("llm");
  const toml::table* llmt = root.get_as<toml::table>("llm");
  const toml::table& lt = llmt ? *llmt : empty;
  RETURN_IF_ERROR(r.Str(lt, "llm.", "default_model", &c->llm_default_model));
  RETURN_IF_ERROR(r.Int(lt, "llm.", "k", &c->llm_k));
  RETURN_IF_ERROR(r.Int(lt, "llm.", "max_context_tokens", &c->llm_max_context_tokens));
  RETURN_IF_ERROR(r.StrList(lt, "llm.", "grounded_models", &c->llm_grounded_models));
  RETURN_IF_ERROR(r.Int(lt, "llm.", "cache_entries", &c->llm_cache_entries));
  RETURN_IF_ERROR(r.Int(lt, "llm.", "cache_ttl_s", &c->llm_cache_ttl_s));
  RETURN_IF_ERROR(r.Int(lt, "llm.", "approval_ttl_s", &c->llm_approval_ttl_s));
  RETURN_IF_ERROR(r.Str(lt, "llm.", "cache_redis", &c->llm_cache_redis));
  RETURN_IF_ERROR(r.Str(lt, "llm.", "cache_redis_prefix", &c->llm_cache_redis_prefix));
  r.Known("llm.cache_semantic_threshold");
  if (const toml::node* n = lt.get("cache_semantic_threshold")) {
    auto v = n->value<double>();
    if (!v || *v < 0 || *v > 1) {
      return InvalidArgument("config: " + Where(*n, "llm.cache_semantic_threshold") +
                             " must be a number from 0 (off) to 1");
    }
    c->llm_cache_semantic_threshold = *v;
  }
  r.Table("llm.limits");
  if (const toml::table* lim = lt.get_as<toml::table>("limits")) {
    const std::string p = "llm.limits.";
    RETURN_IF_ERROR(
        r.Int(*lim, p, "principal_requests_per_minute", &c->llm_principal_requests_per_minute));
    RETURN_IF_ERROR(
        r.Int(*lim, p, "principal_tokens_per_minute", &c->llm_principal_tokens_per_minute));
    RETURN_IF_ERROR(r.Int(*lim, p, "tenant_tokens_per_minute", &c->llm_tenant_tokens_per_minute));
    RETURN_IF_ERROR(r.Int(*lim, p, "model_tokens_per_minute", &c->llm_model_tokens_per_minute));
    RETURN_IF_ERROR(r.Int(*lim, p, "tenant_tokens_per_month", &c->llm_tenant_tokens_per_month));
    RETURN_IF_ERROR(r.Int(*lim, p, "completion_tokens", &c->llm_completion_tokens));
  }
  r.Table("llm.safety");
  if (const toml::table* st = lt.get_as<toml::table>("safety")) {
    RETURN_IF_ERROR(r.Bool(*st, "llm.safety.", "injection_scan", &c->llm_injection_scan));
    RETURN_IF_ERROR(r.Str(*st, "llm.safety.", "question", &c->llm_question_action));
    RETURN_IF_ERROR(r.Str(*st, "llm.safety.", "passages", &c->llm_passage_action));
    r.Known("llm.safety.injection_threshold");
    if (const toml::node* n = st->get("injection_threshold")) {
      auto v = n->value<double>();
      if (!v || *v <= 0 || *v >= 1) {
        return InvalidArgument("config: " + Where(*n, "llm.safety.injection_threshold") +
                               " must be a number between 0 and 1");
      }
      c->llm_injection_threshold = *v;
    }
  }
  r.Known("llm.backends");
  if (const toml::node* n = lt.get("backends")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr) {
      return InvalidArgument("config: " + Where(*n, "llm.backends") +
                             " must be an array of tables ([[llm.backends]])");
    }
    int i = 0;
    for (const auto& e : *arr) {
      const toml::table* t = e.as_table();
      const std::string p = "llm.backends[" + std::to_string(i++) + "].";
      if (t == nullptr) return InvalidArgument("config: " + Where(e, p) + " must be a table");
      LlmBackendEntry b;
      Reader sub(*t);
      RETURN_IF_ERROR(sub.Str(*t, "", "name", &b.name));
      RETURN_IF_ERROR(sub.Str(*t, "", "base_url", &b.base_url));
      RETURN_IF_ERROR(sub.Str(*t, "", "model", &b.model));
      RETURN_IF_ERROR(sub.Str(*t, "", "region", &b.region));
      RETURN_IF_ERROR(sub.Str(*t, "", "api_key_env", &b.api_key_env));
      RETURN_IF_ERROR(sub.Int(*t, "", "timeout_ms", &b.timeout_ms));
      RETURN_IF_ERROR(sub.Int(*t, "", "max_retries", &b.max_retries));
      RETURN_IF_ERROR(sub.Bool(*t, "", "stream", &b.stream));
      Status unknown = sub.CheckUnknown();
      if (!unknown.ok()) return InvalidArgument(unknown.message() + " in " + p);
      if (b.name.empty() || b.base_url.empty() || b.model.empty()) {
        return InvalidArgument("config: " + p + " needs name, base_url and model");
      }
      if (b.name == "extractive") {
        return InvalidArgument("config: " + p + " 'extractive' is the built-in backend's name");
      }
      if (b.timeout_ms < 1 || b.timeout_ms > 600'000 || b.max_retries < 0 || b.max_retries > 10) {
        return InvalidArgument("config: " + p + " timeout_ms must be 1..600000, max_retries 0..10");
      }
      c->llm_backends.push_back(std::move(b));
    }
  }
  r.Known("llm.topics");
  if (const toml::node* n = lt.get("topics")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr) {
      return InvalidArgument("config: " + Where(*n, "llm.topics") +
                             " must be an array of tables ([[llm.topics]])");
    }
    int i = 0;
    for (const auto& e : *arr) {
      const toml::table* t = e.as_table();
      const std::string p = "llm.topics[" + std::to_string(i++) + "].";
      if (t == nullptr) return InvalidArgument("config: " + Where(e, p) + " must be a table");
      std::pair<std::string, std::vector<std::string>> topic;
      Reader sub(*t);
      RETURN_IF_ERROR(sub.Str(*t, "", "name", &topic.first));
      RETURN_IF_ERROR(sub.StrList(*t, "", "phrases", &topic.second));
      Status unknown = sub.CheckUnknown();
      if (!unknown.ok()) return InvalidArgument(unknown.message() + " in " + p);
      if (topic.first.empty() || topic.second.empty()) {
        return InvalidArgument("config: " + p + " needs a name and phrases");
      }
      c->llm_topics.push_back(std::move(topic));
    }
  }
  r.Known("llm.models");
  if (const toml::node* n = lt.get("models")) {
    const toml::table* mt = n->as_table();
    if (mt == nullptr) {
      return InvalidArgument("config: " + Where(*n, "llm.models") +
                             " must be a table: alias = [\"backend\", ...]");
    }
    for (const auto& [alias, list] : *mt) {
      std::vector<std::string> chain;
      RETURN_IF_ERROR(Reader::ReadStrList(list, "llm.models." + std::string(alias.str()), &chain));
      c->llm_models.emplace_back(std::string(alias.str()), std::move(chain));
    }
  }

  r.Table("tls");
  const toml::table* tlst = root.get_as<toml::table>("tls");
  const toml::table& tt = tlst ? *tlst : empty;
  RETURN_IF_ERROR(r.Str(tt, "tls.", "listen", &c->tls_listen));
  RETURN_IF_ERROR(r.Str(tt, "tls.", "cert", &c->tls_cert));
  RETURN_IF_ERROR(r.Str(tt, "tls.", "key", &c->tls_key));
  RETURN_IF_ERROR(r.Str(tt, "tls.", "client_ca", &c->tls_client_ca));
  RETURN_IF_ERROR(r.Bool(tt, "tls.", "require_client_cert", &c->tls_require_client_cert));
  return r.CheckUnknown();
}

Status ValidateServeConfig(const ServeConfig& c) {
  std::string host;
  uint16_t port = 0;
  RETURN_IF_ERROR(http::ParseListenAddress(c.listen, &host, &port));
  if (c.data_dir.empty()) return InvalidArgument("data_dir must not be empty");
  auto in = [](int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; };
  if (!in(c.io_threads, 0, 256)) return InvalidArgument("io_threads must be 0..256 (0 = cores)");
  if (!in(c.worker_threads, 1, 1024)) return InvalidArgument("worker_threads must be 1..1024");
  if (!in(c.max_connections, 1, 1'000'000)) {
    return InvalidArgument("max_connections must be 1..1000000");
  }
  if (!in(c.max_header_bytes, 1024, 1 << 20)) {
    return InvalidArgument("max_header_bytes must be 1024..1048576");
  }
  if (!in(c.max_body_bytes, 1, 1ll << 32)) {
    return InvalidArgument("max_body_bytes must be 1..4294967296");
  }
  for (int64_t t : {c.header_timeout_ms, c.body_timeout_ms, c.write_timeout_ms, c.idle_timeout_ms,
                    c.drain_timeout_ms}) {
    if (!in(t, 1, 3'600'000)) return InvalidArgument("timeouts must be 1..3600000 ms");
  }
  if (c.synchronous != "full" && c.synchronous != "normal") {
    return InvalidArgument("store synchronous must be 'full' or 'normal'");
  }
  auto level = log::ParseLevel(c.log_level);
  if (!level.ok()) return level.status();
  if (!in(c.skew_seconds, 0, 600)) return InvalidArgument("auth skew_seconds must be 0..600");
  for (const auto& p : c.trusted_proxies) {
    auto cidr = trust::Cidr::Parse(p);
    if (!cidr.ok()) return InvalidArgument("auth trusted_proxies: " + cidr.status().message());
  }
  for (const auto& [zone, cidr] : c.zones) {
    auto parsed = trust::Cidr::Parse(cidr);
    if (!parsed.ok()) {
      return InvalidArgument("auth zones." + zone + ": " + parsed.status().message());
    }
  }
  if (!in(c.retrieval_min_training_words, 1, 1'000'000'000)) {
    return InvalidArgument("retrieval min_training_words must be 1..1000000000");
  }
  if (!in(c.retrieval_dim, 8, 1024))
    return InvalidArgument("retrieval embedding_dim must be 8..1024");
  if (!in(c.retrieval_epochs, 1, 100)) {
    return InvalidArgument("retrieval training_epochs must be 1..100");
  }
  if (!in(c.retrieval_chunk_words, 8, 10'000)) {
    return InvalidArgument("retrieval chunk_words must be 8..10000");
  }
  if (!in(c.retrieval_chunk_overlap, 0, c.retrieval_chunk_words / 2)) {
    return InvalidArgument("retrieval chunk_overlap must be 0..chunk_words/2");
  }
  if (c.retrieval_embedder != "builtin" && c.retrieval_embedder != "openai") {
    return InvalidArgument("retrieval embedder must be 'builtin' or 'openai'");
  }
  if (c.retrieval_embedder == "openai" && (c.openai_base_url.empty() || c.openai_model.empty())) {
    return InvalidArgument(
        "retrieval embedder 'openai' needs [retrieval.openai] base_url and model");
  }
  if (!in(c.openai_dim, 0, 65536)) return InvalidArgument("retrieval.openai dim must be 0..65536");
  if (!in(c.openai_batch, 1, 2048))
    return InvalidArgument("retrieval.openai batch must be 1..2048");
  if (!in(c.openai_timeout_ms, 1, 600'000)) {
    return InvalidArgument("retrieval.openai timeout_ms must be 1..600000");
  }
  if (!in(c.llm_k, 1, 20)) return InvalidArgument("llm k must be 1..20");
  if (!in(c.llm_cache_entries, 0, 10'000'000)) {
    return InvalidArgument("llm cache_entries must be 0..10000000");
  }
  if (!in(c.llm_cache_ttl_s, 1, 30 * 86400)) {
    return InvalidArgument("llm cache_ttl_s must be 1..2592000");
  }
  if (!c.llm_cache_redis.empty()) {
    auto url = ParseRedisUrl(c.llm_cache_redis);
    if (!url.ok()) return InvalidArgument("llm cache_redis: " + url.status().message());
  }
  if (!in(c.retrieval_cache_entries, 0, 10'000'000)) {
    return InvalidArgument("retrieval search_cache_entries must be 0..10000000");
  }
  if (!in(c.llm_approval_ttl_s, 60, 90 * 86400)) {
    return InvalidArgument("llm approval_ttl_s must be 60..7776000");
  }
  for (int64_t v : {c.llm_principal_requests_per_minute, c.llm_principal_tokens_per_minute,
                    c.llm_tenant_tokens_per_minute, c.llm_model_tokens_per_minute,
                    c.llm_tenant_tokens_per_month}) {
    if (v < 0) return InvalidArgument("llm.limits values must be 0 (unlimited) or positive");
  }
  if (!in(c.llm_completion_tokens, 1, 1'000'000)) {
    return InvalidArgument("llm.limits completion_tokens must be 1..1000000");
  }
  if (c.llm_question_action != "block" && c.llm_question_action != "strip" &&
      c.llm_question_action != "flag") {
    return InvalidArgument("llm.safety question must be 'block', 'strip' or 'flag'");
  }
  if (c.llm_passage_action != "drop" && c.llm_passage_action != "strip" &&
      c.llm_passage_action != "flag") {
    return InvalidArgument("llm.safety passages must be 'drop', 'strip' or 'flag'");
  }
  if (!in(c.llm_max_context_tokens, 100, 1'000'000)) {
    return InvalidArgument("llm max_context_tokens must be 100..1000000");
  }
  if (!in(c.embedding_cache_entries, 0, 100'000'000)) {
    return InvalidArgument("retrieval cache_entries must be 0..100000000");
  }
  if (!in(c.retrieval_queue_capacity, 1, 100'000'000)) {
    return InvalidArgument("retrieval queue_capacity must be 1..100000000");
  }
  if (!c.actions_webhook_url.empty() && !c.actions_webhook_url.starts_with("http://") &&
      !c.actions_webhook_url.starts_with("https://")) {
    return InvalidArgument("actions webhook_url must be an http:// or https:// URL");
  }
  if (!in(c.actions_interval_ms, 10, 3'600'000)) {
    return InvalidArgument("actions interval_ms must be 10..3600000");
  }
  if (!in(c.actions_max_attempts, 1, 100)) {
    return InvalidArgument("actions max_attempts must be 1..100");
  }
  if (!in(c.actions_timeout_ms, 100, 600'000)) {
    return InvalidArgument("actions timeout_ms must be 100..600000");
  }
  if (!in(c.retention_interval_s, 1, 86'400)) {
    return InvalidArgument("retention interval_s must be 1..86400");
  }
  if (!in(c.retrieval_snapshot_interval_s, 0, 86'400)) {
    return InvalidArgument("retrieval snapshot_interval_s must be 0..86400");
  }
  if (!in(c.audit_checkpoint_every, 1, 1'000'000)) {
    return InvalidArgument("audit checkpoint_every must be 1..1000000");
  }
  if (!in(c.audit_checkpoint_seconds, 1, 86'400)) {
    return InvalidArgument("audit checkpoint_seconds must be 1..86400");
  }
  if (!c.tls_listen.empty()) {
    std::string tls_host;
    uint16_t tls_port = 0;
    RETURN_IF_ERROR(http::ParseListenAddress(c.tls_listen, &tls_host, &tls_port));
    if (c.tls_cert.empty() || c.tls_key.empty()) {
      return InvalidArgument("tls listen needs tls cert and key files");
    }
    if (c.tls_require_client_cert && c.tls_client_ca.empty()) {
      return InvalidArgument("tls require_client_cert needs client_ca");
    }
  }
  return Status::Ok();
}

}  // namespace crmi::cli
