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

// Progress on stderr when it is a terminal: "\r  importing ... 45%".
class Progress {
 public:
  Progress(std::string label, int64_t total) : label_(std::move(label)), total_(total) {
    enabled_ = isatty(STDERR_FILENO) == 1;
    start_ = std::chrono::steady_clock::now();
  }
  void Update(int64_t done, int64_t lines, bool force = false) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const int pct =
        total_ > 0
            ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_))
            : 0;
    const int width = 30;
    const int filled = pct * width / 100;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::fprintf(stderr, "\r%s [%s] %3d%%  %lld lines  %.0f lines/s ", label_.c_str(), bar.c_str(),
                 pct, static_cast<long long>(lines),
                 secs > 0 ? static_cast<double>(lines) / secs : 0.0);
    std::fflush(stderr);
  }
  void Done() {
    if (enabled_) std::fprintf(stderr, "\n");
  }

 private:
  std::string label_;
  int64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace

int RunImport(const ImportArgs& args) {
  const crm::Collection* c = crm::Schema::Default().Find(args.collection);
  if (c == nullptr) {
    PrintError("unknown collection '" + args.collection + "'");
    return 2;
  }
  std::string format = args.format;
  if (format.empty()) {
    format = fs::path(args.file).extension() == ".csv" ? "csv" : "ndjson";
  }
  if (format != "csv" && format != "ndjson") {
    PrintError("--format must be ndjson or csv");
    return 2;
  }
  std::ifstream in(args.file, std::ios::binary);
  if (!in) {
    PrintError("cannot open " + args.file + ": " + std::strerror(errno));
    return 1;
  }
  std::error_code ec;
  const auto size = fs::file_size(args.file, ec);
  auto store = OpenStore(args.data_dir, "full", nullptr);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  crm::RecordService records(store->get(), &crm::Schema::Default(), Clock::Real());
  crm::Importer importer(&records, *c, args.tenant,
                         format == "csv" ? crm::ImportFormat::kCsv : crm::ImportFormat::kNdjson);
  Progress progress("importing " + fs::path(args.file).filename().string(),
                    ec ? 0 : static_cast<int64_t>(size));
  std::vector<char> buf(1 << 20);
  Status s;
  while (s.ok() && in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = in.gcount();
    if (n <= 0) break;
    s = importer.Feed(std::string_view(buf.data(), static_cast<size_t>(n)));
    progress.Update(importer.bytes_seen(), importer.report().lines);
  }
  if (s.ok() && in.bad()) s = Unavailable("read error on " + args.file);
  if (s.ok()) s = importer.Finish();
  progress.Update(importer.bytes_seen(), importer.report().lines, true);
  progress.Done();
  std::printf("%s\n", importer.report().ToJson().c_str());
  Status closed = store.value()->Close();
  if (!s.ok()) {
    PrintError(s.ToString());
    return 1;
  }
  if (!closed.ok()) {
    PrintError(closed.ToString());
    return 1;
  }
  return importer.report().failed == 0 ? 0 : 1;
}

int RunExport(const ExportArgs& args) {
  const crm::Collection* c = crm::Schema::Default().Find(args.collection);
  if (c == nullptr) {
    PrintError("unknown collection '" + args.collection + "'");
    return 2;
  }
  auto store = OpenStore(args.data_dir, "full", nullptr);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  crm::RecordService records(store->get(), &crm::Schema::Default(), Clock::Real());
  crm::ListRequest req;
  req.limit = crm::RecordService::kMaxPageSize;
  std::string line;
  while (true) {
    auto page = records.List(*c, args.tenant, req);
    if (!page.ok()) {
      PrintError(page.status().ToString());
      return 1;
    }
    for (const auto& r : page->items) {
      line.clear();
      crm::AppendRecordJson(&line, args.tenant, r);
      line.push_back('\n');
      if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) {
        PrintError("write to stdout failed");
        return 1;
      }
    }
    if (page->next_cursor.empty()) break;
    req.cursor = page->next_cursor;
  }
  std::fflush(stdout);
  return store.value()->Close().ok() ? 0 : 1;
}

int RunSubjectExport(const SubjectArgs& args) {
  auto store = OpenStore(args.data_dir, "full", nullptr);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  auto records = crm::CollectSubject(store->get(), args.tenant, args.contact_id);
  if (!records.ok()) {
    PrintError(records.status().ToString());
    return 1;
  }
  auto listed = store.value()->vault()->ListSubject(args.tenant, args.contact_id);
  if (!listed.ok()) {
    PrintError(listed.status().ToString());
    return 1;
  }
  const std::vector<privacy::Vault::Entry> tokens = std::move(listed).value();
  if (records->empty() && tokens.empty()) {
    PrintError("no contact " + args.contact_id + " in tenant " + args.tenant);
    (void)store.value()->Close();
    return 1;
  }
  std::string out = privacy::SubjectExportJson(args.tenant, args.contact_id,
                                               FormatRfc3339Millis(Clock::Real()->NowUnixMillis()),
                                               *records, tokens);
  if (fs::exists(fs::path(args.data_dir) / "approvals")) {
    // As GET /v1/subjects/{id}/export: answers held for approval that drew on the subject.
    auto approvals = OpenApprovals(args.data_dir, std::chrono::seconds(90 * 86400));
    Result<std::string> held =
        approvals.ok() ? approvals.value()->ExportJson(
                             args.tenant, crm::SubjectRecordIds(*records, args.contact_id))
                       : approvals.status();
    if (!held.ok()) {
      PrintError("approvals: " + held.status().ToString());
      (void)store.value()->Close();
      return 1;
    }
    out.pop_back();
    out += ",\"held_answers\":" + *held + "}";
  }
  out += "\n";
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
    PrintError("write to stdout failed");
    return 1;
  }
  std::fflush(stdout);
  return store.value()->Close().ok() ? 0 : 1;
}

int RunKeysRotate(const KeysRotateArgs& args) {
  const std::string path = (fs::path(args.data_dir) / "keys" / "master.key").string();
  const bool from_env = std::getenv("CRMI_MASTER_KEY") != nullptr;
  if (from_env && !args.rewrap_only) {
    PrintError(
        "the master keys come from CRMI_MASTER_KEY: put the new key first "
        "(CRMI_MASTER_KEY=new,old), restart the servers, then run `crmi keys rotate "
        "--rewrap-only`");
    return 2;
  }
  std::error_code ec;
  if (!from_env && !fs::exists(path, ec)) {
    PrintError("no master key at " + path);
    return 1;
  }
  if (!args.rewrap_only) {
    auto added = privacy::LocalKeyProvider::AddNewKey(path);
    if (!added.ok()) {
      PrintError(added.status().ToString());
      return 1;
    }
  }
  auto keys = privacy::LocalKeyProvider::FromEnvOrFile(path);
  if (!keys.ok()) {
    PrintError(keys.status().ToString());
    return 1;
  }
  int64_t rewrapped = 0, left = 0;
  const fs::path vault_path = fs::path(args.data_dir) / "privacy" / "vault.db";
  if (fs::exists(vault_path, ec)) {
    auto vault = privacy::Vault::Open(vault_path.string(), keys.value().get());
    if (!vault.ok()) {
      PrintError(vault.status().ToString());
      return 1;
    }
    // Two passes: a server that wrapped a key with the old master key just before it saw the
    // new file is caught by the second.
    for (int pass = 0; pass < 2; ++pass) {
      auto n = vault.value()->Rewrap();
      if (!n.ok()) {
        PrintError(n.status().ToString());
        return 1;
      }
      rewrapped += *n;
      if (pass == 0) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    auto remaining = vault.value()->CountNotCurrent();
    if (!remaining.ok()) {
      PrintError(remaining.status().ToString());
      return 1;
    }
    left = *remaining;
  }
  // Answers held for approval are sealed under the master keys too.
  int64_t resealed = 0;
  if (fs::exists(fs::path(args.data_dir) / "approvals", ec)) {
    // Twice, re-reading the directory: a server may have sealed one with the old key meanwhile.
    for (int pass = 0; pass < 2; ++pass) {
      auto approvals = OpenApprovals(args.data_dir, std::chrono::seconds(90 * 86400));
      Result<int64_t> n = approvals.ok() ? approvals.value()->Reseal() : approvals.status();
      if (!n.ok()) {
        PrintError("approvals: " + n.status().ToString());
        return 1;
      }
      resealed = std::max(resealed, *n);
      if (pass == 0) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  bool retired = false;
  if (!from_env && left == 0) {
    Status s = privacy::LocalKeyProvider::Retire(path);
    if (!s.ok()) {
      PrintError(s.ToString());
      return 1;
    }
    retired = true;
  }
  std::printf("%s\n", JsonObject()
                          .Add("master_key", keys.value()->id())
                          .Add("rewrapped", rewrapped)
                          .Add("approvals_resealed", resealed)
                          .Add("retired", retired)
                          .Add("still_wrapped_by_old_keys", left)
                          .Finish()
                          .c_str());
  return left == 0 ? 0 : 1;
}

int RunDemo(const DemoArgs& args) {
  auto size = crm::ParseDemoSize(args.size);
  if (!size.ok()) {
    PrintError(size.status().message());
    return 2;
  }
  crm::DemoOptions opts;
  opts.seed = args.seed;
  opts.size = size.value();
  const auto start = std::chrono::steady_clock::now();
  std::map<std::string, int64_t> counts;  // "tenant/collection" → records

  if (!args.out_dir.empty()) {
    std::map<std::string, std::unique_ptr<std::ofstream>> files;
    Status s = crm::GenerateDemo(
        opts,
        [&](std::string_view tenant, std::string_view collection, std::string_view json) -> Status {
          const std::string key = std::string(tenant) + "/" + std::string(collection);
          auto& f = files[key];
          if (!f) {
            std::error_code ec;
            fs::create_directories(args.out_dir + "/" + std::string(tenant), ec);
            f = std::make_unique<std::ofstream>(args.out_dir + "/" + key + ".ndjson",
                                                std::ios::binary | std::ios::trunc);
            if (!*f) return Unavailable("cannot write " + args.out_dir + "/" + key + ".ndjson");
          }
          f->write(json.data(), static_cast<std::streamsize>(json.size()));
          f->put('\n');
          ++counts[key];
          return *f ? Status::Ok() : Unavailable("write failed: " + key);
        });
    for (auto& [k, f] : files) f->close();
    if (!s.ok()) {
      PrintError(s.ToString());
      return 1;
    }
  } else {
    const std::string marker = args.data_dir + "/demo.json";
    if (fs::exists(marker) && !args.force) {
      std::printf("demo data already loaded in %s (see %s; --force reloads)\n",
                  args.data_dir.c_str(), marker.c_str());
      return 0;
    }
    auto store = OpenStore(args.data_dir, "normal", nullptr);
    if (!store.ok()) {
      PrintError(store.status().ToString());
      return 1;
    }
    crm::RecordService records(store->get(), &crm::Schema::Default(), Clock::Real());
    // One importer per (tenant, collection), fed record by record: the same path as imports.
    std::map<std::string, std::unique_ptr<crm::Importer>> importers;
    auto finish = [](crm::Importer& imp) -> Status {
      RETURN_IF_ERROR(imp.Finish());
      if (imp.report().failed > 0) {
        return Internal("demo data failed validation: " + imp.report().ToJson());
      }
      return Status::Ok();
    };
    Status s = crm::GenerateDemo(
        opts,
        [&](std::string_view tenant, std::string_view collection, std::string_view json) -> Status {
          const std::string key = std::string(tenant) + "/" + std::string(collection);
          auto& imp = importers[key];
          if (!imp) {
            // Dependencies come first: finish earlier collections before starting a new one.
            for (auto& [k, other] : importers) {
              if (other) RETURN_IF_ERROR(finish(*other));
            }
            importers.clear();
            const crm::Collection* c = crm::Schema::Default().Find(collection);
            if (c == nullptr) return Internal("demo produced unknown collection");
            auto fresh = std::make_unique<crm::Importer>(&records, *c, std::string(tenant),
                                                         crm::ImportFormat::kNdjson);
            importers[key] = std::move(fresh);
          }
          RETURN_IF_ERROR(importers[key]->Feed(json));
          RETURN_IF_ERROR(importers[key]->Feed("\n"));
          ++counts[key];
          return Status::Ok();
        });
    for (auto& [k, imp] : importers) {
      if (s.ok() && imp) s = finish(*imp);
    }
    Status closed = store.value()->Close();
    if (!s.ok() || !closed.ok()) {
      PrintError((!s.ok() ? s : closed).ToString());
      return 1;
    }
    JsonObject m;
    m.Add("seed", static_cast<int64_t>(args.seed)).Add("size", args.size);
    std::ofstream(marker) << m.Finish() << "\n";
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t total = 0;
  for (const auto& [k, n] : counts) {
    std::printf("  %-32s %10lld\n", k.c_str(), static_cast<long long>(n));
    total += n;
  }
  std::printf("demo data set (seed %llu, %s): %lld records in %.1f s -> %s\n",
              static_cast<unsigned long long>(args.seed), args.size.c_str(),
              static_cast<long long>(total), secs,
              args.out_dir.empty() ? args.data_dir.c_str() : args.out_dir.c_str());
  return 0;
}

int RunDoctor(const std::string& data_dir) {
  bool healthy = true;
  auto check = [&](bool ok, const std::string& what, const std::string& detail) {
    std::printf("%s  %-22s %s\n", ok ? "ok  " : "FAIL", what.c_str(), detail.c_str());
    healthy = healthy && ok;
  };
  std::printf("crmi doctor %s (%s)\n", build::kVersion, data_dir.c_str());
  if (!fs::exists(DbPath(data_dir))) {
    check(false, "database", DbPath(data_dir) + " does not exist (crmi serve creates it)");
    return 1;
  }
  struct statvfs vfs;
  if (statvfs(data_dir.c_str(), &vfs) == 0) {
    const double free_gb =
        static_cast<double>(vfs.f_bavail) * static_cast<double>(vfs.f_frsize) / 1e9;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.1f GB free", free_gb);
    check(free_gb > 1.0, "disk space", buf);
  }
  std::error_code ec;
  const auto db_size = fs::file_size(DbPath(data_dir), ec);
  const auto wal_size = fs::file_size(DbPath(data_dir) + "-wal", ec);
  auto store = OpenStore(data_dir, "full", nullptr);
  if (!store.ok()) {
    check(false, "open and migrate", store.status().ToString());
    return 1;
  }
  const store::StoreInfo info = store.value()->Info();
  check(true, "open and migrate",
        info.engine + ", schema version " + std::to_string(info.schema_version));
  check(true, "files",
        "database " + std::to_string(db_size / 1024) + " KiB, WAL " +
            std::to_string(ec ? 0 : wal_size / 1024) + " KiB");
  std::string report;
  Status integrity = store.value()->CheckIntegrity(&report);
  check(integrity.ok(), "integrity_check", integrity.ok() ? "ok" : report);
  Status closed = store.value()->Close();
  check(closed.ok(), "close and checkpoint", closed.ok() ? "ok" : closed.ToString());
  return healthy ? 0 : 1;
}

int RunVersion() {
  std::printf("crmi %s (commit %s, %s build, %s, sqlite %s)\n", build::kVersion, build::kCommit,
              build::kBuildType, build::kCompiler, sqlite3_libversion());
  return 0;
}

}  // namespace crmi::cli
