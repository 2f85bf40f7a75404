#include "src/crm/record.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/test_util.h"

namespace crmi::crm {
namespace {

struct Case {
  int line = 0;
  std::map<std::string, std::string> d;
};

std::vector<Case> LoadCases(const std::string& path) {
  std::istringstream in(test::ReadFile(path));
  std::vector<Case> cases;
  Case cur;
  std::string line;
  int n = 0;
  auto flush = [&] {
    if (!cur.d.empty()) cases.push_back(cur);
    cur = Case();
  };
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line[0] == '#') continue;
    if (line.empty()) {
      flush();
      continue;
    }
    if (cur.d.empty()) cur.line = n;
    const size_t sp = line.find(' ');
    cur.d[line.substr(0, sp)] = sp == std::string::npos ? "" : line.substr(sp + 1);
  }
  flush();
  return cases;
}

TEST(RecordCasesTest, FileDrivenCases) {
  const auto cases = LoadCases(test::SourceDir() + "/tests/cases/records.test");
  ASSERT_GT(cases.size(), 30u);
  for (const Case& c : cases) {
    SCOPED_TRACE("records.test line " + std::to_string(c.line));
    const Collection* col = Schema::Default().Find(c.d.at("collection"));
    ASSERT_NE(col, nullptr);
    Result<PreparedRecord> r =
        c.d.count("patch") ? PrepareMergePatch(*col, c.d.at("stored"), c.d.at("patch"), "r1", "t1")
                           : PrepareRecord(*col, c.d.at("input"), "t1");
    if (c.d.count("error")) {
      ASSERT_FALSE(r.ok()) << "expected error: " << c.d.at("error");
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(r.status().message().find(c.d.at("error")), std::string::npos)
          << r.status().message();
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (c.d.count("doc")) {
      EXPECT_EQ(r->doc, c.d.at("doc"));
    }
    if (c.d.count("id")) {
      EXPECT_EQ(r->id, c.d.at("id"));
    }
  }
}

TEST(RecordTest, IndexValuesFollowSpecOrder) {
  const Collection* c = Schema::Default().Find("contacts");
  auto r = PrepareRecord(*c, R"({"last_name":"N","email":"a@b.co","owner_id":"u1"})", "t1");
  ASSERT_TRUE(r.ok());
  const auto spec = c->StoreSpec();
  ASSERT_EQ(r->index_values.size(), spec.indexed_fields.size());
  for (size_t i = 0; i < spec.indexed_fields.size(); ++i) {
    const auto& f = spec.indexed_fields[i];
    if (f == "owner_id") {
      EXPECT_EQ(std::get<std::string>(r->index_values[i]), "u1");
    }
    if (f == "email") {
      EXPECT_EQ(std::get<std::string>(r->index_values[i]), "a@b.co");
    }
    if (f == "region" || f == "account_id") {
      EXPECT_TRUE(std::holds_alternative<std::monostate>(r->index_values[i]));
    }
  }
}

TEST(RecordTest, RejectsInvalidUtf8AndNonObjects) {
  const Collection* c = Schema::Default().Find("contacts");
  EXPECT_FALSE(PrepareRecord(*c, "{\"last_name\":\"caf\xff\"}", "t1").ok());
  EXPECT_FALSE(PrepareRecord(*c, "", "t1").ok());
  EXPECT_FALSE(PrepareRecord(*c, "null", "t1").ok());
  EXPECT_FALSE(PrepareRecord(*c, std::string(100000, '['), "t1").ok());
  std::string deep = "{\"last_name\":\"N\",\"custom\":";
  for (int i = 0; i < 5000; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 5000; ++i) deep += "}";
  deep += "}";
  auto r = PrepareRecord(*c, deep, "t1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested deeper"), std::string::npos);
  EXPECT_FALSE(PrepareMergePatch(*c, "{\"last_name\":\"N\"}", deep, "r1", "t1").ok());
}

TEST(RecordTest, ControlCharactersAreRefusedRawAndEscapedOnOutput) {
  const Collection* c = Schema::Default().Find("contacts");
  for (char ctl : {'\x01', '\x19', '\x1a', '\x1f'}) {
    std::string raw = "{\"last_name\":\"a";
    raw.push_back(ctl);
    raw += "b\"}";
    EXPECT_FALSE(PrepareRecord(*c, raw, "t1").ok()) << static_cast<int>(ctl);
  }
  // Escaped, they are data, and come out escaped again (valid JSON), in fields and in custom.
  auto r =
      PrepareRecord(*c, R"({"last_name":"a\u001ab\u001f","custom":{"k\u001e":"\u001d"}})", "t1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->doc.find('\x1a'), std::string::npos) << r->doc;
  EXPECT_NE(r->doc.find("a\\u001Ab\\u001F"), std::string::npos) << r->doc;
  EXPECT_NE(r->doc.find("\"k\\u001E\":\"\\u001D\""), std::string::npos) << r->doc;
  EXPECT_EQ(PrepareRecord(*c, r->doc, "t1")->doc, r->doc);
}

TEST(RecordTest, RenderSplicesSystemFields) {
  store::StoredRecord r{"con_1",
                        7,
                        3,
                        "2026-01-01T00:00:00.000Z",
                        "2026-01-02T00:00:00.000Z",
                        R"({"last_name":"N"})"};
  EXPECT_EQ(RecordJson("t1", r),
            R"({"id":"con_1","tenant":"t1","version":3,"created_at":"2026-01-01T00:00:00.000Z",)"
            R"("updated_at":"2026-01-02T00:00:00.000Z","last_name":"N"})");
  r.doc = "{}";
  EXPECT_EQ(RecordJson("t1", r).back(), '}');
  EXPECT_EQ(RecordJson("t1", r).find(",}"), std::string::npos);
}

TEST(RecordTest, ETagsRoundTrip) {
  store::StoredRecord r;
  r.seq = 12;
  r.version = 4;
  EXPECT_EQ(ETag(r), "\"12-4\"");
  auto e = ParseETag("\"12-4\"");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->seq, 12);
  EXPECT_EQ(e->version, 4);
  for (const char* bad : {"", "12-4", "W/\"12-4\"", "\"12\"", "\"-4\"", "\"a-b\"", "\"0-1\"",
                          "\"1-99999999999999999999\""}) {
    EXPECT_FALSE(ParseETag(bad).has_value()) << bad;
  }
}

TEST(RecordTest, FilterValuesAreTyped) {
  const Collection* opp = Schema::Default().Find("opportunities");
  EXPECT_EQ(std::get<std::string>(ParseFilterValue(*opp, "stage", "proposal").value()), "proposal");
  EXPECT_FALSE(ParseFilterValue(*opp, "stage", "won").ok());
  EXPECT_EQ(std::get<int64_t>(ParseFilterValue(*opp, "amount", "100").value()), 100);
  EXPECT_DOUBLE_EQ(std::get<double>(ParseFilterValue(*opp, "amount", "1.5").value()), 1.5);
  EXPECT_FALSE(ParseFilterValue(*opp, "amount", "lots").ok());
  EXPECT_FALSE(ParseFilterValue(*opp, "nope", "1").ok());
  EXPECT_FALSE(ParseFilterValue(*opp, "custom", "1").ok());
  EXPECT_EQ(std::get<int64_t>(ParseFilterValue(*opp, "custom.n", "7").value()), 7);
  EXPECT_EQ(std::get<std::string>(ParseFilterValue(*opp, "custom.n", "\"7\"").value()), "7");
  EXPECT_EQ(std::get<std::string>(ParseFilterValue(*opp, "custom.n", "gold").value()), "gold");
  const Collection* con = Schema::Default().Find("contacts");
  EXPECT_TRUE(std::get<bool>(ParseFilterValue(*con, "consent.marketing", "true").value()));
  EXPECT_FALSE(ParseFilterValue(*con, "consent.marketing", "1").ok());
  EXPECT_FALSE(ParseFilterValue(*con, "consent", "x").ok());
  EXPECT_FALSE(ParseFilterValue(*con, "email", "").ok());
  const Collection* act = Schema::Default().Find("activities");
  EXPECT_EQ(std::get<std::string>(
                ParseFilterValue(*act, "occurred_at", "2026-11-01T02:00:00+02:00").value()),
            "2026-11-01T00:00:00.000Z");
}

TEST(SchemaTest, StoreSpecsListIndexedFields) {
  const Collection* c = Schema::Default().Find("activities");
  ASSERT_NE(c, nullptr);
  const auto spec = c->StoreSpec();
  EXPECT_EQ(spec.indexed_fields, (std::vector<std::string>{"owner_id", "region", "parent_type",
                                                           "parent_id", "occurred_at"}));
  EXPECT_EQ(Schema::Default().collections().size(), 9u);
  EXPECT_EQ(Schema::Default().Find("actions")->StoreSpec().indexed_fields,
            (std::vector<std::string>{"owner_id", "region", "contact_id", "status"}));
  EXPECT_EQ(c->FindPath("custom.anything")->name, "custom");
  EXPECT_EQ(Schema::Default().Find("contacts")->FindPath("consent.marketing")->name, "marketing");
  EXPECT_EQ(Schema::Default().Find("contacts")->Find("date_of_birth")->sensitivity,
            Sensitivity::kRestricted);
  EXPECT_NE(Schema::Default().ToJson().find("\"sensitivity\":\"restricted\""), std::string::npos);
}

}  // namespace
}  // namespace crmi::crm
