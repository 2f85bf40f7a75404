// Governance subcommands: token mint, policy check/test, audit verify/export/pubkey, apikey.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/audit/audit_log.h"
#include "src/audit/audit_verify.h"
#include "src/cli/commands.h"
#include "src/common/clock.h"
#include "src/common/crypto.h"
#include "src/common/time_format.h"
#include "src/crm/schema.h"
#include "src/store/sqlite/sqlite_store.h"
#include "src/trust/api_keys.h"
#include "src/trust/dev_issuer.h"
#include "src/trust/policy.h"
#include "src/trust/policy_cases.h"
#include "src/trust/policy_store.h"

namespace crmi::cli {
namespace fs = std::filesystem;
namespace {

void PrintError(const std::string& what) { std::fprintf(stderr, "crmi: %s\n", what.c_str()); }

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "k=v" or "k=v1,v2" → attrs[k] = {v1, v2}.
Status ParseAttrs(const std::vector<std::string>& in,
                  std::map<std::string, std::vector<std::string>>* out) {
  for (const auto& kv : in) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--attr must be key=value (or key=v1,v2): '" + kv + "'");
    }
    std::vector<std::string>& values = (*out)[kv.substr(0, eq)];
    std::string rest = kv.substr(eq + 1);
    size_t start = 0;
    while (start <= rest.size()) {
      size_t comma = rest.find(',', start);
      if (comma == std::string::npos) comma = rest.size();
      if (comma > start) values.push_back(rest.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return Status::Ok();
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Result<std::unique_ptr<store::Store>> OpenKeyStore(const std::string& data_dir) {
  if (!fs::exists(data_dir + "/crmi.db")) {
    return NotFound("no database in " + data_dir + " (crmi serve or crmi demo creates it)");
  }
  store::sqlite::SqliteOptions o;
  o.path = data_dir + "/crmi.db";
  std::vector<store::CollectionSpec> specs = crm::Schema::Default().StoreSpecs();
  specs.push_back(trust::ApiKeyStore::Spec());
  return store::sqlite::Open(o, specs);
}

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty duration");
  int64_t n = 0;
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    n = n * 10 + (text[i] - '0');
    if (n > 1'000'000'000) return InvalidArgument("duration too large");
    ++i;
  }
  if (i == 0) {
    return InvalidArgument("duration must start with a number: '" + std::string(text) + "'");
  }
  const std::string_view unit = text.substr(i);
  if (unit.empty() || unit == "s") return n;
  if (unit == "m") return n * 60;
  if (unit == "h") return n * 3600;
  if (unit == "d") return n * 86400;
  return InvalidArgument("duration unit must be s, m, h or d: '" + std::string(text) + "'");
}

int RunTokenMint(const TokenMintArgs& args) {
  trust::MintRequest r;
  r.subject = args.sub;
  r.tenant = args.tenant;
  r.roles = SplitComma(args.roles);
  r.posture = args.posture;
  r.risk = args.risk;
  Status s = ParseAttrs(args.attrs, &r.attrs);
  if (!s.ok()) {
    PrintError(s.message());
    return 2;
  }
  auto ttl = ParseDuration(args.ttl);
  if (!ttl.ok()) {
    PrintError("--ttl: " + ttl.status().message());
    return 2;
  }
  r.ttl_seconds = ttl.value();
  auto issuer = trust::DevIssuer::Load(args.data_dir);
  if (!issuer.ok()) {
    PrintError(issuer.status().ToString());
    return 1;
  }
  auto token = trust::MintDevToken(issuer.value(), r, Clock::Real()->NowUnixMillis() / 1000);
  if (!token.ok()) {
    PrintError(token.status().message());
    return 2;
  }
  std::printf("%s\n", token->c_str());
  if (isatty(STDERR_FILENO) == 1) {
    std::fprintf(stderr,
                 "(development token, issuer crmi-dev, valid %s; servers started with "
                 "--no-dev-issuer refuse it)\n",
                 args.ttl.c_str());
  }
  return 0;
}

int RunPolicyCheck(const std::string& file) {
  auto text = ReadFile(file);
  if (!text.ok()) {
    PrintError(text.status().message());
    return 1;
  }
  std::vector<trust::PolicyError> errors;
  auto policy = trust::Policy::Compile(text.value(), &errors);
  if (!policy) {
    for (const auto& e : errors) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), e.ToString().c_str());
    }
    std::fprintf(stderr, "%s: invalid (%zu error(s))\n", file.c_str(), errors.size());
    return 1;
  }
  int shadow = 0;
  for (const auto& r : policy->rules()) shadow += r.shadow ? 1 : 0;
  std::printf("%s: ok, %zu rules (%d shadow), revision %s\n", file.c_str(), policy->rules().size(),
              shadow, trust::PolicyRevision(text.value()).c_str());
  return 0;
}

int RunPolicyTest(const std::string& cases_file, const std::string& policy_file) {
  auto text = ReadFile(cases_file);
  if (!text.ok()) {
    PrintError(text.status().message());
    return 1;
  }
  std::shared_ptr<const trust::Policy> policy;
  if (!policy_file.empty()) {
    auto src = ReadFile(policy_file);
    if (!src.ok()) {
      PrintError(src.status().message());
      return 1;
    }
    std::vector<trust::PolicyError> errors;
    policy = trust::Policy::Compile(src.value(), &errors);
    if (!policy) {
      for (const auto& e : errors) PrintError(policy_file + ": " + e.ToString());
      return 1;
    }
  }
  auto run =
      trust::RunPolicyCases(text.value(), policy, fs::path(cases_file).parent_path().string());
  if (!run.ok()) {
    PrintError(cases_file + ": " + run.status().message());
    return 1;
  }
  for (const auto& r : run->results) {
    if (!r.passed) {
      std::printf("FAIL %s:%d %s\n     %s\n", cases_file.c_str(), r.line, r.name.c_str(),
                  r.detail.c_str());
    }
  }
  std::printf("%zu cases, %d failed\n", run->results.size(), run->failed());
  return run->failed() == 0 ? 0 : 1;
}

int RunAuditVerify(const std::string& data_dir, const std::vector<std::string>& pubkey_files) {
  const std::string dir = data_dir + "/audit";
  std::vector<std::string> pem_paths = pubkey_files;
  if (pem_paths.empty()) pem_paths.push_back(data_dir + "/keys/audit.ed25519.pem");
  std::vector<std::string> keys;
  for (const auto& pem_path : pem_paths) {
    auto pem = ReadFile(pem_path);
    if (!pem.ok()) {
      PrintError(pem.status().message() + " (give the exported public key with --pubkey)");
      return 1;
    }
    auto raw = crypto::Ed25519PublicRawFromPem(pem.value());
    if (!raw.ok()) {
      PrintError(pem_path + ": " + raw.status().message());
      return 1;
    }
    keys.push_back(std::move(raw).value());
  }
  if (audit::ListSegments(dir).empty()) {
    PrintError("no audit files in " + dir);
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  const audit::VerifyReport r = audit::VerifyLog(dir, keys);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r.ok) {
    std::printf("FAILED at seq %lld: %s\n", static_cast<long long>(r.first_bad_seq),
                r.error.c_str());
    return 1;
  }
  std::printf("ok: %lld records (%lld checkpoints), last seq %lld, verified in %.2f s\n",
              static_cast<long long>(r.records), static_cast<long long>(r.checkpoints),
              static_cast<long long>(r.last_seq), secs);
  if (r.uncovered_tail > 0) {
    std::printf(
        "note: the last %lld records are chained but not yet covered by a signed "
        "checkpoint (the server was killed, or is still running)\n",
        static_cast<long long>(r.uncovered_tail));
  }
  return 0;
}

int RunAuditExport(const AuditExportArgs& args) {
  audit::ScanFilter f;
  f.tenant = args.tenant;
  f.principal = args.principal;
  f.decision = args.decision;
  f.include_checkpoints = args.checkpoints;
  for (auto [text, out] : {std::pair{&args.from, &f.from_ts}, std::pair{&args.to, &f.to_ts}}) {
    if (text->empty()) continue;
    auto ms = ParseRfc3339(*text);
    if (!ms.ok()) {
      PrintError("--from/--to must be RFC 3339, e.g. 2026-11-24T09:00:00Z");
      return 2;
    }
    *out = FormatRfc3339Millis(ms.value());
  }
  bool write_failed = false;
  Status s = audit::ScanLog(args.data_dir + "/audit", f, [&](int64_t, std::string_view line) {
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() ||
        std::fputc('\n', stdout) == EOF) {
      write_failed = true;
      return false;
    }
    return true;
  });
  if (!s.ok()) {
    PrintError(s.ToString());
    return 1;
  }
  if (write_failed || std::fflush(stdout) != 0) {
    PrintError("write to stdout failed");
    return 1;
  }
  return 0;
}

int RunAuditPubkey(const std::string& data_dir) {
  auto key = crypto::Ed25519Key::LoadOrCreate(data_dir + "/keys/audit.ed25519.pem");
  if (!key.ok()) {
    PrintError(key.status().ToString());
    return 1;
  }
  std::printf("%s", key->PublicPem().c_str());
  return 0;
}

int RunApiKeyCreate(const ApiKeyArgs& args) {
  auto store = OpenKeyStore(args.data_dir);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  trust::ApiKeyStore keys(store->get(), Clock::Real());
  trust::ApiKeyInfo spec;
  spec.tenant = args.tenant;
  spec.name = args.name;
  spec.roles = SplitComma(args.roles);
  spec.created_by = "cli:" + std::string(getenv("USER") ? getenv("USER") : "unknown");
  Status s = ParseAttrs(args.attrs, &spec.attrs);
  if (s.ok() && !args.ttl.empty()) {
    auto ttl = ParseDuration(args.ttl);
    if (!ttl.ok()) {
      s = ttl.status();
    } else {
      spec.expires_at_ms = Clock::Real()->NowUnixMillis() + ttl.value() * 1000;
    }
  }
  if (!s.ok()) {
    PrintError(s.message());
    return 2;
  }
  auto created = keys.Create(spec);
  Status closed = store.value()->Close();
  if (!created.ok()) {
    PrintError(created.status().message());
    return created.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (!closed.ok()) {
    PrintError(closed.ToString());
    return 1;
  }
  std::printf("%s\n", created->token.c_str());
  std::fprintf(stderr, "created %s (%s); the key is shown only once\n", created->info.id.c_str(),
               created->info.name.c_str());
  return 0;
}

int RunApiKeyList(const ApiKeyArgs& args) {
  auto store = OpenKeyStore(args.data_dir);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  trust::ApiKeyStore keys(store->get(), Clock::Real());
  auto list = keys.List(args.tenant);
  (void)store.value()->Close();
  if (!list.ok()) {
    PrintError(list.status().ToString());
    return 1;
  }
  for (const auto& k : list.value()) std::printf("%s\n", k.ToJson().c_str());
  return 0;
}

int RunApiKeyRevoke(const ApiKeyArgs& args) {
  auto store = OpenKeyStore(args.data_dir);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  trust::ApiKeyStore keys(store->get(), Clock::Real());
  Status s = keys.Revoke(args.tenant, args.id);
  Status closed = store.value()->Close();
  if (!s.ok()) {
    PrintError(s.message());
    return 1;
  }
  if (!closed.ok()) {
    PrintError(closed.ToString());
    return 1;
  }
  std::printf("revoked %s (servers see it within 5 s)\n", args.id.c_str());
  return 0;
}

}  // namespace crmi::cli
