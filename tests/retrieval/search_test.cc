// Text analysis, chunking, BM25, the hybrid chunk index (against brute-force oracles) and the
// live retrieval service over a real SQLite store: refresh, deletes, tenant isolation, policy
// scopes, bad requests, concurrent writers and searchers, and a model swap under load.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "src/common/crypto.h"
#include "src/crm/record_service.h"
#include "src/retrieval/bm25_index.h"
#include "src/retrieval/builtin_embedder.h"
#include "src/retrieval/chunk_index.h"
#include "src/retrieval/chunker.h"
#include "src/retrieval/retrieval_service.h"
#include "src/retrieval/search_cache.h"
#include "src/retrieval/text.h"
#include "tests/test_util.h"

namespace crmi::retrieval {
namespace {

// --- text -------------------------------------------------------------------------------

TEST(TextTest, WordsKeepOffsetsAndUtf8) {
  auto w = Words("Hello, Müller! 東京 x-42");
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(w[0].text, "hello");
  EXPECT_EQ(w[1].text, "müller");  // multi-byte letters stay in the word (not lower-cased)
  EXPECT_EQ(w[2].text, "東京");
  EXPECT_EQ(w[3].text, "x");
  EXPECT_EQ(w[4].text, "42");
  EXPECT_EQ(std::string("Hello, Müller! 東京 x-42").substr(w[1].start, w[1].end - w[1].start),
            "Müller");
}

TEST(TextTest, TermsDropStopWordsAndStem) {
  EXPECT_EQ(TermTexts("The renewals of the mortgages were renewed"),
            (std::vector<std::string>{"renew", "mortgag", "renew"}));
  EXPECT_TRUE(TermTexts("the of and").empty());
  // Over-long tokens (hashes, base64) are dropped rather than indexed.
  EXPECT_TRUE(TermTexts(std::string(100, 'a')).empty());
}

// --- chunking ---------------------------------------------------------------------------

TEST(ChunkerTest, WindowsCoverEveryWordWithOverlapAndSentenceEnds) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "Sentence number " + std::to_string(i) + " is here. ";
  ChunkOptions o;
  o.max_words = 40;
  o.overlap_words = 8;
  auto windows = SplitText(text, o);
  ASSERT_GT(windows.size(), 10u);
  EXPECT_EQ(windows.front().first, 0u);
  EXPECT_EQ(windows.back().second, text.size() - 1);  // the trailing space is not a word
  for (size_t i = 0; i < windows.size(); ++i) {
    auto [s, e] = windows[i];
    const std::string piece = text.substr(s, e - s);
    EXPECT_LE(Words(piece).size(), 40u * 2) << piece;  // words here are "number", digits...
    EXPECT_LE(std::count(piece.begin(), piece.end(), ' ') + 1, 40);
    if (i + 1 < windows.size()) {
      EXPECT_EQ(piece.back(), '.') << "window " << i << " does not end a sentence";
      EXPECT_LT(windows[i + 1].first, e)
          << "windows " << i << " and " << i + 1 << " do not overlap";
    }
  }
  EXPECT_TRUE(SplitText("   \n ", o).empty());
}

TEST(ChunkerTest, RecordChunksCarryMetadataTitleAndSensitivity) {
  const crm::Schema& schema = crm::Schema::Default();
  store::StoredRecord r;
  r.id = "act_1";
  r.version = 3;
  r.updated_at = "2026-01-01T00:00:00.000Z";
  r.doc = R"({"parent_type":"contacts","parent_id":"con_9","channel":"email",)"
          R"("occurred_at":"2026-02-03T04:05:06.000Z","subject":"Card declined",)"
          R"("body":"My card was declined at the store.","owner_id":"adv-1","region":"eu"})";
  auto chunks = ChunkRecord(*schema.Find("activities"), "t1", r);
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  ASSERT_EQ(chunks->size(), 1u);
  const Chunk& c = (*chunks)[0];
  EXPECT_EQ(c.field, "body");
  EXPECT_EQ(c.title, "Card declined");
  EXPECT_EQ(c.text, "My card was declined at the store.");
  EXPECT_EQ(c.start, 0u);
  EXPECT_EQ(c.meta.tenant, "t1");
  EXPECT_EQ(c.meta.collection, "activities");
  EXPECT_EQ(c.meta.record_id, "act_1");
  EXPECT_EQ(c.meta.contact_id, "con_9");  // from the parent
  EXPECT_EQ(c.meta.owner_id, "adv-1");
  EXPECT_EQ(c.meta.region, "eu");
  EXPECT_EQ(c.meta.sensitivity, crm::Sensitivity::kConfidential);
  EXPECT_EQ(c.meta.time_ms, 1770091506000);  // occurred_at, not updated_at
  EXPECT_EQ(c.meta.record_version, 3);
  EXPECT_EQ(c.IndexedText(), "Card declined\nMy card was declined at the store.");
  EXPECT_EQ(c.content_hash.size(), 64u);

  // No body: the title alone is the passage. No text at all: no chunks.
  r.doc = R"({"parent_type":"contacts","parent_id":"con_9","channel":"call",)"
          R"("occurred_at":"2026-02-03T04:05:06.000Z","subject":"Callback requested"})";
  chunks = ChunkRecord(*schema.Find("activities"), "t1", r);
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 1u);
  EXPECT_EQ((*chunks)[0].field, "subject");
  EXPECT_EQ((*chunks)[0].text, "Callback requested");
  EXPECT_TRUE((*chunks)[0].title.empty());
  r.doc = R"({"parent_type":"contacts","parent_id":"con_9","channel":"call",)"
          R"("occurred_at":"2026-02-03T04:05:06.000Z"})";
  chunks = ChunkRecord(*schema.Find("activities"), "t1", r);
  ASSERT_TRUE(chunks.ok());
  EXPECT_TRUE(chunks->empty());
  EXPECT_FALSE(IsSearchable(*schema.Find("contacts")));
  r.doc = "[1]";
  EXPECT_FALSE(ChunkRecord(*schema.Find("activities"), "t1", r).ok());
}

TEST(ChunkerTest, RestrictedFieldsAreNeverIndexed) {
  crm::Collection c = *crm::Schema::Default().Find("activities");
  for (auto& f : c.fields) {
    if (f.name == "body") f.sensitivity = crm::Sensitivity::kRestricted;
  }
  store::StoredRecord r;
  r.id = "act_1";
  r.doc = R"({"parent_type":"contacts","parent_id":"con_9","channel":"note",)"
          R"("occurred_at":"2026-02-03T04:05:06.000Z","subject":"Health note",)"
          R"("body":"diagnosed with a restricted condition"})";
  auto chunks = ChunkRecord(c, "t1", r);
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 1u);  // the subject alone
  EXPECT_EQ((*chunks)[0].text, "Health note");
  for (auto& f : c.fields) {
    if (f.name == "subject") f.sensitivity = crm::Sensitivity::kRestricted;
  }
  chunks = ChunkRecord(c, "t1", r);
  ASSERT_TRUE(chunks.ok());
  EXPECT_TRUE(chunks->empty());
}

// --- built-in embedder -------------------------------------------------------------------

TEST(BuiltinEmbedderTest, DeterministicNormalisedAndCancellable) {
  const std::string dir = test::TempDir("builtin");
  std::vector<std::string> texts;
  const char* topics[] = {"refund of a damaged parcel", "mortgage renewal options",
                          "password reset steps", "card declined abroad"};
  for (int i = 0; i < 200; ++i) {
    texts.push_back(std::string("the customer asked about ") + topics[i % 4] + " again today");
  }
  BuiltinEmbedderOptions o;
  o.dim = 16;
  o.epochs = 3;
  o.buckets = 5000;
  auto a = BuiltinEmbedder::Train(texts, dir + "/a.bin", o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = BuiltinEmbedder::Train(texts, dir + "/b.bin", o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*a)->info().version, (*b)->info().version);  // same corpus and seed: same model
  std::vector<float> va, vb;
  const std::vector<std::string> q = {"parcel refund", "unseenword", ""};
  ASSERT_TRUE((*a)->Embed(q, &va).ok());
  ASSERT_TRUE((*b)->Embed(q, &vb).ok());
  EXPECT_EQ(va, vb);
  double norm = 0;
  for (size_t j = 0; j < 16; ++j) norm += va[j] * va[j];
  EXPECT_NEAR(norm, 1.0, 1e-4);
  for (size_t j = 32; j < 48; ++j) EXPECT_EQ(va[j], 0.0f);  // empty text: the zero vector
  auto loaded = BuiltinEmbedder::Load(dir + "/a.bin");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  std::vector<float> vl;
  ASSERT_TRUE((*loaded)->Embed(q, &vl).ok());
  ASSERT_EQ(vl.size(), va.size());
  for (size_t j = 0; j < va.size(); ++j) EXPECT_NEAR(vl[j], va[j], 1e-5);
  EXPECT_EQ(BuiltinEmbedder::Load(dir + "/missing.bin").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(BuiltinEmbedder::Train({"too few words"}, dir + "/c.bin", o).status().code(),
            StatusCode::kInvalidArgument);
  std::atomic<bool> cancel{true};
  o.epochs = 100;
  EXPECT_EQ(BuiltinEmbedder::Train(texts, dir + "/d.bin", o, &cancel).status().code(),
            StatusCode::kCancelled);
  std::filesystem::remove_all(dir);
}

// --- BM25 -------------------------------------------------------------------------------

TEST(Bm25Test, RanksFiltersRemovesAndCompacts) {
  Bm25Index idx;
  ASSERT_TRUE(idx.Add(0, TermTexts("refund refund refund for the broken lamp")).ok());
  ASSERT_TRUE(idx.Add(1, TermTexts("refund policy overview with many other words here")).ok());
  ASSERT_TRUE(idx.Add(2, TermTexts("shipping times to Europe")).ok());
  auto hits = idx.Search(TermTexts("refunds"), 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, 0u);  // more occurrences, shorter document
  EXPECT_GT(hits[0].score, hits[1].score);

  BitmapFilter only1(3);
  only1.Allow(1);
  hits = idx.Search(TermTexts("refund"), 10, &only1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 1u);

  EXPECT_EQ(idx.Add(0, {"x"}).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(idx.Remove(0).ok());
  EXPECT_EQ(idx.Remove(0).code(), StatusCode::kNotFound);
  EXPECT_EQ(idx.Add(0, {"x"}).code(), StatusCode::kAlreadyExists);  // labels are never reused
  hits = idx.Search(TermTexts("refund"), 10);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 1u);
  const size_t before = idx.postings();
  idx.Compact();
  EXPECT_LT(idx.postings(), before);
  hits = idx.Search(TermTexts("refund"), 10);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 1u);
  EXPECT_TRUE(idx.Search({}, 10).empty());
  EXPECT_TRUE(idx.Search(TermTexts("unknownword"), 10).empty());
}

TEST(Bm25Test, PrunedTopKEqualsExhaustiveScoring) {
  // Zipf-like vocabulary: a few very common terms (long lists, where pruning kicks in) and many
  // rare ones. With k ≥ the corpus, nothing can be pruned: that is the oracle.
  std::mt19937_64 rng(5);
  Bm25Index idx;
  constexpr size_t kDocs = 30000;
  auto word = [&] {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return "w" + std::to_string(static_cast<int>(std::pow(2000.0, u)));
  };
  for (size_t d = 0; d < kDocs; ++d) {
    std::vector<std::string> terms;
    for (int i = 0; i < 30; ++i) terms.push_back(word());
    ASSERT_TRUE(idx.Add(d, terms).ok());
  }
  for (size_t d = 0; d < kDocs; d += 7) ASSERT_TRUE(idx.Remove(d).ok());
  BitmapFilter odd(kDocs), sparse(kDocs);
  for (size_t d = 1; d < kDocs; d += 2) odd.Allow(d);
  for (size_t d = 5; d < kDocs; d += 97) sparse.Allow(d);  // looked up rather than scanned
  for (int q = 0; q < 60; ++q) {
    // Short queries go document at a time, long ones (over 12 terms) term at a time.
    std::vector<std::string> query = {word(), word(), word(), "w1", "w2"};
    if (q % 2 == 1) {
      for (int i = 0; i < 10; ++i) query.push_back(word());
    }
    // The oracle: every matching document scored, then restricted to what the filter allows.
    const auto everything = idx.Search(query, kDocs * 2);
    for (const BitmapFilter* f :
         std::initializer_list<const BitmapFilter*>{nullptr, &odd, &sparse}) {
      std::vector<ScoredId> all;
      for (const auto& h : everything) {
        if (f == nullptr || f->Allows(h.id)) all.push_back(h);
      }
      for (size_t k : {1, 10, 50}) {
        auto fast = idx.Search(query, k, f);
        const size_t want = std::min(all.size(), k);
        ASSERT_EQ(fast.size(), want) << q;
        for (size_t i = 0; i < want; ++i) {
          EXPECT_EQ(fast[i].id, all[i].id) << "query " << q << " k " << k << " rank " << i;
          EXPECT_EQ(fast[i].score, all[i].score);
        }
      }
    }
  }
  EXPECT_GT(idx.pruned_searches(), 50u);  // the comparison above did exercise the pruning
}

// --- chunk index: filters inside the search, against oracles -------------------------------

struct Corpus {
  std::vector<Chunk> chunks;
  std::vector<float> vectors;
};

Corpus RandomCorpus(size_t n, size_t dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> words = {"refund",   "card",    "mortgage", "delivery", "invoice",
                                          "password", "upgrade", "cancel",   "fee",      "branch"};
  Corpus c;
  std::normal_distribution<float> g;
  for (size_t i = 0; i < n; ++i) {
    Chunk ch;
    ch.field = i % 5 == 0 ? "description" : "body";
    ch.text = words[rng() % words.size()] + " " + words[rng() % words.size()] + " " +
              words[rng() % words.size()];
    ch.meta.collection = i % 3 == 0 ? "cases" : "activities";
    ch.meta.record_id = "r" + std::to_string(i);
    ch.meta.owner_id = "own" + std::to_string(rng() % 7);
    ch.meta.region = rng() % 2 ? "eu" : "us";
    if (rng() % 4 == 0) ch.meta.region.clear();  // some chunks have no region (null)
    ch.meta.contact_id = "con" + std::to_string(rng() % 20);
    ch.meta.sensitivity =
        rng() % 4 == 0 ? crm::Sensitivity::kRestricted : crm::Sensitivity::kConfidential;
    ch.meta.time_ms = static_cast<int64_t>(rng() % 1000);
    c.chunks.push_back(ch);
    std::vector<float> v(dim);
    for (float& x : v) x = g(rng);
    Normalize(v);
    c.vectors.insert(c.vectors.end(), v.begin(), v.end());
  }
  return c;
}

bool OracleAllows(const ChunkPredicate& p, const Chunk& c) {
  const CollectionRule* rule = nullptr;
  for (const auto& r : p.collections) {
    if (r.collection == c.meta.collection) rule = &r;
  }
  if (rule == nullptr) return false;
  if (rule->redact_from && c.meta.sensitivity >= *rule->redact_from) return false;
  for (const auto& f : rule->masked_fields) {
    if (f == c.field) return false;
  }
  for (const auto& t : rule->rows) {
    const std::string& v = t.column == "owner_id" ? c.meta.owner_id : c.meta.region;
    auto eq = [&](const std::optional<std::string>& x) {
      return x ? !v.empty() && v == *x : v.empty();
    };
    bool ok = false;
    switch (t.op) {
      case store::FieldFilter::Op::kEq:
        ok = eq(t.values[0]);
        break;
      case store::FieldFilter::Op::kNe:
        ok = !v.empty() && !eq(t.values[0]);
        break;
      case store::FieldFilter::Op::kIn:
        ok = !v.empty() && std::any_of(t.values.begin(), t.values.end(), eq);
        break;
      case store::FieldFilter::Op::kNotIn:
        ok = v.empty() || std::none_of(t.values.begin(), t.values.end(), eq);
        break;
    }
    if (!ok) return false;
  }
  if (!p.contact_ids.empty() && std::find(p.contact_ids.begin(), p.contact_ids.end(),
                                          c.meta.contact_id) == p.contact_ids.end()) {
    return false;
  }
  if (p.from_ms && c.meta.time_ms < *p.from_ms) return false;
  if (p.to_ms && c.meta.time_ms >= *p.to_ms) return false;
  return true;
}

TEST(ChunkIndexTest, FilteredSearchEqualsOracleAndNeverLeaks) {
  constexpr size_t kDim = 16, kN = 3000;
  Corpus corpus = RandomCorpus(kN, kDim, 7);
  ChunkIndex index(kDim);
  for (size_t i = 0; i < kN; ++i) {
    ASSERT_TRUE(index
                    .ReplaceRecord(corpus.chunks[i].meta.collection,
                                   corpus.chunks[i].meta.record_id, {corpus.chunks[i]},
                                   std::span<const float>(corpus.vectors).subspan(i * kDim, kDim))
                    .ok());
  }
  ASSERT_EQ(index.size(), kN);
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 60; ++trial) {
    ChunkPredicate p;
    CollectionRule cases{"cases"}, acts{"activities"};
    if (trial % 2) acts.redact_from = crm::Sensitivity::kRestricted;
    if (trial % 3 == 0) cases.masked_fields = {"description"};
    const int sel = trial % 4;
    RowTerm t;
    t.column = sel < 2 ? "owner_id" : "region";
    t.op = static_cast<store::FieldFilter::Op>(trial % 4);
    t.values = {sel < 2 ? std::optional<std::string>("own" + std::to_string(rng() % 7))
                        : std::optional<std::string>("eu")};
    if (trial % 5 == 0) t.values.push_back(std::nullopt);
    if (t.op == store::FieldFilter::Op::kEq || t.op == store::FieldFilter::Op::kNe) {
      t.values.resize(1);
    }
    acts.rows.push_back(t);
    p.collections = {cases, acts};
    if (trial % 7 == 0) p.contact_ids = {"con1", "con2"};
    if (trial % 6 == 0) {
      p.from_ms = 100;
      p.to_ms = 300 + trial;
    }
    std::set<uint64_t> oracle;
    for (size_t i = 0; i < kN; ++i) {
      if (OracleAllows(p, corpus.chunks[i])) oracle.insert(i);
    }
    auto filter = index.Select(p);
    ASSERT_NE(filter, nullptr);
    std::set<uint64_t> selected;
    filter->ForEachAllowed([&](uint64_t id) { selected.insert(id); });
    ASSERT_EQ(selected, oracle) << "trial " << trial;

    // Every mode returns only allowed chunks, k of them when k exist; vector results equal the
    // exact scan's when the planner scans (checked by forcing both plans).
    std::vector<float> q(corpus.vectors.begin() + (trial % kN) * kDim,
                         corpus.vectors.begin() + (trial % kN + 1) * kDim);
    for (SearchMode mode : {SearchMode::kVector, SearchMode::kLexical, SearchMode::kHybrid}) {
      HybridParams hp;
      hp.k = 10;
      hp.mode = mode;
      hp.filter = &*filter;
      auto hits = index.Search("refund card", q, hp);
      ASSERT_TRUE(hits.ok());
      for (const auto& h : *hits) {
        ASSERT_TRUE(oracle.count(h.chunk->label)) << "leaked label " << h.chunk->label;
      }
      if (mode == SearchMode::kVector) {
        EXPECT_EQ(hits->size(), std::min<size_t>(10, oracle.size()));
        hp.strategy = SearchParams::Strategy::kScan;
        auto exact = index.Search("", q, hp);
        ASSERT_TRUE(exact.ok());
        std::set<uint64_t> a, b;
        for (const auto& h : *hits) a.insert(h.chunk->label);
        for (const auto& h : *exact) b.insert(h.chunk->label);
        size_t common = 0;
        for (uint64_t l : a) common += b.count(l);
        EXPECT_GE(common, b.size() * 9 / 10) << "trial " << trial;
      }
    }
  }
  // Nothing restricted: no filter at all.
  ChunkPredicate all;
  all.collections = {{"cases"}, {"activities"}};
  EXPECT_EQ(index.Select(all), nullptr);
  // Unknown row-filter column: fail closed.
  ChunkPredicate bad;
  bad.collections = {{"cases"}};
  bad.collections[0].rows.push_back({"consent.marketing", store::FieldFilter::Op::kEq, {"true"}});
  auto none = index.Select(bad);
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(none->AllowedCount(), 0u);
}

TEST(ChunkIndexTest, CachedScopesStayExactUnderWrites) {
  constexpr size_t kN = 30000;  // wide enough for Select to cache the scope
  Corpus c = RandomCorpus(kN, 1, 13);
  ChunkIndex index(0);  // metadata only: no vectors needed
  for (size_t i = 0; i < kN; ++i) {
    ASSERT_TRUE(index
                    .ReplaceRecord(c.chunks[i].meta.collection, c.chunks[i].meta.record_id,
                                   {c.chunks[i]}, {})
                    .ok());
  }
  ChunkPredicate p;
  CollectionRule acts{"activities"};
  acts.rows.push_back({"owner_id", store::FieldFilter::Op::kIn, {"own1", "own2", "own3", "own9"}});
  acts.redact_from = crm::Sensitivity::kRestricted;
  p.collections = {CollectionRule{"cases"}, acts};
  // What the scope must select now: live chunks satisfying the predicate, by label.
  std::map<std::string, Chunk> current;
  for (const auto& ch : c.chunks) current[ch.meta.collection + "/" + ch.meta.record_id] = ch;
  auto live_selected = [&](const BitmapFilter& f) {
    std::set<std::string> out;
    f.ForEachAllowed([&](uint64_t l) {
      if (auto ic = index.Get(l))
        out.insert(ic->chunk.meta.collection + "/" + ic->chunk.meta.record_id);
    });
    return out;
  };
  auto oracle = [&] {
    std::set<std::string> out;
    for (const auto& [key, ch] : current) {
      if (OracleAllows(p, ch)) out.insert(key);
    }
    return out;
  };
  auto first = index.Select(p);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(live_selected(*first), oracle());
  EXPECT_EQ(index.Select(p), first);  // cached: the same set, not rebuilt

  // Writes: new records (one with an owner no chunk had before), changed owners, removals.
  std::mt19937_64 rng(17);
  for (int i = 0; i < 300; ++i) {
    Chunk ch = c.chunks[rng() % kN];
    const int what = i % 3;
    if (what == 0) {
      ch.meta.record_id = "new" + std::to_string(i);
      ch.meta.owner_id = i == 0 ? "own9" : ch.meta.owner_id;
    } else if (what == 1) {
      ch.meta.owner_id = "own" + std::to_string(rng() % 10);
    }
    const std::string key = ch.meta.collection + "/" + ch.meta.record_id;
    if (what == 2) {
      ASSERT_TRUE(index.ReplaceRecord(ch.meta.collection, ch.meta.record_id, {}, {}).ok());
      current.erase(key);
    } else {
      ASSERT_TRUE(index.ReplaceRecord(ch.meta.collection, ch.meta.record_id, {ch}, {}).ok());
      current[key] = ch;
    }
    if (i % 50 == 49) {
      auto f = index.Select(p);
      ASSERT_NE(f, nullptr);
      ASSERT_EQ(live_selected(*f), oracle()) << "after write " << i;
    }
  }
  // Many removals: the cached set is rebuilt and holds no removed labels any more.
  std::vector<std::string> keys;
  for (const auto& [key, ch] : current) keys.push_back(key);
  for (size_t i = 0; i < keys.size(); i += 3) {
    const size_t slash = keys[i].find('/');
    ASSERT_TRUE(
        index.ReplaceRecord(keys[i].substr(0, slash), keys[i].substr(slash + 1), {}, {}).ok());
    current.erase(keys[i]);
  }
  auto rebuilt = index.Select(p);
  ASSERT_NE(rebuilt, nullptr);
  EXPECT_EQ(live_selected(*rebuilt), oracle());
  EXPECT_EQ(rebuilt->AllowedCount(), oracle().size());
}

TEST(ChunkIndexTest, ReplacedAndRemovedChunksAreNeverReturned) {
  constexpr size_t kDim = 8;
  ChunkIndex index(kDim);
  Corpus c = RandomCorpus(50, kDim, 3);
  for (size_t i = 0; i < 50; ++i) {
    c.chunks[i].text = "shared words plus token" + std::to_string(i);
    ASSERT_TRUE(index
                    .ReplaceRecord("cases", "r" + std::to_string(i), {c.chunks[i]},
                                   std::span<const float>(c.vectors).subspan(i * kDim, kDim))
                    .ok());
  }
  // Remove every even record; replace every odd one's text.
  for (size_t i = 0; i < 50; ++i) {
    if (i % 2 == 0) {
      ASSERT_TRUE(index.ReplaceRecord("cases", "r" + std::to_string(i), {}, {}).ok());
    } else {
      Chunk ch = c.chunks[i];
      ch.text = "shared words plus replaced" + std::to_string(i);
      ASSERT_TRUE(index
                      .ReplaceRecord("cases", "r" + std::to_string(i), {ch},
                                     std::span<const float>(c.vectors).subspan(i * kDim, kDim))
                      .ok());
    }
  }
  EXPECT_EQ(index.size(), 25u);
  EXPECT_EQ(index.records(), 25u);
  std::vector<float> q(c.vectors.begin(), c.vectors.begin() + kDim);
  for (SearchMode mode : {SearchMode::kVector, SearchMode::kLexical, SearchMode::kHybrid}) {
    HybridParams hp;
    hp.k = 100;
    hp.mode = mode;
    auto hits = index.Search("shared words token0 token1", q, hp);
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ(hits->size(), 25u) << SearchModeName(mode);  // fewer than k exist: all of them
    for (const auto& h : *hits) {
      const int n = std::stoi(h.chunk->chunk.meta.record_id.substr(1));
      EXPECT_EQ(n % 2, 1);
      EXPECT_NE(h.chunk->chunk.text.find("replaced"), std::string::npos);
    }
  }
  // Bad input changes nothing.
  EXPECT_EQ(index.ReplaceRecord("cases", "r1", {c.chunks[1]}, {}).code(),
            StatusCode::kInvalidArgument);
  std::vector<float> nan(kDim, std::nanf(""));
  EXPECT_EQ(index.ReplaceRecord("cases", "r1", {c.chunks[1]}, nan).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(index.size(), 25u);
  HybridParams zero;
  zero.k = 0;
  EXPECT_EQ(index.Search("x", q, zero).status().code(), StatusCode::kInvalidArgument);
}

// Damages one byte of `path`, at `offset` (calling it again restores it).
void FlipByte(const std::string& path, size_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x5A));
}

std::vector<std::pair<uint64_t, float>> Ranked(const ChunkIndex& index, std::string_view q,
                                               std::span<const float> v, SearchMode mode,
                                               const IdFilter* filter) {
  HybridParams hp;
  hp.k = 20;
  hp.mode = mode;
  hp.filter = filter;
  auto hits = index.Search(q, v, hp);
  EXPECT_TRUE(hits.ok());
  std::vector<std::pair<uint64_t, float>> out;
  for (const auto& h : *hits) out.emplace_back(h.chunk->label, h.score);
  return out;
}

TEST(ChunkIndexTest, SnapshotReopensTheSameIndexAndRefusesDamage) {
  constexpr size_t kDim = 16, kN = 400;
  const std::string dir = test::TempDir("snapshot");
  Corpus c = RandomCorpus(kN, kDim, 21);
  ChunkIndex index(kDim);
  auto vec = [&](size_t i) { return std::span<const float>(c.vectors).subspan(i * kDim, kDim); };
  for (size_t i = 0; i < kN; ++i) {
    ASSERT_TRUE(index
                    .ReplaceRecord(c.chunks[i].meta.collection, c.chunks[i].meta.record_id,
                                   {c.chunks[i]}, vec(i))
                    .ok());
  }
  for (size_t i = 0; i < kN; i += 7) {  // removed records leave dead labels behind
    ASSERT_TRUE(
        index.ReplaceRecord(c.chunks[i].meta.collection, c.chunks[i].meta.record_id, {}, {}).ok());
  }
  ASSERT_TRUE(index.SaveSnapshot(dir, "model@1").ok());
  auto snap = ChunkIndex::LoadSnapshot(dir);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->model, "model@1");
  ChunkIndex& reopened = *snap->index;
  EXPECT_EQ(reopened.size(), index.size());
  EXPECT_EQ(reopened.records(), index.records());
  ChunkPredicate owner;
  CollectionRule cases{"cases"};
  cases.rows.push_back({"owner_id", store::FieldFilter::Op::kEq, {"own3"}});
  owner.collections = {cases, CollectionRule{"activities"}};
  auto f1 = index.Select(owner), f2 = reopened.Select(owner);
  ASSERT_TRUE(f1 && f2);
  EXPECT_EQ(f1->AllowedCount(), f2->AllowedCount());
  for (size_t q = 0; q < 10; ++q) {
    for (SearchMode mode : {SearchMode::kVector, SearchMode::kLexical, SearchMode::kHybrid}) {
      EXPECT_EQ(Ranked(index, c.chunks[q].text, vec(q), mode, nullptr),
                Ranked(reopened, c.chunks[q].text, vec(q), mode, nullptr));
      EXPECT_EQ(Ranked(index, c.chunks[q].text, vec(q), mode, &*f1),
                Ranked(reopened, c.chunks[q].text, vec(q), mode, &*f2));
    }
  }
  // The reopened index takes writes: new labels continue after the saved ones.
  Chunk fresh = c.chunks[1];
  fresh.text = "zebra crossing";
  fresh.meta.collection = "cases";
  fresh.meta.record_id = "new";
  ASSERT_TRUE(reopened.ReplaceRecord("cases", "new", {fresh}, vec(1)).ok());
  HybridParams lex;
  lex.mode = SearchMode::kLexical;
  auto hits = reopened.Search("zebra", {}, lex);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().chunk->chunk.meta.record_id, "new");

  // A second snapshot replaces the first; the older generation's files go.
  ASSERT_TRUE(reopened.SaveSnapshot(dir, "model@1").ok());
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    files.insert(e.path().filename().string());
  EXPECT_EQ(files, (std::set<std::string>{"CURRENT", "chunks-2", "vectors-2"}));
  ASSERT_TRUE(ChunkIndex::LoadSnapshot(dir).ok());

  // Damage anywhere is refused, never half-loaded.
  const std::string chunks = dir + "/chunks-2";
  const size_t size = std::filesystem::file_size(chunks);
  for (size_t offset : {size_t{3}, size_t{40}, size / 2, size - 3}) {
    FlipByte(chunks, offset);
    EXPECT_EQ(ChunkIndex::LoadSnapshot(dir).status().code(), StatusCode::kDataLoss) << offset;
    FlipByte(chunks, offset);
  }
  ASSERT_TRUE(ChunkIndex::LoadSnapshot(dir).ok());
  std::filesystem::resize_file(chunks, size - 100);
  EXPECT_EQ(ChunkIndex::LoadSnapshot(dir).status().code(), StatusCode::kDataLoss);
  std::filesystem::remove(chunks);
  EXPECT_EQ(ChunkIndex::LoadSnapshot(dir).status().code(), StatusCode::kDataLoss);
  FlipByte(dir + "/vectors-2", 100);
  ASSERT_TRUE(reopened.SaveSnapshot(dir, "model@1").ok());  // generation 3 is whole again
  EXPECT_TRUE(ChunkIndex::LoadSnapshot(dir).ok());
  FlipByte(dir + "/vectors-3", std::filesystem::file_size(dir + "/vectors-3") / 2);
  EXPECT_EQ(ChunkIndex::LoadSnapshot(dir).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ChunkIndex::LoadSnapshot(dir + "/none").status().code(), StatusCode::kNotFound);

  // A lexical-only index (no model yet) round-trips too.
  ChunkIndex lexical(0);
  ASSERT_TRUE(lexical.ReplaceRecord("cases", "a", {fresh}, {}).ok());
  ASSERT_TRUE(lexical.SaveSnapshot(dir + "/lex", "").ok());
  auto lsnap = ChunkIndex::LoadSnapshot(dir + "/lex");
  ASSERT_TRUE(lsnap.ok()) << lsnap.status().ToString();
  EXPECT_EQ(lsnap->index->dim(), 0u);
  EXPECT_EQ(lsnap->index->Search("zebra", {}, lex)->size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(ChunkIndexTest, SnippetsAreBoundedWholeWordsAroundTheQuery) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "filler ";
  text += "the refund was issued to your card yesterday ";
  for (int i = 0; i < 200; ++i) text += "more ";
  const std::string s = MakeSnippet(text, "refund card", 120);
  EXPECT_NE(s.find("refund was issued to your card"), std::string::npos) << s;
  EXPECT_LE(s.size(), 120u + 6);  // plus the two ellipses
  EXPECT_EQ(MakeSnippet("short", "x"), "short");
}

// --- the live service over a real store ----------------------------------------------------

class RetrievalServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("retrieval");
    store_ = test::OpenTestStore(dir_);
    records_ =
        std::make_unique<crm::RecordService>(store_.get(), &crm::Schema::Default(), Clock::Real());
  }
  void TearDown() override {
    if (service_) service_->Stop();
    service_.reset();
    (void)store_->Close();
    std::filesystem::remove_all(dir_);
  }
  void StartService(size_t min_training_words = 300) {
    RetrievalOptions o;
    o.dir = dir_ + "/retrieval";
    o.min_training_words = min_training_words;
    o.builtin.dim = 32;
    o.builtin.epochs = 5;
    o.builtin.buckets = 20000;
    o.compact_slack = compact_slack_;
    service_ =
        std::make_unique<RetrievalService>(store_.get(), &crm::Schema::Default(), o, nullptr);
    ASSERT_TRUE(service_->Start().ok());
    ASSERT_TRUE(service_->WaitIdle(std::chrono::seconds(60)));
  }
  std::string Create(const std::string& tenant, const std::string& collection,
                     const std::string& body) {
    auto r = records_->Create(*crm::Schema::Default().Find(collection), tenant, body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : "";
  }
  std::string Article(const std::string& title, const std::string& body,
                      const std::string& owner = "") {
    std::string j = R"({"title":")" + title + R"(","body":")" + body + "\"";
    if (!owner.empty()) j += R"(,"owner_id":")" + owner + "\"";
    return j + "}";
  }
  // Knowledge articles with enough words to train a model.
  void SeedKnowledge(const std::string& tenant, int n) {
    const char* topics[] = {"refund of a damaged parcel", "mortgage renewal options",
                            "password reset steps", "card declined abroad",
                            "delivery delays in winter"};
    for (int i = 0; i < n; ++i) {
      std::string topic = topics[i % 5];
      std::string body;
      for (int j = 0; j < 6; ++j) body += "This article explains " + topic + " for customers. ";
      Create(tenant, "knowledge", Article("Guide " + std::to_string(i) + ": " + topic, body));
    }
  }
  SearchRequest Request(const std::string& tenant, const std::string& query) {
    SearchRequest r;
    r.tenant = tenant;
    r.query = query;
    for (const auto& c : SearchableCollections(crm::Schema::Default())) {
      r.scopes.push_back({c});
    }
    return r;
  }
  std::set<std::string> Ids(const SearchResponse& r) {
    std::set<std::string> out;
    for (const auto& h : r.hits) out.insert(h.chunk->chunk.meta.record_id);
    return out;
  }

  std::string dir_;
  size_t compact_slack_ = 10000;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<crm::RecordService> records_;
  std::unique_ptr<RetrievalService> service_;
};

TEST_F(RetrievalServiceTest, IndexesAtStartRefreshesOnWritesAndIsolatesTenants) {
  SeedKnowledge("acme", 20);
  const std::string other =
      Create("globex", "knowledge", Article("Globex secret", "globexonly refund instructions"));
  StartService();
  auto r = service_->Search(Request("acme", "mortgage renewal"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->hits.empty());
  EXPECT_EQ(r->mode, SearchMode::kHybrid);
  EXPECT_NE(r->embedder.find("crmi-builtin@"), std::string::npos);
  EXPECT_NE(r->hits[0].chunk->chunk.title.find("mortgage"), std::string::npos);
  ASSERT_TRUE(r->hits[0].vector.has_value());
  ASSERT_TRUE(r->hits[0].lexical.has_value());

  // Another tenant's passages never come back, whatever the query.
  r = service_->Search(Request("acme", "globexonly refund instructions"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(Ids(*r).count(other));
  r = service_->Search(Request("globex", "globexonly"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Ids(*r), std::set<std::string>{other});

  // Create, update, delete: visible after the refresh, the old text gone.
  const std::string id = Create("acme", "knowledge", Article("Zebra policy", "zanzibar tariffs"));
  ASSERT_TRUE(service_->WaitIdle(std::chrono::seconds(10)));
  SearchRequest lex = Request("acme", "zanzibar");
  lex.mode = SearchMode::kLexical;
  r = service_->Search(lex);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Ids(*r), std::set<std::string>{id});
  ASSERT_TRUE(records_
                  ->Patch(*crm::Schema::Default().Find("knowledge"), "acme", id,
                          R"({"body":"quokka tariffs"})", std::nullopt)
                  .ok());
  ASSERT_TRUE(service_->WaitIdle(std::chrono::seconds(10)));
  EXPECT_TRUE(service_->Search(lex)->hits.empty());
  lex.query = "quokka";
  EXPECT_EQ(Ids(*service_->Search(lex)), std::set<std::string>{id});
  ASSERT_TRUE(
      records_->Delete(*crm::Schema::Default().Find("knowledge"), "acme", id, std::nullopt).ok());
  ASSERT_TRUE(service_->WaitIdle(std::chrono::seconds(10)));
  EXPECT_TRUE(service_->Search(lex)->hits.empty());
}

TEST_F(RetrievalServiceTest, ScopesFromThePolicyAreEnforcedInsideTheSearch) {
  SeedKnowledge("acme", 12);
  // Cases of two owners, confidential text (cases.description is confidential).
  std::set<std::string> mine;
  for (int i = 0; i < 30; ++i) {
    const std::string owner = i % 3 == 0 ? "adv-1" : "adv-2";
    const std::string id = Create(
        "acme", "cases",
        R"({"subject":"Lost card","description":"customer lost the travel card","owner_id":")" +
            owner + R"(","region":"eu"})");
    if (owner == "adv-1") mine.insert(id);
  }
  StartService();
  SearchRequest req = Request("acme", "lost travel card");
  req.k = 100;
  req.scopes.clear();
  CollectionScope cases{"cases"};
  cases.rows.push_back({"owner_id", store::FieldFilter::Op::kEq, {std::string("adv-1")}});
  req.scopes.push_back(cases);
  req.scopes.push_back({"knowledge"});
  for (SearchMode mode : {SearchMode::kHybrid, SearchMode::kVector, SearchMode::kLexical}) {
    req.mode = mode;
    auto r = service_->Search(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::set<std::string> cases_seen;
    for (const auto& h : r->hits) {
      if (h.chunk->chunk.meta.collection == "cases")
        cases_seen.insert(h.chunk->chunk.meta.record_id);
    }
    EXPECT_EQ(cases_seen, mine) << SearchModeName(mode);  // all 10 of mine, none of the others
  }
  // Redaction by class: confidential passages disappear for a caller that may not read them.
  req.scopes[0].redact_from = crm::Sensitivity::kConfidential;
  req.mode = SearchMode::kHybrid;
  auto r = service_->Search(req);
  ASSERT_TRUE(r.ok());
  for (const auto& h : r->hits) EXPECT_NE(h.chunk->chunk.meta.collection, "cases");
  // A row filter search cannot enforce: the collection is left out, or refused when named.
  req.scopes[0] = {"cases"};
  req.scopes[0].rows.push_back({"status", store::FieldFilter::Op::kEq, {std::string("new")}});
  r = service_->Search(req);
  ASSERT_TRUE(r.ok());
  for (const auto& h : r->hits) EXPECT_NE(h.chunk->chunk.meta.collection, "cases");
  req.filters.collections = {"cases"};
  EXPECT_EQ(service_->Search(req).status().code(), StatusCode::kPermissionDenied);
  // Collections outside the scopes: refused when named, absent otherwise.
  req.scopes = {{"knowledge"}};
  EXPECT_EQ(service_->Search(req).status().code(), StatusCode::kPermissionDenied);
  req.filters.collections = {"contacts"};
  EXPECT_EQ(service_->Search(req).status().code(), StatusCode::kInvalidArgument);
  req.filters.collections.clear();
  req.scopes.clear();
  r = service_->Search(req);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->hits.empty());
}

TEST_F(RetrievalServiceTest, BadRequestsAndSmallTenantsWithoutAModel) {
  Create("tiny", "knowledge", Article("One article", "too few words to train on"));
  StartService(/*min_training_words=*/100000);
  SearchRequest req = Request("tiny", "article");
  auto r = service_->Search(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mode, SearchMode::kLexical);  // hybrid degrades to lexical without a model
  EXPECT_EQ(r->hits.size(), 1u);
  req.mode = SearchMode::kVector;
  EXPECT_EQ(service_->Search(req).status().code(), StatusCode::kFailedPrecondition);
  req.mode = SearchMode::kHybrid;
  req.k = 0;
  EXPECT_EQ(service_->Search(req).status().code(), StatusCode::kInvalidArgument);
  req.k = RetrievalService::kMaxK + 1;
  EXPECT_EQ(service_->Search(req).status().code(), StatusCode::kInvalidArgument);
  req.k = 10;
  req.query = "  ";
  EXPECT_EQ(service_->Search(req).status().code(), StatusCode::kInvalidArgument);
  // A tenant nobody wrote to yet: no hits, no error.
  EXPECT_TRUE(service_->Search(Request("nobody", "x"))->hits.empty());
}

TEST_F(RetrievalServiceTest, ConcurrentWritersAndSearchersThenAModelSwapUnderLoad) {
  SeedKnowledge("acme", 20);
  StartService();
  const std::string before = service_->Search(Request("acme", "refund"))->embedder;
  std::atomic<bool> stop{false};
  std::atomic<int> searches{0}, failures{0};
  std::vector<std::thread> searchers;
  for (int t = 0; t < 3; ++t) {
    searchers.emplace_back([&] {
      while (!stop) {
        auto r = service_->Search(Request("acme", "refund damaged parcel"));
        if (!r.ok() || r->hits.empty()) ++failures;
        ++searches;
      }
    });
  }
  std::vector<std::string> created;
  for (int i = 0; i < 60; ++i) {
    created.push_back(Create(
        "acme", "knowledge",
        Article("Walrus " + std::to_string(i), "walrus" + std::to_string(i) + " handling notes")));
  }
  // Changes the corpus, so the retrained model (same seed) gets a new version.
  ASSERT_TRUE(service_->Reindex("acme").ok());
  EXPECT_EQ(service_->Reindex("acme").code(), StatusCode::kAlreadyExists);
  for (int i = 60; i < 80; ++i) {  // written while the new index is being built
    created.push_back(Create(
        "acme", "knowledge",
        Article("Walrus " + std::to_string(i), "walrus" + std::to_string(i) + " handling notes")));
  }
  ASSERT_TRUE(service_->WaitIdle(std::chrono::seconds(120)));
  stop = true;
  for (auto& t : searchers) t.join();
  EXPECT_EQ(failures.load(), 0) << "of " << searches.load() << " searches";
  EXPECT_GT(searches.load(), 10);
  const std::string after = service_->Search(Request("acme", "refund"))->embedder;
  EXPECT_NE(before, after);
  // Every record written before, during and after the swap is findable.
  for (size_t i = 0; i < created.size(); ++i) {
    SearchRequest req = Request("acme", "walrus" + std::to_string(i));
    req.mode = SearchMode::kLexical;
    auto r = service_->Search(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(Ids(*r), std::set<std::string>{created[i]}) << i;
  }
  auto stats = service_->Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_TRUE(stats[0].ready);
  EXPECT_EQ(stats[0].records, 100u);
  EXPECT_EQ(stats[0].embedder, after);
}

TEST_F(RetrievalServiceTest, RestartReopensTheSnapshotAndReconcilesWhatChangedMeanwhile) {
  SeedKnowledge("acme", 20);
  const std::string kept = Create("acme", "knowledge", Article("Kept", "quokka habitats"));
  const std::string edited = Create("acme", "knowledge", Article("Edited", "wombat burrows"));
  const std::string gone = Create("acme", "knowledge", Article("Gone", "numbat diets"));
  StartService();
  const std::string model = service_->Search(Request("acme", "refund"))->embedder;
  EXPECT_FALSE(service_->Stats()[0].reopened);
  service_->Stop();  // saves what changed since the build's snapshot
  service_.reset();
  // Written while the service is down: the next start reconciles them with the snapshot.
  const auto& knowledge = *crm::Schema::Default().Find("knowledge");
  const std::string added = Create("acme", "knowledge", Article("Okapi", "okapi sightings"));
  ASSERT_TRUE(
      records_->Patch(knowledge, "acme", edited, R"({"body":"echidna spines"})", std::nullopt)
          .ok());
  ASSERT_TRUE(records_->Delete(knowledge, "acme", gone, std::nullopt).ok());
  // A record deleted and re-created under the same id has a new seq, same version.
  ASSERT_TRUE(records_->Delete(knowledge, "acme", kept, std::nullopt).ok());
  ASSERT_TRUE(records_
                  ->Create(knowledge, "acme",
                           R"({"id":")" + kept + R"(","title":"Kept","body":"potoroo tracks"})")
                  .ok());
  StartService();
  auto stats = service_->Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_TRUE(stats[0].reopened);  // not rebuilt
  EXPECT_EQ(stats[0].embedder, model);
  auto find = [&](const std::string& q) {
    SearchRequest req = Request("acme", q);
    req.mode = SearchMode::kLexical;
    auto r = service_->Search(req);
    EXPECT_TRUE(r.ok());
    return r.ok() ? Ids(*r) : std::set<std::string>{};
  };
  EXPECT_EQ(find("okapi"), std::set<std::string>{added});
  EXPECT_EQ(find("echidna"), std::set<std::string>{edited});
  EXPECT_TRUE(find("wombat").empty());
  EXPECT_TRUE(find("numbat").empty());
  EXPECT_EQ(find("potoroo"), std::set<std::string>{kept});
  EXPECT_TRUE(find("quokka").empty());
  EXPECT_EQ(service_->Search(Request("acme", "refund"))->embedder, model);  // loaded, not retrained

  // A damaged snapshot is not trusted: the index is rebuilt from the store.
  service_->Stop();
  service_.reset();
  std::string snapdir;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/retrieval")) {
    if (e.path().filename().string().starts_with("chunks-")) snapdir = e.path().string();
  }
  ASSERT_FALSE(snapdir.empty());
  FlipByte(snapdir, std::filesystem::file_size(snapdir) / 2);
  StartService();
  stats = service_->Stats();
  EXPECT_FALSE(stats[0].reopened);
  EXPECT_EQ(stats[0].records, 23u);
  EXPECT_EQ(find("okapi"), std::set<std::string>{added});
  EXPECT_EQ(find("potoroo"), std::set<std::string>{kept});
}

TEST_F(RetrievalServiceTest, ReplacedPassagesAreCompactedAwayInTheBackground) {
  SeedKnowledge("acme", 20);
  const std::string id = Create("acme", "knowledge", Article("Edited", "version zero"));
  compact_slack_ = 30;
  StartService();
  const auto& knowledge = *crm::Schema::Default().Find("knowledge");
  // Every edit replaces the passage: the old one stays as a tombstone until a compaction, which
  // starts once labels exceed 2 × 21 live + 30, i.e. at the 52nd edit. Each edit is applied
  // before the next (no coalescing), so the count is exact: 80 - 52 dead remain after it.
  for (int i = 1; i <= 80; ++i) {
    const std::string body =
        R"({"body":"version )" + std::to_string(i) + R"( of the wombat note"})";
    ASSERT_TRUE(records_->Patch(knowledge, "acme", id, body, std::nullopt).ok());
    ASSERT_TRUE(service_->WaitIdle(std::chrono::seconds(60)));
  }
  auto stats = service_->Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].records, 21u);
  EXPECT_EQ(stats[0].chunks, 21u);
  EXPECT_EQ(stats[0].dead, 28u);  // without the compaction: 80
  SearchRequest req = Request("acme", "wombat");
  req.mode = SearchMode::kLexical;
  auto r = service_->Search(req);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_NE(r->hits[0].chunk->chunk.text.find("version 80 "), std::string::npos);
  // Vector search runs on the compacted index too (its vectors were carried over).
  req.mode = SearchMode::kVector;
  EXPECT_TRUE(service_->Search(req).ok());
}

TEST_F(RetrievalServiceTest, FeedbackIsStoredForVisibleHitsAndRecallIsMonitored) {
  SeedKnowledge("acme", 20);
  const std::string theirs = Create(
      "acme", "cases", R"({"subject":"Lost card","description":"lost card","owner_id":"adv-2"})");
  StartService();
  auto r = service_->Search(Request("acme", "password reset"));
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->hits.empty());
  const Chunk& c = r->hits[0].chunk->chunk;
  const std::string hit = c.meta.record_id + ":" + c.field + ":" + std::to_string(c.start);
  SearchRequest scope = Request("acme", "");
  Feedback f{hit, "used", "password reset", "adv-1", "2026-11-24T10:00:00.000Z"};
  ASSERT_TRUE(service_->RecordFeedback(scope, f).ok());
  f.label = "not_useful";
  ASSERT_TRUE(service_->RecordFeedback(scope, f).ok());
  f.label = "meh";
  EXPECT_EQ(service_->RecordFeedback(scope, f).code(), StatusCode::kInvalidArgument);
  f.label = "used";
  f.hit_id = "nonsense";
  EXPECT_EQ(service_->RecordFeedback(scope, f).code(), StatusCode::kInvalidArgument);
  f.hit_id = theirs + ":description:0";
  EXPECT_TRUE(service_->RecordFeedback(scope, f).ok());  // visible without restrictions
  // ...but not to someone whose row filter hides it (404, as if it did not exist).
  SearchRequest narrow = scope;
  for (auto& sc : narrow.scopes) {
    if (sc.collection == "cases") {
      sc.rows.push_back({"owner_id", store::FieldFilter::Op::kEq, {std::string("adv-1")}});
    }
  }
  EXPECT_EQ(service_->RecordFeedback(narrow, f).code(), StatusCode::kNotFound);
  narrow.tenant = "globex";
  f.hit_id = hit;
  EXPECT_EQ(service_->RecordFeedback(narrow, f).code(), StatusCode::kNotFound);
  const std::string log =
      test::ReadFile(dir_ + "/retrieval/t-" + crypto::HexEncode("acme") + "/feedback.jsonl");
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 3);
  EXPECT_NE(log.find("\"label\":\"not_useful\""), std::string::npos);
  EXPECT_NE(log.find("\"principal\":\"adv-1\""), std::string::npos);

  // The monitor compares the live vector search with an exact scan of the same allowed set.
  EXPECT_EQ(service_->Stats()[0].recall, -1);
  for (const char* q : {"refund parcel", "mortgage", "card abroad", "winter delivery"}) {
    SearchRequest req = Request("acme", q);
    req.mode = SearchMode::kVector;
    ASSERT_TRUE(service_->Search(req).ok());
  }
  service_->MonitorRecall();
  EXPECT_GE(service_->Stats()[0].recall, 0.95);
}

}  // namespace
}  // namespace crmi::retrieval

namespace crmi::retrieval {
namespace {

TEST(SearchCacheTest, KeysSeparateScopesAndGenerationsExpireEntries) {
  SearchRequest a;
  a.tenant = "t";
  a.query = "refund";
  a.scopes.push_back({"contacts"});
  a.scopes[0].rows.push_back({"owner_id", store::FieldFilter::Op::kEq, {store::Value("adv-1")}});
  SearchRequest b = a;
  b.scopes[0].rows[0].values[0] = store::Value("adv-2");
  SearchRequest c = a;
  c.caller_regions = {"eu"};
  SearchRequest d = a;
  d.scopes[0].mask_fields = {"email"};
  SearchRequest e = a;
  e.k = 11;
  std::set<std::string> keys;
  for (const auto* r : {&a, &b, &c, &d, &e}) keys.insert(SearchCache::Key(*r));
  EXPECT_EQ(keys.size(), 5u) << "a different scope is a different entry";

  SearchCache cache(2);
  SearchResponse resp;
  resp.embedder = "m@1";
  cache.Put("t", SearchCache::Key(a), 7, resp);
  EXPECT_TRUE(cache.Get("t", SearchCache::Key(a), 7).has_value());
  EXPECT_FALSE(cache.Get("u", SearchCache::Key(a), 7).has_value()) << "tenants are apart";
  EXPECT_FALSE(cache.Get("t", SearchCache::Key(a), 8).has_value()) << "the index moved on";
  cache.Put("t", SearchCache::Key(a), 8, resp);
  cache.Put("t", SearchCache::Key(b), 8, resp);
  cache.Put("u", SearchCache::Key(a), 1, resp);
  EXPECT_EQ(cache.size(), 2u);  // least recently used went
  cache.Advance("t", 9);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.Get("u", SearchCache::Key(a), 1).has_value());
}

}  // namespace
}  // namespace crmi::retrieval
