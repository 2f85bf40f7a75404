// End-to-end: the real crmi binary, a temporary data directory, raw HTTP over loopback.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <set>
#include <thread>

#include "tests/e2e/auth_util.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/test_util.h"

namespace crmi::test {
namespace {

// Requests act as an admin of the tenant their X-Tenant header names ("default" without one),
// with a real token (tests/e2e/auth_util.h); access control itself is tested in
// security_e2e_test.cc.
class ServerE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir("e2e"));
    tokens_ = new AdminTokens(*dir_);
    server_ = new ServerProcess(*dir_, {"--max-body-bytes", "65536", "--header-timeout-ms", "1500",
                                        "--max-header-bytes", "4096"});
    ASSERT_TRUE(server_->Start()) << server_->AppLog();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->AppLog();
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete tokens_;
  }
  static int port() { return server_->port(); }

  // Shadows crmi::test::Fetch inside the tests: the same request, authenticated.
  static HttpResponse Fetch(int port, const std::string& method, const std::string& target,
                            const std::string& body = "", const Headers& headers = {}) {
    return crmi::test::Fetch(port, method, target, body, tokens_->Auth(headers));
  }
  static Headers Auth(const Headers& headers = {}) { return tokens_->Auth(headers); }
  static std::string AuthLine() {
    return "Authorization: Bearer " + tokens_->For("default") + "\r\n";
  }

  // Asserts an RFC 9457 problem with the given status and slug.
  static void ExpectProblem(const HttpResponse& r, int status, const std::string& slug) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json") << r.body;
    EXPECT_EQ(JsonField(r.body, "type"), "urn:crmi:problem:" + slug) << r.body;
    EXPECT_EQ(JsonField(r.body, "status"), std::to_string(status));
    EXPECT_FALSE(JsonField(r.body, "title").empty());
    EXPECT_FALSE(JsonField(r.body, "detail").empty());
    EXPECT_EQ(JsonField(r.body, "instance"), r.Header("x-request-id"));
  }

  static std::string* dir_;
  static ServerProcess* server_;
  static AdminTokens* tokens_;
};

std::string* ServerE2ETest::dir_ = nullptr;
AdminTokens* ServerE2ETest::tokens_ = nullptr;
ServerProcess* ServerE2ETest::server_ = nullptr;

TEST_F(ServerE2ETest, HealthReadyMetricsIndex) {
  auto h = Fetch(port(), "GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "{\"status\":\"ok\"}");
  EXPECT_EQ(h.Header("x-request-id").size(), 26u);
  auto r = Fetch(port(), "GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(JsonField(r.body, "schema_version"), "3");
  auto i = Fetch(port(), "GET", "/");
  EXPECT_EQ(i.status, 200);
  EXPECT_NE(i.body.find("\"path\":\"/v1/{collection}/{id}\",\"resource\":\"{collection}\","
                        "\"action\":\"read\""),
            std::string::npos);
  Fetch(port(), "GET", "/v1/contacts/none");
  // The final stage (metrics) runs after the response is written: allow it a moment.
  HttpResponse m;
  for (int i = 0; i < 50; ++i) {
    m = Fetch(port(), "GET", "/metrics");
    if (m.body.find("route=\"records.get\",status=\"404\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("crmi_http_requests_total{route=\"records.get\",status=\"404\"}"),
            std::string::npos);
  EXPECT_NE(m.body.find("crmi_http_request_duration_seconds_bucket{route=\"health\","),
            std::string::npos);
  EXPECT_NE(m.body.find("crmi_http_requests_in_flight"), std::string::npos);
  EXPECT_NE(m.body.find("crmi_store_operation_duration_seconds_bucket{op=\"get\""),
            std::string::npos);
  EXPECT_NE(m.body.find("crmi_build_info{"), std::string::npos);
  auto s = Fetch(port(), "GET", "/v1/schema/contacts");
  EXPECT_EQ(s.status, 200);
  EXPECT_NE(s.body.find("\"name\":\"date_of_birth\",\"type\":\"date\",\"sensitivity\":"
                        "\"restricted\""),
            std::string::npos);
}

TEST_F(ServerE2ETest, CrudMergePatchAndPreconditions) {
  auto c = Fetch(port(), "POST", "/v1/contacts",
                 R"({"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com",)"
                 R"("consent":{"marketing":true},"custom":{"tier":"gold","old":1}})",
                 {{"X-Tenant", "crud"}});
  ASSERT_EQ(c.status, 201) << c.body;
  const std::string id = JsonField(c.body, "id");
  EXPECT_EQ(c.Header("location"), "/v1/contacts/" + id);
  EXPECT_EQ(JsonField(c.body, "version"), "1");
  EXPECT_EQ(JsonField(c.body, "tenant"), "crud");
  const std::string etag1 = c.Header("etag");
  ASSERT_FALSE(etag1.empty());

  auto g = Fetch(port(), "GET", "/v1/contacts/" + id, "", {{"X-Tenant", "crud"}});
  EXPECT_EQ(g.status, 200);
  EXPECT_EQ(g.Header("etag"), etag1);
  EXPECT_EQ(g.body, c.body);
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts/" + id).status, 404) << "tenant isolation";
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts/" + id, "",
                  {{"X-Tenant", "crud"}, {"If-None-Match", etag1}})
                .status,
            304);

  auto p = Fetch(port(), "PATCH", "/v1/contacts/" + id,
                 R"({"email":null,"consent":{"profiling":true},"custom":{"old":null}})",
                 {{"X-Tenant", "crud"},
                  {"Content-Type", "application/merge-patch+json"},
                  {"If-Match", etag1}});
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(JsonField(p.body, "version"), "2");
  EXPECT_EQ(p.body.find("ada@example.com"), std::string::npos);
  EXPECT_NE(p.body.find(R"("consent":{"marketing":true,"profiling":true})"), std::string::npos);
  EXPECT_NE(p.body.find(R"("custom":{"tier":"gold"})"), std::string::npos);
  EXPECT_NE(p.Header("etag"), etag1);

  auto stale = Fetch(port(), "PATCH", "/v1/contacts/" + id, R"({"title":"CTO"})",
                     {{"X-Tenant", "crud"}, {"If-Match", etag1}});
  ExpectProblem(stale, 412, "precondition-failed");

  auto del_stale = Fetch(port(), "DELETE", "/v1/contacts/" + id, "",
                         {{"X-Tenant", "crud"}, {"If-Match", etag1}});
  EXPECT_EQ(del_stale.status, 412);
  auto del = Fetch(port(), "DELETE", "/v1/contacts/" + id, "", {{"X-Tenant", "crud"}});
  EXPECT_EQ(del.status, 204);
  EXPECT_TRUE(del.body.empty());
  ExpectProblem(Fetch(port(), "GET", "/v1/contacts/" + id, "", {{"X-Tenant", "crud"}}), 404,
                "not-found");

  auto dup1 = Fetch(port(), "POST", "/v1/accounts", R"({"id":"acc-1","name":"Acme"})");
  EXPECT_EQ(dup1.status, 201);
  ExpectProblem(Fetch(port(), "POST", "/v1/accounts", R"({"id":"acc-1","name":"Acme 2"})"), 409,
                "already-exists");
}

TEST_F(ServerE2ETest, ClientErrorsAreProblems) {
  ExpectProblem(Fetch(port(), "POST", "/v1/contacts", R"({"last_name": )"), 400,
                "invalid-argument");
  auto v = Fetch(port(), "POST", "/v1/contacts", R"({"last_name":"N","email":"nope"})");
  ExpectProblem(v, 400, "invalid-argument");
  EXPECT_NE(JsonField(v.body, "detail").find("email: not a valid email address"),
            std::string::npos);
  ExpectProblem(Fetch(port(), "GET", "/v1/widgets"), 404, "not-found");
  ExpectProblem(Fetch(port(), "GET", "/nowhere"), 404, "not-found");
  auto m = Fetch(port(), "PUT", "/v1/contacts/x", "{}");
  ExpectProblem(m, 405, "method-not-allowed");
  EXPECT_EQ(m.Header("allow"), "GET, PATCH, DELETE");
  ExpectProblem(Fetch(port(), "POST", "/v1/contacts", "last_name=N",
                      {{"Content-Type", "application/x-www-form-urlencoded"}}),
                415, "unsupported-media-type");
  ExpectProblem(
      Fetch(port(), "POST", "/v1/contacts:import", "{}", {{"Content-Type", "application/json"}}),
      415, "unsupported-media-type");
  ExpectProblem(Fetch(port(), "GET", "/v1/contacts?limit=abc"), 400, "invalid-argument");
  ExpectProblem(Fetch(port(), "GET", "/v1/contacts?cursor=zzz"), 400, "invalid-argument");
  ExpectProblem(Fetch(port(), "GET", "/v1/contacts?favourite_colour=red"), 400, "invalid-argument");
  ExpectProblem(
      Fetch(port(), "GET", "/v1/contacts", "", {Bearer(tokens_->For("crud")), {"X-Tenant", "x"}}),
      403, "tenant-mismatch");
  ExpectProblem(Fetch(port(), "GET", "/v1/contacts/a%zzb"), 400, "bad-request");
  ExpectProblem(Fetch(port(), "PATCH", "/v1/contacts/x", "[]"), 404, "not-found");
}

TEST_F(ServerE2ETest, BodyAndHeaderLimits) {
  // Declared too large: refused before the body is sent.
  HttpConnection big(port());
  ASSERT_TRUE(
      big.SendRaw("POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  "Content-Length: 1000000\r\n\r\n"));
  auto r = big.ReadResponse();
  ExpectProblem(r, 413, "payload-too-large");
  EXPECT_EQ(r.Header("connection"), "close");

  // Chunked with no declared length: cut off by the parser at the same limit.
  HttpConnection chunked(port());
  std::string req = "POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                    AuthLine() + "Transfer-Encoding: chunked\r\n\r\n";
  const std::string piece(30000, 'a');
  for (int i = 0; i < 3; ++i) {
    char size[16];
    std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
    req += size + piece + "\r\n";
  }
  req += "0\r\n\r\n";
  chunked.SendRaw(req);
  ExpectProblem(chunked.ReadResponse(), 413, "payload-too-large");

  // Header block above --max-header-bytes.
  HttpConnection hdr(port());
  hdr.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'h') + "\r\n\r\n");
  ExpectProblem(hdr.ReadResponse(), 431, "header-too-large");

  // Framing the server cannot trust: refused, and the connection closed.
  HttpConnection te(port());
  te.SendRaw(
      "POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: gzip\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto te_reply = te.ReadResponse();
  ExpectProblem(te_reply, 400, "bad-request");
  EXPECT_EQ(te_reply.Header("connection"), "close");
  EXPECT_TRUE(te.PeerClosed(std::chrono::milliseconds(3000)));
  HttpConnection smuggle(port());
  smuggle.SendRaw(
      "POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  ExpectProblem(smuggle.ReadResponse(), 400, "bad-request");
  HttpConnection no_host(port());
  no_host.SendRaw("GET /healthz HTTP/1.1\r\n\r\n");
  ExpectProblem(no_host.ReadResponse(), 400, "bad-request");
  HttpConnection head(port());
  head.SendRaw("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto head_reply = head.ReadResponse(/*to_head=*/true);
  // No body follows a HEAD reply, so the pipelined GET's reply is next on the wire.
  EXPECT_EQ(head_reply.status, 200);
  EXPECT_EQ(head_reply.Header("content-length"), "15");
  auto after_head = head.ReadResponse();
  EXPECT_EQ(after_head.status, 200);
  EXPECT_EQ(after_head.body, "{\"status\":\"ok\"}");

  // Malformed request line.
  HttpConnection bad(port());
  bad.SendRaw("GARBAGE\r\n\r\n");
  ExpectProblem(bad.ReadResponse(), 400, "bad-request");

  // Headers that never finish: 408 after --header-timeout-ms.
  HttpConnection slow(port());
  slow.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  ExpectProblem(slow.ReadResponse(), 408, "request-timeout");

  // A client that leaves mid-body: nothing to answer, but the request is accounted for.
  {
    HttpConnection gone(port());
    gone.SendRaw("POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                 AuthLine() + "Content-Length: 1000\r\n\r\n{\"last_");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto metrics = Fetch(port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("crmi_http_requests_in_flight 1\n"), std::string::npos)
      << "only the /metrics request itself may be in flight";
  EXPECT_NE(metrics.body.find("crmi_http_requests_total{route=\"records.create\",status=\"499\"}"),
            std::string::npos);

  // The server is still fine.
  EXPECT_EQ(Fetch(port(), "GET", "/healthz").status, 200);
}

TEST_F(ServerE2ETest, KeepAlivePipeliningAndRequestIds) {
  HttpConnection conn(port());
  // Two pipelined requests in one write; answers come back in order.
  ASSERT_TRUE(conn.SendRaw(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: first-1\r\n\r\n"
      "POST /v1/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
      AuthLine() + "Content-Length: 18\r\nX-Request-Id: second-2\r\n\r\n{\"last_name\":\"P1\"}"));
  auto a = conn.ReadResponse();
  auto b = conn.ReadResponse();
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.Header("x-request-id"), "first-1");
  EXPECT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(b.Header("x-request-id"), "second-2");
  for (int i = 0; i < 20; ++i) {
    auto r = conn.Request("GET", "/healthz", "", {{"X-Request-Id", "bad id with spaces"}});
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("x-request-id").size(), 26u);
  }
  // The access log carries the request id and never the query string.
  Fetch(port(), "GET", "/v1/contacts?email=secret%40example.com", "",
        {{"X-Request-Id", "audit-me"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // periodic flush
  const std::string log = server_->AccessLog();
  EXPECT_NE(log.find("\"request_id\":\"audit-me\""), std::string::npos);
  EXPECT_EQ(log.find("secret"), std::string::npos);
  EXPECT_NE(log.find("\"request_id\":\"first-1\""), std::string::npos);
}

TEST_F(ServerE2ETest, ImportReportsBadLines) {
  const std::string body =
      "{\"id\":\"i1\",\"last_name\":\"A\",\"email\":\"a@example.com\"}\n"
      "{\"id\":\"i2\",\"last_name\":\"B\",\"email\":\"broken\"}\n"
      "\n"
      "{oops\n"
      "{\"id\":\"i3\",\"last_name\":\"C\"}\n"
      "{\"id\":\"i1\",\"last_name\":\"A2\"}\n";
  auto r = Fetch(port(), "POST", "/v1/contacts:import", body,
                 {{"Content-Type", "application/x-ndjson"}, {"X-Tenant", "imp"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonField(r.body, "created"), "2");
  EXPECT_EQ(JsonField(r.body, "updated"), "1");
  EXPECT_EQ(JsonField(r.body, "failed"), "2");
  EXPECT_NE(r.body.find("{\"line\":2,\"error\":\"email: not a valid email address\"}"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("{\"line\":4,"), std::string::npos);
  auto g = Fetch(port(), "GET", "/v1/contacts/i1", "", {{"X-Tenant", "imp"}});
  EXPECT_EQ(JsonField(g.body, "last_name"), "A2");
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts/i2", "", {{"X-Tenant", "imp"}}).status, 404);

  // Chunked upload of a larger body, with Expect: 100-continue as curl sends it.
  std::string lines;
  for (int i = 0; i < 3000; ++i) {
    lines += "{\"id\":\"big" + std::to_string(i) + "\",\"last_name\":\"L\",\"custom\":{\"pad\":\"" +
             std::string(100, 'p') + "\"}}\n";
  }
  ASSERT_GT(lines.size(), 65536u) << "must exceed the server's body limit to prove streaming";
  HttpConnection conn(port());
  conn.SendRaw(
      "POST /v1/leads:import HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
      "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\nAuthorization: Bearer " +
      tokens_->For("imp") + "\r\n\r\n");
  for (size_t off = 0; off < lines.size(); off += 10000) {
    const std::string piece = lines.substr(off, 10000);
    char size[16];
    std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
    conn.SendRaw(size + piece + "\r\n");
  }
  conn.SendRaw("0\r\n\r\n");
  auto big = conn.ReadResponse();
  ASSERT_EQ(big.status, 200) << big.body;
  EXPECT_EQ(JsonField(big.body, "created"), "3000");
  EXPECT_EQ(JsonField(big.body, "failed"), "0");

  // CSV import.
  auto csv = Fetch(port(), "POST", "/v1/accounts:import",
                   "id,name,employees,billing_address.country\n"
                   "a1,Acme,12,FR\n"
                   "a2,\"Globex, Inc\",many,US\n",
                   {{"Content-Type", "text/csv"}, {"X-Tenant", "imp"}});
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(JsonField(csv.body, "created"), "1");
  EXPECT_NE(csv.body.find("{\"line\":3,\"error\":\"employees: must be an integer\"}"),
            std::string::npos)
      << csv.body;
  auto bad_header = Fetch(port(), "POST", "/v1/accounts:import", "id,colour\n1,red\n",
                          {{"Content-Type", "text/csv"}, {"X-Tenant", "imp"}});
  ExpectProblem(bad_header, 400, "invalid-argument");
}

TEST_F(ServerE2ETest, PaginationUnderConcurrentInserts) {
  const Headers t = {{"X-Tenant", "pages"}};
  std::string body;
  for (int i = 0; i < 150; ++i) {
    body += "{\"id\":\"p" + std::to_string(1000 + i) + "\",\"name\":\"Deal\",\"stage\":\"" +
            (i % 3 == 0 ? "proposal" : "prospecting") + "\"}\n";
  }
  ASSERT_EQ(Fetch(port(), "POST", "/v1/opportunities:import", body,
                  {{"Content-Type", "application/x-ndjson"}, {"X-Tenant", "pages"}})
                .status,
            200);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 200 && !stop; ++i) {
      Fetch(port(), "POST", "/v1/opportunities",
            "{\"id\":\"n" + std::to_string(i) + "\",\"name\":\"New\"}", t);
    }
  });
  std::vector<std::string> seen;
  std::string cursor;
  HttpConnection conn(port());
  while (true) {
    auto r = conn.Request("GET",
                          "/v1/opportunities?limit=9" + (cursor.empty() ? "" : "&cursor=" + cursor),
                          "", Auth(t));
    ASSERT_EQ(r.status, 200) << r.body;
    size_t pos = 0;
    while ((pos = r.body.find("{\"id\":\"", pos)) != std::string::npos) {
      pos += 7;
      seen.push_back(r.body.substr(pos, r.body.find('"', pos) - pos));
    }
    cursor = JsonField(r.body, "next_cursor");
    if (cursor.empty() || cursor == "null") break;
  }
  stop = true;
  writer.join();
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  for (int i = 0; i < 150; ++i) EXPECT_EQ(seen[i], "p" + std::to_string(1000 + i));
  auto filtered = Fetch(port(), "GET", "/v1/opportunities?stage=proposal&limit=1000", "", t);
  size_t n = 0, pos = 0;
  while ((pos = filtered.body.find("\"stage\":\"proposal\"", pos)) != std::string::npos) {
    ++n;
    ++pos;
  }
  EXPECT_EQ(n, 50u);
}

TEST_F(ServerE2ETest, Customer360) {
  const Headers t = {{"X-Tenant", "c360"}};
  ASSERT_EQ(Fetch(port(), "POST", "/v1/accounts", R"({"id":"hh1","name":"Household"})", t).status,
            201);
  ASSERT_EQ(Fetch(port(), "POST", "/v1/contacts",
                  R"({"id":"cc1","last_name":"Ng","account_id":"hh1"})", t)
                .status,
            201);
  Fetch(
      port(), "POST", "/v1/activities",
      R"({"parent_type":"contacts","parent_id":"cc1","channel":"call","occurred_at":"2026-10-01T10:00:00Z","body":"Client asked about fees"})",
      t);
  Fetch(port(), "POST", "/v1/cases", R"({"subject":"Statement error","contact_id":"cc1"})", t);
  Fetch(port(), "POST", "/v1/opportunities",
        R"({"name":"Retirement plan","account_id":"hh1","stage":"proposal"})", t);
  auto r = Fetch(port(), "GET", "/v1/customers/cc1/360", "", t);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"account\":{\"id\":\"hh1\""), std::string::npos);
  EXPECT_NE(r.body.find("Client asked about fees"), std::string::npos);
  EXPECT_NE(r.body.find("\"counts\":{\"recent_activities\":1,\"open_cases\":1,"
                        "\"open_opportunities\":1}"),
            std::string::npos)
      << r.body;
  ExpectProblem(Fetch(port(), "GET", "/v1/customers/nobody/360", "", t), 404, "not-found");
}

}  // namespace
}  // namespace crmi::test

namespace crmi::test {
namespace {

TEST(ConnectionLimitE2ETest, ConnectionsAboveTheLimitGet503) {
  const std::string dir = TempDir("maxconn");
  ServerProcess server(dir, {"--max-connections", "2"});
  ASSERT_TRUE(server.Start()) << server.AppLog();
  auto a = std::make_unique<HttpConnection>(server.port());
  HttpConnection b(server.port());
  ASSERT_EQ(a->Request("GET", "/healthz").status, 200);
  ASSERT_EQ(b.Request("GET", "/healthz").status, 200);
  HttpConnection c(server.port());
  auto r = c.ReadResponse();  // refused without sending anything
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(JsonField(r.body, "type"), "urn:crmi:problem:too-many-connections");
  EXPECT_EQ(r.Header("retry-after"), "1");
  // Closing one frees a slot.
  a.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Fetch(server.port(), "GET", "/healthz").status, 200);
  AdminTokens tokens(dir);
  auto m = b.Request("GET", "/metrics", "", tokens.Auth({}));
  EXPECT_NE(m.body.find("crmi_http_connections_rejected_total 1"), std::string::npos);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::test
