// Model backends: the event-stream parser and stream assembly, the OpenAI-compatible client
// against a local stub speaking that API (streaming, tool calls, and the faults a real service
// shows: slow, 500, 429, malformed events, a truncated stream), circuit breakers, fallback chains
// and residency.
#include <gtest/gtest.h>

#include <atomic>
#include <random>

#include "src/common/clock.h"
#include "src/llm/breaker.h"
#include "src/llm/extractive.h"
#include "src/llm/openai_chat.h"
#include "src/llm/router.h"
#include "tests/stub_http_server.h"

namespace crmi::llm {
namespace {

using test::StubRequest;
using test::StubResponse;

std::string Chunk(const std::string& content, const std::string& finish = "") {
  std::string delta = content.empty() ? "{}" : "{\"content\":\"" + content + "\"}";
  std::string fr = finish.empty() ? "null" : "\"" + finish + "\"";
  return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"stub-1\","
         "\"choices\":[{\"index\":0,\"delta\":" +
         delta + ",\"finish_reason\":" + fr + "}]}\n\n";
}

const char kUsage[] =
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":7}}\n\n";

StubResponse Sse(std::vector<std::string> pieces) {
  StubResponse r;
  r.content_type = "text/event-stream";
  r.pieces = std::move(pieces);
  r.piece_delay = std::chrono::milliseconds(5);
  return r;
}

StubResponse Completion(const std::string& content) {
  return {200,
          "application/json",
          {},
          R"({"id":"c1","object":"chat.completion","model":"stub-1","choices":[{"index":0,)"
          R"("message":{"role":"assistant","content":")" +
              content +
              R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":3}})"};
}

OpenAiChatOptions Options(const test::StubHttpServer& s, const std::string& name = "stub") {
  OpenAiChatOptions o;
  o.name = name;
  o.base_url = s.url() + "/v1";
  o.api_key = "sk-test";
  o.model = "stub-model";
  o.timeout_ms = 2000;
  o.backoff_ms = 1;
  o.max_retries = 2;
  return o;
}

ChatRequest Hello() {
  ChatRequest r;
  r.messages = {{"system", "be brief"}, {"user", "hello"}};
  return r;
}

TEST(SseParserTest, EventsSurviveAnySplitAndEveryLineEnding) {
  const std::string stream =
      ": keep-alive\r\ndata: one\r\n\r\nevent: x\ndata: two\ndata: lines\n\nid: 3\rdata: three\r\r"
      "data:four\n\n";
  const std::vector<std::string> want = {"one", "two\nlines", "three", "four"};
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    SseParser parser;
    std::vector<std::string> got;
    size_t at = 0;
    while (at < stream.size()) {
      const size_t n = std::uniform_int_distribution<size_t>(1, 7)(rng);
      bool stopped = false;
      ASSERT_TRUE(parser
                      .Feed(
                          std::string_view(stream).substr(at, n),
                          [&](std::string_view d) {
                            got.emplace_back(d);
                            return true;
                          },
                          &stopped)
                      .ok());
      at += n;
    }
    ASSERT_EQ(got, want) << "round " << round;
  }
}

TEST(StreamAssemblerTest, ContentToolCallsUsageAndTruncation) {
  StreamAssembler a;
  std::string delta;
  ASSERT_TRUE(a.Apply(R"({"choices":[{"index":0,"delta":{"content":"Hel"}}]})", &delta).ok());
  ASSERT_TRUE(a.Apply(R"({"choices":[{"index":0,"delta":{"content":"lo"}}]})", &delta).ok());
  EXPECT_EQ(delta, "Hello");
  EXPECT_FALSE(a.Finish().ok()) << "no finish reason yet: a truncated stream";
  ASSERT_TRUE(
      a.Apply(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1",)"
              R"("type":"function","function":{"name":"lookup","arguments":"{\"id\""}}]}}]})",
              &delta)
          .ok());
  ASSERT_TRUE(a.Apply(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,)"
                      R"("function":{"arguments":":7}"}}]},"finish_reason":"tool_calls"}]})",
                      &delta)
                  .ok());
  ASSERT_TRUE(a.Apply(kUsage + 6, &delta).ok());  // without "data: "
  ASSERT_TRUE(a.Apply("[DONE]", &delta).ok());
  auto r = a.Finish();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->content, "Hello");
  EXPECT_EQ(r->finish_reason, "tool_calls");
  EXPECT_EQ(
      r->tool_calls_json,
      R"([{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"id\":7}"}}])");
  EXPECT_EQ(r->usage.prompt, 42);
  EXPECT_EQ(r->usage.completion, 7);

  StreamAssembler bad;
  EXPECT_EQ(bad.Apply("{not json", &delta).code(), StatusCode::kUnavailable);
  EXPECT_EQ(bad.Apply(R"({"choices":[{"delta":{"content":5}}]})", &delta).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(bad.Apply(R"({"error":{"message":"overloaded"}})", &delta).code(),
            StatusCode::kUnavailable);
}

TEST(OpenAiChatTest, CompletesAndStreams) {
  std::string last_body;
  std::mutex mu;
  test::StubHttpServer server([&](const StubRequest& r) {
    {
      std::lock_guard lock(mu);
      last_body = r.body;
    }
    if (r.headers.count("authorization") == 0 ||
        r.headers.at("authorization") != "Bearer sk-test") {
      return StubResponse{401, "application/json", {}, R"({"error":{"message":"bad key"}})"};
    }
    if (r.body.find("\"stream\":true") != std::string::npos) {
      return Sse({Chunk("Hel"), Chunk("lo, "), Chunk("world"), Chunk("", "stop"), kUsage,
                  "data: [DONE]\n\n"});
    }
    return Completion("Hi there");
  });
  auto backend = OpenAiChatBackend::Create(Options(server)).value();
  auto r = backend->Complete(Hello(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content, "Hi there");
  EXPECT_EQ(r->usage.prompt, 11);
  EXPECT_FALSE(r->usage.estimated);
  {
    std::lock_guard lock(mu);
    EXPECT_NE(last_body.find(R"("model":"stub-model")"), std::string::npos);
    EXPECT_NE(last_body.find(R"({"role":"user","content":"hello"})"), std::string::npos);
  }
  std::vector<std::string> deltas;
  DeltaFn collect = [&](std::string_view d) {
    deltas.emplace_back(d);
    return true;
  };
  r = backend->Complete(Hello(), &collect);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content, "Hello, world");
  EXPECT_EQ(deltas, (std::vector<std::string>{"Hel", "lo, ", "world"}));
  EXPECT_EQ(r->usage.completion, 7);

  auto o = Options(server);
  o.api_key = "sk-wrong";
  EXPECT_EQ(OpenAiChatBackend::Create(o).value()->Complete(Hello(), nullptr).status().code(),
            StatusCode::kPermissionDenied);
  o.base_url = "ftp://x";
  EXPECT_FALSE(OpenAiChatBackend::Create(o).ok());
}

TEST(OpenAiChatTest, RetriesTransientFaultsButNotAfterStreaming) {
  std::atomic<int> calls{0};
  std::atomic<int> mode{0};
  test::StubHttpServer server([&](const StubRequest& r) {
    const int n = calls++;
    const bool stream = r.body.find("\"stream\":true") != std::string::npos;
    switch (mode.load()) {
      case 0:  // 500, then 429 with Retry-After, then an answer
        if (n == 0) return StubResponse{500, "application/json", {}, "{}"};
        if (n == 1) return StubResponse{429, "application/json", {{"Retry-After", "0"}}, "{}"};
        return Completion("ok");
      case 1:  // a stream cut after its first words: never retried, the caller has them
        return Sse({Chunk("partial ")});
      case 2:  // malformed events before any text: retried, then given up
        return Sse({"data: {oops\n\n"});
      case 3: {  // slow
        StubResponse s = Completion("late");
        s.delay = std::chrono::milliseconds(1500);
        return s;
      }
      default:
        (void)stream;
        return Completion("?");
    }
  });
  auto backend = OpenAiChatBackend::Create(Options(server)).value();
  auto r = backend->Complete(Hello(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content, "ok");
  EXPECT_EQ(calls.load(), 3);

  mode = 1;
  calls = 0;
  std::string got;
  DeltaFn collect = [&](std::string_view d) {
    got += d;
    return true;
  };
  r = backend->Complete(Hello(), &collect);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(got, "partial ");
  EXPECT_EQ(calls.load(), 1);

  mode = 2;
  calls = 0;
  r = backend->Complete(Hello(), &collect);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(calls.load(), 3);  // 1 + max_retries

  mode = 3;
  calls = 0;
  auto o = Options(server);
  o.timeout_ms = 300;
  o.max_retries = 0;
  r = OpenAiChatBackend::Create(o).value()->Complete(Hello(), nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(CircuitBreakerTest, OpensOnFailuresProbesAndCloses) {
  FakeClock clock;
  BreakerOptions o;
  o.window = 10;
  o.min_calls = 4;
  o.failure_ratio = 0.5;
  o.open_for = std::chrono::seconds(30);
  CircuitBreaker b(o, &clock);
  const auto fast = std::chrono::milliseconds(10);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.Allow());
    b.Record(false, fast);  // three failures: below min_calls, still closed
  }
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);
  ASSERT_TRUE(b.Allow());
  b.Record(false, fast);
  EXPECT_EQ(b.state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.Allow());
  clock.Advance(std::chrono::seconds(31));
  EXPECT_TRUE(b.Allow());   // the probe
  EXPECT_FALSE(b.Allow());  // only one at a time
  b.Record(false, fast);    // the probe failed: open again
  EXPECT_EQ(b.state(), CircuitBreaker::State::kOpen);
  clock.Advance(std::chrono::seconds(31));
  EXPECT_TRUE(b.Allow());
  b.Record(true, fast);
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);
  // Slow calls trip it too.
  o.slow_call = std::chrono::milliseconds(1000);
  o.slow_ratio = 0.75;
  CircuitBreaker slow(o, &clock);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(slow.Allow());
    slow.Record(true, std::chrono::milliseconds(2000));
  }
  EXPECT_EQ(slow.state(), CircuitBreaker::State::kOpen);
}

TEST(ModelRouterTest, FallsBackOpensBreakersAndKeepsResidency) {
  std::atomic<bool> failing{true};
  std::atomic<int> calls{0};
  test::StubHttpServer server([&](const StubRequest&) {
    ++calls;
    if (failing) return StubResponse{500, "application/json", {}, "{}"};
    return Completion("from the LLM");
  });
  FakeClock clock;
  metrics::Registry registry;
  ModelRouter router(&clock, &registry);
  auto o = Options(server, "remote-eu");
  o.max_retries = 0;
  o.region = "eu";
  BreakerOptions bo;
  bo.min_calls = 3;
  bo.window = 3;
  ASSERT_TRUE(router.AddBackend(OpenAiChatBackend::Create(o).value(), bo).ok());
  ASSERT_TRUE(router.AddBackend(std::make_shared<ExtractiveBackend>()).ok());
  ASSERT_TRUE(router.AddAlias("default", {"remote-eu", "extractive"}).ok());
  ASSERT_TRUE(router.AddAlias("remote-only", {"remote-eu"}).ok());
  EXPECT_FALSE(router.AddAlias("bad", {"nope"}).ok());

  ChatRequest req = Hello();
  req.question = "Within how many days are refunds possible?";
  req.context = {{"p1", "knowledge", "kno_1", "body", "eu", "Refunds",
                  "Refunds are possible within 30 days of purchase. Shipping is free."}};
  Residency eu;
  eu.data_regions = {"eu", ""};
  for (int i = 0; i < 3; ++i) {
    auto r = router.Complete("default", req, nullptr, eu);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->backend.name, "extractive");
    ASSERT_EQ(r->fallbacks.size(), 1u);
    EXPECT_NE(r->fallbacks[0].find("remote-eu"), std::string::npos);
    EXPECT_NE(r->response.content.find("within 30 days"), std::string::npos);
  }
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(router.BreakerState("remote-eu"), CircuitBreaker::State::kOpen);
  auto r = router.Complete("default", req, nullptr, eu);  // not even tried now
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(calls.load(), 3);
  EXPECT_NE(r->fallbacks[0].find("circuit open"), std::string::npos);
  EXPECT_EQ(router.Complete("remote-only", req, nullptr, eu).status().code(),
            StatusCode::kUnavailable);

  failing = false;
  clock.Advance(std::chrono::seconds(31));
  r = router.Complete("default", req, nullptr, eu);  // the half-open probe succeeds
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->backend.name, "remote-eu");
  EXPECT_EQ(r->response.content, "from the LLM");
  EXPECT_EQ(router.BreakerState("remote-eu"), CircuitBreaker::State::kClosed);

  // Residency: US data never goes to the EU endpoint; a caller of US regions neither.
  const int before = calls.load();
  Residency us;
  us.data_regions = {"us"};
  r = router.Complete("default", req, nullptr, us);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->backend.name, "extractive");
  EXPECT_EQ(router.Complete("remote-only", req, nullptr, us).status().code(),
            StatusCode::kPermissionDenied);
  Residency us_caller;
  us_caller.caller_regions = {"us"};
  EXPECT_EQ(router.Complete("remote-only", req, nullptr, us_caller).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(calls.load(), before);
  EXPECT_EQ(router.Complete("nope", req, nullptr, eu).status().code(), StatusCode::kNotFound);
  const std::string m = registry.Serialize();
  EXPECT_NE(m.find(R"(crmi_residency_refusals_total{endpoint="chat"} 2)"), std::string::npos) << m;
  EXPECT_NE(
      m.find(R"(crmi_llm_backend_requests_total{backend="remote-eu",result="breaker_open"} 2)"),
      std::string::npos)
      << m;
}

}  // namespace
}  // namespace crmi::llm
