#include "src/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "src/crm/schema.h"
#include "tests/test_util.h"

namespace crmi::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("store");
    Open();
  }
  void TearDown() override {
    if (store_) {
      ASSERT_TRUE(store_->Close().ok());
    }
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    sqlite::SqliteOptions o;
    o.path = dir_ + "/crmi.db";
    auto s = sqlite::Open(o, crm::Schema::Default().StoreSpecs());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  // contacts index values: owner_id, region, email, account_id
  static NewRecord Contact(std::string id, std::string account, std::string doc = "{}") {
    return NewRecord{std::move(id),
                     std::move(doc),
                     {std::string("owner-1"), std::string("na"), std::monostate{},
                      account.empty() ? Value() : Value(account)}};
  }

  Result<StoredRecord> Insert(const NewRecord& r, std::string tenant = "t1") {
    StoredRecord out;
    Status s = store_->Write([&](WriteTxn& txn) -> Status {
      ASSIGN_OR_RETURN(out, txn.Insert("contacts", tenant, r, "2026-01-01T00:00:00.000Z"));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, InsertGetUpdateDelete) {
  auto r = Insert(Contact("c1", "a1", R"({"last_name":"Ng"})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 1);
  EXPECT_GT(r->seq, 0);

  auto got = store_->Get("contacts", "t1", "c1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->doc, R"({"last_name":"Ng"})");
  EXPECT_EQ(got->created_at, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(store_->Get("contacts", "t2", "c1").status().code(), StatusCode::kNotFound);

  StoredRecord updated;
  Status s = store_->Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(updated, txn.Update("contacts", "t1", Contact("c1", "a2", R"({"x":1})"),
                                         Expect{1, r->seq}, "2026-01-02T00:00:00.000Z"));
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.seq, r->seq);
  EXPECT_EQ(updated.created_at, "2026-01-01T00:00:00.000Z");

  // Stale version and wrong seq are refused without changing anything.
  s = store_->Write([&](WriteTxn& txn) {
    return txn.Update("contacts", "t1", Contact("c1", "a3"), Expect{1, 0}, "x").status();
  });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  s = store_->Write([&](WriteTxn& txn) {
    return txn.Delete("contacts", "t1", "c1", Expect{2, r->seq + 100});
  });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  s = store_->Write([&](WriteTxn& txn) { return txn.Delete("contacts", "t1", "c1", Expect{}); });
  EXPECT_TRUE(s.ok());
  s = store_->Write([&](WriteTxn& txn) { return txn.Delete("contacts", "t1", "c1", Expect{}); });
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, DuplicateIdIsAlreadyExistsPerTenant) {
  ASSERT_TRUE(Insert(Contact("c1", "")).ok());
  EXPECT_EQ(Insert(Contact("c1", "")).status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(Insert(Contact("c1", ""), "t2").ok());
}

TEST_F(SqliteStoreTest, FailedWriteRollsBackOnlyItself) {
  // Many concurrent writers share group commits; the failing ones must leave no trace.
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "c" + std::to_string(t) + "_" + std::to_string(i);
        const bool fail = i % 3 == 0;
        Status s = store_->Write([&](WriteTxn& txn) -> Status {
          RETURN_IF_ERROR(txn.Insert("contacts", "t1", Contact(id, ""), "now").status());
          RETURN_IF_ERROR(txn.Insert("contacts", "t1", Contact(id + "_b", ""), "now").status());
          if (fail) return InvalidArgument("rejected after writing");
          return Status::Ok();
        });
        if (s.ok()) ++ok;
        EXPECT_EQ(s.ok(), !fail) << s.ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<StoredRecord> all;
  ListQuery q;
  q.collection = "contacts";
  q.tenant = "t1";
  q.limit = 10000;
  ASSERT_TRUE(store_->List(q, &all).ok());
  EXPECT_EQ(static_cast<int>(all.size()), 2 * ok.load());
  for (const auto& r : all) {
    const int i = std::stoi(r.id.substr(r.id.find('_') + 1));
    EXPECT_NE(i % 3, 0) << r.id;
  }
}

TEST_F(SqliteStoreTest, TenantsCreatedByFailedWritesNeverLeak) {
  // Writers race to create tenants; every third write fails after inserting (which created the
  // tenant inside its savepoint). A rolled-back tenant id must never end up naming another
  // tenant's records.
  constexpr int kThreads = 6, kPerThread = 30;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string tenant = "tn" + std::to_string(t) + "-" + std::to_string(i);
        const bool fail = i % 3 == 0;
        Status s = store_->Write([&](WriteTxn& txn) -> Status {
          RETURN_IF_ERROR(txn.Insert("contacts", tenant, Contact("c", ""), "now").status());
          if (fail) return Aborted("changed my mind");
          return Status::Ok();
        });
        EXPECT_EQ(s.ok(), !fail);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string tenant = "tn" + std::to_string(t) + "-" + std::to_string(i);
      ListQuery q;
      q.collection = "contacts";
      q.tenant = tenant;
      std::vector<StoredRecord> page;
      ASSERT_TRUE(store_->List(q, &page).ok());
      EXPECT_EQ(page.size(), i % 3 == 0 ? 0u : 1u) << tenant;
    }
  }
  // Seqs of different tenants never collide, and a tenant's seqs are its own range.
  auto a = Insert(Contact("same", ""), "alpha");
  auto b = Insert(Contact("same", ""), "beta");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->seq >> 40, b->seq >> 40);
}

TEST_F(SqliteStoreTest, ListFiltersCursorAndOrder) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Insert(Contact("c" + std::to_string(i), i % 2 ? "odd" : "even",
                               "{\"custom\":{\"n\":" + std::to_string(i) + "}}"))
                    .ok());
  }
  ListQuery q;
  q.collection = "contacts";
  q.tenant = "t1";
  q.limit = 3;
  q.filters.push_back(FieldFilter{"account_id", FieldFilter::Op::kEq, {Value("odd")}});
  std::vector<StoredRecord> page;
  ASSERT_TRUE(store_->List(q, &page).ok());
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].id, "c1");
  EXPECT_EQ(page[2].id, "c5");
  q.after_seq = page.back().seq;
  page.clear();
  ASSERT_TRUE(store_->List(q, &page).ok());
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id, "c7");

  // Non-indexed JSON path, typed comparison.
  ListQuery j;
  j.collection = "contacts";
  j.tenant = "t1";
  j.filters.push_back(FieldFilter{"custom.n", FieldFilter::Op::kEq, {Value(int64_t{4})}});
  page.clear();
  ASSERT_TRUE(store_->List(j, &page).ok());
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, "c4");

  // Not-in on a JSON path, with the order reversed by seq through an indexed column.
  j.filters[0] =
      FieldFilter{"custom.n", FieldFilter::Op::kNotIn, {Value(int64_t{0}), Value(int64_t{1})}};
  j.order_by_desc = "account_id";
  page.clear();
  ASSERT_TRUE(store_->List(j, &page).ok());
  EXPECT_EQ(page.size(), 8u);

  ListQuery bad = j;
  bad.filters[0].field = "custom.n');--";
  EXPECT_EQ(store_->List(bad, &page).code(), StatusCode::kInvalidArgument);
  bad = j;
  bad.collection = "nope";
  EXPECT_EQ(store_->List(bad, &page).code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, GetWithFiltersIsNotFoundOutsideThem) {
  ASSERT_TRUE(Insert(Contact("c1", "a1", R"({"custom":{"n":1}})")).ok());
  ASSERT_TRUE(Insert(Contact("c2", "", R"({"custom":{}})")).ok());
  using Op = FieldFilter::Op;
  auto get = [&](const std::string& id, std::vector<FieldFilter> f) {
    return store_->Get("contacts", "t1", id, f).status().code();
  };
  EXPECT_EQ(get("c1", {{"owner_id", Op::kEq, {Value("owner-1")}}}), StatusCode::kOk);
  EXPECT_EQ(get("c1", {{"owner_id", Op::kEq, {Value("owner-2")}}}), StatusCode::kNotFound);
  EXPECT_EQ(get("c1", {{"region", Op::kIn, {Value("eu"), Value("na")}},
                       {"custom.n", Op::kEq, {Value(int64_t{1})}}}),
            StatusCode::kOk);
  EXPECT_EQ(get("c1", {{"region", Op::kIn, {}}}), StatusCode::kNotFound) << "empty set";
  // SQL null semantics: a missing field is neither equal nor different.
  EXPECT_EQ(get("c2", {{"account_id", Op::kNe, {Value("a1")}}}), StatusCode::kNotFound);
  EXPECT_EQ(get("c2", {{"custom.n", Op::kNe, {Value(int64_t{1})}}}), StatusCode::kNotFound);
  EXPECT_EQ(get("c1", {{"custom.n", Op::kNe, {Value(int64_t{2})}}}), StatusCode::kOk);
  // Inside a read transaction too, and never across tenants.
  auto txn = store_->BeginRead();
  ASSERT_TRUE(txn.ok());
  EXPECT_TRUE(
      (*txn)->Get("contacts", "t1", "c1", {{"owner_id", Op::kEq, {Value("owner-1")}}}).ok());
  EXPECT_EQ((*txn)->Get("contacts", "t2", "c1", {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(get("c1", {{"x');--", Op::kEq, {Value("a")}}}), StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, ReadTxnSeesOneSnapshot) {
  ASSERT_TRUE(Insert(Contact("c1", "")).ok());
  auto txn = store_->BeginRead();
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->Get("contacts", "t1", "c1").ok());  // snapshot starts here
  ASSERT_TRUE(Insert(Contact("c2", "")).ok());
  EXPECT_EQ((*txn)->Get("contacts", "t1", "c2").status().code(), StatusCode::kNotFound);
  txn->reset();
  EXPECT_TRUE(store_->Get("contacts", "t1", "c2").ok());
}

TEST_F(SqliteStoreTest, ReopenKeepsDataAndSchemaVersion) {
  ASSERT_TRUE(Insert(Contact("c1", "a1")).ok());
  EXPECT_EQ(store_->Info().schema_version, 3);
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  Open();
  EXPECT_TRUE(store_->Get("contacts", "t1", "c1").ok());
  std::string report;
  EXPECT_TRUE(store_->CheckIntegrity(&report).ok());
  EXPECT_EQ(report, "ok");
  EXPECT_TRUE(store_->Ready());
}

TEST_F(SqliteStoreTest, ClosedStoreRefusesWork) {
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_EQ(Insert(Contact("c1", "")).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_->Get("contacts", "t1", "c1").status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store_->Ready());
}

}  // namespace
}  // namespace crmi::store
