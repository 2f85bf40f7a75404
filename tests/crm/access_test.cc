// Access applied by the CRM layer: row terms (in memory and pushed into SQL agree), masks,
// writes of masked fields, and every RecordService path under a restricted Access.
#include "src/crm/access.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "src/crm/customer360.h"
#include "src/crm/importer.h"
#include "src/crm/record_service.h"
#include "tests/test_util.h"

namespace crmi::crm {
namespace {

using Op = store::FieldFilter::Op;

store::FieldFilter Term(std::string field, Op op, std::vector<store::Value> values) {
  store::FieldFilter f;
  f.field = std::move(field);
  f.op = op;
  f.values = std::move(values);
  return f;
}

const Collection& Contacts() { return *Schema::Default().Find("contacts"); }

TEST(AccessTest, DocMatchesFollowsSqlNullSemantics) {
  const Collection& c = Contacts();
  const std::string doc = R"({"owner_id":"a","region":"eu","consent":{"marketing":true},"n":3})";
  EXPECT_TRUE(DocMatches(c, doc, {}));
  EXPECT_TRUE(DocMatches(c, doc, {Term("owner_id", Op::kEq, {std::string("a")})}));
  EXPECT_FALSE(DocMatches(c, doc, {Term("owner_id", Op::kEq, {std::string("b")})}));
  EXPECT_TRUE(DocMatches(c, doc, {Term("consent.marketing", Op::kEq, {true})}));
  EXPECT_FALSE(DocMatches(c, doc, {Term("consent.profiling", Op::kEq, {true})}));
  EXPECT_TRUE(DocMatches(c, doc, {Term("n", Op::kEq, {int64_t{3}})}));
  EXPECT_TRUE(
      DocMatches(c, doc, {Term("region", Op::kIn, {std::string("us"), std::string("eu")})}));
  EXPECT_FALSE(DocMatches(c, doc, {Term("region", Op::kIn, {})})) << "empty set matches nothing";
  EXPECT_FALSE(DocMatches(c, doc, {Term("missing", Op::kNe, {std::string("x")})}))
      << "null is not 'different'";
  EXPECT_TRUE(DocMatches(c, doc, {Term("missing", Op::kNotIn, {std::string("x")})}));
  EXPECT_FALSE(DocMatches(c, doc, {Term("owner_id", Op::kNe, {std::string("a")})}));
  EXPECT_FALSE(DocMatches(c, "not json", {Term("owner_id", Op::kEq, {std::string("a")})}));
}

TEST(AccessTest, MaskDocMasksByPathAndClassKeepingKeys) {
  const Collection& c = Contacts();
  const std::string doc = R"({"last_name":"Ng","date_of_birth":"1980-01-01","segment":"retail",)"
                          R"("consent":{"marketing":true},"custom":{"iban":"FR76","tier":"gold"}})";
  Access a;
  a.redact_from = Sensitivity::kRestricted;
  a.mask_fields = {"custom.iban"};
  const std::string m = MaskDoc(c, doc, a);
  EXPECT_EQ(m, R"({"last_name":"Ng","date_of_birth":"[masked]","segment":"retail",)"
               R"("consent":{"marketing":true},"custom":{"iban":"[masked]","tier":"gold"}})");
  Access conf;
  conf.redact_from = Sensitivity::kConfidential;
  const std::string n = MaskDoc(c, doc, conf);
  EXPECT_EQ(n.find("Ng"), std::string::npos);
  EXPECT_EQ(n.find("FR76"), std::string::npos) << "custom is confidential as a whole";
  EXPECT_NE(n.find(R"("segment":"retail")"), std::string::npos);
  EXPECT_EQ(MaskDoc(c, doc, Access()), doc);
  EXPECT_EQ(MaskDoc(c, "garbage", a), "{}") << "what cannot be read is not passed through";
}

TEST(AccessTest, MaskedFieldsCanBeNeitherWrittenNorFiltered) {
  const Collection& c = Contacts();
  Access a;
  a.redact_from = Sensitivity::kRestricted;
  a.mask_fields = {"custom.iban"};
  EXPECT_TRUE(CheckWritable(c, R"({"last_name":"x","custom":{"tier":"g"}})", a).ok());
  EXPECT_EQ(CheckWritable(c, R"({"date_of_birth":"1990-01-01"})", a).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWritable(c, R"({"custom":{"iban":"x"}})", a).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWritable(c, R"({"custom":null})", a).code(), StatusCode::kPermissionDenied)
      << "removing the parent removes the masked child";
  EXPECT_EQ(CheckWritable(c, R"({"custom":"flat"})", a).code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(IsMaskedPath(c, "date_of_birth", a));
  EXPECT_TRUE(IsMaskedPath(c, "custom.iban", a));
  EXPECT_FALSE(IsMaskedPath(c, "custom.tier", a));
  EXPECT_FALSE(IsMaskedPath(c, "last_name", a));
  Access conf;
  conf.redact_from = Sensitivity::kConfidential;
  EXPECT_TRUE(IsMaskedPath(c, "custom.tier", conf)) << "under a masked object";
}

class AccessServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("access");
    store_ = test::OpenTestStore(dir_);
    svc_ = std::make_unique<RecordService>(store_.get(), &Schema::Default(), &clock_);
    // 20 contacts: owners alternate a/b; regions eu/us/eu/us...
    for (int i = 0; i < 20; ++i) {
      auto r = svc_->Create(Contacts(), "t1",
                            "{\"id\":\"c" + std::to_string(i) + "\",\"last_name\":\"L" +
                                std::to_string(i) + "\",\"owner_id\":\"" + (i % 2 ? "b" : "a") +
                                "\",\"date_of_birth\":\"1980-01-01\"}");
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    own_.rows = {Term("owner_id", Op::kEq, {std::string("a")})};
    own_.redact_from = Sensitivity::kRestricted;
  }
  void TearDown() override {
    ASSERT_TRUE(store_->Close().ok());
    std::filesystem::remove_all(dir_);
  }

  FakeClock clock_;
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RecordService> svc_;
  Access own_;
};

TEST_F(AccessServiceTest, ListPushesRowsIntoTheQueryAndPagesStayFull) {
  ListRequest req;
  req.limit = 3;
  std::vector<std::string> ids;
  while (true) {
    auto page = svc_->List(Contacts(), "t1", req, own_);
    ASSERT_TRUE(page.ok());
    if (!page->next_cursor.empty()) {
      EXPECT_EQ(page->items.size(), 3u);
    }
    for (const auto& r : page->items) ids.push_back(r.id);
    if (page->next_cursor.empty()) break;
    req.cursor = page->next_cursor;
  }
  ASSERT_EQ(ids.size(), 10u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], "c" + std::to_string(2 * i));
  // max_rows caps a page; filtering on a masked field is refused.
  Access capped = own_;
  capped.max_rows = 2;
  req = ListRequest();
  req.limit = 50;
  EXPECT_EQ(svc_->List(Contacts(), "t1", req, capped)->items.size(), 2u);
  req.filters = {{"date_of_birth", "1980-01-01"}};
  EXPECT_EQ(svc_->List(Contacts(), "t1", req, own_).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(AccessServiceTest, RecordsOutsideTheRowsDoNotExistForTheCaller) {
  EXPECT_TRUE(svc_->Get(Contacts(), "t1", "c0", own_).ok());
  EXPECT_EQ(svc_->Get(Contacts(), "t1", "c1", own_).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(
      svc_->Patch(Contacts(), "t1", "c1", R"({"title":"x"})", std::nullopt, own_).status().code(),
      StatusCode::kNotFound);
  EXPECT_EQ(svc_->Delete(Contacts(), "t1", "c1", std::nullopt, own_).code(), StatusCode::kNotFound);
  EXPECT_TRUE(svc_->Get(Contacts(), "t1", "c1").ok()) << "still there";
  // Writes may not move or create records outside the rows.
  EXPECT_EQ(svc_->Patch(Contacts(), "t1", "c0", R"({"owner_id":"b"})", std::nullopt, own_)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(
      svc_->Create(Contacts(), "t1", R"({"last_name":"N","owner_id":"b"})", own_).status().code(),
      StatusCode::kPermissionDenied);
  EXPECT_EQ(svc_->Create(Contacts(), "t1", R"({"last_name":"N"})", own_).status().code(),
            StatusCode::kPermissionDenied)
      << "no owner is not 'owner a'";
  EXPECT_TRUE(svc_->Create(Contacts(), "t1", R"({"last_name":"N","owner_id":"a"})", own_).ok());
  EXPECT_EQ(
      svc_->Patch(Contacts(), "t1", "c0", R"({"date_of_birth":"1999-09-09"})", std::nullopt, own_)
          .status()
          .code(),
      StatusCode::kPermissionDenied);
  auto ok = svc_->Patch(Contacts(), "t1", "c0", R"({"title":"Dr"})", std::nullopt, own_);
  ASSERT_TRUE(ok.ok());
  EXPECT_NE(ok->doc.find("1980-01-01"), std::string::npos) << "unmasked in storage";
  EXPECT_TRUE(svc_->Delete(Contacts(), "t1", "c0", std::nullopt, own_).ok());
}

TEST_F(AccessServiceTest, ImportLeavesRecordsOutsideTheRowsAlone) {
  Importer imp(svc_.get(), Contacts(), "t1", ImportFormat::kNdjson, ImportOptions{}, own_);
  ASSERT_TRUE(imp.Feed("{\"id\":\"c0\",\"last_name\":\"A\",\"owner_id\":\"a\"}\n"  // update
                       "{\"id\":\"c1\",\"last_name\":\"B\",\"owner_id\":\"a\"}\n"  // exists: b's
                       "{\"id\":\"n1\",\"last_name\":\"C\",\"owner_id\":\"b\"}\n"  // outside
                       "{\"id\":\"n2\",\"last_name\":\"D\",\"owner_id\":\"a\"}\n"  // create
                       "{\"id\":\"n3\",\"last_name\":\"E\",\"owner_id\":\"a\","
                       "\"date_of_birth\":\"2000-01-01\"}\n")  // masked field
                  .ok());
  ASSERT_TRUE(imp.Finish().ok());
  const ImportReport& r = imp.report();
  EXPECT_EQ(r.created, 1);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.failed, 3);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[1].line, 5);
  EXPECT_EQ(r.errors[2].line, 2);  // reported when its batch committed
  EXPECT_EQ(svc_->Get(Contacts(), "t1", "c1")->doc.find("\"owner_id\":\"b\"") != std::string::npos,
            true)
      << "b's record untouched";
}

TEST_F(AccessServiceTest, Customer360AppliesEachSectionsAccess) {
  ASSERT_TRUE(svc_->Create(*Schema::Default().Find("cases"), "t1",
                           R"({"id":"k1","subject":"S","contact_id":"c0","owner_id":"a"})")
                  .ok());
  ASSERT_TRUE(svc_->Create(*Schema::Default().Find("cases"), "t1",
                           R"({"id":"k2","subject":"S","contact_id":"c0","owner_id":"b"})")
                  .ok());
  Customer360Access access;
  access.contacts = &own_;
  access.cases = &own_;
  access.accounts = nullptr;
  auto json = Customer360Json(store_.get(), "t1", "c0", {}, &clock_, access);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find("\"id\":\"k1\""), std::string::npos);
  EXPECT_EQ(json->find("\"id\":\"k2\""), std::string::npos);
  EXPECT_EQ(json->find("1980-01-01"), std::string::npos);
  EXPECT_NE(json->find("\"withheld\":[\"account\"]"), std::string::npos) << *json;
  EXPECT_EQ(Customer360Json(store_.get(), "t1", "c1", {}, &clock_, access).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace crmi::crm
