#include <gtest/gtest.h>

#include "src/common/metrics.h"
#include "src/http/filter.h"
#include "src/http/filters/access_log.h"
#include "src/http/filters/limits.h"
#include "src/http/filters/metrics.h"
#include "src/http/filters/request_id.h"
#include "src/http/message.h"
#include "src/http/problem.h"
#include "src/http/router.h"
#include "src/http/server.h"

namespace crmi::http {
namespace {

Route R(Method m, std::string pattern, std::string name, std::string resource = "x") {
  Route r;
  r.method = m;
  r.pattern = std::move(pattern);
  r.name = std::move(name);
  r.resource = std::move(resource);
  r.action = "read";
  return r;
}

TEST(RouterTest, MatchesParamsVerbsAndMethods) {
  Router router({R(Method::kGet, "/healthz", "health"),
                 R(Method::kGet, "/v1/customers/{contact_id}/360", "c360"),
                 R(Method::kPost, "/v1/{collection}:import", "import", "{collection}"),
                 R(Method::kGet, "/v1/{collection}", "list", "{collection}"),
                 R(Method::kPost, "/v1/{collection}", "create", "{collection}"),
                 R(Method::kGet, "/v1/{collection}/{id}", "get", "{collection}")});
  auto m = router.Match(Method::kGet, "/v1/contacts/con%3A1");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->name, "get");
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"collection", "contacts"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"id", "con:1"}));
  EXPECT_EQ(Router::ResolveResource(*m.route, m.params), "contacts");

  m = router.Match(Method::kPost, "/v1/contacts:import");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->name, "import");
  EXPECT_EQ(m.params[0].second, "contacts");

  m = router.Match(Method::kGet, "/v1/contacts:import");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched);
  EXPECT_EQ(m.allow, "POST");

  m = router.Match(Method::kDelete, "/v1/contacts");
  EXPECT_TRUE(m.path_matched);
  EXPECT_EQ(m.allow, "GET, POST");

  EXPECT_EQ(router.Match(Method::kGet, "/v1/customers/c1/360").route->name, "c360");
  EXPECT_EQ(router.Match(Method::kHead, "/healthz").route->name, "health");
  EXPECT_EQ(router.Match(Method::kGet, "/nope").route, nullptr);
  EXPECT_FALSE(router.Match(Method::kGet, "/nope").path_matched);
  EXPECT_EQ(router.Match(Method::kGet, "/v1/contacts/").route, nullptr);
  EXPECT_EQ(router.Match(Method::kGet, "/v1//x").route, nullptr);
  EXPECT_EQ(router.Match(Method::kPost, "/v1/:import").route->name, "create");
  EXPECT_TRUE(router.Match(Method::kGet, "/v1/contacts/%zz").bad_encoding);
  EXPECT_TRUE(router.Match(Method::kGet, "/v1/contacts/a%00b").bad_encoding);
}

TEST(MessageTest, ParseTarget) {
  std::string path;
  QueryParams q;
  ASSERT_TRUE(ParseTarget("/v1/contacts?limit=5&email=a%40b.co&x=a+b&flag&=v", &path, &q).ok());
  EXPECT_EQ(path, "/v1/contacts");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"email", "a@b.co"}));
  EXPECT_EQ(q[2].second, "a b");
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_FALSE(ParseTarget("http://x/y", &path, &q).ok());
  EXPECT_FALSE(ParseTarget("*", &path, &q).ok());
  EXPECT_FALSE(ParseTarget("/a?x=%zz", &path, &q).ok());
  EXPECT_FALSE(ParseTarget("/a?x=%4", &path, &q).ok());
  EXPECT_FALSE(ParseTarget(std::string("/a\0b", 4), &path, &q).ok());
  std::string many = "/a?";
  for (int i = 0; i < 70; ++i) many += "k=v&";
  EXPECT_FALSE(ParseTarget(many, &path, &q).ok());
  EXPECT_EQ(MediaType(" Application/JSON ; charset=utf-8"), "application/json");
  Headers h;
  h.Add("Content-Type", "a");
  EXPECT_EQ(*h.Get("content-type"), "a");
  h.Set("CONTENT-TYPE", "b");
  EXPECT_EQ(h.all().size(), 1u);
  EXPECT_EQ(*h.Get("Content-Type"), "b");
}

TEST(ProblemTest, MapsCodesOnceAndRendersRfc9457) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 412);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  RequestContext ctx;
  ctx.request_id = "req-1";
  SetProblem(ctx, NotFound("contact 'x' not found"));
  EXPECT_EQ(ctx.response.status, 404);
  EXPECT_EQ(ctx.response.content_type, "application/problem+json");
  EXPECT_EQ(ctx.response.body,
            R"({"type":"urn:crmi:problem:not-found","title":"Not Found","status":404,)"
            R"("detail":"contact 'x' not found","instance":"req-1"})");
  SetProblem(ctx, Unavailable("busy"));
  EXPECT_EQ(*ctx.response.headers.Get("Retry-After"), "1");
}

// Records the order in which hooks run; optionally stops the chain.
class Probe final : public Filter {
 public:
  Probe(std::string name, std::vector<std::string>* log, bool stop = false)
      : name_(std::move(name)), log_(log), stop_(stop) {}
  std::string_view name() const override { return name_; }
  FilterStatus OnRequest(RequestContext& ctx) override {
    log_->push_back("req:" + name_);
    if (stop_) {
      SetProblem(ctx, 429, "", "stopped by " + name_);
      return FilterStatus::kStop;
    }
    return FilterStatus::kContinue;
  }
  void OnResponse(RequestContext&) override { log_->push_back("resp:" + name_); }
  void OnComplete(const RequestContext&) override { log_->push_back("done:" + name_); }

 private:
  std::string name_;
  std::vector<std::string>* log_;
  bool stop_;
};

TEST(FilterChainTest, RunsInOrderAndReverses) {
  std::vector<std::string> log;
  FilterChain chain;
  chain.Add(std::make_unique<Probe>("a", &log));
  chain.Add(std::make_unique<Probe>("b", &log));
  chain.Add(std::make_unique<Probe>("c", &log));
  RequestContext ctx;
  bool stopped = true;
  const size_t ran = chain.RunRequest(ctx, &stopped);
  EXPECT_FALSE(stopped);
  EXPECT_EQ(ran, 3u);
  log.push_back("handler");
  chain.RunResponse(ctx, ran);
  chain.RunComplete(ctx);
  EXPECT_EQ(log, (std::vector<std::string>{"req:a", "req:b", "req:c", "handler", "resp:c", "resp:b",
                                           "resp:a", "done:a", "done:b", "done:c"}));
  EXPECT_FALSE(ctx.local_reply);
}

TEST(FilterChainTest, StopSkipsTheRestButFinalStageRunsForAll) {
  std::vector<std::string> log;
  FilterChain chain;
  chain.Add(std::make_unique<Probe>("a", &log));
  chain.Add(std::make_unique<Probe>("limit", &log, /*stop=*/true));
  chain.Add(std::make_unique<Probe>("c", &log));
  RequestContext ctx;
  bool stopped = false;
  const size_t ran = chain.RunRequest(ctx, &stopped);
  EXPECT_TRUE(stopped);
  EXPECT_EQ(ran, 2u);
  EXPECT_TRUE(ctx.local_reply);
  EXPECT_EQ(ctx.response.status, 429);
  chain.RunResponse(ctx, ran);
  chain.RunComplete(ctx);
  EXPECT_EQ(log, (std::vector<std::string>{"req:a", "req:limit", "resp:limit", "resp:a", "done:a",
                                           "done:limit", "done:c"}));
}

TEST(FiltersTest, RequestIdAdoptsValidOrGenerates) {
  RequestIdFilter f;
  RequestContext ctx;
  ctx.request.headers.Add("X-Request-Id", "abc-123");
  EXPECT_EQ(f.OnRequest(ctx), FilterStatus::kContinue);
  EXPECT_EQ(ctx.request_id, "abc-123");
  RequestContext bad;
  bad.request.headers.Add("X-Request-Id", "has space");
  f.OnRequest(bad);
  EXPECT_EQ(bad.request_id.size(), 26u);
  RequestContext none;
  f.OnRequest(none);
  EXPECT_EQ(none.request_id.size(), 26u);
}

TEST(FiltersTest, LimitsRefuseLargeDeclaredBodies) {
  LimitsFilter f(LimitsConfig{100});
  RequestContext ctx;
  ctx.request.content_length = 101;
  EXPECT_EQ(f.OnRequest(ctx), FilterStatus::kStop);
  EXPECT_EQ(ctx.response.status, 413);
  EXPECT_TRUE(ctx.close_connection);
  RequestContext ok;
  ok.request.content_length = 100;
  EXPECT_EQ(f.OnRequest(ok), FilterStatus::kContinue);
  Route streaming;
  streaming.streaming = true;
  RequestContext big;
  big.route = &streaming;
  big.request.content_length = 1ull << 40;
  EXPECT_EQ(f.OnRequest(big), FilterStatus::kContinue);
}

TEST(FiltersTest, AccessLogRedactsNonIdentifierSegments) {
  EXPECT_EQ(LoggablePath("/v1/contacts/con_1"), "/v1/contacts/con_1");
  EXPECT_EQ(LoggablePath("/v1/contacts/ada@example.com"), "/v1/contacts/{redacted}");
  EXPECT_EQ(LoggablePath("/"), "/");
}

TEST(FiltersTest, MetricsCountByRouteAndStatus) {
  metrics::Registry registry;
  Router router({R(Method::kGet, "/a", "route.a")});
  FakeClock clock;
  MetricsFilter f(&registry, &router, &clock);
  RequestContext ctx;
  ctx.route = &router.routes()[0];
  f.OnRequest(ctx);
  ctx.response.status = 200;
  f.OnComplete(ctx);
  RequestContext unmatched;
  unmatched.response.status = 404;
  f.OnComplete(unmatched);
  const std::string text = registry.Serialize();
  EXPECT_NE(text.find("crmi_http_requests_total{route=\"route.a\",status=\"200\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("crmi_http_requests_total{route=\"unmatched\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("crmi_http_requests_in_flight 0"), std::string::npos);
  EXPECT_NE(text.find("crmi_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST(ServerTest, ParseListenAddress) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListenAddress("127.0.0.1:8080", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(ParseListenAddress("[::1]:0", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  ASSERT_TRUE(ParseListenAddress(":9000", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(ParseListenAddress("localhost", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("x:70000", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("x:", &host, &port).ok());
}

}  // namespace
}  // namespace crmi::http
