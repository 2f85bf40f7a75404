// GDPR rights and retention end to end: export returns everything crmi holds about a contact;
// erasure removes it — records, vault entries, search passages, the embedding model trained on them
// — and, once done, none of the subject's distinctive strings is left in any file under the data
// directory (SQLite database and WAL, index snapshots, model files, vault, audit trail, logs).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/auth_util.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/test_util.h"

namespace crmi::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string Lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return s;
}

// Files under `dir` containing `needle` in any letter case (binary-safe), as paths relative to
// `dir`: indexes and models keep words lower-cased.
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (Lower(ss.str()).find(Lower(needle)) != std::string::npos) {
      out.push_back(std::filesystem::relative(e.path(), dir).string());
    }
  }
  return out;
}

TEST(SubjectE2ETest, ExportThenEraseLeavesNothingOfTheSubjectOnDisk) {
  const std::string dir = TempDir("subject");
  {
    std::ofstream cfg(dir + "/crmi.toml");
    cfg << "[retrieval]\nmin_training_words = 300\ntraining_epochs = 2\nembedding_dim = 16\n"
           "snapshot_interval_s = 1\n";
  }
  ServerProcess server(dir, {"--config", dir + "/crmi.toml"});
  ASSERT_TRUE(server.Start()) << server.AppLog();
  const std::string admin = MintToken(dir, "root", "bank", "admin");
  auto post = [&](const std::string& target, const std::string& body) {
    return Fetch(server.port(), "POST", target, body,
                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin}});
  };
  auto get = [&](const std::string& target) {
    return Fetch(server.port(), "GET", target, "", {{"Authorization", "Bearer " + admin}});
  };
  // Other customers' data, enough text for the built-in model to be trained.
  for (int i = 0; i < 12; ++i) {
    auto r = post("/v1/knowledge",
                  R"({"title":"Guide )" + std::to_string(i) +
                      R"(","body":"How to reset a password, block a lost card, dispute a payment )"
                      R"(and change the delivery address of an order. Refunds take five days. )"
                      R"(Customers can call the support line or write to us by email."})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // The subject, with distinctive strings in every kind of record.
  const std::vector<std::string> distinctive = {"Quillfeather", "xanthippe.q@quillmail.example",
                                                "zyxwvutmarker", "Vorstadtgasse"};
  auto c =
      post("/v1/contacts", R"({"first_name":"Xanthippe","last_name":"Quillfeather",)"
                           R"("email":"xanthippe.q@quillmail.example","phone":"+44 20 7946 0958",)"
                           R"("date_of_birth":"1961-07-23"})");
  ASSERT_EQ(c.status, 201) << c.body;
  const std::string id = JsonField(c.body, "id");
  // Restricted fields are encrypted at rest: served in clear, never in a file.
  EXPECT_NE(get("/v1/contacts/" + id).body.find(R"("date_of_birth":"1961-07-23")"),
            std::string::npos);
  EXPECT_EQ(FilesContaining(dir, "1961-07-23"), std::vector<std::string>{});
  auto k =
      post("/v1/cases", R"({"subject":"Quillfeather complaint","contact_id":")" + id +
                            R"(","description":"Xanthippe Quillfeather says the zyxwvutmarker )"
                            R"(parcel never reached Vorstadtgasse 7."})");
  ASSERT_EQ(k.status, 201) << k.body;
  const std::string case_id = JsonField(k.body, "id");
  ASSERT_EQ(post("/v1/activities",
                 R"({"parent_type":"cases","parent_id":")" + case_id +
                     R"(","channel":"email","occurred_at":"2026-11-20T10:00:00Z",)"
                     R"("body":"Dear Quillfeather, the zyxwvutmarker parcel is on its way."})")
                .status,
            201);
  ASSERT_EQ(post("/v1/activities",
                 R"({"parent_type":"contacts","parent_id":")" + id +
                     R"(","channel":"note","occurred_at":"2026-11-21T10:00:00Z",)"
                     R"("body":"Quillfeather prefers email: xanthippe.q@quillmail.example"})")
                .status,
            201);
  auto opp = post("/v1/opportunities",
                  R"({"name":"Premium plan","contact_id":")" + id + R"(","amount":100})");
  ASSERT_EQ(opp.status, 201) << opp.body;
  // An action addressed to them (service: they gave no marketing consent), naming them.
  auto action = post("/v1/actions", R"({"contact_id":")" + id +
                                        R"(","kind":"call","purpose":"service",)"
                                        R"("message":"Call Quillfeather about the parcel"})");
  ASSERT_EQ(action.status, 201) << action.body;
  auto tok = post("/v1/privacy/tokenize", R"({"values":[{"type":"EMAIL","value":)"
                                          R"("xanthippe.q@quillmail.example","subject":")" +
                                              id + R"("}]})");
  ASSERT_EQ(tok.status, 200) << tok.body;

  // Indexed, with a trained model, and a snapshot written.
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  bool ready = false;
  while (Clock::now() < deadline && !ready) {
    auto s = post("/v1/search", R"({"query":"zyxwvutmarker","mode":"lexical"})");
    auto st = get("/v1/admin/retrieval");
    ready = s.status == 200 && s.body.find(case_id) != std::string::npos &&
            JsonField(st.body, "embedder").rfind("crmi-builtin@", 0) == 0 &&
            JsonField(st.body, "reindexing") == "false" &&
            JsonField(st.body, "snapshot_age_s") != "null";
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(ready) << get("/v1/admin/retrieval").body;
  // A model trained with the subject's text in the corpus: its vocabulary holds their words.
  ASSERT_EQ(post("/v1/admin/retrieval:reindex", "").status, 202);
  const auto retrained = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < retrained &&
         JsonField(get("/v1/admin/retrieval").body, "reindexing") != "false") {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a snapshot after the writes
  // The strings are on disk now — in the database and in the retrieval layer's files (index
  // snapshot, model) — so the check after the erasure can see them.
  for (const std::string& needle : distinctive) {
    const auto files = FilesContaining(dir, needle);
    std::string where;
    for (const auto& f : files) where += " " + f;
    std::printf("before erasure, %s in:%s\n", needle.c_str(), where.c_str());
    EXPECT_FALSE(files.empty()) << needle;
  }
  bool in_index = false, in_model = false;
  for (const auto& f : FilesContaining(dir, "zyxwvutmarker")) {
    in_index |= f.find("/index/chunks-") != std::string::npos;
    in_model |= f.find("/builtin.bin") != std::string::npos;
  }
  EXPECT_TRUE(in_index);
  EXPECT_TRUE(in_model);

  // Access: everything about the subject, the vault's values included.
  auto ex = get("/v1/subjects/" + id + "/export");
  ASSERT_EQ(ex.status, 200) << ex.body;
  rapidjson::Document d;
  d.Parse(ex.body.c_str());
  ASSERT_TRUE(d.IsObject()) << ex.body;
  EXPECT_EQ(std::string(d["records"]["contact"]["last_name"].GetString()), "Quillfeather");
  EXPECT_EQ(d["records"]["cases"].Size(), 1u);
  EXPECT_EQ(d["records"]["activities"].Size(), 2u);
  EXPECT_EQ(d["records"]["opportunities"].Size(), 1u);
  EXPECT_EQ(d["records"]["actions"].Size(), 1u);
  ASSERT_EQ(d["tokens"].Size(), 1u);
  EXPECT_EQ(std::string(d["tokens"][0]["value"].GetString()), "xanthippe.q@quillmail.example");
  // The same from the command line, beside the running server.
  RunResult cli = RunCrmi({"subject", "export", id, "--tenant", "bank", "--data-dir", dir});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find(R"("last_name":"Quillfeather")"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find(R"("value":"xanthippe.q@quillmail.example")"), std::string::npos);
  const std::string agent = MintToken(dir, "agent-1", "bank", "agent");
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/subjects/" + id + "/export", "",
                  {{"Authorization", "Bearer " + agent}})
                .status,
            403);

  // Erasure.
  auto er = Fetch(server.port(), "POST", "/v1/subjects/" + id + ":erase", "",
                  {{"Authorization", "Bearer " + admin}, {"X-Request-Id", "erase-1"}});
  ASSERT_EQ(er.status, 200) << er.body;
  EXPECT_EQ(er.body.find("Quillfeather"), std::string::npos);
  EXPECT_NE(er.body.find(R"("contacts":1,"leads":0,"cases":1,"activities":2,)"
                         R"("opportunities_unlinked":1,"actions":1,"vault_entries":1,)"
                         R"("subject_key_destroyed":true,"checkpointed":true)"),
            std::string::npos)
      << er.body;
  EXPECT_EQ(get("/v1/contacts/" + id).status, 404);
  EXPECT_EQ(get("/v1/cases/" + case_id).status, 404);
  EXPECT_EQ(get("/v1/actions/" + JsonField(action.body, "id")).status, 404);
  auto still = get("/v1/opportunities/" + JsonField(opp.body, "id"));
  EXPECT_EQ(still.status, 200);  // the account's deal stays, without the person
  EXPECT_EQ(still.body.find(id), std::string::npos) << still.body;
  EXPECT_EQ(get("/v1/subjects/" + id + "/export").status, 404);
  EXPECT_EQ(RunCrmi({"subject", "export", id, "--tenant", "bank", "--data-dir", dir}).exit_code, 1);
  EXPECT_EQ(Fetch(server.port(), "POST", "/v1/subjects/" + id + ":erase", "",
                  {{"Authorization", "Bearer " + admin}})
                .status,
            404);
  // The derived state is rebuilt without the subject.
  const auto rebuilt = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < rebuilt) {
    auto st = get("/v1/admin/retrieval");
    if (JsonField(st.body, "reindexing") == "false" && JsonField(st.body, "ready") == "true") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  auto s = post("/v1/search", R"({"query":"zyxwvutmarker Quillfeather","mode":"lexical"})");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.body.find(case_id), std::string::npos) << s.body;

  // The tombstone: the erasure is in the audit trail, by id and counts only.
  const std::string auditor = MintToken(dir, "aud-1", "bank", "auditor");
  auto audit = Fetch(server.port(), "GET", "/v1/audit?limit=1000", "",
                     {{"Authorization", "Bearer " + auditor}});
  ASSERT_EQ(audit.status, 200);
  const size_t at = audit.body.find(R"("request_id":"erase-1")");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(audit.body.find(R"("erased_subject":")" + id + "\"", at), std::string::npos);

  // Nothing of the subject on disk, with the server running ...
  for (const std::string& needle : distinctive) {
    EXPECT_EQ(FilesContaining(dir, needle), std::vector<std::string>{}) << needle;
  }
  // ... nor after it stopped (its last snapshot written).
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.AppLog();
  for (const std::string& needle : distinctive) {
    EXPECT_EQ(FilesContaining(dir, needle), std::vector<std::string>{}) << needle;
  }
  std::filesystem::remove_all(dir);
}

TEST(KeysE2ETest, RotationWhileServingLosesNothing) {
  const std::string dir = TempDir("rotation");
  ServerProcess server(dir);
  ASSERT_TRUE(server.Start()) << server.AppLog();
  const std::string admin = MintToken(dir, "root", "bank", "admin");
  auto call = [&](const std::string& method, const std::string& target, const std::string& body) {
    return Fetch(server.port(), method, target, body,
                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin}});
  };
  auto before = call("POST", "/v1/contacts", R"({"last_name":"Old","date_of_birth":"1950-01-01"})");
  ASSERT_EQ(before.status, 201) << before.body;
  auto tok =
      call("POST", "/v1/privacy/tokenize", R"({"values":[{"type":"EMAIL","value":"o@x.io"}]})");
  ASSERT_EQ(tok.status, 200);
  const std::string original_key = test::ReadFile(dir + "/keys/master.key");
  ASSERT_EQ(original_key.size(), 65u);

  RunResult rot = RunCrmi({"keys", "rotate", "--data-dir", dir});
  ASSERT_EQ(rot.exit_code, 0) << rot.err;
  EXPECT_NE(rot.out.find(R"("retired":true)"), std::string::npos) << rot.out;
  EXPECT_NE(rot.out.find(R"("still_wrapped_by_old_keys":0)"), std::string::npos) << rot.out;
  const std::string rotated_key = test::ReadFile(dir + "/keys/master.key");
  EXPECT_EQ(rotated_key.size(), 65u);
  EXPECT_NE(rotated_key, original_key);

  // The running server keeps serving, and makes new keys under the new master key.
  auto after = call("POST", "/v1/contacts", R"({"last_name":"New","date_of_birth":"1960-02-02"})");
  ASSERT_EQ(after.status, 201);
  // A restart with only the new master key reads everything.
  ASSERT_EQ(server.Stop(SIGTERM), 0) << server.AppLog();
  ASSERT_TRUE(server.Start()) << server.AppLog();
  EXPECT_NE(call("GET", "/v1/contacts/" + JsonField(before.body, "id"), "").body.find("1950-01-01"),
            std::string::npos);
  EXPECT_NE(call("GET", "/v1/contacts/" + JsonField(after.body, "id"), "").body.find("1960-02-02"),
            std::string::npos);
  const std::string token = JsonField(tok.body, "token");
  auto detok = call("POST", "/v1/privacy/detokenize", R"({"tokens":[")" + token + R"("]})");
  EXPECT_EQ(detok.status, 200) << detok.body << " token=" << token;
  EXPECT_NE(detok.body.find("o@x.io"), std::string::npos);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

TEST(RetentionE2ETest, ExpiredRecordsArePurgedCountedAndAudited) {
  const std::string dir = TempDir("retention");
  {
    std::ofstream cfg(dir + "/crmi.toml");
    cfg << "[retention]\ninterval_s = 1\n[retention.max_age]\nactivities = \"2s\"\n";
  }
  ServerProcess server(dir, {"--config", dir + "/crmi.toml"});
  ASSERT_TRUE(server.Start()) << server.AppLog();
  const std::string admin = MintToken(dir, "root", "bank", "admin");
  auto a = Fetch(server.port(), "POST", "/v1/activities",
                 R"({"parent_type":"contacts","parent_id":"con_x","channel":"note",)"
                 R"("occurred_at":"2026-11-20T10:00:00Z","body":"short-lived"})",
                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin}});
  ASSERT_EQ(a.status, 201) << a.body;
  const std::string id = JsonField(a.body, "id");
  auto c = Fetch(server.port(), "POST", "/v1/contacts", R"({"last_name":"Stays"})",
                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin}});
  ASSERT_EQ(c.status, 201);
  int status = 200;
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline && status != 404) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    status = Fetch(server.port(), "GET", "/v1/activities/" + id, "",
                   {{"Authorization", "Bearer " + admin}})
                 .status;
  }
  EXPECT_EQ(status, 404);
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/contacts/" + JsonField(c.body, "id"), "",
                  {{"Authorization", "Bearer " + admin}})
                .status,
            200);
  auto m = Fetch(server.port(), "GET", "/metrics", "", {{"Authorization", "Bearer " + admin}});
  EXPECT_NE(m.body.find(R"(crmi_retention_purged_total{collection="activities"} 1)"),
            std::string::npos)
      << m.body.substr(0, 300);
  const std::string auditor = MintToken(dir, "aud-1", "bank", "auditor");
  std::string trail;
  const auto audited = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < audited && trail.find("crmi:retention") == std::string::npos) {
    trail = Fetch(server.port(), "GET", "/v1/audit?limit=1000", "",
                  {{"Authorization", "Bearer " + auditor}})
                .body;
  }
  EXPECT_NE(trail.find(R"("sub":"crmi:retention")"), std::string::npos) << trail;
  EXPECT_NE(trail.find(R"("purged":1)"), std::string::npos);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.AppLog();
  // The audit trail with the system records still verifies.
  RunResult v = RunCrmi({"audit", "verify", "--data-dir", dir});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::test
