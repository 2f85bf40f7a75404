// Hybrid search at scale: one tenant's ChunkIndex with N passages (default 1M) of synthetic text
// (60 words per passage drawn from a Zipf(1) law over 50,000 words, of which the 50 most frequent
// are left out, as the tokenizer drops function words; the commonest remaining word is then in
// about 16 % of passages, as "customer" or "order" would be) and clustered 128-d vectors, then
// single-thread query
// latency per mode and per policy selectivity, with the time to build the allowed set (Select)
// included, as the server runs it. Also build time, memory, and the time to save the index as a
// snapshot and reopen it (the latencies are then measured on the reopened index).
//
//   build/release/bench/hybrid_bench [N] [queries] [snapshot dir, default /tmp]
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "src/retrieval/chunk_index.h"
#include "src/retrieval/embedder.h"

namespace {

using Clock = std::chrono::steady_clock;
using crmi::retrieval::Chunk;
using crmi::retrieval::ChunkIndex;
using crmi::retrieval::ChunkPredicate;
using crmi::retrieval::HybridParams;
using crmi::retrieval::SearchMode;

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

double Pct(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

long RssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// Ranks offset.. offset+n-1 of a Zipf(1.0) law, by inverse CDF; returns 0..n-1.
class Zipf {
 public:
  Zipf(size_t n, size_t offset) : cdf_(n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / static_cast<double>(i + offset + 1));
    for (double& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rng) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

std::string Word(size_t i) {
  // Pronounceable, distinct, unchanged by the stemmer: consonant-vowel pairs.
  static const char* cv[] = {"ba", "ke", "di", "mo", "lu", "sa", "ve", "ri", "no", "tu"};
  std::string w;
  do {
    w += cv[i % 10];
    i /= 10;
  } while (i > 0);
  return w + "x";
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows when redirected to a file
  const size_t n = argc > 1 ? std::stoul(argv[1]) : 1000000;
  const size_t queries = argc > 2 ? std::stoul(argv[2]) : 1000;
  const std::string snapdir =
      std::string(argc > 3 ? argv[3] : "/tmp") + "/crmi-hybrid-bench-snapshot";
  constexpr size_t kDim = 128, kClusters = 1000, kWords = 60, kVocab = 50000, kStopRanks = 50;
  std::mt19937_64 rng(42);
  std::normal_distribution<float> unit(0, 1);
  std::vector<float> centres(kClusters * kDim);
  for (auto& x : centres) x = unit(rng);
  auto vec = [&](float* v) {
    const float* c = centres.data() + (rng() % kClusters) * kDim;
    for (size_t i = 0; i < kDim; ++i) v[i] = c[i] + 0.5f * unit(rng);
    crmi::retrieval::Normalize(std::span<float>(v, kDim));
  };
  Zipf zipf(kVocab, kStopRanks);
  auto text = [&](size_t words) {
    std::string t;
    for (size_t i = 0; i < words; ++i) {
      if (i) t += ' ';
      t += Word(kStopRanks + zipf(rng));
    }
    return t;
  };

  std::printf("hybrid_bench: %zu passages of %zu words, %zu-d vectors, %zu queries\n", n, kWords,
              kDim, queries);
  auto built = std::make_unique<ChunkIndex>(kDim);
  auto t0 = Clock::now();
  std::vector<float> v(kDim);
  for (size_t i = 0; i < n; ++i) {
    Chunk c;
    c.field = "body";
    c.text = text(kWords);
    c.meta.collection = "activities";
    c.meta.record_id = "act_" + std::to_string(i);
    c.meta.owner_id = "owner-" + std::to_string(i % 100);  // 100 owners: 1 % each
    c.meta.region = i % 2 ? "eu" : "us";                   // 50 %
    c.meta.time_ms = static_cast<int64_t>(i);
    vec(v.data());
    const std::string id = c.meta.record_id;
    if (!built->ReplaceRecord("activities", id, {std::move(c)}, v).ok()) return 1;
    if ((i + 1) % 100000 == 0) {
      std::fprintf(stderr, "  %zu indexed, %.0f s\n", i + 1, Ms(t0) / 1000);
    }
  }
  const double build_s = Ms(t0) / 1000;
  std::printf("build: %.1f s (%.0f passages/s), index memory %.0f MB, peak RSS %ld MB\n", build_s,
              static_cast<double>(n) / build_s,
              static_cast<double>(built->MemoryBytes()) / (1 << 20), RssMb());
  std::filesystem::remove_all(snapdir);
  t0 = Clock::now();
  if (!built->SaveSnapshot(snapdir, "bench@1").ok()) return 1;
  const double save_s = Ms(t0) / 1000;
  size_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(snapdir)) bytes += e.file_size();
  const size_t live = built->size();
  built.reset();
  // A cold reopen: the files were fsynced, so their pages are clean and can be dropped from the
  // page cache; the reopen then reads them from the disk.
  for (const auto& e : std::filesystem::directory_iterator(snapdir)) {
    const int fd = open(e.path().c_str(), O_RDONLY);
    if (fd >= 0) {
      (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
      close(fd);
    }
  }
  t0 = Clock::now();
  auto snap = ChunkIndex::LoadSnapshot(snapdir);
  if (!snap.ok() || snap->index->size() != live) return 1;
  std::printf("snapshot: save %.1f s, reopen %.1f s (page cache dropped), %.0f MB on disk\n",
              save_s, Ms(t0) / 1000, static_cast<double>(bytes) / 1e6);
  std::filesystem::remove_all(snapdir);
  const ChunkIndex& index = *snap->index;

  struct Case {
    const char* name;
    ChunkPredicate pred;
  };
  auto owners = [](size_t k) {
    ChunkPredicate p;
    crmi::retrieval::CollectionRule r;
    r.collection = "activities";
    crmi::retrieval::RowTerm t;
    t.column = "owner_id";
    t.op = crmi::store::FieldFilter::Op::kIn;
    for (size_t i = 0; i < k; ++i) t.values.emplace_back("owner-" + std::to_string(i));
    r.rows.push_back(t);
    p.collections.push_back(r);
    return p;
  };
  std::vector<Case> cases;
  {
    ChunkPredicate all;
    all.collections.push_back({"activities"});
    cases.push_back({"no restriction", all});
  }
  cases.push_back({"50 % (owner in 50)", owners(50)});
  cases.push_back({"10 % (owner in 10)", owners(10)});
  cases.push_back({" 1 % (owner = 1)", owners(1)});
  {
    ChunkPredicate p = owners(1);
    p.collections[0].rows[0].values = {"owner-0"};
    p.to_ms = static_cast<int64_t>(n / 10);
    cases.push_back({" 0.1 % (owner, time)", p});
  }

  std::vector<std::string> qtext(queries);
  std::vector<float> qvec(queries * kDim);
  for (size_t i = 0; i < queries; ++i) {
    qtext[i] = text(3);
    vec(qvec.data() + i * kDim);
  }
  std::printf("\n%-22s %-8s %9s %9s %9s %9s %9s\n", "allowed", "mode", "select", "p50 ms", "p99 ms",
              "p99.9 ms", "hits");
  for (const auto& c : cases) {
    for (SearchMode mode : {SearchMode::kHybrid, SearchMode::kVector, SearchMode::kLexical}) {
      std::vector<double> lat;
      double select_ms = 0;
      size_t hits = 0;
      for (size_t i = 0; i < queries; ++i) {
        const auto start = Clock::now();
        auto filter = index.Select(c.pred);
        select_ms += Ms(start);
        HybridParams p;
        p.k = 10;
        p.mode = mode;
        p.filter = filter.get();
        auto r = index.Search(qtext[i], std::span<const float>(qvec).subspan(i * kDim, kDim), p);
        lat.push_back(Ms(start));
        if (!r.ok()) return 1;
        hits += r->size();
      }
      std::printf("%-22s %-8s %8.3f %9.3f %9.3f %9.3f %9.1f\n", c.name,
                  std::string(crmi::retrieval::SearchModeName(mode)).c_str(),
                  select_ms / static_cast<double>(queries), Pct(lat, 0.5), Pct(lat, 0.99),
                  Pct(lat, 0.999), static_cast<double>(hits) / static_cast<double>(queries));
    }
  }
  return 0;
}
