// The crmi command line: usage errors, import/export round trip, doctor, demo.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/auth_util.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/test_util.h"

namespace crmi::test {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(CliE2ETest, VersionAndHelp) {
  RunResult v = RunCrmi({"version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("crmi 0.", 0), 0u) << v.out;
  EXPECT_NE(v.out.find("sqlite 3."), std::string::npos);
  for (const char* cmd : {"serve", "import", "export", "demo", "doctor", "version", "token",
                          "policy", "audit", "apikey"}) {
    RunResult h = RunCrmi({cmd, "--help"});
    EXPECT_EQ(h.exit_code, 0) << cmd;
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << cmd << h.out;
  }
  RunResult top = RunCrmi({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("serve"), std::string::npos);
}

TEST(CliE2ETest, WrongArgumentsExitTwoWithAMessage) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"frobnicate"},
                                             {"serve", "--listen"},
                                             {"serve", "--no-such-flag"},
                                             {"import"},
                                             {"import", "contacts", "/does/not/exist.ndjson"},
                                             {"demo", "--size", "huge"},
                                             {"serve", "--synchronous", "sometimes"},
                                             {"serve", "--listen", "nonsense"},
                                             {"serve", "--config", "/does/not/exist.toml"},
                                             {"import", "widgets", "/dev/null"}}) {
    RunResult r = RunCrmi(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << joined;
  }
}

TEST(CliE2ETest, ConfigFileErrorsNameTheKey) {
  const std::string dir = TempDir("cfg");
  WriteFile(dir + "/bad.toml", "listen = \"127.0.0.1:0\"\n[server]\nio_thread = 2\n");
  RunResult r = RunCrmi({"serve", "--config", dir + "/bad.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown key 'server.io_thread' (line 3)"), std::string::npos) << r.err;
  WriteFile(dir + "/type.toml", "[server]\nmax_connections = \"many\"\n");
  r = RunCrmi({"serve", "--config", dir + "/type.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("must be an integer"), std::string::npos) << r.err;
  WriteFile(dir + "/hook.toml", "[actions]\nwebhook_url = \"ftp://flows.example.com\"\n");
  r = RunCrmi({"serve", "--config", dir + "/hook.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("webhook_url must be an http:// or https:// URL"), std::string::npos)
      << r.err;
  // A token variable that is not set refuses to start rather than call the webhook without it.
  WriteFile(dir + "/token.toml",
            "[actions]\nwebhook_url = \"http://127.0.0.1:9/hook\"\n"
            "webhook_token_env = \"CRMI_TEST_NO_SUCH_TOKEN_VARIABLE\"\n");
  std::filesystem::create_directories(dir + "/tok");
  r = RunCrmi({"serve", "--config", dir + "/token.toml", "--data-dir", dir + "/tok", "--listen",
               "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("CRMI_TEST_NO_SUCH_TOKEN_VARIABLE, which is not set"), std::string::npos)
      << r.err;
  // A valid file is used; flags override it.
  WriteFile(dir + "/ok.toml", "listen = \"127.0.0.1:1\"\ndata_dir = \"" + dir +
                                  "/data\"\n[server]\nworker_threads = 4\n");
  ServerProcess s(dir + "/data", {"--config", dir + "/ok.toml"});
  std::filesystem::create_directories(dir + "/data");
  ASSERT_TRUE(s.Start()) << s.AppLog();  // --listen 127.0.0.1:0 from the harness overrides
  EXPECT_EQ(Fetch(s.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(s.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

TEST(CliE2ETest, ImportExportRoundTripAndDoctor) {
  const std::string dir = TempDir("cli");
  WriteFile(dir + "/contacts.ndjson",
            "{\"id\":\"c1\",\"last_name\":\"One\",\"email\":\"one@example.com\"}\n"
            "{\"id\":\"c2\",\"last_name\":\"Two\",\"email\":\"bad\"}\n"
            "{\"id\":\"c3\",\"last_name\":\"Three\",\"custom\":{\"k\":[1,2]}}\n");
  RunResult imp = RunCrmi({"import", "contacts", dir + "/contacts.ndjson", "--tenant", "acme",
                           "--data-dir", dir + "/data"});
  EXPECT_EQ(imp.exit_code, 1) << "a failed line makes the exit code 1";
  EXPECT_NE(imp.out.find("\"created\":2"), std::string::npos) << imp.out;
  EXPECT_NE(imp.out.find("{\"line\":2,\"error\":\"email: not a valid email address\"}"),
            std::string::npos)
      << imp.out;

  WriteFile(dir + "/accounts.csv", "id,name,employees\nacc1,Acme,10\nacc2,Beta,20\n");
  RunResult csv = RunCrmi({"import", "accounts", dir + "/accounts.csv", "--tenant", "acme",
                           "--data-dir", dir + "/data"});
  EXPECT_EQ(csv.exit_code, 0) << csv.out << csv.err;
  EXPECT_NE(csv.out.find("\"created\":2"), std::string::npos);

  RunResult exp = RunCrmi({"export", "contacts", "--tenant", "acme", "--data-dir", dir + "/data"});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  EXPECT_EQ(std::count(exp.out.begin(), exp.out.end(), '\n'), 2);
  EXPECT_NE(exp.out.find("\"id\":\"c3\",\"tenant\":\"acme\",\"version\":1"), std::string::npos);

  // The export re-imports unchanged into another tenant: same records, system fields ignored.
  WriteFile(dir + "/export.ndjson", exp.out);
  RunResult back = RunCrmi({"import", "contacts", dir + "/export.ndjson", "--tenant", "acme",
                            "--data-dir", dir + "/data"});
  EXPECT_EQ(back.exit_code, 0) << back.out;
  EXPECT_NE(back.out.find("\"updated\":2"), std::string::npos) << back.out;
  RunResult other = RunCrmi({"import", "contacts", dir + "/export.ndjson", "--tenant", "other",
                             "--data-dir", dir + "/data"});
  EXPECT_EQ(other.exit_code, 1) << "tenant field of the export does not match";
  EXPECT_NE(other.out.find("tenant: does not match"), std::string::npos);

  RunResult doc = RunCrmi({"doctor", "--data-dir", dir + "/data"});
  EXPECT_EQ(doc.exit_code, 0) << doc.out;
  EXPECT_NE(doc.out.find("integrity_check"), std::string::npos);
  RunResult missing = RunCrmi({"doctor", "--data-dir", dir + "/nothing"});
  EXPECT_EQ(missing.exit_code, 1);
  std::filesystem::remove_all(dir);
}

TEST(CliE2ETest, DemoLoadsBothTenantsAndServes) {
  const std::string dir = TempDir("demo");
  RunResult d = RunCrmi({"demo", "--size", "small", "--data-dir", dir});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  EXPECT_NE(d.out.find("maple-bank/contacts"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("orbit-retail/activities"), std::string::npos);
  RunResult again = RunCrmi({"demo", "--data-dir", dir});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("already loaded"), std::string::npos);

  ServerProcess s(dir);
  ASSERT_TRUE(s.Start()) << s.AppLog();
  AdminTokens tokens(dir);
  auto list =
      Fetch(s.port(), "GET", "/v1/contacts?limit=1", "", tokens.Auth({{"X-Tenant", "maple-bank"}}));
  ASSERT_EQ(list.status, 200);
  const std::string id = JsonField(list.body, "id");
  ASSERT_FALSE(id.empty());
  auto c360 = Fetch(s.port(), "GET", "/v1/customers/" + id + "/360", "",
                    tokens.Auth({{"X-Tenant", "maple-bank"}}));
  EXPECT_EQ(c360.status, 200) << c360.body;
  EXPECT_NE(c360.body.find("\"recent_activities\":[{"), std::string::npos);
  EXPECT_EQ(s.Stop(SIGTERM), 0);

  // --out writes NDJSON files instead, deterministic for a seed.
  RunResult f1 = RunCrmi({"demo", "--size", "small", "--seed", "7", "--out", dir + "/o1"});
  RunResult f2 = RunCrmi({"demo", "--size", "small", "--seed", "7", "--out", dir + "/o2"});
  ASSERT_EQ(f1.exit_code, 0);
  ASSERT_EQ(f2.exit_code, 0);
  const std::string a = ReadFile(dir + "/o1/maple-bank/contacts.ndjson");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, ReadFile(dir + "/o2/maple-bank/contacts.ndjson"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::test
