// Graceful shutdown and restart: nothing acknowledged is lost, requests in flight complete.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "tests/e2e/auth_util.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/test_util.h"

namespace crmi::test {
namespace {

TEST(ShutdownE2ETest, InFlightStreamedImportCompletesAfterSigterm) {
  const std::string dir = TempDir("drain");
  ServerProcess server(dir);
  ASSERT_TRUE(server.Start()) << server.AppLog();
  HttpConnection idle(server.port());  // an idle keep-alive connection must not hold shutdown
  ASSERT_EQ(idle.Request("GET", "/healthz").status, 200);

  AdminTokens tokens(dir);
  HttpConnection conn(server.port());
  std::string first, second;
  for (int i = 0; i < 500; ++i) {
    (i < 250 ? first : second) +=
        "{\"id\":\"s" + std::to_string(i) + "\",\"last_name\":\"Stream\"}\n";
  }
  ASSERT_TRUE(conn.SendRaw(
      "POST /v1/contacts:import HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
      "Authorization: Bearer " +
      tokens.For("default") +
      "\r\nContent-Length: " + std::to_string(first.size() + second.size()) + "\r\n\r\n" + first));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Draining: the idle connection was closed, new connections are refused.
  EXPECT_TRUE(idle.PeerClosed(std::chrono::milliseconds(2000)));
  EXPECT_FALSE(HttpConnection(server.port()).connected());
  // The request in flight is finished and answered.
  ASSERT_TRUE(conn.SendRaw(second));
  auto r = conn.ReadResponse();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonField(r.body, "created"), "500");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_EQ(server.Wait(20), 0) << server.AppLog();

  // Restart on the same data directory: everything is there.
  ServerProcess again(dir);
  ASSERT_TRUE(again.Start()) << again.AppLog();
  auto page = Fetch(again.port(), "GET", "/v1/contacts?limit=1000", "", tokens.Auth({}));
  size_t n = 0, pos = 0;
  while ((pos = page.body.find("\"last_name\":\"Stream\"", pos)) != std::string::npos) {
    ++n;
    ++pos;
  }
  EXPECT_EQ(n, 500u);
  EXPECT_EQ(again.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

TEST(ShutdownE2ETest, ConcurrentWritesAcknowledgedBeforeShutdownSurviveRestart) {
  const std::string dir = TempDir("writes");
  ServerProcess server(dir);
  ASSERT_TRUE(server.Start()) << server.AppLog();
  AdminTokens tokens(dir);
  const Headers auth = tokens.Auth({});
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<int> errors_5xx{0};
  std::atomic<bool> go{true};
  std::vector<std::thread> writers;
  for (int t = 0; t < 6; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; go; ++i) {
        HttpConnection c(server.port());
        if (!c.connected()) break;  // listener closed: shutdown began
        const std::string id = "w" + std::to_string(t) + "_" + std::to_string(i);
        auto r =
            c.Request("POST", "/v1/contacts", "{\"id\":\"" + id + "\",\"last_name\":\"W\"}", auth);
        if (r.status == 201) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back(id);
        } else if (r.status >= 500) {
          ++errors_5xx;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  const int code = server.Stop(SIGTERM);
  go = false;
  for (auto& w : writers) w.join();
  EXPECT_EQ(code, 0) << server.AppLog();
  EXPECT_EQ(errors_5xx.load(), 0);
  ASSERT_GT(acknowledged.size(), 20u);

  ServerProcess again(dir);
  ASSERT_TRUE(again.Start()) << again.AppLog();
  HttpConnection c(again.port());
  for (const auto& id : acknowledged) {
    ASSERT_EQ(c.Request("GET", "/v1/contacts/" + id, "", auth).status, 200) << "lost " << id;
  }
  EXPECT_EQ(again.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

TEST(ShutdownE2ETest, KillNineLosesNothingAcknowledged) {
  const std::string dir = TempDir("kill");
  ServerProcess server(dir);
  ASSERT_TRUE(server.Start()) << server.AppLog();
  AdminTokens tokens(dir);
  const Headers auth = tokens.Auth({});
  // Acknowledged writes, each with its audit record durable before the reply.
  HttpConnection c(server.port());
  for (int i = 0; i < 50; ++i) {
    Headers h = auth;
    h.emplace_back("X-Request-Id", "kill-" + std::to_string(i));
    ASSERT_EQ(c.Request("POST", "/v1/cases",
                        "{\"id\":\"k" + std::to_string(i) + "\",\"subject\":\"S\"}", h)
                  .status,
              201);
  }
  // And appends still going on from other connections when the kill lands.
  std::atomic<bool> go{true};
  std::vector<std::thread> busy;
  for (int t = 0; t < 4; ++t) {
    busy.emplace_back([&] {
      while (go) {
        HttpConnection b(server.port());
        if (!b.connected() || b.Request("GET", "/v1/cases?limit=1", "", auth).status == 0) break;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
  go = false;
  for (auto& t : busy) t.join();

  // The chain verifies as the kill left it, and holds every acknowledged request.
  RunResult v = RunCrmi({"audit", "verify", "--data-dir", dir});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  RunResult exported = RunCrmi({"audit", "export", "--data-dir", dir});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  for (int i = 0; i < 50; ++i) {
    EXPECT_NE(exported.out.find("\"request_id\":\"kill-" + std::to_string(i) + "\""),
              std::string::npos)
        << "acknowledged request kill-" << i << " has no audit record";
  }

  ServerProcess again(dir);
  ASSERT_TRUE(again.Start()) << again.AppLog();
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(Fetch(again.port(), "GET", "/v1/cases/k" + std::to_string(i), "", auth).status, 200);
  }
  EXPECT_EQ(again.Stop(SIGTERM), 0);
  // After a clean stop the chain ends with a signed checkpoint and still verifies.
  v = RunCrmi({"audit", "verify", "--data-dir", dir});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_EQ(v.out.find("not yet covered"), std::string::npos) << v.out;
  std::filesystem::remove_all(dir);
}

TEST(ShutdownE2ETest, SecondServerOnSameDataDirIsRefused) {
  const std::string dir = TempDir("lock");
  ServerProcess a(dir);
  ASSERT_TRUE(a.Start());
  RunResult r = RunCrmi({"serve", "--listen", "127.0.0.1:0", "--data-dir", dir});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is in use by another crmi server"), std::string::npos) << r.err;
  EXPECT_EQ(a.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::test
