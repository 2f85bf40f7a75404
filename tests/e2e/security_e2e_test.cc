// Zero trust end to end: the real binary, real tokens (development issuer and a JWKS-file
// issuer), API keys, the default policy, the route matrix, row filters and masks on every
// response shape, the audit trail and policy administration.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "tests/e2e/auth_util.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/test_util.h"
#include "tests/trust/jwt_test_util.h"

namespace crmi::test {
namespace {

constexpr char kSecret[] = "SECRETMARK";  // in every seeded record's confidential fields

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

class SecurityE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir("sec"));
    server_ = new ServerProcess(*dir_);
    ASSERT_TRUE(server_->Start()) << server_->AppLog();
    admin_ = new std::string(MintToken(*dir_, "root", "bank", "admin"));
    other_admin_ = new std::string(MintToken(*dir_, "root", "shop", "admin"));
    Seed();
  }
  static void TearDownTestSuite() {
    if (server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->AppLog();
    }
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete admin_;
    delete other_admin_;
  }
  static int port() { return server_->port(); }
  static Headers As(const std::string& token, Headers extra = {}) {
    extra.push_back(Bearer(token));
    return extra;
  }
  static HttpResponse Admin(const std::string& method, const std::string& target,
                            const std::string& body = "", Headers extra = {}) {
    if (!body.empty() && extra.empty()) extra.emplace_back("Content-Type", "application/json");
    return Fetch(port(), method, target, body, As(*admin_, extra));
  }

  // 30 contacts in tenant "bank": owners adv-1 (every third), adv-2 and others; regions;
  // consent; a restricted date of birth and a card in custom on each; all carrying kSecret in a
  // confidential field. An account, cases, activities for the 360.
  static void Seed() {
    std::string lines;
    for (int i = 0; i < 30; ++i) {
      const std::string owner = i % 3 == 0 ? "adv-1" : (i % 3 == 1 ? "adv-2" : "adv-3");
      const std::string region = i % 2 == 0 ? "eu" : "us";
      lines += "{\"id\":\"c" + std::to_string(i) + "\",\"last_name\":\"" + kSecret + "-" +
               std::to_string(i) + "\",\"owner_id\":\"" + owner + "\",\"region\":\"" + region +
               "\",\"account_id\":\"a1\",\"date_of_birth\":\"1980-01-0" +
               std::to_string(1 + i % 9) +
               "\",\"consent\":{\"marketing\":" + (i % 5 == 0 ? "true" : "false") +
               "},\"custom\":{\"payment_card\":\"4111111111111111\",\"tier\":\"gold\"}}\n";
    }
    auto r =
        Admin("POST", "/v1/contacts:import", lines, {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(JsonField(r.body, "created"), "30") << r.body;
    auto account = Admin(
        "POST", "/v1/accounts",
        std::string(R"({"id":"a1","name":"Household )") + kSecret + R"(","owner_id":"adv-2"})");
    ASSERT_EQ(account.status, 201) << account.body;
    ASSERT_EQ(Admin("POST", "/v1/cases",
                    R"({"id":"k0","subject":"Card blocked","contact_id":"c0","owner_id":"adv-1"})")
                  .status,
              201);
    ASSERT_EQ(Admin("POST", "/v1/cases",
                    R"({"id":"k1","subject":"Other","contact_id":"c0","owner_id":"adv-2"})")
                  .status,
              201);
    // A contact of the other tenant, same id as one of ours.
    ASSERT_EQ(Fetch(port(), "POST", "/v1/contacts", R"({"id":"c0","last_name":"Shopper"})",
                    As(*other_admin_, {{"Content-Type", "application/json"}}))
                  .status,
              201);
  }

  static std::string* dir_;
  static ServerProcess* server_;
  static std::string* admin_;
  static std::string* other_admin_;
};

std::string* SecurityE2ETest::dir_ = nullptr;
ServerProcess* SecurityE2ETest::server_ = nullptr;
std::string* SecurityE2ETest::admin_ = nullptr;
std::string* SecurityE2ETest::other_admin_ = nullptr;

struct RouteInfo {
  std::string method, path, name, resource, action;
  bool is_public = false;
};

std::vector<RouteInfo> ListRoutes(const std::string& index_json) {
  rapidjson::Document d;
  d.Parse(index_json.c_str());
  std::vector<RouteInfo> out;
  if (!d.IsObject() || !d.HasMember("routes")) return out;
  for (const auto& r : d["routes"].GetArray()) {
    out.push_back({r["method"].GetString(), r["path"].GetString(), r["name"].GetString(),
                   r["resource"].GetString(), r["action"].GetString(), r["public"].GetBool()});
  }
  out.push_back({"GET", "/", "index", "index", "read", false});  // the index lists the others
  return out;
}

// Resources every authenticated caller may read (anyone-reads-schema in the default policy).
const std::set<std::string>& OpenToAll() {
  static const std::set<std::string> open = {"schema", "index", "self"};
  return open;
}

// A concrete target for a route pattern, addressing record `record` and API key `key_id`.
std::string Target(const RouteInfo& r, const std::string& key_id,
                   const std::string& record = "c0") {
  std::string p = r.path;
  auto sub = [&](const std::string& from, const std::string& to) {
    for (size_t at = p.find(from); at != std::string::npos; at = p.find(from)) {
      p.replace(at, from.size(), to);
    }
  };
  sub("{collection}", "contacts");
  sub("{contact_id}", record);
  sub("{id}", r.name.rfind("api_keys", 0) == 0 ? key_id : record);
  return p;
}

Headers BodyHeaders(const RouteInfo& r) {
  if (r.method == "PATCH") return {{"Content-Type", "application/merge-patch+json"}};
  if (r.method == "PUT") return {{"Content-Type", "application/yaml"}};
  if (r.name == "records.import") return {{"Content-Type", "application/x-ndjson"}};
  if (r.method == "POST") return {{"Content-Type", "application/json"}};
  return {};
}

std::string Body(const RouteInfo& r) {
  if (r.method == "PATCH") return R"({"title":"x"})";
  if (r.method == "PUT") return "not: [a valid policy";
  if (r.method == "POST") return r.name == "records.import" ? "{\"last_name\":\"n\"}\n" : "{}";
  return "";
}

TEST_F(SecurityE2ETest, SecurityMetricsAndReadiness) {
  const std::string analyst = MintToken(*dir_, "an-1", "bank", "analyst");
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts", "", As(analyst)).status, 403);
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts").status, 401);
  EXPECT_EQ(Fetch(port(), "GET", "/metrics").status, 401) << "metrics are not public";
  const std::string monitor = MintToken(*dir_, "svc:mon", "bank", "monitor");
  auto m = Fetch(port(), "GET", "/metrics", "", As(monitor));
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("crmi_authz_decisions_total{decision=\"deny\",rule=\"default-deny\"}"),
            std::string::npos);
  EXPECT_NE(m.body.find("crmi_authz_decisions_total{decision=\"permit\",rule=\"admin-all\"}"),
            std::string::npos);
  EXPECT_NE(m.body.find("crmi_authn_failures_total "), std::string::npos);
  EXPECT_EQ(m.body.find("crmi_authn_failures_total 0"), std::string::npos);
  EXPECT_NE(m.body.find("crmi_audit_records_total "), std::string::npos);
  EXPECT_NE(m.body.find("crmi_audit_sync_seconds_count "), std::string::npos);
  EXPECT_NE(m.body.find("crmi_audit_write_failures_total 0"), std::string::npos);
  auto ready = Fetch(port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
}

TEST_F(SecurityE2ETest, RouteMatrix) {
  const auto index = Admin("GET", "/");
  ASSERT_EQ(index.status, 200);
  const std::vector<RouteInfo> routes = ListRoutes(index.body);
  ASSERT_GT(routes.size(), 20u);
  auto key = Admin("POST", "/v1/admin/api-keys", R"({"name":"matrix","roles":["ingest"]})");
  ASSERT_EQ(key.status, 201) << key.body;
  const std::string key_id = JsonField(key.body, "id");
  const std::string nobody = MintToken(*dir_, "nobody", "bank", "visitor");

  for (const RouteInfo& r : routes) {
    SCOPED_TRACE(r.method + " " + r.path);
    const std::string target = Target(r, key_id);
    // 1. No credentials: 401 with a challenge (probes excepted).
    auto anon = Fetch(port(), r.method, target, Body(r), BodyHeaders(r));
    if (r.is_public) {
      EXPECT_EQ(anon.status, 200) << anon.body;
      continue;
    }
    EXPECT_EQ(anon.status, 401) << anon.body;
    EXPECT_EQ(anon.Header("www-authenticate").rfind("Bearer realm=\"crmi\"", 0), 0u);
    EXPECT_EQ(JsonField(anon.body, "type"), "urn:crmi:problem:unauthenticated");
    // A forged or garbage token is no better.
    auto forged = Fetch(port(), r.method, target, Body(r),
                        As("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", BodyHeaders(r)));
    EXPECT_EQ(forged.status, 401);
    EXPECT_NE(forged.Header("www-authenticate").find("invalid_token"), std::string::npos);

    // 2. A valid token whose roles no rule permits: 403 (except what is open to everyone).
    auto denied = Fetch(port(), r.method, target, Body(r), As(nobody, BodyHeaders(r)));
    if (OpenToAll().count(r.resource) > 0) {
      EXPECT_EQ(denied.status, 200) << denied.body;
    } else {
      EXPECT_EQ(denied.status, 403) << denied.body;
      EXPECT_EQ(JsonField(denied.body, "type"), "urn:crmi:problem:forbidden");
      EXPECT_NE(JsonField(denied.body, "detail").find("default-deny"), std::string::npos);
    }

    // 3. Another tenant's admin addressing our records by id: 404, never 403, and nothing
    //    changes.
    if (r.path.find("{id}") != std::string::npos ||
        r.path.find("{contact_id}") != std::string::npos) {
      // c3: an id the other tenant does not have (its own c0 exists and would be found).
      const std::string cross_target = Target(r, key_id, "c3");
      auto cross =
          Fetch(port(), r.method, cross_target, Body(r), As(*other_admin_, BodyHeaders(r)));
      EXPECT_EQ(cross.status, 404) << cross.body;
      EXPECT_EQ(cross.body.find(kSecret), std::string::npos);
    }
  }
  // The other tenant's delete attempts left our records and key alone.
  EXPECT_EQ(Admin("GET", "/v1/contacts/c3").status, 200);
  EXPECT_EQ(Admin("GET", "/v1/admin/api-keys/" + key_id).status, 200);
  // And its own c0 is a different record.
  auto theirs = Fetch(port(), "GET", "/v1/contacts/c0", "", As(*other_admin_));
  EXPECT_EQ(JsonField(theirs.body, "last_name"), "Shopper");
}

TEST_F(SecurityE2ETest, ObligationsARouteCannotApplyAreRefused) {
  auto current = Admin("GET", "/v1/admin/policies", "", {{"Accept", "application/yaml"}});
  ASSERT_EQ(current.status, 200);
  const std::string etag = current.Header("etag");
  // Probe roles permitted everything, with obligations of each kind.
  const std::string probes = R"(
  - id: probe-rows
    effect: permit
    roles: [probe-rows]
    resources: ["*"]
    actions: ["*"]
    obligations:
      row_filter: owner_id == principal.sub
  - id: probe-mask
    effect: permit
    roles: [probe-mask]
    resources: ["*"]
    actions: ["*"]
    obligations:
      mask_fields: [last_name]
      redact_class: confidential
  - id: probe-approval
    effect: permit
    roles: [probe-approval]
    resources: ["*"]
    actions: ["*"]
    obligations:
      require_approval: true
)";
  auto put = Admin("PUT", "/v1/admin/policies", current.body + probes,
                   {{"Content-Type", "application/yaml"}, {"If-Match", etag}});
  ASSERT_EQ(put.status, 200) << put.body;

  // The probes may write: give them a record of their own to work on.
  ASSERT_EQ(
      Admin("POST", "/v1/contacts",
            std::string(R"({"id":"victim","owner_id":"adv-1","last_name":")") + kSecret + R"("})")
          .status,
      201);
  const auto routes = ListRoutes(Admin("GET", "/").body);
  const std::string rows = MintToken(*dir_, "probe-owner", "bank", "probe-rows");
  const std::string mask = MintToken(*dir_, "probe-m", "bank", "probe-mask");
  const std::string approval = MintToken(*dir_, "probe-a", "bank", "probe-approval");
  int unenforceable = 0, applied = 0;
  for (const RouteInfo& r : routes) {
    if (r.is_public) continue;
    SCOPED_TRACE(r.method + " " + r.path);
    const std::string target = Target(r, "key_none", "victim");
    for (const std::string* token : {&rows, &mask}) {
      auto res = Fetch(port(), r.method, target, Body(r), As(*token, BodyHeaders(r)));
      // Either refused as unenforceable, or served with the obligation applied: no record of
      // another owner and no confidential value leaks.
      if (res.status == 403 &&
          JsonField(res.body, "type") == "urn:crmi:problem:obligation-unenforceable") {
        ++unenforceable;
      } else {
        ++applied;
        EXPECT_NE(res.status, 500);
        EXPECT_EQ(res.body.find(kSecret), std::string::npos) << res.status << " " << res.body;
      }
    }
    auto a = Fetch(port(), r.method, target, Body(r), As(approval, BodyHeaders(r)));
    if (r.method == "POST" && r.path == "/v1/ask") {
      // The one route that can hold its outcome for a person (it answers 202 then; the probe's
      // empty body is refused first).
      EXPECT_NE(JsonField(a.body, "type"), "urn:crmi:problem:approval-required") << a.body;
    } else if (OpenToAll().count(r.resource) == 0) {
      EXPECT_EQ(a.status, 403) << a.body;
      EXPECT_EQ(JsonField(a.body, "type"), "urn:crmi:problem:approval-required");
    }
  }
  EXPECT_GT(unenforceable, 10) << "metrics, policies, audit, api keys... cannot filter rows";
  EXPECT_GT(applied, 10) << "record routes apply row filters and masks";
  // Restore the default policy for the other tests.
  auto restore =
      Admin("PUT", "/v1/admin/policies", current.body, {{"Content-Type", "application/yaml"}});
  ASSERT_EQ(restore.status, 200);
}

TEST_F(SecurityE2ETest, AdvisorSeesOwnBookWithRestrictedFieldsMasked) {
  const std::string adv = MintToken(*dir_, "adv-1", "bank", "advisor");
  // Pages stay exact under the row filter: 10 of 30 contacts, pages of 3.
  std::vector<std::string> ids;
  std::string cursor;
  int pages = 0;
  while (true) {
    auto r =
        Fetch(port(), "GET", "/v1/contacts?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor),
              "", As(adv));
    ASSERT_EQ(r.status, 200) << r.body;
    ++pages;
    const int on_page = Count(r.body, "\"owner_id\":\"adv-1\"");
    EXPECT_EQ(Count(r.body, "\"owner_id\":"), on_page) << "another owner's record leaked";
    EXPECT_EQ(Count(r.body, "\"date_of_birth\":\"[masked]\""), on_page);
    EXPECT_EQ(r.body.find("1980-01-"), std::string::npos);
    size_t pos = 0;
    while ((pos = r.body.find("{\"id\":\"", pos)) != std::string::npos) {
      pos += 7;
      ids.push_back(r.body.substr(pos, r.body.find('"', pos) - pos));
    }
    cursor = JsonField(r.body, "next_cursor");
    if (cursor.empty() || cursor == "null") break;
    EXPECT_EQ(on_page, 3) << "a full page before the last";
  }
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(pages, 4);

  auto mine = Fetch(port(), "GET", "/v1/contacts/c3", "", As(adv));
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(JsonField(mine.body, "date_of_birth"), "[masked]");
  EXPECT_NE(mine.body.find(std::string(kSecret) + "-3"), std::string::npos) << "not restricted";
  // Someone else's customer does not exist for this advisor.
  auto theirs = Fetch(port(), "GET", "/v1/contacts/c1", "", As(adv));
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(Fetch(port(), "PATCH", "/v1/contacts/c1", R"({"title":"x"})",
                  As(adv, {{"Content-Type", "application/merge-patch+json"}}))
                .status,
            404);
  // Advisors may not delete at all (whatever the record): 403 before any lookup.
  EXPECT_EQ(Fetch(port(), "DELETE", "/v1/contacts/c1", "", As(adv)).status, 403);
  EXPECT_EQ(Fetch(port(), "DELETE", "/v1/contacts/c3", "", As(adv)).status, 403);
  // Writes stay inside the book.
  EXPECT_EQ(Fetch(port(), "POST", "/v1/contacts", R"({"last_name":"N","owner_id":"adv-2"})",
                  As(adv, {{"Content-Type", "application/json"}}))
                .status,
            403);
  EXPECT_EQ(Fetch(port(), "PATCH", "/v1/contacts/c3", R"({"owner_id":"adv-2"})",
                  As(adv, {{"Content-Type", "application/merge-patch+json"}}))
                .status,
            403);
  // A masked field can be neither written nor probed through a filter.
  auto write_masked = Fetch(port(), "PATCH", "/v1/contacts/c3", R"({"date_of_birth":"1990-01-01"})",
                            As(adv, {{"Content-Type", "application/merge-patch+json"}}));
  EXPECT_EQ(write_masked.status, 403);
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts?date_of_birth=1980-01-04", "", As(adv)).status, 403);
  auto ok = Fetch(port(), "PATCH", "/v1/contacts/c3", R"({"title":"Dr"})",
                  As(adv, {{"Content-Type", "application/merge-patch+json"}}));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(JsonField(ok.body, "date_of_birth"), "[masked]") << "the write reply is masked too";
  EXPECT_EQ(JsonField(Admin("GET", "/v1/contacts/c3").body, "date_of_birth"), "1980-01-04");

  // Customer 360: the contact and each section under its own decision and row filter.
  auto c360 = Fetch(port(), "GET", "/v1/customers/c0/360", "", As(adv));
  ASSERT_EQ(c360.status, 200) << c360.body;
  EXPECT_NE(c360.body.find("\"id\":\"k0\""), std::string::npos);
  EXPECT_EQ(c360.body.find("\"id\":\"k1\""), std::string::npos) << "a case of another owner";
  EXPECT_NE(c360.body.find("\"account\":null"), std::string::npos)
      << "the account belongs to adv-2";
  EXPECT_EQ(c360.body.find("1980-01-"), std::string::npos);
  EXPECT_EQ(Fetch(port(), "GET", "/v1/customers/c1/360", "", As(adv)).status, 404);

  // From an unmanaged device the advisor rule does not apply.
  const std::string unmanaged =
      MintToken(*dir_, "adv-1", "bank", "advisor", {"--posture", "unmanaged"});
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts/c3", "", As(unmanaged)).status, 403);
  // Nor with a high risk score.
  const std::string risky = MintToken(*dir_, "adv-1", "bank", "advisor", {"--risk", "90"});
  auto r = Fetch(port(), "GET", "/v1/contacts/c3", "", As(risky));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(JsonField(r.body, "detail").find("deny-high-risk"), std::string::npos);
}

TEST_F(SecurityE2ETest, AgentMarketerAnalystAndIngest) {
  const std::string agent = MintToken(*dir_, "agent-7", "bank", "agent", {"--attr", "regions=eu"});
  auto list = Fetch(port(), "GET", "/v1/contacts?limit=100", "", As(agent));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Count(list.body, "\"region\":\"eu\""), 15);
  EXPECT_EQ(Count(list.body, "\"region\":\"us\""), 0);
  EXPECT_EQ(list.body.find("4111111111111111"), std::string::npos) << "cards are masked";
  EXPECT_EQ(Count(list.body, "\"payment_card\":\"[masked]\""), 15);
  EXPECT_NE(list.body.find("\"tier\":\"gold\""), std::string::npos) << "only the card is masked";
  // An agent without regions sees nothing (fail closed), rather than everything.
  const std::string homeless = MintToken(*dir_, "agent-8", "bank", "agent");
  auto none = Fetch(port(), "GET", "/v1/contacts", "", As(homeless));
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "{\"items\":[],\"next_cursor\":null}");

  const std::string marketer = MintToken(*dir_, "mkt-1", "bank", "marketer");
  auto consented = Fetch(port(), "GET", "/v1/contacts?limit=100", "", As(marketer));
  ASSERT_EQ(consented.status, 200);
  EXPECT_EQ(Count(consented.body, "\"marketing\":true"), 6);
  EXPECT_EQ(Count(consented.body, "\"marketing\":false"), 0);
  EXPECT_EQ(consented.body.find(kSecret), std::string::npos) << "names are confidential";
  EXPECT_EQ(Fetch(port(), "POST", "/v1/contacts", R"({"last_name":"x"})",
                  As(marketer, {{"Content-Type", "application/json"}}))
                .status,
            403);

  const std::string analyst = MintToken(*dir_, "an-1", "bank", "analyst");
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts", "", As(analyst)).status, 403);
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts/c0", "", As(analyst)).status, 403);

  const std::string ingest = MintToken(*dir_, "svc:ingest", "bank", "ingest");
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts", "", As(ingest)).status, 403);
  EXPECT_EQ(Fetch(port(), "POST", "/v1/contacts", R"({"last_name":"x"})",
                  As(ingest, {{"Content-Type", "application/json"}}))
                .status,
            403);
}

TEST_F(SecurityE2ETest, ApiKeysShownOnceScopedAndRevocable) {
  auto created = Admin("POST", "/v1/admin/api-keys",
                       R"({"name":"crm-sync","roles":["agent"],"attrs":{"regions":["us"]},)"
                       R"("ttl_days":30})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("cache-control"), "no-store");
  const std::string key = JsonField(created.body, "key");
  const std::string id = JsonField(created.body, "id");
  ASSERT_EQ(key.rfind("crmi.bank." + id + ".", 0), 0u) << key;

  auto who = Fetch(port(), "GET", "/v1/whoami", "", As(key));
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(JsonField(who.body, "method"), "api_key");
  EXPECT_EQ(JsonField(who.body, "kind"), "service");
  auto list = Fetch(port(), "GET", "/v1/contacts?limit=100", "", As(key));
  EXPECT_EQ(Count(list.body, "\"region\":\"us\""), 15);
  EXPECT_EQ(Count(list.body, "\"region\":\"eu\""), 0);

  // The secret never comes back.
  auto listed = Admin("GET", "/v1/admin/api-keys");
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find(id), std::string::npos);
  EXPECT_EQ(listed.body.find(key.substr(key.rfind('.') + 1)), std::string::npos);
  EXPECT_EQ(listed.body.find("secret"), std::string::npos);

  // A key with a wrong secret, or for another tenant, is refused the same way.
  std::string wrong = key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(Fetch(port(), "GET", "/v1/whoami", "", As(wrong)).status, 401);
  std::string moved = key;
  moved.replace(5, 4, "shop");
  EXPECT_EQ(Fetch(port(), "GET", "/v1/whoami", "", As(moved)).status, 401);

  EXPECT_EQ(Admin("DELETE", "/v1/admin/api-keys/" + id).status, 204);
  EXPECT_EQ(Fetch(port(), "GET", "/v1/whoami", "", As(key)).status, 401);
  EXPECT_NE(Admin("GET", "/v1/admin/api-keys/" + id).body.find("\"revoked_at\":\"20"),
            std::string::npos);
  // Bad requests.
  EXPECT_EQ(Admin("POST", "/v1/admin/api-keys", R"({"name":"x","roles":[]})").status, 400);
  EXPECT_EQ(Admin("POST", "/v1/admin/api-keys", R"({"name":"x","roles":["Admin!"]})").status, 400);
  EXPECT_EQ(Admin("POST", "/v1/admin/api-keys", R"({"name":"x","roles":["a"],"root":true})").status,
            400);
}

TEST_F(SecurityE2ETest, PolicyAdministration) {
  auto get = Admin("GET", "/v1/admin/policies");
  ASSERT_EQ(get.status, 200);
  const std::string revision = JsonField(get.body, "revision");
  EXPECT_EQ(get.Header("etag"), "\"" + revision + "\"");
  const std::string yaml =
      Admin("GET", "/v1/admin/policies", "", {{"Accept", "application/yaml"}}).body;
  ASSERT_NE(yaml.find("advisor-book"), std::string::npos);

  // Invalid: refused with line and field, and the policy in force stays.
  auto bad = Admin("PUT", "/v1/admin/policies",
                   "version: 1\nrules:\n  - id: x\n    effect: allow\n    roles: [a]\n"
                   "    resources: [contacts]\n    actions: [read]\n",
                   {{"Content-Type", "application/yaml"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(JsonField(bad.body, "type"), "urn:crmi:problem:invalid-policy");
  EXPECT_NE(bad.body.find("\"line\":4"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("rules[0].effect"), std::string::npos) << bad.body;
  EXPECT_EQ(JsonField(Admin("GET", "/v1/admin/policies").body, "revision"), revision);

  // Stale If-Match: 412.
  auto stale = Admin("PUT", "/v1/admin/policies", yaml,
                     {{"Content-Type", "application/yaml"}, {"If-Match", "\"0000\""}});
  EXPECT_EQ(stale.status, 412);

  // Dry run with an explanation, for a hypothetical principal.
  auto decide =
      Admin("POST", "/v1/admin/policies:decide",
            R"({"principal":{"sub":"adv-9","roles":["advisor"]},)"
            R"("context":{"posture":"unmanaged"},"resource":"contacts","action":"read"})");
  ASSERT_EQ(decide.status, 200) << decide.body;
  EXPECT_EQ(JsonField(decide.body, "decision"), "deny");
  EXPECT_EQ(JsonField(decide.body, "rule"), "default-deny");
  EXPECT_NE(decide.body.find("{\"rule\":\"advisor-book\",\"effect\":\"permit\",\"shadow\":false,"
                             "\"subject_matches\":true,\"condition\":false,\"applies\":false}"),
            std::string::npos)
      << decide.body;
  auto permit = Admin("POST", "/v1/admin/policies:decide",
                      R"({"principal":{"sub":"adv-9","roles":["advisor"]},)"
                      R"("context":{"posture":"managed"},"resource":"contacts","action":"list"})");
  EXPECT_EQ(JsonField(permit.body, "decision"), "permit");
  EXPECT_NE(permit.body.find("{\"field\":\"owner_id\",\"op\":\"==\",\"values\":[\"adv-9\"]}"),
            std::string::npos)
      << permit.body;

  // Auditors read the policy but cannot change it, and cannot read customers.
  const std::string auditor = MintToken(*dir_, "aud-1", "bank", "auditor");
  EXPECT_EQ(Fetch(port(), "GET", "/v1/admin/policies", "", As(auditor)).status, 200);
  EXPECT_EQ(Fetch(port(), "PUT", "/v1/admin/policies", yaml,
                  As(auditor, {{"Content-Type", "application/yaml"}}))
                .status,
            403);
  EXPECT_EQ(Fetch(port(), "GET", "/v1/contacts", "", As(auditor)).status, 403);

  // Hot reload: an edit of the file takes effect without a restart; an invalid edit does not.
  const std::string path = *dir_ + "/policy.yaml";
  std::string edited = yaml;
  edited.replace(edited.find("id: analyst-aggregates"), 22,
                 "id: analyst-aggregates\n"
                 "    shadow: true");
  WriteFile(path + ".new", edited);
  std::filesystem::rename(path + ".new", path);
  std::string now;
  for (int i = 0; i < 60; ++i) {
    now = JsonField(Admin("GET", "/v1/admin/policies").body, "revision");
    if (now != revision) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(now, revision) << "file change not picked up";
  WriteFile(path, "rules: [this is: not valid");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(JsonField(Admin("GET", "/v1/admin/policies").body, "revision"), now);
  EXPECT_NE(server_->AppLog().find("policy file changed but is invalid"), std::string::npos);
  // Back to the default.
  ASSERT_EQ(Admin("PUT", "/v1/admin/policies", yaml, {{"Content-Type", "application/yaml"}}).status,
            200);
}

TEST_F(SecurityE2ETest, AuditTrailRecordsEveryRequestAndVerifies) {
  // A refusal, a denial and a permit, each with a known request id.
  Fetch(port(), "GET", "/v1/contacts", "", {{"X-Request-Id", "audit-anon"}});
  const std::string analyst = MintToken(*dir_, "an-2", "bank", "analyst");
  Fetch(port(), "GET", "/v1/contacts", "", As(analyst, {{"X-Request-Id", "audit-deny"}}));
  const std::string adv = MintToken(*dir_, "adv-1", "bank", "advisor");
  Fetch(port(), "GET", "/v1/contacts/c3?email=x%40y.z", "",
        As(adv, {{"X-Request-Id", "audit-permit"}}));
  Fetch(port(), "GET", "/v1/contacts", "",
        As(*other_admin_, {{"X-Request-Id", "audit-other-tenant"}}));

  const std::string auditor = MintToken(*dir_, "aud-1", "bank", "auditor");
  auto all = Fetch(port(), "GET", "/v1/audit?limit=1000", "", As(auditor));
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_NE(all.body.find("\"request_id\":\"audit-deny\""), std::string::npos);
  EXPECT_NE(all.body.find("\"request_id\":\"audit-permit\""), std::string::npos);
  EXPECT_EQ(all.body.find("audit-other-tenant"), std::string::npos) << "tenant-scoped";
  EXPECT_EQ(all.body.find("x@y.z"), std::string::npos);
  EXPECT_EQ(all.body.find("1980-01-"), std::string::npos) << "no record data in the trail";
  EXPECT_EQ(all.body.find("eyJ"), std::string::npos) << "no tokens in the trail";

  auto denials = Fetch(port(), "GET", "/v1/audit?decision=deny&principal=an-2", "", As(auditor));
  EXPECT_NE(denials.body.find("\"rule\":\"default-deny\""), std::string::npos) << denials.body;
  EXPECT_EQ(denials.body.find("audit-permit"), std::string::npos);
  auto page = Fetch(port(), "GET", "/v1/audit?limit=2", "", As(auditor));
  const std::string cursor = JsonField(page.body, "next_cursor");
  ASSERT_FALSE(cursor.empty());
  auto next = Fetch(port(), "GET", "/v1/audit?limit=2&cursor=" + cursor, "", As(auditor));
  EXPECT_EQ(next.status, 200);
  EXPECT_NE(next.body, page.body);
  EXPECT_EQ(Fetch(port(), "GET", "/v1/audit?from=yesterday", "", As(auditor)).status, 400);
  EXPECT_EQ(Fetch(port(), "GET", "/v1/audit", "", As(adv)).status, 403);

  // The whole trail, read from the files (CLI), has the refusal too, with the fields the audit
  // record defines.
  RunResult exp = RunCrmi({"audit", "export", "--data-dir", *dir_});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  auto line_of = [&](const std::string& rid) {
    const size_t at = exp.out.find("\"request_id\":\"" + rid + "\"");
    if (at == std::string::npos) return std::string();
    const size_t start = exp.out.rfind('\n', at) + 1;
    return exp.out.substr(start, exp.out.find('\n', at) - start);
  };
  const std::string anon = line_of("audit-anon");
  EXPECT_NE(anon.find("\"principal\":null"), std::string::npos) << anon;
  EXPECT_NE(anon.find("\"decision\":\"deny\",\"rule\":\"unauthenticated\""), std::string::npos);
  EXPECT_NE(anon.find("\"status\":401"), std::string::npos);
  const std::string permit = line_of("audit-permit");
  for (const char* member :
       {"\"seq\":", "\"ts\":", "\"tenant\":\"bank\"", "\"principal\":{\"sub\":\"adv-1\"",
        "\"action\":\"read\"", "\"resource\":\"contacts\"", "\"decision\":\"permit\"",
        "\"rule\":\"advisor-book\"", "\"obligations\":{", "\"status\":200",
        "\"latency_us\":", "\"ai\":null", "\"prev\":\"", "\"hash\":\""}) {
    EXPECT_NE(permit.find(member), std::string::npos) << member << " in " << permit;
  }

  // Verification, then tampering with a copy.
  RunResult ok = RunCrmi({"audit", "verify", "--data-dir", *dir_});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out.rfind("ok: ", 0), 0u) << ok.out;
  RunResult pub = RunCrmi({"audit", "pubkey", "--data-dir", *dir_});
  ASSERT_EQ(pub.exit_code, 0);
  const std::string copy = TempDir("auditcopy");
  std::filesystem::copy(*dir_ + "/audit", copy + "/audit");
  WriteFile(copy + "/audit.pub", pub.out);
  // The copy verifies on its own with the exported public key...
  RunResult copied =
      RunCrmi({"audit", "verify", "--data-dir", copy, "--pubkey", copy + "/audit.pub"});
  EXPECT_EQ(copied.exit_code, 0) << copied.out << copied.err;
  // ...until one byte of a record changes.
  std::string seg;
  for (const auto& e : std::filesystem::directory_iterator(copy + "/audit")) seg = e.path();
  std::string text = ReadFile(seg);
  const size_t at = text.find("\"status\":200");
  ASSERT_NE(at, std::string::npos);
  text[at + 10] = '4';
  WriteFile(seg, text);
  RunResult tampered =
      RunCrmi({"audit", "verify", "--data-dir", copy, "--pubkey", copy + "/audit.pub"});
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_EQ(tampered.out.rfind("FAILED at seq ", 0), 0u) << tampered.out;
  std::filesystem::remove_all(copy);
}

// An external OIDC-style issuer configured with a JWKS file: RS256 tokens, audience checks,
// key rotation by kid, and a production config without the development issuer.
TEST(SecurityIssuerE2ETest, JwksFileIssuerWithRotationAndNoDevIssuer) {
  const std::string dir = TempDir("idp");
  TestKey k1 = TestKey::Rsa("k1");
  TestKey k2 = TestKey::Ed25519("k2");
  WriteFile(dir + "/jwks.json", Jwks({&k1}));
  WriteFile(dir + "/crmi.toml",
            "[auth]\n"
            "dev_issuer = false\n"
            "[[auth.issuers]]\n"
            "issuer = \"https://idp.example.com/\"\n"
            "audiences = [\"crmi-api\"]\n"
            "jwks_file = \"" +
                dir +
                "/jwks.json\"\n"
                "tenant = \"acme\"\n"
                "roles_claim = \"realm_access.roles\"\n");
  std::filesystem::create_directories(dir + "/data");
  ServerProcess server(dir + "/data", {"--config", dir + "/crmi.toml"});
  ASSERT_TRUE(server.Start()) << server.AppLog();
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto payload = [&](const std::string& aud, int64_t exp) {
    return "{\"iss\":\"https://idp.example.com/\",\"sub\":\"u-42\",\"aud\":\"" + aud +
           "\",\"exp\":" + std::to_string(exp) + ",\"iat\":" + std::to_string(now) +
           ",\"realm_access\":{\"roles\":[\"admin\"]},\"posture\":\"managed\"}";
  };
  const std::string good = MakeToken(k1, payload("crmi-api", now + 600));
  auto who = Fetch(server.port(), "GET", "/v1/whoami", "", {Bearer(good)});
  ASSERT_EQ(who.status, 200) << who.body << server.AppLog();
  EXPECT_EQ(JsonField(who.body, "tenant"), "acme");
  EXPECT_EQ(JsonField(who.body, "issuer"), "https://idp.example.com/");
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/whoami", "",
                  {Bearer(MakeToken(k1, payload("other-api", now + 600)))})
                .status,
            401);
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/whoami", "",
                  {Bearer(MakeToken(k1, payload("crmi-api", now - 600)))})
                .status,
            401);
  // The development issuer is off: its tokens are refused.
  const std::string dev = MintToken(dir + "/data", "root", "acme", "admin");
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/whoami", "", {Bearer(dev)}).status, 401);
  // Rotation: a token signed by a new key works once the JWKS file lists it.
  const std::string rotated = MakeToken(k2, payload("crmi-api", now + 600));
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/whoami", "", {Bearer(rotated)}).status, 401);
  WriteFile(dir + "/jwks.json.new", Jwks({&k1, &k2}));
  std::filesystem::rename(dir + "/jwks.json.new", dir + "/jwks.json");
  int status = 0;
  for (int i = 0; i < 70 && status != 200; ++i) {
    status = Fetch(server.port(), "GET", "/v1/whoami", "", {Bearer(rotated)}).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(status, 200) << server.AppLog();
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

// A minimal identity provider: serves its current JWKS at GET /jwks over HTTP/1.0.
class JwksServer {
 public:
  JwksServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~JwksServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int fetches() const { return fetches_.load(); }
  void Set(const std::string& jwks, int status = 200) {
    std::lock_guard<std::mutex> lock(mu_);
    jwks_ = jwks;
    status_ = status;
  }

 private:
  void Serve() {
    while (!stop_) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      char buf[4096];
      (void)!read(c, buf, sizeof(buf));
      std::string body;
      int status;
      {
        std::lock_guard<std::mutex> lock(mu_);
        body = jwks_;
        status = status_;
      }
      ++fetches_;
      const std::string res =
          "HTTP/1.0 " + std::to_string(status) +
          " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n\r\n" + body;
      (void)!write(c, res.data(), res.size());
      close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> fetches_{0};
  std::mutex mu_;
  std::string jwks_;
  int status_ = 200;
  std::thread thread_;
};

// An issuer whose keys come from a JWKS URL: fetched at start, refreshed, re-fetched when a token
// names an unknown kid (rotation), and kept when the provider is down.
TEST(SecurityIssuerE2ETest, JwksUrlIssuerFetchesRotatesAndSurvivesOutages) {
  const std::string dir = TempDir("idp-url");
  TestKey k1 = TestKey::P256("k1");
  TestKey k2 = TestKey::Rsa("k2");
  JwksServer idp;
  idp.Set(Jwks({&k1}));
  WriteFile(dir + "/crmi.toml",
            "[auth]\n"
            "dev_issuer = false\n"
            "[[auth.issuers]]\n"
            "issuer = \"https://login.example.org\"\n"
            "audiences = [\"crmi\"]\n"
            "jwks_url = \"http://127.0.0.1:" +
                std::to_string(idp.port()) +
                "/jwks\"\n"
                "refresh_seconds = 3600\n"
                "tenant_claim = \"org\"\n");
  std::filesystem::create_directories(dir + "/data");
  ServerProcess server(dir + "/data", {"--config", dir + "/crmi.toml"});
  ASSERT_TRUE(server.Start()) << server.AppLog();
  EXPECT_EQ(idp.fetches(), 1);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string payload =
      "{\"iss\":\"https://login.example.org\",\"sub\":\"svc-7\",\"aud\":"
      "\"crmi\",\"org\":\"acme\",\"roles\":[\"admin\"],\"exp\":" +
      std::to_string(now + 600) + "}";
  auto whoami = [&](const std::string& token) {
    return Fetch(server.port(), "GET", "/v1/whoami", "", {Bearer(token)});
  };
  auto r = whoami(MakeToken(k1, payload));
  ASSERT_EQ(r.status, 200) << r.body << server.AppLog();
  EXPECT_EQ(JsonField(r.body, "tenant"), "acme");
  // Rotation: the provider publishes k2; a token signed with it names an unknown kid, which makes
  // the verifier re-fetch (long before refresh_seconds).
  idp.Set(Jwks({&k1, &k2}));
  const std::string rotated = MakeToken(k2, payload);
  int status = 0;
  for (int i = 0; i < 40 && status != 200; ++i) {
    status = whoami(rotated).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(status, 200) << server.AppLog();
  // The provider fails: the keys in hand keep working.
  idp.Set("oops", 500);
  EXPECT_EQ(whoami(MakeToken(k1, payload)).status, 200);
  EXPECT_EQ(whoami(rotated).status, 200);
  // A forged kid cannot make the server hammer the provider: re-fetches are rate limited.
  const int before = idp.fetches();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(whoami(MakeToken(TestKey::Ed25519("k-" + std::to_string(i)), payload)).status, 401);
  }
  EXPECT_LE(idp.fetches() - before, 2);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::test
