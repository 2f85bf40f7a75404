// crmi.toml loading (the only TU that includes toml++).
#include <toml++/toml.h>

#include <set>

#include "src/cli/commands.h"
#include "src/common/ids.h"
#include "src/common/log.h"
#include "src/http/server.h"

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
  RETURN_IF_ERROR(r.Str(root, "", "default_tenant", &c->default_tenant));
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
  return r.CheckUnknown();
}

Status ValidateServeConfig(const ServeConfig& c) {
  std::string host;
  uint16_t port = 0;
  RETURN_IF_ERROR(http::ParseListenAddress(c.listen, &host, &port));
  if (c.data_dir.empty()) return InvalidArgument("data_dir must not be empty");
  if (!IsValidTenant(c.default_tenant)) {
    return InvalidArgument("default_tenant must be 1-63 characters of a-z, 0-9 and '-'");
  }
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
  return Status::Ok();
}

}  // namespace crmi::cli
