// crmi's HNSW against hnswlib 0.6.2 (Debian, header-only, built here with the same -O2 flags and
// no -march, as a Debian user would) and FAISS 1.7.3 IndexHNSWFlat (Debian's static library, when
// installed: scripts/bootstrap --bench) at equal parameters, one thread, one query at a time:
// build time, memory, recall@10 and QPS per ef; then filtered search at several selectivities
// (an attribute independent of the clusters) against the exact filtered top-10: crmi's planner
// and FAISS's IDSelector (hnswlib 0.6.2 has no filter hook).
//
// Data: n vectors in `clusters` Gaussian clusters (centres N(0,1), sigma 0.5), queries from the
// same mixture — the setting of ../shared/docs/vector-peers.md; or an ANN-benchmarks set in
// .fvecs/.ivecs form (--fvecs DIR/NAME reads NAME_base.fvecs, NAME_query.fvecs and
// NAME_groundtruth.ivecs).
//
//   build/release/bench/hnsw_bench [--n 200000] [--dim 128] [--queries 1000] [--m 16]
//                                  [--efc 200] [--no-hnswlib] [--no-faiss]
//                                  [--fvecs ../shared/data/ann/fmnistsmall/fmnistsmall]
#include <hnswlib/hnswlib.h>
#ifdef CRMI_HAVE_FAISS
#include <faiss/IndexHNSW.h>
#include <faiss/impl/IDSelector.h>
#include <omp.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "src/retrieval/brute_force_index.h"
#include "src/retrieval/hnsw_index.h"

namespace {

using crmi::retrieval::BitmapFilter;
using crmi::retrieval::HnswIndex;
using crmi::retrieval::Metric;
using crmi::retrieval::Neighbor;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Data {
  size_t n, dim;
  std::vector<float> base;     // n × dim
  std::vector<float> queries;  // q × dim
  const float* Base(size_t i) const { return base.data() + i * dim; }
  const float* Query(size_t i) const { return queries.data() + i * dim; }
};

Data Make(size_t n, size_t q, size_t dim, size_t clusters) {
  std::mt19937_64 rng(42);
  std::normal_distribution<float> unit(0, 1);
  std::vector<float> centres(clusters * dim);
  for (auto& x : centres) x = unit(rng);
  Data d{n, dim, std::vector<float>(n * dim), std::vector<float>(q * dim)};
  auto fill = [&](float* v) {
    const float* c = centres.data() + (rng() % clusters) * dim;
    for (size_t i = 0; i < dim; ++i) v[i] = c[i] + 0.5f * unit(rng);
  };
  for (size_t i = 0; i < n; ++i) fill(d.base.data() + i * dim);
  for (size_t i = 0; i < q; ++i) fill(d.queries.data() + i * dim);
  return d;
}

// .fvecs / .ivecs: per vector a little-endian int32 dimension, then that many 4-byte values.
template <typename T>
bool ReadVecs(const std::string& path, size_t* dim, std::vector<T>* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  int32_t d = 0;
  while (in.read(reinterpret_cast<char*>(&d), 4)) {
    if (d <= 0 || (*dim != 0 && static_cast<size_t>(d) != *dim)) return false;
    *dim = static_cast<size_t>(d);
    const size_t at = out->size();
    out->resize(at + *dim);
    if (!in.read(reinterpret_cast<char*>(out->data() + at), static_cast<std::streamsize>(4 * *dim)))
      return false;
  }
  return !out->empty();
}

// Exact top-k per query, optionally restricted to `allowed`.
std::vector<std::vector<uint64_t>> Truth(const Data& d, size_t q, size_t k,
                                         const std::vector<uint8_t>* allowed) {
  const auto dist = crmi::retrieval::GetDistance(Metric::kL2);
  std::vector<std::vector<uint64_t>> out(q);
  std::vector<Neighbor> all;
  for (size_t i = 0; i < q; ++i) {
    all.clear();
    for (size_t j = 0; j < d.n; ++j) {
      if (allowed != nullptr && !(*allowed)[j]) continue;
      all.push_back({j, dist(d.Query(i), d.Base(j), d.dim)});
    }
    for (const auto& n : crmi::retrieval::TopK(all, k)) out[i].push_back(n.id);
  }
  return out;
}

double Recall(const std::vector<uint64_t>& got, const std::vector<uint64_t>& want) {
  if (want.empty()) return 1.0;
  std::set<uint64_t> w(want.begin(), want.end());
  size_t hit = 0;
  for (uint64_t id : got) hit += w.count(id);
  return static_cast<double>(hit) / static_cast<double>(want.size());
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows when redirected to a file
  size_t n = 200000, dim = 128, q = 1000, m = 16, efc = 200;
  bool with_hnswlib = true, with_faiss = true;
  std::string fvecs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return static_cast<size_t>(std::stoull(argv[++i])); };
    if (a == "--n" && i + 1 < argc)
      n = next();
    else if (a == "--dim" && i + 1 < argc)
      dim = next();
    else if (a == "--queries" && i + 1 < argc)
      q = next();
    else if (a == "--m" && i + 1 < argc)
      m = next();
    else if (a == "--efc" && i + 1 < argc)
      efc = next();
    else if (a == "--no-hnswlib")
      with_hnswlib = false;
    else if (a == "--no-faiss")
      with_faiss = false;
    else if (a == "--fvecs" && i + 1 < argc)
      fvecs = argv[++i];
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  const size_t k = 10;
  Data d;
  std::vector<std::vector<uint64_t>> truth;
  auto t = Clock::now();
  if (fvecs.empty()) {
    std::printf(
        "data: %zu x %zu-d, 1000 clusters, %zu queries; M=%zu efc=%zu; distance kernels: %s\n", n,
        dim, q, m, efc, std::string(crmi::retrieval::DistanceIsa()).c_str());
    d = Make(n, q, dim, 1000);
    truth = Truth(d, q, k, nullptr);
  } else {
    size_t bdim = 0, qdim = 0, gdim = 0;
    std::vector<int32_t> gt;
    if (!ReadVecs(fvecs + "_base.fvecs", &bdim, &d.base) ||
        !ReadVecs(fvecs + "_query.fvecs", &qdim, &d.queries) || bdim != qdim ||
        !ReadVecs(fvecs + "_groundtruth.ivecs", &gdim, &gt) || gdim < k) {
      std::fprintf(stderr, "cannot read %s_{base,query}.fvecs / _groundtruth.ivecs\n",
                   fvecs.c_str());
      return 2;
    }
    d.dim = dim = bdim;
    d.n = n = d.base.size() / dim;
    q = d.queries.size() / dim;
    if (gt.size() / gdim != q) return 2;
    truth.resize(q);
    for (size_t i = 0; i < q; ++i) {
      for (size_t j = 0; j < k; ++j) truth[i].push_back(static_cast<uint64_t>(gt[i * gdim + j]));
    }
    std::printf("data: %s, %zu x %zu-d, %zu queries; M=%zu efc=%zu; distance kernels: %s\n",
                fvecs.c_str(), n, dim, q, m, efc,
                std::string(crmi::retrieval::DistanceIsa()).c_str());
  }
  std::printf("ground truth: %.1f s\n", Seconds(t));

  HnswIndex crmi_index(dim, Metric::kL2, {.m = m, .ef_construction = efc});
  t = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    if (!crmi_index.Add(i, std::span<const float>(d.Base(i), dim)).ok()) return 1;
  }
  std::printf("crmi    build %.1f s, %.0f MB\n", Seconds(t),
              static_cast<double>(crmi_index.MemoryBytes()) / 1e6);

  {
    const std::string path = "/tmp/crmi-hnsw-bench.index";
    t = Clock::now();
    if (!crmi_index.Save(path).ok()) return 1;
    const double save_s = Seconds(t);
    t = Clock::now();
    auto reopened = HnswIndex::Load(path);
    if (!reopened.ok()) return 1;
    std::printf("crmi    save %.2f s, reopen %.2f s (%.0f MB file)\n", save_s, Seconds(t),
                static_cast<double>(std::filesystem::file_size(path)) / 1e6);
    std::filesystem::remove(path);
  }

  hnswlib::L2Space space(dim);
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> lib;
  if (with_hnswlib) {
    lib = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, n, m, efc, 42);
    t = Clock::now();
    for (size_t i = 0; i < n; ++i) lib->addPoint(d.Base(i), i);
    std::printf("hnswlib build %.1f s, %.0f MB (data + level 0 + upper links)\n", Seconds(t),
                static_cast<double>(n * lib->size_data_per_element_) / 1e6);
  }

#ifdef CRMI_HAVE_FAISS
  // One thread, as the others: FAISS parallelises add() and batched searches with OpenMP.
  omp_set_num_threads(1);
  std::unique_ptr<faiss::IndexHNSWFlat> fx;
  if (with_faiss) {
    fx = std::make_unique<faiss::IndexHNSWFlat>(static_cast<int>(dim), static_cast<int>(m));
    fx->hnsw.efConstruction = static_cast<int>(efc);
    t = Clock::now();
    fx->add(static_cast<faiss::Index::idx_t>(n), d.base.data());
    std::printf("faiss   build %.1f s, %.0f MB (vectors + links)\n", Seconds(t),
                static_cast<double>(n * dim * 4 + fx->hnsw.neighbors.size() * 4 +
                                    fx->hnsw.offsets.size() * 8 + fx->hnsw.levels.size() * 4) /
                    1e6);
  }
  // 1.7.3 ignores SearchParametersHNSW::efSearch: the index's own field is what counts.
  auto faiss_search = [&](const float* query, size_t ef, const faiss::IDSelector* sel,
                          std::vector<uint64_t>* ids) {
    fx->hnsw.efSearch = static_cast<int>(ef);
    faiss::SearchParametersHNSW sp;
    sp.efSearch = static_cast<int>(ef);
    sp.sel = const_cast<faiss::IDSelector*>(sel);
    std::vector<float> dist(k);
    std::vector<faiss::Index::idx_t> lab(k);
    fx->search(1, query, static_cast<faiss::Index::idx_t>(k), dist.data(), lab.data(),
               sel == nullptr ? nullptr : &sp);
    ids->clear();
    for (auto l : lab) {
      if (l >= 0) ids->push_back(static_cast<uint64_t>(l));
    }
  };
#endif

  // One untimed pass per index first: the timed passes should not pay for cold caches and
  // page faults left over from building the other index.
  for (size_t i = 0; i < q; ++i) {
    (void)crmi_index.Search(std::span<const float>(d.Query(i), dim), {.k = k, .ef = 64});
    if (lib) (void)lib->searchKnn(d.Query(i), k);
#ifdef CRMI_HAVE_FAISS
    std::vector<uint64_t> ids;
    if (fx) faiss_search(d.Query(i), 64, nullptr, &ids);
#endif
  }
  std::printf("\n%-8s %5s %10s %10s\n", "index", "ef", "recall@10", "QPS");
  for (size_t ef : {16, 24, 32, 48, 64, 128}) {
    double recall = 0;
    t = Clock::now();
    std::vector<uint64_t> ids;
    for (size_t i = 0; i < q; ++i) {
      auto r = crmi_index.Search(std::span<const float>(d.Query(i), dim), {.k = k, .ef = ef});
      ids.clear();
      for (const auto& nb : *r) ids.push_back(nb.id);
      recall += Recall(ids, truth[i]);
    }
    const double crmi_qps = static_cast<double>(q) / Seconds(t);
    std::printf("%-8s %5zu %10.4f %10.0f\n", "crmi", ef, recall / static_cast<double>(q), crmi_qps);
    if (lib) {
      lib->setEf(ef);
      recall = 0;
      t = Clock::now();
      for (size_t i = 0; i < q; ++i) {
        auto pq = lib->searchKnn(d.Query(i), k);
        ids.clear();
        while (!pq.empty()) {
          ids.push_back(pq.top().second);
          pq.pop();
        }
        recall += Recall(ids, truth[i]);
      }
      const double lib_qps = static_cast<double>(q) / Seconds(t);
      std::printf("%-8s %5zu %10.4f %10.0f   (crmi/hnswlib QPS %.2fx)\n", "hnswlib", ef,
                  recall / static_cast<double>(q), lib_qps, crmi_qps / lib_qps);
    }
#ifdef CRMI_HAVE_FAISS
    if (fx) {
      recall = 0;
      t = Clock::now();
      for (size_t i = 0; i < q; ++i) {
        faiss_search(d.Query(i), ef, nullptr, &ids);
        recall += Recall(ids, truth[i]);
      }
      const double fx_qps = static_cast<double>(q) / Seconds(t);
      std::printf("%-8s %5zu %10.4f %10.0f   (crmi/faiss QPS %.2fx)\n", "faiss", ef,
                  recall / static_cast<double>(q), fx_qps, crmi_qps / fx_qps);
    }
#endif
  }

  std::printf("\nfiltered (k=10): allowed ids drawn independently of the clusters\n");
  std::printf("%-11s %5s %6s %10s %10s %8s\n", "selectivity", "ef", "plan", "recall@10", "QPS",
              "short");
  std::mt19937_64 rng(9);
  for (double s : {0.5, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01, 0.001}) {
    std::vector<uint8_t> allowed(n, 0);
    BitmapFilter filter(n);
    for (size_t i = 0; i < n; ++i) {
      if (std::uniform_real_distribution<double>(0, 1)(rng) < s) {
        allowed[i] = 1;
        filter.Allow(i);
      }
    }
    const auto ftruth = Truth(d, q, k, &allowed);
    for (size_t ef : {16, 32, 64, 0}) {
      // ef 0: the planner's choice at ef 64 forced to an exact scan, for comparison.
      crmi::retrieval::SearchParams p{
          .k = k,
          .ef = ef == 0 ? 64 : ef,
          .filter = &filter,
          .strategy = ef == 0 ? crmi::retrieval::SearchParams::Strategy::kScan
                              : crmi::retrieval::SearchParams::Strategy::kGraph};
      double recall = 0;
      size_t shorts = 0;
      std::vector<uint64_t> ids;
      t = Clock::now();
      for (size_t i = 0; i < q; ++i) {
        auto r = crmi_index.Search(std::span<const float>(d.Query(i), dim), p);
        ids.clear();
        for (const auto& nb : *r) ids.push_back(nb.id);
        shorts += ids.size() < std::min(k, filter.AllowedCount());
        recall += Recall(ids, ftruth[i]);
      }
      const double qps = static_cast<double>(q) / Seconds(t);
      crmi::retrieval::SearchParams auto_plan = p;
      auto_plan.strategy = crmi::retrieval::SearchParams::Strategy::kAuto;
      std::printf("%-11.3f %5zu %6s %10.4f %10.0f %8zu   (crmi; planner: %s)\n", s, p.ef,
                  ef == 0 ? "scan" : "graph", recall / static_cast<double>(q), qps, shorts,
                  crmi_index.PlanFor(auto_plan) == HnswIndex::Plan::kScan ? "scan" : "graph");
    }
#ifdef CRMI_HAVE_FAISS
    if (fx) {
      std::vector<uint8_t> bits((n + 7) / 8, 0);
      for (size_t i = 0; i < n; ++i) {
        if (allowed[i]) bits[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
      }
      faiss::IDSelectorBitmap sel(bits.size(), bits.data());
      for (size_t ef : {16, 64, 256}) {
        double recall = 0;
        size_t shorts = 0;
        std::vector<uint64_t> ids;
        t = Clock::now();
        for (size_t i = 0; i < q; ++i) {
          faiss_search(d.Query(i), ef, &sel, &ids);
          shorts += ids.size() < std::min(k, filter.AllowedCount());
          recall += Recall(ids, ftruth[i]);
        }
        const double qps = static_cast<double>(q) / Seconds(t);
        std::printf("%-11.3f %5zu %6s %10.4f %10.0f %8zu   (faiss IDSelector)\n", s, ef, "sel",
                    recall / static_cast<double>(q), qps, shorts);
      }
    }
#endif
  }
  return 0;
}
