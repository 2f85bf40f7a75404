// The tokenisation vault: tokens round-trip, deterministic tokens join, format-preserving tokens
// keep the format and can never pass as real cards, tenants are apart, tampering is detected,
// concurrent use is safe, and erasure leaves nothing of the subject in the files.
#include "src/privacy/vault.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "src/common/crypto.h"
#include "src/privacy/validators.h"
#include "tests/test_util.h"

namespace crmi::privacy {
namespace {

TEST(AesGcmTest, SealsAndRefusesTampering) {
  const std::string key(32, 'k');
  auto blob = crypto::AesGcmEncrypt(key, "4111 1111 1111 1111", "t1/tok");
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->size(), 12 + 19 + 16u);
  EXPECT_EQ(*crypto::AesGcmDecrypt(key, *blob, "t1/tok"), "4111 1111 1111 1111");
  EXPECT_EQ(crypto::AesGcmDecrypt(key, *blob, "t2/tok").status().code(), StatusCode::kDataLoss);
  std::string bad = *blob;
  bad[14] ^= 1;
  EXPECT_EQ(crypto::AesGcmDecrypt(key, bad, "t1/tok").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(crypto::AesGcmDecrypt(std::string(32, 'x'), *blob, "t1/tok").status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(crypto::AesGcmEncrypt("short", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*crypto::AesGcmDecrypt(key, *crypto::AesGcmEncrypt(key, "")), "");
  // A fresh nonce each time: equal plaintexts give different ciphertexts.
  EXPECT_NE(*crypto::AesGcmEncrypt(key, "x"), *crypto::AesGcmEncrypt(key, "x"));
}

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("vault");
    keys_ = std::move(LocalKeyProvider::FromKey(std::string(32, 'm'))).value();
    auto v = Vault::Open(dir_ + "/vault.db", keys_.get());
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vault_ = std::move(v).value();
  }
  void TearDown() override {
    vault_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string One(const std::string& type, const std::string& value,
                  const std::string& tenant = "t1", const std::string& subject = "") {
    auto t = vault_->Tokenize(tenant, {{type, value, subject}});
    EXPECT_TRUE(t.ok()) << type << " " << value << ": " << t.status().ToString();
    return t.ok() ? t->at(0) : "";
  }
  std::string dir_;
  std::unique_ptr<LocalKeyProvider> keys_;
  std::unique_ptr<Vault> vault_;
};

TEST_F(VaultTest, TokensRoundTripAndDeterministicTokensJoin) {
  const std::vector<TokenRequest> in = {{"EMAIL", "Anna.K@Example.com", ""},
                                        {"US_SSN", "536-90-4399", ""},
                                        {"IBAN", "DE89 3704 0044 0532 0130 00", ""},
                                        {"PERSON", "Anna Kowalski", ""},
                                        {"TEXT", "prefers calls after 6pm", ""}};
  auto tokens = vault_->Tokenize("t1", in);
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  ASSERT_EQ(tokens->size(), in.size());
  EXPECT_EQ(tokens->at(0).substr(0, 10), "tok_email_");
  EXPECT_EQ(tokens->at(0).size(), 10 + 24u);
  for (const auto& t : *tokens) EXPECT_TRUE(Vault::LooksLikeToken(t)) << t;
  auto values = vault_->Detokenize("t1", *tokens);
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(values->at(i).type, in[i].type);
    EXPECT_EQ(values->at(i).value, in[i].value);  // the original, formatting included
  }
  // Equal values (after normalisation) get equal tokens; TEXT is random.
  EXPECT_EQ(One("EMAIL", "anna.k@example.com"), tokens->at(0));
  EXPECT_EQ(One("IBAN", "DE89370400440532013000"), tokens->at(2));
  EXPECT_NE(One("TEXT", "prefers calls after 6pm"), tokens->at(4));
  // Another tenant: other keys, other tokens, and no access to these.
  EXPECT_NE(One("EMAIL", "anna.k@example.com", "t2"), tokens->at(0));
  EXPECT_EQ(vault_->Detokenize("t2", {tokens->at(0)}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(vault_->Detokenize("t1", {"tok_email_000000000000000000000000"}).status().code(),
            StatusCode::kNotFound);
  // Random mode: a fresh token every time.
  auto r1 = vault_->Tokenize("t1", {{"EMAIL", "x@example.com", ""}}, TokenMode::kRandom);
  auto r2 = vault_->Tokenize("t1", {{"EMAIL", "x@example.com", ""}}, TokenMode::kRandom);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_NE(r1->at(0), r2->at(0));
}

TEST_F(VaultTest, CardTokensKeepTheFormatAndNeverPassAsCards) {
  std::mt19937 rng(11);
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) {
    // A valid card number of 13-19 digits, grouped differently.
    const int len = 13 + static_cast<int>(rng() % 7);
    std::string d = std::to_string(3 + rng() % 4);
    while (static_cast<int>(d.size()) < len - 1) d += char('0' + rng() % 10);
    for (char c = '0'; c <= '9'; ++c) {
      if (LuhnValid(d + c)) {
        d += c;
        break;
      }
    }
    ASSERT_TRUE(LuhnValid(d));
    std::string card = d;
    if (i % 3 == 1) {
      card.clear();
      for (size_t k = 0; k < d.size(); ++k)
        card += (k > 0 && k % 4 == 0 ? " " : "") + d.substr(k, 1);
    } else if (i % 3 == 2) {
      card.clear();
      for (size_t k = 0; k < d.size(); ++k)
        card += (k > 0 && k % 4 == 0 ? "-" : "") + d.substr(k, 1);
    }
    const std::string token = One("CARD", card);
    ASSERT_EQ(token.size(), card.size()) << card << " → " << token;
    for (size_t k = 0; k < card.size(); ++k) {
      ASSERT_EQ(token[k] >= '0' && token[k] <= '9', card[k] >= '0' && card[k] <= '9') << token;
    }
    const std::string td = *DigitsOf(token);
    EXPECT_EQ(td.substr(td.size() - 4), d.substr(d.size() - 4));  // last four kept
    EXPECT_EQ(td[0], d[0]);                                       // network kept
    EXPECT_FALSE(LuhnValid(td)) << token;
    EXPECT_FALSE(CardNumberValid(token)) << token;
    EXPECT_TRUE(Vault::LooksLikeToken(token));
    EXPECT_NE(td, d);
    EXPECT_EQ(*DigitsOf(One("CARD", d)), td);  // the same card, however written, joins
    seen.insert(td);
  }
  EXPECT_EQ(seen.size(), 500u);  // no two cards share a token
  EXPECT_EQ(vault_->Tokenize("t1", {{"CARD", "4111-1111", ""}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(VaultTest, PhoneTokensKeepTheFormat) {
  for (const std::string phone :
       {"+44 20 7946 0958", "(415) 555-0132", "+1 415 555 0132", "030 1234567", "+4930123456"}) {
    const std::string token = One("PHONE", phone);
    ASSERT_EQ(token.size(), phone.size());
    for (size_t k = 0; k < phone.size(); ++k) {
      const bool digit = phone[k] >= '0' && phone[k] <= '9';
      EXPECT_EQ(token[k] >= '0' && token[k] <= '9', digit) << phone << " → " << token;
      if (!digit) {
        EXPECT_EQ(token[k], phone[k]);
      }
    }
    EXPECT_EQ(token.substr(token.size() - 2), phone.substr(phone.size() - 2));
    EXPECT_NE(token, phone);
    auto back = vault_->Detokenize("t1", {token});
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->at(0).value, phone);
  }
  EXPECT_EQ(One("PHONE", "+44 20 7946 0958").substr(0, 4), "+44 ");
  // The same number written otherwise joins (the token keeps the first writing's format).
  EXPECT_EQ(One("PHONE", "+44-20-7946-0958"), One("PHONE", "+44 20 7946 0958"));
}

TEST_F(VaultTest, BadInputIsRefusedWholesale) {
  for (const TokenRequest& bad : std::vector<TokenRequest>{{"PASSPORT", "X1", ""},
                                                           {"EMAIL", "", ""},
                                                           {"EMAIL", std::string(5000, 'a'), ""},
                                                           {"PHONE", "12", ""}}) {
    auto r = vault_->Tokenize("t1", {{"EMAIL", "ok@example.com", ""}, bad});
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad.type;
  }
  // Nothing of a refused request was stored.
  auto t = vault_->Tokenize("t1", {{"EMAIL", "ok@example.com", ""}});
  ASSERT_TRUE(t.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/vault.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM tokens", -1, &q, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), 1);
  sqlite3_finalize(q);
  sqlite3_close(db);
}

TEST_F(VaultTest, SurvivesReopenAndRefusesAnotherMasterKeyOrTampering) {
  const std::string token = One("US_SSN", "536-90-4399");
  // A tenant whose first request fails after its keys were made: the keys still persist.
  EXPECT_EQ(
      vault_->Tokenize("t9", {{"EMAIL", "a@example.com", ""}, {"PHONE", "12", ""}}).status().code(),
      StatusCode::kInvalidArgument);
  const std::string t9 = One("EMAIL", "a@example.com", "t9");
  vault_.reset();
  vault_ = std::move(Vault::Open(dir_ + "/vault.db", keys_.get())).value();
  auto back = vault_->Detokenize("t1", {token});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->at(0).value, "536-90-4399");
  auto back9 = vault_->Detokenize("t9", {t9});
  ASSERT_TRUE(back9.ok()) << back9.status().ToString();
  EXPECT_EQ(back9->at(0).value, "a@example.com");
  // Another master key cannot unwrap the tenant's keys.
  auto other = std::move(LocalKeyProvider::FromKey(std::string(32, 'o'))).value();
  vault_.reset();
  vault_ = std::move(Vault::Open(dir_ + "/vault.db", other.get())).value();
  EXPECT_EQ(vault_->Detokenize("t1", {token}).status().code(), StatusCode::kDataLoss);
  vault_.reset();
  // A flipped byte in the stored value is detected.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/vault.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE tokens SET ciphertext = "
                         "substr(ciphertext, 1, 20) || x'00' || substr(ciphertext, 22)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  vault_ = std::move(Vault::Open(dir_ + "/vault.db", keys_.get())).value();
  EXPECT_EQ(vault_->Detokenize("t1", {token}).status().code(), StatusCode::kDataLoss);
}

TEST_F(VaultTest, ConcurrentUseIsSafeAndStillJoins) {
  constexpr int kThreads = 8, kValues = 200;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kValues; ++i) {
        // Every thread tokenises the same values, in a different order.
        const int v = (i * 7 + t * 13) % kValues;
        auto r =
            vault_->Tokenize("t1", {{"EMAIL", "user" + std::to_string(v) + "@example.com", ""}});
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        auto back = vault_->Detokenize("t1", *r);
        ASSERT_TRUE(back.ok());
        ASSERT_EQ(back->at(0).value, "user" + std::to_string(v) + "@example.com");
        got[t].resize(kValues);
        got[t][v] = r->at(0);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> distinct;
  for (int v = 0; v < kValues; ++v) {
    for (int t = 1; t < kThreads; ++t) EXPECT_EQ(got[t][v], got[0][v]);
    distinct.insert(got[0][v]);
  }
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kValues));
}

std::string ReadAll(const std::string& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

TEST_F(VaultTest, ErasingASubjectLeavesNothingOfItInTheFiles) {
  const std::string subject = "con_01JERASEME000000000000000";
  auto t = vault_->Tokenize("t1", {{"EMAIL", "gone@example.com", subject},
                                   {"PHONE", "+44 20 7946 0958", subject},
                                   {"EMAIL", "kept@example.com", "con_other"}});
  ASSERT_TRUE(t.ok());
  EXPECT_NE(ReadAll(dir_).find(subject), std::string::npos);
  auto n = vault_->EraseSubject("t1", subject);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(vault_->Detokenize("t1", {t->at(0)}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(vault_->Detokenize("t1", {t->at(2)})->at(0).value, "kept@example.com");
  const std::string files = ReadAll(dir_);
  EXPECT_EQ(files.find(subject), std::string::npos);
  EXPECT_EQ(files.find(t->at(0)), std::string::npos);
}

}  // namespace
}  // namespace crmi::privacy

namespace crmi::privacy {
namespace {

TEST(KeyRotationTest, NewMasterKeyRewrapsEverythingWhileInUse) {
  unsetenv("CRMI_MASTER_KEY");
  const std::string dir = test::TempDir("rotate");
  const std::string path = dir + "/keys/master.key";
  auto running = std::move(LocalKeyProvider::FromEnvOrFile(path)).value();  // created
  const std::string old_id = running->id();
  auto vault = std::move(Vault::Open(dir + "/vault.db", running.get())).value();
  auto token = vault->Tokenize("t1", {{"EMAIL", "a@example.com", ""}});
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(vault->StoreSubjectKeys({{"t1", "con_1", std::string(32, 's')}}).ok());

  // The rotation, as `crmi keys rotate` runs it beside a server.
  auto new_id = LocalKeyProvider::AddNewKey(path);
  ASSERT_TRUE(new_id.ok());
  EXPECT_NE(*new_id, old_id);
  auto rotator_keys = std::move(LocalKeyProvider::FromEnvOrFile(path)).value();
  auto rotator = std::move(Vault::Open(dir + "/vault.db", rotator_keys.get())).value();
  auto n = rotator->Rewrap();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);  // the tenant's keys and the subject's
  // The running provider follows the file: what it wraps now uses the new key.
  EXPECT_EQ(running->id(), *new_id);
  ASSERT_TRUE(vault->StoreSubjectKeys({{"t1", "con_2", std::string(32, 't')}}).ok());
  EXPECT_EQ(*rotator->CountNotCurrent(), 0);
  ASSERT_TRUE(LocalKeyProvider::Retire(path).ok());

  // A fresh start with only the new key reads everything; the old key alone reads nothing.
  vault.reset();
  rotator.reset();
  auto fresh_keys = std::move(LocalKeyProvider::FromEnvOrFile(path)).value();
  auto fresh = std::move(Vault::Open(dir + "/vault.db", fresh_keys.get())).value();
  EXPECT_EQ(fresh->Detokenize("t1", *token)->at(0).value, "a@example.com");
  EXPECT_EQ(*fresh->SubjectKey("t1", "con_1"), std::string(32, 's'));
  EXPECT_EQ(*fresh->SubjectKey("t1", "con_2"), std::string(32, 't'));
  EXPECT_EQ(test::ReadFile(path).size(), 65u);  // one key left: 64 hex digits and a newline
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crmi::privacy
