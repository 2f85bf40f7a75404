// The OpenAI-compatible embeddings client against a local stub speaking that API: batching,
// the bearer key, dimension probing, normalisation, retries with backoff on 5xx/429/timeouts,
// the errors it must not retry, malformed answers, and the content-hash cache in front of it.
#include "src/retrieval/openai_embedder.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <cmath>
#include <mutex>

#include "src/common/clock.h"
#include "src/common/metrics.h"
#include "src/crm/record_service.h"
#include "src/retrieval/embedding_cache.h"
#include "src/retrieval/retrieval_service.h"
#include "tests/stub_http_server.h"
#include "tests/test_util.h"

#include <filesystem>
#include <thread>

namespace crmi::retrieval {
namespace {

using test::StubRequest;
using test::StubResponse;

constexpr size_t kDim = 8;

// A deterministic, unnormalised vector per text.
std::string VectorJson(const std::string& text) {
  std::string out = "[";
  uint64_t h = std::hash<std::string>()(text);
  for (size_t i = 0; i < kDim; ++i) {
    if (i) out += ",";
    out += std::to_string(static_cast<double>((h >> (i * 7)) % 97) + 1.0);
  }
  return out + "]";
}

// Answers like the OpenAI API, after `faults` (status codes) have been served in order.
struct FakeOpenAi {
  std::vector<int> faults;
  std::atomic<size_t> next_fault{0};
  std::atomic<int> batches{0};
  std::string garbage;  // when set, answered instead of a valid body

  StubResponse Handle(const StubRequest& r) {
    StubResponse resp;
    if (r.target != "/v1/embeddings" || r.method != "POST") return {404, "text/plain", {}, "no"};
    if (r.headers.count("authorization") == 0 ||
        r.headers.at("authorization") != "Bearer sk-test") {
      return {401, "application/json", {}, R"({"error":{"message":"bad key"}})"};
    }
    const size_t f = next_fault++;
    if (f < faults.size()) {
      resp.status = faults[f];
      if (faults[f] == 429) resp.headers.push_back({"Retry-After", "0"});
      if (faults[f] == 400) resp.body = R"({"error":{"message":"input too long"}})";
      return resp;
    }
    if (!garbage.empty()) {
      resp.body = garbage;
      return resp;
    }
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    if (!d.IsObject() || std::string(d["model"].GetString()) != "emb-model") {
      return {400, "application/json", {}, R"({"error":{"message":"unknown model"}})"};
    }
    ++batches;
    std::string data = "[";
    // Answer in reverse order: clients must place vectors by "index".
    const auto& input = d["input"];
    for (rapidjson::SizeType i = input.Size(); i-- > 0;) {
      if (data.size() > 1) data += ",";
      data += R"({"object":"embedding","index":)" + std::to_string(i) + R"(,"embedding":)" +
              VectorJson(input[i].GetString()) + "}";
    }
    resp.body = R"({"object":"list","data":)" + data + R"(],"model":"emb-model"})";
    return resp;
  }
};

OpenAiEmbedderOptions Options(const test::StubHttpServer& s) {
  OpenAiEmbedderOptions o;
  o.base_url = s.url() + "/v1/";
  o.api_key = "sk-test";
  o.model = "emb-model";
  o.batch = 64;
  o.backoff_ms = 1;
  o.timeout_ms = 2000;
  return o;
}

TEST(OpenAiEmbedderTest, BatchesProbesTheDimensionAndNormalises) {
  FakeOpenAi fake;
  test::StubHttpServer server([&](const StubRequest& r) { return fake.Handle(r); });
  auto e = OpenAiEmbedder::Create(Options(server));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->info().dim, kDim);
  EXPECT_EQ((*e)->info().Key(), "emb-model@1");
  std::vector<std::string> texts;
  for (int i = 0; i < 130; ++i) texts.push_back("text " + std::to_string(i % 65));
  std::vector<float> out = {42.0f};  // appended to, not replaced
  ASSERT_TRUE((*e)->Embed(texts, &out).ok());
  EXPECT_EQ(fake.batches.load(), 1 + 3);  // the probe, then 64 + 64 + 2
  ASSERT_EQ(out.size(), 1 + 130 * kDim);
  EXPECT_EQ(out[0], 42.0f);
  for (size_t i = 0; i < 130; ++i) {
    double norm = 0;
    for (size_t j = 0; j < kDim; ++j) norm += out[1 + i * kDim + j] * out[1 + i * kDim + j];
    EXPECT_NEAR(norm, 1.0, 1e-5);
  }
  // Same text, same vector, wherever it sat in the batch (vectors are placed by index).
  for (size_t j = 0; j < kDim; ++j) EXPECT_EQ(out[1 + j], out[1 + 65 * kDim + j]);
}

TEST(OpenAiEmbedderTest, RetriesTransientFailuresAndNotPermanentOnes) {
  FakeOpenAi fake;
  fake.faults = {500, 429, 502};
  test::StubHttpServer server([&](const StubRequest& r) { return fake.Handle(r); });
  auto o = Options(server);
  o.dim = kDim;  // no probe
  auto e = OpenAiEmbedder::Create(o);
  ASSERT_TRUE(e.ok());
  std::vector<float> out;
  ASSERT_TRUE((*e)->Embed(std::vector<std::string>{"a", "b"}, &out).ok());
  EXPECT_EQ((*e)->requests(), 4u);
  EXPECT_EQ(out.size(), 2 * kDim);

  FakeOpenAi down;
  down.faults = std::vector<int>(100, 503);
  test::StubHttpServer down_server([&](const StubRequest& r) { return down.Handle(r); });
  o = Options(down_server);
  o.dim = kDim;
  o.max_retries = 2;
  e = OpenAiEmbedder::Create(o);
  ASSERT_TRUE(e.ok());
  out.clear();
  Status s = (*e)->Embed(std::vector<std::string>{"a"}, &out);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ((*e)->requests(), 3u);
  EXPECT_TRUE(out.empty());

  FakeOpenAi rejects;
  rejects.faults = {400};
  test::StubHttpServer reject_server([&](const StubRequest& r) { return rejects.Handle(r); });
  o = Options(reject_server);
  o.dim = kDim;
  e = OpenAiEmbedder::Create(o);
  s = (*e)->Embed(std::vector<std::string>{"a"}, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("input too long"), std::string::npos) << s.ToString();
  EXPECT_EQ((*e)->requests(), 1u);

  o.api_key = "sk-wrong";
  e = OpenAiEmbedder::Create(o);
  s = (*e)->Embed(std::vector<std::string>{"a"}, &out);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message().find("sk-wrong"), std::string::npos);  // the key is never echoed
  EXPECT_EQ((*e)->requests(), 1u);
}

TEST(OpenAiEmbedderTest, MalformedAnswersAndTimeoutsFailCleanly) {
  for (const std::string& garbage :
       {std::string("not json"), std::string(R"({"data":[]})"),
        std::string(R"({"data":[{"index":0,"embedding":[1,2]}]})"),  // wrong dimension
        std::string(R"({"data":[{"index":5,"embedding":[1,2,3,4,5,6,7,8]}]})"),
        std::string(R"({"data":[{"index":0,"embedding":["x",2,3,4,5,6,7,8]}]})")}) {
    FakeOpenAi fake;
    fake.garbage = garbage;
    test::StubHttpServer server([&](const StubRequest& r) { return fake.Handle(r); });
    auto o = Options(server);
    o.dim = kDim;
    auto e = OpenAiEmbedder::Create(o);
    std::vector<float> out;
    Status s = (*e)->Embed(std::vector<std::string>{"a"}, &out);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << garbage << " -> " << s.ToString();
    EXPECT_TRUE(out.empty());
  }
  test::StubHttpServer slow([](const StubRequest&) {
    StubResponse r;
    r.delay = std::chrono::milliseconds(400);
    return r;
  });
  auto o = Options(slow);
  o.dim = kDim;
  o.timeout_ms = 50;
  o.max_retries = 1;
  auto e = OpenAiEmbedder::Create(o);
  std::vector<float> out;
  Status s = (*e)->Embed(std::vector<std::string>{"a"}, &out);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ((*e)->requests(), 2u);
  // Bad configuration is refused up front.
  o.base_url = "ftp://x";
  EXPECT_EQ(OpenAiEmbedder::Create(o).status().code(), StatusCode::kInvalidArgument);
  // Nothing listening: the probe fails with kUnavailable.
  o = Options(slow);
  o.base_url = "http://127.0.0.1:1/v1";
  o.max_retries = 0;
  EXPECT_EQ(OpenAiEmbedder::Create(o).status().code(), StatusCode::kUnavailable);
}

TEST(EmbeddingCacheTest, SendsEachDistinctTextOnceAndEvictsLeastRecentlyUsed) {
  FakeOpenAi fake;
  test::StubHttpServer server([&](const StubRequest& r) { return fake.Handle(r); });
  auto o = Options(server);
  o.dim = kDim;
  std::shared_ptr<Embedder> inner = std::move(OpenAiEmbedder::Create(o).value());
  CachedEmbedder cache(inner, 3);
  std::vector<float> first, second;
  ASSERT_TRUE(cache.Embed(std::vector<std::string>{"a", "b", "a"}, &first).ok());
  EXPECT_EQ(fake.batches.load(), 1);
  ASSERT_TRUE(cache.Embed(std::vector<std::string>{"b", "a"}, &second).ok());
  EXPECT_EQ(fake.batches.load(), 1);  // all hits
  EXPECT_EQ(std::vector<float>(second.begin(), second.begin() + kDim),
            std::vector<float>(first.begin() + kDim, first.begin() + 2 * kDim));
  EXPECT_EQ(cache.hits(), 2u);
  ASSERT_TRUE(cache.Embed(std::vector<std::string>{"c", "d"}, &second).ok());  // evicts "b"
  EXPECT_EQ(cache.size(), 3u);
  ASSERT_TRUE(cache.Embed(std::vector<std::string>{"a"}, &second).ok());
  const int before = fake.batches.load();
  ASSERT_TRUE(cache.Embed(std::vector<std::string>{"b"}, &second).ok());
  EXPECT_EQ(fake.batches.load(), before + 1);
}

// The live service with a remote model: every tenant embeds through it (nothing trained), and a
// change made while the service is down is retried until it lands, never dropped.
TEST(OpenAiEmbedderTest, ServiceUsesTheRemoteModelAndRetriesWhileItIsDown) {
  FakeOpenAi fake;
  std::atomic<bool> down{false};
  test::StubHttpServer server([&](const StubRequest& r) {
    if (down) return StubResponse{503, "application/json", {}, "{}"};
    return fake.Handle(r);
  });
  auto o = Options(server);
  o.dim = kDim;
  o.max_retries = 0;
  const std::string dir = test::TempDir("remote");
  auto store = test::OpenTestStore(dir);
  crm::RecordService records(store.get(), &crm::Schema::Default(), Clock::Real());
  const crm::Collection& kb = *crm::Schema::Default().Find("knowledge");
  ASSERT_TRUE(records.Create(kb, "acme", R"({"title":"Refunds","body":"how refunds work"})").ok());
  RetrievalOptions ro;
  ro.dir = dir + "/retrieval";
  ro.shared_embedder =
      std::make_shared<CachedEmbedder>(std::move(OpenAiEmbedder::Create(o).value()), 1000);
  {
    RetrievalService service(store.get(), &crm::Schema::Default(), ro, nullptr);
    ASSERT_TRUE(service.Start().ok());
    ASSERT_TRUE(service.WaitIdle(std::chrono::seconds(10)));
    SearchRequest req;
    req.tenant = "acme";
    req.query = "refunds";
    req.mode = SearchMode::kVector;
    req.scopes = {{"knowledge"}};
    auto r = service.Search(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->embedder, "emb-model@1");
    EXPECT_EQ(r->hits.size(), 1u);

    down = true;
    auto created = records.Create(kb, "acme", R"({"title":"Shipping","body":"parcel times"})");
    ASSERT_TRUE(created.ok());
    EXPECT_FALSE(service.WaitIdle(std::chrono::milliseconds(1500)));  // retrying, not dropped
    down = false;
    ASSERT_TRUE(service.WaitIdle(std::chrono::seconds(10)));
    req.query = "parcel";
    req.mode = SearchMode::kLexical;
    r = service.Search(req);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->hits.size(), 1u);
    EXPECT_EQ(r->hits[0].chunk->chunk.meta.record_id, created->id);
    service.Stop();
  }
  (void)store->Close();
  std::filesystem::remove_all(dir);
}

TEST(OpenAiEmbedderTest, RecordsOfAnotherRegionAreNeverSentToTheEndpoint) {
  FakeOpenAi fake;
  std::mutex mu;
  std::string sent;  // every request body the endpoint received
  test::StubHttpServer server([&](const StubRequest& r) {
    {
      std::lock_guard lock(mu);
      sent += r.body;
    }
    return fake.Handle(r);
  });
  auto o = Options(server);
  o.dim = kDim;
  const std::string dir = test::TempDir("residency");
  auto store = test::OpenTestStore(dir);
  crm::RecordService records(store.get(), &crm::Schema::Default(), Clock::Real());
  const crm::Collection& kb = *crm::Schema::Default().Find("knowledge");
  ASSERT_TRUE(records.Create(kb, "acme", R"({"title":"EU","body":"euroword","region":"eu"})").ok());
  ASSERT_TRUE(records.Create(kb, "acme", R"({"title":"US","body":"usaword","region":"us"})").ok());
  ASSERT_TRUE(records.Create(kb, "acme", R"({"title":"Any","body":"anyword"})").ok());
  RetrievalOptions ro;
  ro.dir = dir + "/retrieval";
  ro.shared_embedder =
      std::make_shared<CachedEmbedder>(std::move(OpenAiEmbedder::Create(o).value()), 1000);
  ro.embedder_region = "eu";
  metrics::Registry registry;
  {
    RetrievalService service(store.get(), &crm::Schema::Default(), ro, &registry);
    ASSERT_TRUE(service.Start().ok());
    ASSERT_TRUE(service.WaitIdle(std::chrono::seconds(10)));
    // Refreshes are held to the same rule.
    ASSERT_TRUE(
        records.Create(kb, "acme", R"({"title":"US2","body":"usbword","region":"us"})").ok());
    ASSERT_TRUE(service.WaitIdle(std::chrono::seconds(10)));
    SearchRequest req;
    req.tenant = "acme";
    req.mode = SearchMode::kLexical;
    req.scopes = {{"knowledge"}};
    for (const auto& [word, found] : std::vector<std::pair<std::string, size_t>>{
             {"euroword", 1}, {"anyword", 1}, {"usaword", 0}, {"usbword", 0}}) {
      req.query = word;
      auto r = service.Search(req);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->hits.size(), found) << word;
    }
    // A caller whose data is in the US: its query is not sent to the EU endpoint either.
    req.caller_regions = {"us"};
    req.query = "anyword queryfromus";
    req.mode = SearchMode::kHybrid;
    auto r = service.Search(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->mode, SearchMode::kLexical);
    EXPECT_TRUE(r->embedder.empty());
    req.mode = SearchMode::kVector;
    EXPECT_EQ(service.Search(req).status().code(), StatusCode::kPermissionDenied);
    req.caller_regions = {"us", "eu"};
    req.query = "anyword fromeutoo";
    r = service.Search(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->embedder, "emb-model@1");
    // POST /v1/embeddings' path: the caller's own text, held to the same rule.
    std::vector<float> v;
    std::string model;
    size_t dim = 0;
    EXPECT_EQ(service.EmbedForTenant("acme", {"embedfromus"}, {"us"}, &v, &model, &dim).code(),
              StatusCode::kPermissionDenied);
    ASSERT_TRUE(service.EmbedForTenant("acme", {"embedfromeu"}, {"eu"}, &v, &model, &dim).ok());
    EXPECT_EQ(v.size(), kDim);
    EXPECT_EQ(model, "emb-model@1");
    service.Stop();
  }
  {
    std::lock_guard lock(mu);
    EXPECT_NE(sent.find("euroword"), std::string::npos);
    EXPECT_EQ(sent.find("usaword"), std::string::npos);
    EXPECT_EQ(sent.find("usbword"), std::string::npos);
    EXPECT_EQ(sent.find("queryfromus"), std::string::npos);
    EXPECT_NE(sent.find("fromeutoo"), std::string::npos);
    EXPECT_EQ(sent.find("embedfromus"), std::string::npos);
    EXPECT_NE(sent.find("embedfromeu"), std::string::npos);
  }
  // Two records, two queries and one text to embed refused.
  EXPECT_NE(registry.Serialize().find(R"(crmi_residency_refusals_total{endpoint="embeddings"} 5)"),
            std::string::npos)
      << registry.Serialize();
  (void)store->Close();
  std::filesystem::remove_all(dir);
}

// before_embedding sees every passage and query bound for the endpoint; when it fails, the text
// is not sent at all (the record waits, the search fails) — never sent in clear.
TEST(OpenAiEmbedderTest, TextsPassThroughBeforeEmbeddingAndAreNotSentWhenItFails) {
  FakeOpenAi fake;
  std::mutex mu;
  std::string sent;
  test::StubHttpServer server([&](const StubRequest& r) {
    {
      std::lock_guard lock(mu);
      sent += r.body;
    }
    return fake.Handle(r);
  });
  auto o = Options(server);
  o.dim = kDim;
  const std::string dir = test::TempDir("before-embedding");
  auto store = test::OpenTestStore(dir);
  crm::RecordService records(store.get(), &crm::Schema::Default(), Clock::Real());
  const crm::Collection& kb = *crm::Schema::Default().Find("knowledge");
  ASSERT_TRUE(
      records.Create(kb, "acme", R"({"title":"Mail","body":"write to zanzi@example.com"})").ok());
  ASSERT_TRUE(records.Create(kb, "closed", R"({"title":"Shut","body":"closedword"})").ok());
  RetrievalOptions ro;
  ro.dir = dir + "/retrieval";
  ro.shared_embedder =
      std::make_shared<CachedEmbedder>(std::move(OpenAiEmbedder::Create(o).value()), 1000);
  std::atomic<int> calls{0};
  ro.before_embedding = [&](const std::string& tenant, std::vector<std::string>* texts) {
    ++calls;
    if (tenant == "closed") return Unavailable("names not loaded");
    for (std::string& t : *texts) {
      for (size_t at; (at = t.find("zanzi@example.com")) != std::string::npos;) {
        t.replace(at, 17, "<EMAIL>");
      }
    }
    return Status::Ok();
  };
  {
    RetrievalService service(store.get(), &crm::Schema::Default(), ro, nullptr);
    ASSERT_TRUE(service.Start().ok());
    EXPECT_FALSE(service.WaitIdle(std::chrono::milliseconds(1500)));  // "closed" keeps waiting
    SearchRequest req;
    req.tenant = "acme";
    req.query = "mail for zanzi@example.com";
    req.mode = SearchMode::kVector;
    req.scopes = {{"knowledge"}};
    auto r = service.Search(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->hits.size(), 1u);
    req.tenant = "closed";
    req.query = "closedquery";
    EXPECT_FALSE(service.Search(req).ok());
    service.Stop();
  }
  EXPECT_GE(calls.load(), 3);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(sent.find("zanzi@"), std::string::npos);
    EXPECT_NE(sent.find("write to <EMAIL>"), std::string::npos);
    EXPECT_NE(sent.find("mail for <EMAIL>"), std::string::npos);
    EXPECT_EQ(sent.find("closedword"), std::string::npos);
    EXPECT_EQ(sent.find("closedquery"), std::string::npos);
  }
  (void)store->Close();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::retrieval
