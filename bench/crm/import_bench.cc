// Import throughput: the medium demo data set (≈ 20k contacts, 200k activities, two tenants)
// loaded through crm::Importer into a fresh SQLite store — the code path of both
// `POST /v1/{collection}:import` and `crmi import`. The data set is generated into memory first
// and not timed. Goal: ≥ 100,000 records/s.
//
//   build/release/bench/import_bench [--size small|medium|large] [--synchronous full|normal]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "src/common/clock.h"
#include "src/crm/demo_data.h"
#include "src/crm/importer.h"
#include "src/crm/record_service.h"
#include "src/crm/schema.h"
#include "src/store/sqlite/sqlite_store.h"

namespace {

struct Part {
  std::string tenant;
  std::string collection;
  std::string ndjson;
  int64_t records = 0;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string size = "medium", synchronous = "full";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--size") == 0) size = argv[i + 1];
    if (std::strcmp(argv[i], "--synchronous") == 0) synchronous = argv[i + 1];
  }
  auto demo_size = crmi::crm::ParseDemoSize(size);
  if (!demo_size.ok()) {
    std::fprintf(stderr, "%s\n", demo_size.status().message().c_str());
    return 2;
  }
  crmi::crm::DemoOptions opts;
  opts.size = demo_size.value();
  std::vector<Part> parts;
  auto t0 = std::chrono::steady_clock::now();
  crmi::Status s = crmi::crm::GenerateDemo(
      opts, [&](std::string_view tenant, std::string_view collection, std::string_view json) {
        if (parts.empty() || parts.back().tenant != tenant ||
            parts.back().collection != collection) {
          parts.push_back(Part{std::string(tenant), std::string(collection), {}, 0});
        }
        parts.back().ndjson.append(json);
        parts.back().ndjson.push_back('\n');
        ++parts.back().records;
        return crmi::Status::Ok();
      });
  if (!s.ok()) {
    std::fprintf(stderr, "generate: %s\n", s.ToString().c_str());
    return 1;
  }
  int64_t total = 0, bytes = 0;
  for (const auto& p : parts) {
    total += p.records;
    bytes += static_cast<int64_t>(p.ndjson.size());
  }
  std::printf("generated %s data set: %lld records, %.1f MB in %.2f s (not timed below)\n",
              size.c_str(), static_cast<long long>(total), static_cast<double>(bytes) / 1e6,
              Seconds(t0));

  char tmpl[] = "/tmp/crmi-import-bench-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  crmi::store::sqlite::SqliteOptions so;
  so.path = dir + "/crmi.db";
  so.synchronous = synchronous;
  auto store = crmi::store::sqlite::Open(so, crmi::crm::Schema::Default().StoreSpecs());
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  crmi::crm::RecordService svc(store->get(), &crmi::crm::Schema::Default(), crmi::Clock::Real());
  const auto start = std::chrono::steady_clock::now();
  int64_t failed = 0;
  for (const auto& p : parts) {
    const auto part_start = std::chrono::steady_clock::now();
    crmi::crm::Importer imp(&svc, *crmi::crm::Schema::Default().Find(p.collection), p.tenant,
                            crmi::crm::ImportFormat::kNdjson);
    const std::string_view all(p.ndjson);
    for (size_t off = 0; off < all.size() && s.ok(); off += 1 << 20) {
      s = imp.Feed(all.substr(off, 1 << 20));
    }
    if (s.ok()) s = imp.Finish();
    if (!s.ok()) {
      std::fprintf(stderr, "import %s/%s: %s\n", p.tenant.c_str(), p.collection.c_str(),
                   s.ToString().c_str());
      return 1;
    }
    failed += imp.report().failed;
    const double secs = Seconds(part_start);
    std::printf("  %-14s %-14s %8lld records %7.2f s %9.0f records/s\n", p.tenant.c_str(),
                p.collection.c_str(), static_cast<long long>(p.records), secs,
                static_cast<double>(p.records) / secs);
  }
  const double secs = Seconds(start);
  (void)store.value()->Close();
  std::filesystem::remove_all(dir);
  std::printf(
      "imported %lld records (%lld failed) in %.2f s: %.0f records/s, %.1f MB/s "
      "(synchronous=%s)\n",
      static_cast<long long>(total), static_cast<long long>(failed), secs,
      static_cast<double>(total) / secs, static_cast<double>(bytes) / 1e6 / secs,
      synchronous.c_str());
  return failed == 0 ? 0 : 1;
}
