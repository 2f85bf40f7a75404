// Audit trail throughput: appends per second with group commit (goal ≥ 200,000/s), and
// verification speed of the resulting log (goal ≥ 1,000,000 records/s).
//
// Appends come from `--threads` writers that each keep `--window` appends in flight (the server
// has one in flight per request being answered; a busy server has thousands). An append counts
// when its `done` callback reported it durable (written and fdatasync'ed).
//
//   build/release/bench/audit_bench [--threads 4] [--window 2048] [--records 1000000]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "src/audit/audit_log.h"
#include "src/audit/audit_verify.h"

int main(int argc, char** argv) {
  int threads = 4;
  int64_t window = 2048;
  int64_t records = 1'000'000;
  std::string verify_only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--records") == 0) records = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--window") == 0) window = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--verify-only") == 0) verify_only = argv[i + 1];
  }
  if (!verify_only.empty()) {  // an existing bench directory (KEEP_AUDIT_BENCH_DIR=1)
    auto key = crmi::crypto::Ed25519Key::LoadOrCreate(verify_only + "/audit.pem");
    const auto v0 = std::chrono::steady_clock::now();
    const auto report = crmi::audit::VerifyLog(verify_only + "/audit", key->PublicRaw());
    const double vsecs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - v0).count();
    std::printf("verified %lld records in %.2f s: %.0f records/s, %s\n",
                static_cast<long long>(report.records), vsecs,
                static_cast<double>(report.records) / vsecs, report.ok ? "intact" : "BROKEN");
    return report.ok ? 0 : 1;
  }
  char tmpl[] = "/tmp/crmi-audit-bench-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  crmi::audit::AuditOptions o;
  o.dir = dir + "/audit";
  o.key_path = dir + "/audit.pem";
  auto log = crmi::audit::AuditLog::Open(o, crmi::Clock::Real());
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  // A realistic record: what the audit filter writes for a permitted read.
  const std::string members =
      "\"request_id\":\"01jf4r5x7z3q8v2k9m1n6p0t4w\",\"tenant\":\"maple-bank\",\"principal\":"
      "{\"sub\":\"adv-017\",\"kind\":\"user\",\"method\":\"jwt\"},\"action\":\"read\","
      "\"resource\":\"contacts\",\"decision\":\"permit\",\"rule\":\"advisor-book\","
      "\"obligations\":{\"row_filter\":\"owner_id == principal.sub\",\"redact_class\":"
      "\"restricted\",\"max_rows\":500,\"audit_level\":\"standard\"},\"status\":200,"
      "\"latency_us\":412,\"route\":\"records.get\",\"ai\":null";
  std::atomic<int64_t> issued{0};
  std::atomic<int64_t> durable{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      std::mutex m;
      std::condition_variable cv;
      int64_t in_flight = 0;
      while (issued.fetch_add(1) < records) {
        {
          std::unique_lock<std::mutex> lock(m);
          cv.wait(lock, [&] { return in_flight < window; });
          ++in_flight;
        }
        (*log)->Append(crmi::audit::AuditEntry{members}, [&](const crmi::Status& s) {
          if (!s.ok()) std::abort();
          durable.fetch_add(1);
          std::lock_guard<std::mutex> lock(m);
          --in_flight;
          cv.notify_one();
        });
      }
      std::unique_lock<std::mutex> lock(m);
      cv.wait(lock, [&] { return in_flight == 0; });
    });
  }
  for (auto& w : workers) w.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  (void)(*log)->Close();
  int64_t bytes = 0;
  for (const auto& seg : crmi::audit::ListSegments(o.dir)) bytes += std::filesystem::file_size(seg);
  std::printf(
      "appended %lld records (%d writers x %lld in flight) in %.2f s: %.0f appends/s "
      "(%.1f MB; each counted once durable)\n",
      static_cast<long long>(durable.load()), threads, static_cast<long long>(window), secs,
      static_cast<double>(durable.load()) / secs, static_cast<double>(bytes) / 1e6);
  auto key = crmi::crypto::Ed25519Key::LoadOrCreate(o.key_path);
  const auto v0 = std::chrono::steady_clock::now();
  const auto report = crmi::audit::VerifyLog(o.dir, key->PublicRaw());
  const double vsecs = std::chrono::duration<double>(std::chrono::steady_clock::now() - v0).count();
  std::printf("verified %lld records (%lld checkpoints) in %.2f s: %.0f records/s, %s\n",
              static_cast<long long>(report.records), static_cast<long long>(report.checkpoints),
              vsecs, static_cast<double>(report.records) / vsecs, report.ok ? "intact" : "BROKEN");
  if (std::getenv("KEEP_AUDIT_BENCH_DIR") == nullptr) std::filesystem::remove_all(dir);
  return report.ok ? 0 : 1;
}
