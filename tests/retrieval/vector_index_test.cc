#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "src/retrieval/brute_force_index.h"
#include "src/retrieval/distance.h"
#include "src/retrieval/hnsw_index.h"
#include "tests/test_util.h"

namespace crmi::retrieval {
namespace {

// n points around `clusters` Gaussian centres (centres N(0,1), spread sigma).
std::vector<std::vector<float>> Clustered(size_t n, size_t dim, size_t clusters, float sigma,
                                          uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> unit(0, 1);
  std::vector<std::vector<float>> centres(clusters, std::vector<float>(dim));
  for (auto& c : centres) {
    for (auto& x : c) x = unit(rng);
  }
  std::vector<std::vector<float>> out(n, std::vector<float>(dim));
  for (auto& v : out) {
    const auto& c = centres[rng() % clusters];
    for (size_t i = 0; i < dim; ++i) v[i] = c[i] + sigma * unit(rng);
  }
  return out;
}

double Recall(const std::vector<Neighbor>& got, const std::vector<Neighbor>& truth) {
  if (truth.empty()) return 1.0;
  std::set<uint64_t> want;
  for (const auto& n : truth) want.insert(n.id);
  size_t hit = 0;
  for (const auto& n : got) hit += want.count(n.id);
  return static_cast<double>(hit) / static_cast<double>(truth.size());
}

TEST(DistanceTest, DispatchedKernelsMatchTheScalarOnes) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (size_t dim : {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 100, 128, 784}) {
    std::vector<float> a(dim), b(dim);
    for (size_t i = 0; i < dim; ++i) {
      a[i] = u(rng);
      b[i] = u(rng);
    }
    const float l2 = L2SqrScalar(a.data(), b.data(), dim);
    const float ip = InnerProductDistanceScalar(a.data(), b.data(), dim);
    EXPECT_NEAR(GetDistance(Metric::kL2)(a.data(), b.data(), dim), l2, 1e-4 * (1 + l2)) << dim;
    EXPECT_NEAR(GetDistance(Metric::kInnerProduct)(a.data(), b.data(), dim), ip,
                1e-4 * (1 + std::fabs(ip)))
        << dim;
    // Every kernel this CPU can run, not only the dispatched one.
    for (const char* isa : {"avx2", "avx512"}) {
      if (DistanceFn f = GetDistanceForIsa(Metric::kL2, isa)) {
        EXPECT_NEAR(f(a.data(), b.data(), dim), l2, 1e-4 * (1 + l2)) << isa << " " << dim;
      }
      if (DistanceFn f = GetDistanceForIsa(Metric::kInnerProduct, isa)) {
        EXPECT_NEAR(f(a.data(), b.data(), dim), ip, 1e-4 * (1 + std::fabs(ip)))
            << isa << " " << dim;
      }
    }
  }
  EXPECT_FALSE(DistanceIsa().empty());
}

TEST(BruteForceIndexTest, AddReplaceRemoveFilterAndBadInput) {
  BruteForceIndex index(2, Metric::kL2);
  ASSERT_TRUE(index.Add(1, std::vector<float>{0, 0}).ok());
  ASSERT_TRUE(index.Add(2, std::vector<float>{1, 0}).ok());
  ASSERT_TRUE(index.Add(3, std::vector<float>{5, 5}).ok());
  ASSERT_TRUE(index.Add(2, std::vector<float>{9, 9}).ok());  // replaces
  EXPECT_EQ(index.size(), 3u);
  auto r = index.Search(std::vector<float>{0.9f, 0}, {.k = 2});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, 1u);
  EXPECT_EQ((*r)[1].id, 3u);
  ASSERT_TRUE(index.Remove(1).ok());
  EXPECT_EQ(index.Remove(1).code(), StatusCode::kNotFound);
  BitmapFilter only2(10);
  only2.Allow(2);
  r = index.Search(std::vector<float>{0, 0}, {.k = 5, .filter = &only2});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].id, 2u);
  EXPECT_EQ(index.Add(4, std::vector<float>{1}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Add(4, std::vector<float>{NAN, 1}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Search(std::vector<float>{0, 0}, {.k = 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Search(std::vector<float>{0}, {.k = 1}).status().code(),
            StatusCode::kInvalidArgument);
}

// One 20,000-vector index shared by the read-only tests (built once: ~2 s, more under ASan);
// tests that modify an index build their own.
class HnswTest : public ::testing::Test {
 protected:
  static constexpr size_t kDim = 32;
  static constexpr size_t kN = 20000;
  struct Shared {
    std::vector<std::vector<float>> data, queries;
    std::unique_ptr<HnswIndex> hnsw;
    std::unique_ptr<BruteForceIndex> exact;
  };
  static Shared Build(size_t n) {
    Shared s;
    s.data = Clustered(n, kDim, 100, 0.5f, 7);
    s.queries = Clustered(200, kDim, 100, 0.5f, 7);  // same centres, other points
    s.hnsw = std::make_unique<HnswIndex>(kDim, Metric::kL2);
    s.exact = std::make_unique<BruteForceIndex>(kDim, Metric::kL2);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_TRUE(s.hnsw->Add(i, s.data[i]).ok());
      EXPECT_TRUE(s.exact->Add(i, s.data[i]).ok());
    }
    return s;
  }
  static void SetUpTestSuite() { shared_ = new Shared(Build(kN)); }
  static void TearDownTestSuite() { delete shared_; }
  void SetUp() override {
    data_ = &shared_->data;
    queries_ = shared_->queries;
    hnsw_ = shared_->hnsw.get();
    exact_ = shared_->exact.get();
  }
  static Shared* shared_;
  const std::vector<std::vector<float>>* data_ = nullptr;
  std::vector<std::vector<float>> queries_;
  HnswIndex* hnsw_ = nullptr;
  BruteForceIndex* exact_ = nullptr;
};
HnswTest::Shared* HnswTest::shared_ = nullptr;

TEST_F(HnswTest, RecallAgainstTheExactOracle) {
  double total = 0;
  for (const auto& q : queries_) {
    auto got = hnsw_->Search(q, {.k = 10, .ef = 64});
    auto want = exact_->Search(q, {.k = 10});
    ASSERT_TRUE(got.ok() && want.ok());
    ASSERT_EQ(got->size(), 10u);
    EXPECT_TRUE(std::is_sorted(got->begin(), got->end(), [](const auto& a, const auto& b) {
      return a.distance < b.distance;
    }));
    total += Recall(*got, *want);
  }
  EXPECT_GE(total / static_cast<double>(queries_.size()), 0.95);
}

TEST_F(HnswTest, FilteredSearchAtEverySelectivity) {
  std::mt19937_64 rng(3);
  for (double selectivity : {0.5, 0.1, 0.01, 0.001, 0.0002}) {
    BitmapFilter filter(kN);
    for (size_t i = 0; i < kN; ++i) {
      if (std::uniform_real_distribution<double>(0, 1)(rng) < selectivity) filter.Allow(i);
    }
    double total = 0;
    for (const auto& q : queries_) {
      SearchParams p{.k = 10, .ef = 64, .filter = &filter};
      auto got = hnsw_->Search(q, p);
      auto want = exact_->Search(q, p);
      ASSERT_TRUE(got.ok() && want.ok());
      // Never short, never outside the filter.
      ASSERT_EQ(got->size(), std::min<size_t>(10, filter.AllowedCount())) << selectivity;
      for (const auto& n : *got) ASSERT_TRUE(filter.Allows(n.id));
      const double recall = Recall(*got, *want);
      if (hnsw_->PlanFor(p) == HnswIndex::Plan::kScan) {
        EXPECT_EQ(recall, 1.0);
      }
      total += recall;
    }
    EXPECT_GE(total / static_cast<double>(queries_.size()), 0.95) << selectivity;
  }
}

TEST_F(HnswTest, RemovedAndReplacedIdsAreNeverReturned) {
  constexpr size_t kOwn = 8000;
  Shared own = Build(kOwn);
  HnswIndex& hnsw = *own.hnsw;
  BruteForceIndex& exact = *own.exact;
  std::set<uint64_t> removed;
  for (uint64_t id = 0; id < kOwn; id += 3) {
    ASSERT_TRUE(hnsw.Remove(id).ok());
    ASSERT_TRUE(exact.Remove(id).ok());
    removed.insert(id);
  }
  EXPECT_EQ(hnsw.size(), kOwn - removed.size());
  // Move id 1 far away: the old position must not answer for it.
  std::vector<float> far(kDim, 100.0f);
  ASSERT_TRUE(hnsw.Add(1, far).ok());
  ASSERT_TRUE(exact.Add(1, far).ok());
  double total = 0;
  for (const auto& q : own.queries) {
    auto got = hnsw.Search(q, {.k = 10, .ef = 64});
    auto want = exact.Search(q, {.k = 10});
    ASSERT_TRUE(got.ok() && want.ok());
    ASSERT_EQ(got->size(), 10u);
    for (const auto& n : *got) {
      EXPECT_EQ(removed.count(n.id), 0u);
      EXPECT_NE(n.id, 1u);
    }
    total += Recall(*got, *want);
  }
  EXPECT_GE(total / static_cast<double>(own.queries.size()), 0.95);
  auto at_far = hnsw.Search(far, {.k = 1});
  ASSERT_TRUE(at_far.ok());
  EXPECT_EQ((*at_far)[0].id, 1u);
  EXPECT_EQ(hnsw.Remove(0).code(), StatusCode::kNotFound);
}

TEST(HnswIndexTest, AnyIdsDenseOrNotScanExactly) {
  // Small ids live in a flat array, large ones in a hash map; both must behave the same,
  // through adds, replacements, removals and exact scans of sparse allowed sets.
  constexpr size_t kDim = 8, kN = 3000;
  auto data = Clustered(kN, kDim, 20, 0.5f, 3);
  HnswIndex hnsw(kDim, Metric::kL2);
  BruteForceIndex exact(kDim, Metric::kL2);
  auto id_of = [](size_t i) { return i % 2 == 0 ? uint64_t{i} : (uint64_t{1} << 40) + i * 977; };
  for (size_t i = 0; i < kN; ++i) {
    ASSERT_TRUE(hnsw.Add(id_of(i), data[i]).ok());
    ASSERT_TRUE(exact.Add(id_of(i), data[i]).ok());
  }
  for (size_t i = 0; i < kN; i += 5) {
    ASSERT_TRUE(hnsw.Remove(id_of(i)).ok());
    ASSERT_TRUE(exact.Remove(id_of(i)).ok());
  }
  for (size_t i = 1; i < kN; i += 7) {  // replaced: moved to another point
    ASSERT_TRUE(hnsw.Add(id_of(i), data[(i + 11) % kN]).ok());
    ASSERT_TRUE(exact.Add(id_of(i), data[(i + 11) % kN]).ok());
  }
  EXPECT_EQ(hnsw.size(), exact.size());
  std::vector<float> v(kDim);
  EXPECT_TRUE(hnsw.GetVector(id_of(1), v.data()).ok());
  EXPECT_EQ(v, data[12]);
  EXPECT_EQ(hnsw.GetVector(id_of(5), v.data()).code(), StatusCode::kNotFound);
  BitmapFilter none(0);  // a bitmap over small ids only: the large ids are never allowed
  BitmapFilter allowed(kN);
  for (size_t i = 0; i < kN; i += 13) allowed.Allow(id_of(i & ~size_t{1}));
  for (size_t q = 0; q < 20; ++q) {
    auto got = hnsw.Search(
        data[q * 7], {.k = 10, .filter = &allowed, .strategy = SearchParams::Strategy::kScan});
    auto want = exact.Search(data[q * 7], {.k = 10, .filter = &allowed});
    ASSERT_TRUE(got.ok() && want.ok());
    ASSERT_EQ(got->size(), want->size());
    for (size_t i = 0; i < got->size(); ++i) EXPECT_EQ((*got)[i].id, (*want)[i].id);
    auto nothing = hnsw.Search(data[q], {.k = 10, .filter = &none});
    ASSERT_TRUE(nothing.ok());
    EXPECT_TRUE(nothing->empty());
  }
}

TEST_F(HnswTest, SaveAndLoadRoundTrip) {
  const std::string dir = test::TempDir("hnsw");
  const std::string path = dir + "/index.hnsw";
  // A tombstone and a replaced id must survive the round trip too.
  Shared own = Build(3000);
  ASSERT_TRUE(own.hnsw->Remove(5).ok());
  ASSERT_TRUE(own.hnsw->Add(6, std::vector<float>(kDim, 50.0f)).ok());
  ASSERT_TRUE(own.hnsw->Save(path).ok());
  auto loaded = HnswIndex::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  HnswIndex& copy = **loaded;
  EXPECT_EQ(copy.size(), own.hnsw->size());
  EXPECT_EQ(copy.nodes(), own.hnsw->nodes());
  for (const auto& q : own.queries) {
    auto a = own.hnsw->Search(q, {.k = 10});
    auto b = copy.Search(q, {.k = 10});
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), b->size());
    for (size_t i = 0; i < a->size(); ++i) EXPECT_EQ((*a)[i].id, (*b)[i].id);
  }
  // The loaded index keeps working: adds, removes.
  ASSERT_TRUE(copy.Add(100000, own.data[0]).ok());
  EXPECT_EQ(copy.Remove(5).code(), StatusCode::kNotFound);

  // Damage: a flipped byte, a cut, garbage, nothing.
  std::string bytes = test::ReadFile(path);
  auto write = [&](const std::string& content) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  };
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x40;
  write(flipped);
  EXPECT_EQ(HnswIndex::Load(path).status().code(), StatusCode::kDataLoss);
  write(bytes.substr(0, bytes.size() - 100));
  EXPECT_EQ(HnswIndex::Load(path).status().code(), StatusCode::kDataLoss);
  write("not an index");
  EXPECT_EQ(HnswIndex::Load(path).status().code(), StatusCode::kDataLoss);
  std::filesystem::remove(path);
  EXPECT_EQ(HnswIndex::Load(path).status().code(), StatusCode::kNotFound);
  // Empty index.
  HnswIndex empty(4, Metric::kInnerProduct);
  ASSERT_TRUE(empty.Save(path).ok());
  auto reopened = HnswIndex::Load(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->size(), 0u);
  EXPECT_EQ((*reopened)->metric(), Metric::kInnerProduct);
  std::filesystem::remove_all(dir);
}

TEST(HnswIndexTest, SmallAndEdgeCases) {
  HnswIndex index(4, Metric::kInnerProduct);
  auto empty = index.Search(std::vector<float>{1, 0, 0, 0}, {.k = 3});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  ASSERT_TRUE(index.Add(7, std::vector<float>{1, 0, 0, 0}).ok());
  ASSERT_TRUE(index.Add(8, std::vector<float>{0, 1, 0, 0}).ok());
  auto r = index.Search(std::vector<float>{0.9f, 0.1f, 0, 0}, {.k = 5});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u) << "fewer than k exist: all of them";
  EXPECT_EQ((*r)[0].id, 7u);
  EXPECT_EQ(index.Search(std::vector<float>{1, 0, 0}, {.k = 1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Search(std::vector<float>{1, 0, 0, INFINITY}, {.k = 1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Add(9, std::vector<float>{1, 0}).code(), StatusCode::kInvalidArgument);
}

TEST(HnswIndexTest, ConcurrentInsertsAndSearches) {
  constexpr size_t kDim = 16;
  const auto data = Clustered(6000, kDim, 30, 0.5f, 11);
  HnswIndex index(kDim, Metric::kL2, {.m = 8, .ef_construction = 64});
  std::atomic<size_t> next{0};
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < data.size();) {
        if (!index.Add(i, data[i]).ok()) bad = true;
      }
    });
  }
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        auto r = index.Search(data[static_cast<size_t>(i)], {.k = 5});
        if (!r.ok() || r->size() > 5) bad = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(bad);
  EXPECT_EQ(index.size(), data.size());
  auto r = index.Search(data[42], {.k = 1});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].id, 42u);
}

// fmnistsmall (texmex files): 1,000 × 784-d base, 500 queries, top-100 ground truth.
std::vector<std::vector<float>> ReadFvecs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::vector<float>> out;
  int32_t dim = 0;
  while (in.read(reinterpret_cast<char*>(&dim), 4)) {
    std::vector<float> v(static_cast<size_t>(dim));
    in.read(reinterpret_cast<char*>(v.data()), dim * 4);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<std::vector<int32_t>> ReadIvecs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::vector<int32_t>> out;
  int32_t dim = 0;
  while (in.read(reinterpret_cast<char*>(&dim), 4)) {
    std::vector<int32_t> v(static_cast<size_t>(dim));
    in.read(reinterpret_cast<char*>(v.data()), dim * 4);
    out.push_back(std::move(v));
  }
  return out;
}

TEST(HnswIndexTest, FmnistSmallGroundTruth) {
  const std::string dir = test::SharedDataDir() + "/ann/fmnistsmall/";
  if (!std::filesystem::exists(dir)) {
    // CI and the dev machines have ../shared/data next to the repository; a clone elsewhere
    // needs CRMI_SHARED_DATA. The ANN index is covered by the synthetic tests above either way.
    GTEST_SKIP() << "no " << dir << " (set CRMI_SHARED_DATA to the shared data directory)";
  }
  const auto base = ReadFvecs(dir + "fmnistsmall_base.fvecs");
  const auto queries = ReadFvecs(dir + "fmnistsmall_query.fvecs");
  const auto truth = ReadIvecs(dir + "fmnistsmall_groundtruth.ivecs");
  ASSERT_EQ(base.size(), 1000u) << "missing " << dir
                                << " (set CRMI_SHARED_DATA to the shared data directory)";
  ASSERT_EQ(queries.size(), truth.size());
  HnswIndex index(base[0].size(), Metric::kL2);
  for (size_t i = 0; i < base.size(); ++i) ASSERT_TRUE(index.Add(i, base[i]).ok());
  double total = 0;
  for (size_t q = 0; q < queries.size(); ++q) {
    auto got = index.Search(queries[q], {.k = 10, .ef = 64});
    ASSERT_TRUE(got.ok());
    std::set<uint64_t> want(truth[q].begin(), truth[q].begin() + 10);
    for (const auto& n : *got) total += want.count(n.id);
  }
  EXPECT_GE(total / (10.0 * static_cast<double>(queries.size())), 0.95);
}

}  // namespace
}  // namespace crmi::retrieval
