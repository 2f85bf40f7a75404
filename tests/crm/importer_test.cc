#include "src/crm/importer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "src/crm/csv.h"
#include "tests/test_util.h"

namespace crmi::crm {
namespace {

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("import");
    store_ = test::OpenTestStore(dir_);
    svc_ = std::make_unique<RecordService>(store_.get(), &Schema::Default(), &clock_);
  }
  void TearDown() override {
    ASSERT_TRUE(store_->Close().ok());
    std::filesystem::remove_all(dir_);
  }

  // Feeds `input` in pieces of `chunk` bytes.
  ImportReport Run(const char* collection, const std::string& input, size_t chunk,
                   ImportFormat format = ImportFormat::kNdjson, ImportOptions opts = {}) {
    Importer imp(svc_.get(), *Schema::Default().Find(collection), "t1", format, opts);
    for (size_t i = 0; i < input.size(); i += chunk) {
      Status s = imp.Feed(std::string_view(input).substr(i, chunk));
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    Status s = imp.Finish();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return imp.report();
  }

  FakeClock clock_;
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RecordService> svc_;
};

const char kMixed[] =
    "{\"id\":\"c1\",\"last_name\":\"A\"}\n"
    "\n"
    "{\"id\":\"c2\",\"last_name\":\"B\",\"email\":\"bad\"}\r\n"
    "not json\n"
    "{\"id\":\"c3\",\"last_name\":\"C\"}\r\n"
    "{\"id\":\"c1\",\"last_name\":\"A2\"}";  // no final newline; replaces c1

TEST_F(ImporterTest, ReportsBadLinesAndWritesTheRest) {
  ImportReport r = Run("contacts", kMixed, 1 << 20);
  EXPECT_EQ(r.lines, 5);
  EXPECT_EQ(r.created, 2);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.failed, 2);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_NE(r.errors[0].error.find("email"), std::string::npos);
  EXPECT_EQ(r.errors[1].line, 4);
  EXPECT_NE(r.errors[1].error.find("not valid JSON"), std::string::npos);
  EXPECT_NE(r.ToJson().find("\"errors\":[{\"line\":3,"), std::string::npos);
  auto c1 = store_->Get("contacts", "t1", "c1");
  ASSERT_TRUE(c1.ok());
  EXPECT_EQ(c1->version, 2);
  EXPECT_NE(c1->doc.find("A2"), std::string::npos);
  EXPECT_EQ(store_->Get("contacts", "t1", "c2").status().code(), StatusCode::kNotFound);
}

TEST_F(ImporterTest, ChunkBoundariesDoNotMatter) {
  const ImportReport whole = Run("leads", kMixed, 1 << 20);
  for (size_t chunk : {1u, 2u, 3u, 7u, 13u}) {
    ImportReport r = Run("leads", kMixed, chunk);
    EXPECT_EQ(r.failed, whole.failed) << chunk;
    EXPECT_EQ(r.created + r.updated, whole.created + whole.updated) << chunk;
    ASSERT_EQ(r.errors.size(), whole.errors.size());
    for (size_t i = 0; i < r.errors.size(); ++i) EXPECT_EQ(r.errors[i].line, whole.errors[i].line);
  }
}

TEST_F(ImporterTest, LongLinesAreReportedNotBuffered) {
  ImportOptions opts;
  opts.max_line_bytes = 64;
  std::string input = "{\"last_name\":\"" + std::string(200, 'x') + "\"}\n" +
                      "{\"last_name\":\"ok\"}\n" + "{\"last_name\":\"" + std::string(100, 'y');
  for (size_t chunk : {5u, 1000u}) {
    ImportReport r = Run("contacts", input, chunk, ImportFormat::kNdjson, opts);
    EXPECT_EQ(r.created, 1) << chunk;
    EXPECT_EQ(r.failed, 2) << chunk;
    ASSERT_EQ(r.errors.size(), 2u);
    EXPECT_EQ(r.errors[0].line, 1);
    EXPECT_EQ(r.errors[1].line, 3);
    EXPECT_NE(r.errors[0].error.find("longer than 64 bytes"), std::string::npos);
  }
}

TEST_F(ImporterTest, ErrorListIsBounded) {
  ImportOptions opts;
  opts.max_reported_errors = 3;
  std::string input;
  for (int i = 0; i < 10; ++i) input += "{}\n";
  ImportReport r = Run("contacts", input, 4096, ImportFormat::kNdjson, opts);
  EXPECT_EQ(r.failed, 10);
  EXPECT_EQ(r.errors.size(), 3u);
  EXPECT_TRUE(r.errors_truncated);
}

TEST_F(ImporterTest, SmallBatchesCommitEverything) {
  ImportOptions opts;
  opts.batch_rows = 3;
  std::string input;
  for (int i = 0; i < 50; ++i) input += "{\"last_name\":\"L" + std::to_string(i) + "\"}\n";
  ImportReport r = Run("contacts", input, 100, ImportFormat::kNdjson, opts);
  EXPECT_EQ(r.created, 50);
  ListRequest req;
  req.limit = 1000;
  EXPECT_EQ(svc_->List(*Schema::Default().Find("contacts"), "t1", req)->items.size(), 50u);
}

TEST_F(ImporterTest, CsvWithTypesNestedFieldsAndErrors) {
  const std::string csv =
      "\xEF\xBB\xBFid,last_name,email,consent.marketing,custom.tier,custom.points,tags\r\n"
      "c1,Ng,ng@example.com,yes,gold,120,\r\n"
      "c2,\"O'Brien, Jr.\",bad-email,no,,,\r\n"
      "c3,\"Multi\nLine\",,true,\"with \"\"quotes\"\"\",7\r\n"
      "c4,Short\n";
  EXPECT_EQ(Run("contacts", "", 1).lines, 0);  // empty NDJSON input is fine
  for (size_t chunk : {1u, 5u, 4096u}) {
    Importer imp(svc_.get(), *Schema::Default().Find("contacts"), "t1", ImportFormat::kCsv);
    // `tags` is not a contacts field: the header is refused as a whole.
    Status s;
    for (size_t i = 0; i < csv.size() && s.ok(); i += chunk) s = imp.Feed(csv.substr(i, chunk));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << chunk;
    EXPECT_NE(s.message().find("'tags' is not a field of contacts"), std::string::npos);
  }
  ImportReport rep = Run("contacts",
                         "id,last_name,email,consent.marketing,custom.tier,custom.points\n"
                         "c1,Ng,ng@example.com,yes,gold,120\n"
                         "c2,\"O'Brien, Jr.\",bad-email,no,,\n"
                         "c3,\"Multi\nLine\",,true,\"with \"\"quotes\"\"\",\"7\"\n"
                         "c4,Short\n"
                         "c5,Bad,x@y.co,maybe,,\n",
                         3, ImportFormat::kCsv);
  EXPECT_EQ(rep.created, 2);
  EXPECT_EQ(rep.failed, 3);
  ASSERT_EQ(rep.errors.size(), 3u);
  EXPECT_EQ(rep.errors[0].line, 3);
  EXPECT_NE(rep.errors[0].error.find("email"), std::string::npos);
  EXPECT_EQ(rep.errors[1].line, 6);  // c4: the multi-line row spans lines 4-5
  EXPECT_NE(rep.errors[1].error.find("row has 2 columns, header has 6"), std::string::npos);
  EXPECT_EQ(rep.errors[2].line, 7);
  EXPECT_NE(rep.errors[2].error.find("consent.marketing: must be true or false"),
            std::string::npos);
  auto c1 = store_->Get("contacts", "t1", "c1");
  ASSERT_TRUE(c1.ok());
  EXPECT_NE(c1->doc.find("\"consent\":{\"marketing\":true"), std::string::npos) << c1->doc;
  EXPECT_NE(c1->doc.find("\"custom\":{\"tier\":\"gold\",\"points\":120}"), std::string::npos);
  auto c3 = store_->Get("contacts", "t1", "c3");
  ASSERT_TRUE(c3.ok());
  EXPECT_NE(c3->doc.find("\"last_name\":\"Multi\\nLine\""), std::string::npos) << c3->doc;
  EXPECT_NE(c3->doc.find("\"tier\":\"with \\\"quotes\\\"\",\"points\":7"), std::string::npos);
}

TEST(CsvParserTest, QuotesNewlinesAndErrors) {
  CsvParser p(32);
  std::vector<std::pair<int64_t, std::vector<std::string>>> rows;
  std::vector<std::pair<int64_t, std::string>> errors;
  auto fn = [&](const std::vector<std::string>& f, int64_t line, Status e) {
    if (!e.ok()) {
      errors.emplace_back(line, e.message());
    } else {
      rows.emplace_back(line, f);
    }
    return Status::Ok();
  };
  const std::string input = "a,b,c\r\n\"x,1\",\"y\"\"q\",\n\n\"multi\nline\",2,3\n\"bad\"x,1\n" +
                            std::string(40, 'z') + "\nlast,row";
  for (char c : input) ASSERT_TRUE(p.Feed(std::string_view(&c, 1), fn).ok());
  ASSERT_TRUE(p.Finish(fn).ok());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].second, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(rows[1].second, (std::vector<std::string>{"x,1", "y\"q", ""}));
  EXPECT_EQ(rows[1].first, 2);
  EXPECT_EQ(rows[2].second, (std::vector<std::string>{"multi\nline", "2", "3"}));
  EXPECT_EQ(rows[2].first, 4);
  EXPECT_EQ(rows[3].second, (std::vector<std::string>{"last", "row"}));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].first, 6);
  EXPECT_NE(errors[0].second.find("after closing quote"), std::string::npos);
  EXPECT_EQ(errors[1].first, 7);
  EXPECT_NE(errors[1].second.find("longer than 32"), std::string::npos);
}

TEST(CsvParserTest, UnterminatedQuoteAtEnd) {
  CsvParser p;
  int errors = 0;
  auto fn = [&](const std::vector<std::string>&, int64_t, Status e) {
    errors += e.ok() ? 0 : 1;
    return Status::Ok();
  };
  ASSERT_TRUE(p.Feed("a,\"open", fn).ok());
  ASSERT_TRUE(p.Finish(fn).ok());
  EXPECT_EQ(errors, 1);
}

}  // namespace
}  // namespace crmi::crm
