// Encryption at rest: restricted fields are sealed in the store and clear above it, under one key
// per subject; destroying the key shreds them even in a copy of the database; tampering is
// detected; nothing of the clear value reaches the files.
#include "src/privacy/encrypting_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/common/clock.h"
#include "src/crm/record_service.h"
#include "tests/test_util.h"

namespace crmi::privacy {
namespace {

class EncryptingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("encstore");
    auto keys = std::move(LocalKeyProvider::FromKey(std::string(32, 'm'))).value();
    auto vault = std::move(Vault::Open(dir_ + "/vault.db", keys.get())).value();
    store_ = std::make_unique<EncryptingStore>(test::OpenTestStore(dir_), &crm::Schema::Default(),
                                               std::move(keys), std::move(vault));
    records_ =
        std::make_unique<crm::RecordService>(store_.get(), &crm::Schema::Default(), Clock::Real());
  }
  void TearDown() override {
    records_.reset();
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  const crm::Collection& Contacts() { return *crm::Schema::Default().Find("contacts"); }
  std::string RawDoc(const std::string& id) {
    auto r = store_->inner()->Get("contacts", "t1", id);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->doc : "";
  }
  std::string dir_;
  std::unique_ptr<EncryptingStore> store_;
  std::unique_ptr<crm::RecordService> records_;
};

TEST_F(EncryptingStoreTest, RestrictedFieldsAreSealedBelowAndClearAbove) {
  auto c = records_->Create(
      Contacts(), "t1", R"({"first_name":"Ada","last_name":"Byron","date_of_birth":"1961-07-23"})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::string raw = RawDoc(c->id);
  EXPECT_EQ(raw.find("1961-07-23"), std::string::npos) << raw;
  EXPECT_NE(raw.find(R"("date_of_birth":"enc1:)"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Byron"), std::string::npos);  // only restricted fields are sealed
  auto got = records_->Get(Contacts(), "t1", c->id);
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->doc.find(R"("date_of_birth":"1961-07-23")"), std::string::npos) << got->doc;
  // A patch re-seals; lists and read transactions decrypt.
  ASSERT_TRUE(
      records_->Patch(Contacts(), "t1", c->id, R"({"date_of_birth":"1961-07-24"})", std::nullopt)
          .ok());
  EXPECT_EQ(RawDoc(c->id).find("1961-07-24"), std::string::npos);
  std::vector<store::StoredRecord> listed;
  store::ListQuery q;
  q.collection = "contacts";
  q.tenant = "t1";
  ASSERT_TRUE(store_->List(q, &listed).ok());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_NE(listed[0].doc.find("1961-07-24"), std::string::npos);
  {
    auto txn = store_->BeginRead();
    ASSERT_TRUE(txn.ok());
    EXPECT_NE((*txn)->Get("contacts", "t1", c->id)->doc.find("1961-07-24"), std::string::npos);
  }
  // A contact without restricted data gets no key.
  ASSERT_TRUE(records_->Create(Contacts(), "t1", R"({"last_name":"Plain"})").ok());
  EXPECT_EQ(store_->vault()->SubjectKey("t1", c->id).status().code(), StatusCode::kOk);
  // Nothing of the clear values in the files after a checkpoint.
  ASSERT_TRUE(store_->Checkpoint().ok());
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str().find("1961-07-2"), std::string::npos) << e.path();
  }
}

TEST_F(EncryptingStoreTest, DestroyingTheSubjectKeyShredsTheFieldsAndTamperingIsDetected) {
  auto a = records_->Create(Contacts(), "t1", R"({"last_name":"A","date_of_birth":"1970-01-02"})");
  auto b = records_->Create(Contacts(), "t1", R"({"last_name":"B","date_of_birth":"1980-03-04"})");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(*store_->vault()->DestroySubjectKey("t1", a->id));
  // The record is still there (as in a backup), its restricted field is gone for good.
  auto got = records_->Get(Contacts(), "t1", a->id);
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->doc.find(R"("date_of_birth":null)"), std::string::npos) << got->doc;
  EXPECT_NE(records_->Get(Contacts(), "t1", b->id)->doc.find("1980-03-04"), std::string::npos);
  // A sealed value moved to another record does not open there (bound to its place and key).
  auto c = records_->Create(Contacts(), "t1", R"({"last_name":"C","date_of_birth":"1990-05-06"})");
  ASSERT_TRUE(c.ok());
  const std::string raw_b = RawDoc(b->id);
  const size_t from = raw_b.find("enc1:");
  const std::string sealed_b = raw_b.substr(from, raw_b.find('"', from) - from);
  ASSERT_TRUE(store_->inner()
                  ->Write([&](store::WriteTxn& txn) {
                    store::NewRecord r;
                    r.id = c->id;
                    r.doc = R"({"last_name":"C","date_of_birth":")" + sealed_b + "\"}";
                    r.index_values.resize(Contacts().StoreSpec().indexed_fields.size());
                    return txn.Update("contacts", "t1", r, {}, "2026-01-01T00:00:00.000Z").status();
                  })
                  .ok());
  EXPECT_EQ(records_->Get(Contacts(), "t1", c->id).status().code(), StatusCode::kDataLoss);
  // A flipped character in a sealed value: refused, never silently wrong.
  std::string bad = sealed_b;
  bad[10] = bad[10] == 'A' ? 'B' : 'A';
  ASSERT_TRUE(store_->inner()
                  ->Write([&](store::WriteTxn& txn) {
                    store::NewRecord r;
                    r.id = b->id;
                    r.doc = R"({"last_name":"B","date_of_birth":")" + bad + "\"}";
                    r.index_values.resize(Contacts().StoreSpec().indexed_fields.size());
                    return txn.Update("contacts", "t1", r, {}, "2026-01-01T00:00:00.000Z").status();
                  })
                  .ok());
  EXPECT_EQ(records_->Get(Contacts(), "t1", b->id).status().code(), StatusCode::kDataLoss);
}

TEST_F(EncryptingStoreTest, OneKeyTransactionPerWriteJob) {
  // Many new subjects in one write job: their keys are stored together, before the job commits.
  const crm::Collection& contacts = Contacts();
  ASSERT_TRUE(store_
                  ->Write([&](store::WriteTxn& txn) -> Status {
                    for (int i = 0; i < 50; ++i) {
                      store::NewRecord r;
                      r.id = "con_" + std::to_string(1000 + i);
                      r.doc = R"({"last_name":"N","date_of_birth":"1990-01-01"})";
                      r.index_values.resize(contacts.StoreSpec().indexed_fields.size());
                      RETURN_IF_ERROR(
                          txn.Insert("contacts", "t1", r, "2026-01-01T00:00:00.000Z").status());
                    }
                    return Status::Ok();
                  })
                  .ok());
  for (int i = 0; i < 50; ++i) {
    const std::string id = "con_" + std::to_string(1000 + i);
    EXPECT_TRUE(store_->vault()->SubjectKey("t1", id).ok()) << id;
    auto r = store_->Get("contacts", "t1", id);
    ASSERT_TRUE(r.ok());
    EXPECT_NE(r->doc.find("1990-01-01"), std::string::npos);
  }
}

}  // namespace
}  // namespace crmi::privacy
