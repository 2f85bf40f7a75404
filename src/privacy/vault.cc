#include "src/privacy/vault.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>

#include "src/common/crypto.h"
#include "src/privacy/detector.h"
#include "src/privacy/validators.h"

namespace crmi::privacy {
namespace {

constexpr size_t kMaxValue = 4096;
constexpr size_t kMaxCachedSubjectKeys = 100000;

// What a wrapped key is bound to: it unwraps only for its own tenant (and subject).
std::string TenantContext(std::string_view tenant) {
  return std::string("crmi vault tenant keys\0", 23) + std::string(tenant);
}
std::string SubjectContext(std::string_view tenant, std::string_view subject) {
  return std::string("crmi subject key\0", 17) + std::string(tenant) + '\0' + std::string(subject);
}

// A prepared statement, finalised on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) == SQLITE_OK;
  }
  ~Stmt() { sqlite3_finalize(s_); }
  bool ok() const { return ok_; }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  int Step() { return sqlite3_step(s_); }
  int64_t Int(int i) const { return sqlite3_column_int64(s_, i); }
  std::string Column(int i) const {
    const void* p = sqlite3_column_blob(s_, i);
    return p == nullptr ? std::string()
                        : std::string(static_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(s_, i)));
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  bool ok_ = false;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// What makes two values "equal" for deterministic tokens.
std::string Normalise(std::string_view type, std::string_view value) {
  if (type == "CARD" || type == "PHONE") {
    std::string d = type == "PHONE" && !value.empty() && value[0] == '+' ? "+" : "";
    for (char c : value) {
      if (c >= '0' && c <= '9') d += c;
    }
    return d;
  }
  if (type == "EMAIL") return Lower(value);
  if (type == "IBAN" || type == "UK_NINO") {
    std::string out;
    for (char c : value) {
      if (c != ' ' && c != '-' && c != '.') out += (c >= 'a' && c <= 'z') ? char(c - 32) : c;
    }
    return out;
  }
  return std::string(value);
}

// Decimal digits drawn from HMAC(key, label ‖ counter), as many as asked.
std::string Digits(std::string_view key, std::string_view label, int counter, size_t n) {
  std::string out;
  for (int block = 0; out.size() < n; ++block) {
    const std::string mac = crypto::HmacSha256(
        key, std::string(label) + '\0' + std::to_string(counter) + '\0' + std::to_string(block));
    for (unsigned char b : mac) {
      if (b >= 250) continue;  // keep the digits uniform
      out += static_cast<char>('0' + b % 10);
      if (out.size() == n) break;
    }
  }
  return out;
}

// Puts `digits` into the digit positions of `layout`, keeping everything else.
std::string Relayout(std::string_view layout, std::string_view digits) {
  std::string out(layout);
  size_t k = 0;
  for (char& c : out) {
    if (c >= '0' && c <= '9') c = digits[k++];
  }
  return out;
}

Result<std::string> CardToken(std::string_view key, std::string_view value, int counter) {
  const auto digits = DigitsOf(value);
  if (!digits || digits->size() < 13 || digits->size() > 19) {
    return InvalidArgument(
        "a CARD value is 13 to 19 digits, optionally grouped by spaces or dashes");
  }
  const size_t n = digits->size();
  // Keep the first digit (the network) and the last four; derive the middle.
  std::string t = digits->substr(0, 1) +
                  Digits(key, std::string("card") + '\0' + *digits, counter, n - 5) +
                  digits->substr(n - 4);
  if (LuhnValid(t)) {
    // Any single-digit change breaks Luhn: the token can never pass as a real card number.
    t[n - 5] = static_cast<char>('0' + (t[n - 5] - '0' + 1) % 10);
  }
  return Relayout(value, t);
}

Result<std::string> PhoneToken(std::string_view key, std::string_view value, int counter) {
  std::string digits;
  for (char c : value) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() < 6 || digits.size() > 20) {
    return InvalidArgument("a PHONE value has 6 to 20 digits");
  }
  // Keep a '+' country code (the digits before the first separator, at most 3) and the last two.
  size_t keep_head = 0;
  if (!value.empty() && value[0] == '+') {
    size_t i = 1;
    while (i < value.size() && value[i] >= '0' && value[i] <= '9' && keep_head < 3) {
      ++i;
      ++keep_head;
    }
    if (i < value.size() && value[i] >= '0' && value[i] <= '9') keep_head = 1;  // +4420...
  }
  const size_t n = digits.size();
  std::string t = digits.substr(0, keep_head) +
                  Digits(key, std::string("phone") + '\0' + digits, counter, n - keep_head - 2) +
                  digits.substr(n - 2);
  if (t == digits) t[keep_head] = static_cast<char>('0' + (t[keep_head] - '0' + 1) % 10);
  return Relayout(value, t);
}

std::string Tag(std::string_view type) { return Lower(type); }

bool KnownType(std::string_view type) { return type == "TEXT" || PiiTypeFromName(type); }

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<Vault>> Vault::Open(const std::string& path, KeyProvider* keys) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unavailable("cannot open the vault " + path + ": " + msg);
  }
  std::unique_ptr<Vault> v(new Vault(db, keys));
  std::lock_guard lock(v->mu_);
  // secure_delete: an erased entry's bytes are overwritten, not left in free pages.
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA secure_delete=ON",
        "PRAGMA busy_timeout=5000",
        "CREATE TABLE IF NOT EXISTS tenant_keys(tenant TEXT PRIMARY KEY, master_id TEXT NOT NULL, "
        "wrapped BLOB NOT NULL)",
        "CREATE TABLE IF NOT EXISTS tokens(tenant TEXT NOT NULL, token TEXT NOT NULL, type TEXT "
        "NOT NULL, value_mac BLOB, subject TEXT, ciphertext BLOB NOT NULL, created_ms INTEGER NOT "
        "NULL, PRIMARY KEY(tenant, token)) WITHOUT ROWID",
        "CREATE UNIQUE INDEX IF NOT EXISTS tokens_by_value ON tokens(tenant, value_mac) WHERE "
        "value_mac IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS tokens_by_subject ON tokens(tenant, subject) WHERE subject IS "
        "NOT NULL",
        "CREATE TABLE IF NOT EXISTS subject_keys(tenant TEXT NOT NULL, subject TEXT NOT NULL, "
        "master_id TEXT NOT NULL, wrapped BLOB NOT NULL, PRIMARY KEY(tenant, subject)) WITHOUT "
        "ROWID"}) {
    RETURN_IF_ERROR(v->Exec(sql));
  }
  return v;
}

Vault::~Vault() { sqlite3_close(db_); }

Status Vault::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return Unavailable("vault: " + msg);
  }
  return Status::Ok();
}

Result<Vault::TenantKeys> Vault::KeysFor(std::string_view tenant) {
  if (auto it = tenant_keys_.find(tenant); it != tenant_keys_.end()) return it->second;
  const std::string context = TenantContext(tenant);
  std::string material;
  {
    Stmt q(db_, "SELECT wrapped FROM tenant_keys WHERE tenant = ?");
    if (!q.ok()) return Unavailable("vault: cannot read keys");
    q.Bind(1, tenant);
    if (q.Step() == SQLITE_ROW) {
      ASSIGN_OR_RETURN(material, keys_->Unwrap(q.Column(0), context));
    }
  }
  if (material.empty()) {
    ASSIGN_OR_RETURN(material, crypto::RandomBytes(64));
    std::string master_id;
    ASSIGN_OR_RETURN(std::string wrapped, keys_->Wrap(material, context, &master_id));
    Stmt ins(db_, "INSERT INTO tenant_keys(tenant, master_id, wrapped) VALUES(?, ?, ?)");
    ins.Bind(1, tenant).Bind(2, master_id).BindBlob(3, wrapped);
    if (!ins.ok() || ins.Step() != SQLITE_DONE) {
      return Unavailable(std::string("vault: cannot store keys: ") + sqlite3_errmsg(db_));
    }
  }
  if (material.size() != 64) return DataLoss("vault: tenant keys have the wrong size");
  TenantKeys k{material.substr(0, 32), material.substr(32)};
  tenant_keys_.emplace(std::string(tenant), k);
  return k;
}

Result<std::vector<std::string>> Vault::Tokenize(std::string_view tenant,
                                                 const std::vector<TokenRequest>& requests,
                                                 TokenMode mode) {
  for (const TokenRequest& r : requests) {
    if (!KnownType(r.type)) return InvalidArgument("unknown type '" + r.type + "'");
    if (r.value.empty() || r.value.size() > kMaxValue) {
      return InvalidArgument("a value is 1 to 4096 bytes");
    }
  }
  std::lock_guard lock(mu_);
  // The tenant's keys first, committed on their own: cached keys must never be ones a rolled
  // back transaction failed to store.
  auto keys = KeysFor(tenant);
  if (!keys.ok()) return keys.status();
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto fail = [&](Status s) {
    (void)Exec("ROLLBACK");
    return s;
  };
  std::vector<std::string> tokens;
  for (const TokenRequest& r : requests) {
    const bool random = mode == TokenMode::kRandom || r.type == "TEXT";
    const std::string norm = Normalise(r.type, r.value);
    std::string mac;
    if (!random) {
      mac = crypto::HmacSha256(keys->token_key, std::string("mac") + '\0' + r.type + '\0' + norm);
      Stmt q(db_, "SELECT token FROM tokens WHERE tenant = ? AND value_mac = ?");
      q.Bind(1, tenant).BindBlob(2, mac);
      if (q.ok() && q.Step() == SQLITE_ROW) {
        tokens.push_back(q.Column(0));
        continue;
      }
    }
    std::string token;
    for (int counter = 0;; ++counter) {
      if (counter == 16) return fail(Unavailable("vault: could not find a free token"));
      if (random) {
        auto bytes = crypto::RandomBytes(12);
        if (!bytes.ok()) return fail(bytes.status());
        token = "tok_" + Tag(r.type) + "_" + crypto::HexEncode(*bytes);
      } else if (r.type == "CARD" || r.type == "PHONE") {
        auto t = r.type == "CARD" ? CardToken(keys->token_key, r.value, counter)
                                  : PhoneToken(keys->token_key, r.value, counter);
        if (!t.ok()) return fail(t.status());
        token = *t;
      } else {
        token = "tok_" + Tag(r.type) + "_" +
                crypto::HexEncode(
                    crypto::HmacSha256(keys->token_key, std::string("tok") + '\0' + r.type + '\0' +
                                                            norm + '\0' + std::to_string(counter)))
                    .substr(0, 24);
      }
      Stmt q(db_, "SELECT 1 FROM tokens WHERE tenant = ? AND token = ?");
      q.Bind(1, tenant).Bind(2, token);
      if (q.ok() && q.Step() != SQLITE_ROW) break;  // free
    }
    auto sealed =
        crypto::AesGcmEncrypt(keys->data_key, r.value, std::string(tenant) + '\0' + token);
    if (!sealed.ok()) return fail(sealed.status());
    Stmt ins(db_,
             "INSERT INTO tokens(tenant, token, type, value_mac, subject, ciphertext, created_ms) "
             "VALUES(?, ?, ?, ?, ?, ?, ?)");
    ins.Bind(1, tenant).Bind(2, token).Bind(3, r.type);
    if (random) {
      ins.BindNull(4);
    } else {
      ins.BindBlob(4, mac);
    }
    if (r.subject.empty()) {
      ins.BindNull(5);
    } else {
      ins.Bind(5, r.subject);
    }
    ins.BindBlob(6, *sealed).Bind(7, NowMillis());
    if (!ins.ok() || ins.Step() != SQLITE_DONE) {
      return fail(Unavailable(std::string("vault: cannot store a token: ") + sqlite3_errmsg(db_)));
    }
    tokens.push_back(std::move(token));
  }
  if (Status s = Exec("COMMIT"); !s.ok()) return fail(s);
  return tokens;
}

Result<std::vector<Detokenized>> Vault::Detokenize(std::string_view tenant,
                                                   const std::vector<std::string>& tokens) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(TenantKeys keys, KeysFor(tenant));
  std::vector<Detokenized> out;
  for (const std::string& token : tokens) {
    Stmt q(db_, "SELECT type, ciphertext FROM tokens WHERE tenant = ? AND token = ?");
    if (!q.ok()) return Unavailable("vault: cannot read");
    q.Bind(1, tenant).Bind(2, token);
    if (q.Step() != SQLITE_ROW) {
      return NotFound("unknown token at position " + std::to_string(out.size()));
    }
    ASSIGN_OR_RETURN(std::string value, crypto::AesGcmDecrypt(keys.data_key, q.Column(1),
                                                              std::string(tenant) + '\0' + token));
    out.push_back({q.Column(0), std::move(value)});
  }
  return out;
}

Result<std::vector<Vault::Entry>> Vault::ListSubject(std::string_view tenant,
                                                     std::string_view subject) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(TenantKeys keys, KeysFor(tenant));
  Stmt q(db_,
         "SELECT type, token, ciphertext FROM tokens WHERE tenant = ? AND subject = ? ORDER BY "
         "created_ms, token");
  if (!q.ok()) return Unavailable("vault: cannot read");
  q.Bind(1, tenant).Bind(2, subject);
  std::vector<Entry> out;
  while (q.Step() == SQLITE_ROW) {
    std::string token = q.Column(1);
    ASSIGN_OR_RETURN(std::string value, crypto::AesGcmDecrypt(keys.data_key, q.Column(2),
                                                              std::string(tenant) + '\0' + token));
    out.push_back({q.Column(0), std::move(token), std::move(value)});
  }
  return out;
}

Result<int64_t> Vault::EraseSubject(std::string_view tenant, std::string_view subject) {
  std::lock_guard lock(mu_);
  Stmt del(db_, "DELETE FROM tokens WHERE tenant = ? AND subject = ?");
  del.Bind(1, tenant).Bind(2, subject);
  if (!del.ok() || del.Step() != SQLITE_DONE) {
    return Unavailable(std::string("vault: cannot erase: ") + sqlite3_errmsg(db_));
  }
  const int64_t n = sqlite3_changes(db_);
  // Leave nothing of the erased entries in the write-ahead log either.
  RETURN_IF_ERROR(Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  return n;
}

Result<std::string> Vault::SubjectKey(std::string_view tenant, std::string_view subject) {
  const std::string cache_key = std::string(tenant) + '\0' + std::string(subject);
  std::lock_guard lock(mu_);
  if (auto it = subject_keys_.find(cache_key); it != subject_keys_.end()) return it->second;
  Stmt q(db_, "SELECT wrapped FROM subject_keys WHERE tenant = ? AND subject = ?");
  if (!q.ok()) return Unavailable("vault: cannot read subject keys");
  q.Bind(1, tenant).Bind(2, subject);
  if (q.Step() != SQLITE_ROW) return NotFound("no key for this subject");
  ASSIGN_OR_RETURN(std::string key, keys_->Unwrap(q.Column(0), SubjectContext(tenant, subject)));
  if (key.size() != 32) return DataLoss("vault: a subject key has the wrong size");
  if (subject_keys_.size() >= kMaxCachedSubjectKeys) subject_keys_.clear();
  subject_keys_.emplace(cache_key, key);
  return key;
}

Result<std::string> Vault::NewSubjectKey() { return crypto::RandomBytes(32); }

Status Vault::StoreSubjectKeys(const std::vector<SubjectKeyEntry>& keys) {
  if (keys.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  for (const SubjectKeyEntry& k : keys) {
    std::string master_id;
    auto wrapped = keys_->Wrap(k.key, SubjectContext(k.tenant, k.subject), &master_id);
    if (!wrapped.ok()) {
      (void)Exec("ROLLBACK");
      return wrapped.status();
    }
    Stmt ins(db_,
             "INSERT OR IGNORE INTO subject_keys(tenant, subject, master_id, wrapped) "
             "VALUES(?, ?, ?, ?)");
    ins.Bind(1, k.tenant).Bind(2, k.subject).Bind(3, master_id).BindBlob(4, *wrapped);
    if (!ins.ok() || ins.Step() != SQLITE_DONE) {
      const std::string msg = sqlite3_errmsg(db_);
      (void)Exec("ROLLBACK");
      return Unavailable("vault: cannot store a subject key: " + msg);
    }
    if (sqlite3_changes(db_) == 0) {
      // Another process stored a key for this subject first: what the caller encrypted with
      // this one would be lost.
      (void)Exec("ROLLBACK");
      return Aborted("a subject key was created concurrently; retry the write");
    }
  }
  return Exec("COMMIT");
}

Result<bool> Vault::DestroySubjectKey(std::string_view tenant, std::string_view subject) {
  std::lock_guard lock(mu_);
  subject_keys_.erase(std::string(tenant) + '\0' + std::string(subject));
  Stmt del(db_, "DELETE FROM subject_keys WHERE tenant = ? AND subject = ?");
  del.Bind(1, tenant).Bind(2, subject);
  if (!del.ok() || del.Step() != SQLITE_DONE) {
    return Unavailable(std::string("vault: cannot destroy a subject key: ") + sqlite3_errmsg(db_));
  }
  const bool existed = sqlite3_changes(db_) > 0;
  RETURN_IF_ERROR(Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  return existed;
}

Result<int64_t> Vault::Rewrap() {
  const std::string current = keys_->id();
  int64_t n = 0;
  // tenant_keys: (tenant) ; subject_keys: (tenant, subject)
  for (const bool subjects : {false, true}) {
    std::vector<std::pair<std::string, std::string>> rows;
    {
      std::lock_guard lock(mu_);
      Stmt q(db_, subjects ? "SELECT tenant, subject FROM subject_keys WHERE master_id <> ?"
                           : "SELECT tenant, '' FROM tenant_keys WHERE master_id <> ?");
      if (!q.ok()) return Unavailable("vault: cannot read keys");
      q.Bind(1, current);
      while (q.Step() == SQLITE_ROW) rows.emplace_back(q.Column(0), q.Column(1));
    }
    for (const auto& [tenant, subject] : rows) {
      std::lock_guard lock(mu_);
      const std::string context =
          subjects ? SubjectContext(tenant, subject) : TenantContext(tenant);
      Stmt q(db_, subjects ? "SELECT wrapped FROM subject_keys WHERE tenant = ? AND subject = ?"
                           : "SELECT wrapped FROM tenant_keys WHERE tenant = ? AND ? = ''");
      q.Bind(1, tenant).Bind(2, subject);
      if (!q.ok() || q.Step() != SQLITE_ROW) continue;  // erased meanwhile
      ASSIGN_OR_RETURN(std::string key, keys_->Unwrap(q.Column(0), context));
      std::string master_id;
      ASSIGN_OR_RETURN(std::string wrapped, keys_->Wrap(key, context, &master_id));
      Stmt up(db_, subjects ? "UPDATE subject_keys SET master_id = ?, wrapped = ? WHERE tenant = "
                              "? AND subject = ?"
                            : "UPDATE tenant_keys SET master_id = ?, wrapped = ? WHERE tenant = "
                              "? AND ? = ''");
      up.Bind(1, master_id).BindBlob(2, wrapped).Bind(3, tenant).Bind(4, subject);
      if (!up.ok() || up.Step() != SQLITE_DONE) {
        return Unavailable(std::string("vault: cannot re-wrap a key: ") + sqlite3_errmsg(db_));
      }
      ++n;
    }
  }
  return n;
}

Result<int64_t> Vault::CountNotCurrent() {
  const std::string current = keys_->id();
  std::lock_guard lock(mu_);
  int64_t n = 0;
  for (const char* sql : {"SELECT count(*) FROM tenant_keys WHERE master_id <> ?",
                          "SELECT count(*) FROM subject_keys WHERE master_id <> ?"}) {
    Stmt q(db_, sql);
    q.Bind(1, current);
    if (!q.ok() || q.Step() != SQLITE_ROW) return Unavailable("vault: cannot count keys");
    n += q.Int(0);
  }
  return n;
}

bool Vault::LooksLikeToken(std::string_view token) {
  if (token.substr(0, 4) == "tok_") return true;
  const auto digits = DigitsOf(token);
  return digits && digits->size() >= 13 && digits->size() <= 19 && !LuhnValid(*digits);
}

}  // namespace crmi::privacy
