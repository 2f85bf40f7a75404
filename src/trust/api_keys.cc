#include "src/trust/api_keys.h"

#include <rapidjson/document.h>

#include <algorithm>

#include "src/common/base64.h"
#include "src/common/crypto.h"
#include "src/common/ids.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"

namespace crmi::trust {
namespace {

constexpr std::string_view kPrefix = "crmi.";
constexpr size_t kSecretBytes = 32;
constexpr size_t kMaxCache = 10000;

bool IsValidRole(std::string_view r) {
  if (r.empty() || r.size() > 64) return false;
  return std::all_of(r.begin(), r.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

Status BadKey() { return Unauthenticated("invalid API key"); }

std::string AttrsJson(const std::map<std::string, std::vector<std::string>>& attrs) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : attrs) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(&out, k);
    out.push_back(':');
    AppendJsonStringArray(&out, v);
  }
  out.push_back('}');
  return out;
}

std::vector<std::string> Strings(const rapidjson::Value& v) {
  std::vector<std::string> out;
  if (!v.IsArray()) return out;
  for (const auto& e : v.GetArray()) {
    if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
  }
  return out;
}

int64_t Int(const rapidjson::Document& d, const char* name) {
  auto it = d.FindMember(name);
  return it != d.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

std::string Str(const rapidjson::Document& d, const char* name) {
  auto it = d.FindMember(name);
  return it != d.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : "";
}

// The stored document of a key: its description plus the secret's hash.
std::string KeyDoc(const ApiKeyInfo& k, std::string_view secret_hash) {
  JsonObject o;
  o.Add("name", k.name);
  std::string roles;
  AppendJsonStringArray(&roles, k.roles);
  o.AddRaw("roles", roles);
  o.AddRaw("attrs", AttrsJson(k.attrs));
  o.Add("created_by", k.created_by);
  o.Add("owner_id", k.created_by);
  o.Add("created_at_ms", k.created_at_ms);
  o.Add("expires_at_ms", k.expires_at_ms);
  o.Add("revoked_at_ms", k.revoked_at_ms);
  o.Add("secret_sha256", secret_hash);
  return o.Finish();
}

Result<ApiKeyInfo> ParseKey(std::string_view tenant, const store::StoredRecord& r,
                            std::string* secret_hash) {
  rapidjson::Document d;
  if (!ParseJson(r.doc, &d).ok || !d.IsObject()) return DataLoss("api key " + r.id + " is corrupt");
  ApiKeyInfo k;
  k.id = r.id;
  k.tenant = std::string(tenant);
  k.name = Str(d, "name");
  if (auto it = d.FindMember("roles"); it != d.MemberEnd()) k.roles = Strings(it->value);
  if (auto it = d.FindMember("attrs"); it != d.MemberEnd() && it->value.IsObject()) {
    for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m) {
      k.attrs[std::string(m->name.GetString(), m->name.GetStringLength())] = Strings(m->value);
    }
  }
  k.created_by = Str(d, "created_by");
  k.created_at_ms = Int(d, "created_at_ms");
  k.expires_at_ms = Int(d, "expires_at_ms");
  k.revoked_at_ms = Int(d, "revoked_at_ms");
  if (secret_hash != nullptr) *secret_hash = Str(d, "secret_sha256");
  return k;
}

store::NewRecord ToRecord(const ApiKeyInfo& k, std::string_view secret_hash) {
  store::NewRecord rec;
  rec.id = k.id;
  rec.doc = KeyDoc(k, secret_hash);
  rec.index_values = {store::Value(k.created_by), store::Value()};
  return rec;
}

}  // namespace

std::string ApiKeyInfo::ToJson() const {
  JsonObject o;
  o.Add("id", id).Add("tenant", tenant).Add("name", name);
  std::string r;
  AppendJsonStringArray(&r, roles);
  o.AddRaw("roles", r);
  o.AddRaw("attrs", AttrsJson(attrs));
  o.Add("created_by", created_by);
  o.Add("created_at", FormatRfc3339Millis(created_at_ms));
  if (expires_at_ms > 0) {
    o.Add("expires_at", FormatRfc3339Millis(expires_at_ms));
  } else {
    o.AddNull("expires_at");
  }
  if (revoked_at_ms > 0) {
    o.Add("revoked_at", FormatRfc3339Millis(revoked_at_ms));
  } else {
    o.AddNull("revoked_at");
  }
  return o.Finish();
}

store::CollectionSpec ApiKeyStore::Spec() {
  return store::CollectionSpec{std::string(kCollection), {"owner_id", "region"}};
}

ApiKeyStore::ApiKeyStore(store::Store* store, Clock* clock, int64_t cache_ttl_ms)
    : store_(store), clock_(clock), cache_ttl_ms_(cache_ttl_ms) {}

bool ApiKeyStore::LooksLikeKey(std::string_view token) {
  return token.substr(0, kPrefix.size()) == kPrefix &&
         std::count(token.begin(), token.end(), '.') == 3;
}

Result<ApiKeyStore::Created> ApiKeyStore::Create(const ApiKeyInfo& spec) {
  if (!IsValidTenant(spec.tenant)) return InvalidArgument("invalid tenant");
  if (spec.name.empty() || spec.name.size() > 100 || !IsValidUtf8(spec.name)) {
    return InvalidArgument("name must be 1-100 characters");
  }
  if (spec.roles.empty()) return InvalidArgument("a key needs at least one role");
  for (const auto& r : spec.roles) {
    if (!IsValidRole(r)) return InvalidArgument("invalid role '" + r + "' (use [a-z0-9_-])");
  }
  for (const auto& [k, v] : spec.attrs) {
    if (!IsValidRole(k)) return InvalidArgument("invalid attribute name '" + k + "'");
    for (const auto& s : v) {
      if (s.size() > 256 || !IsValidUtf8(s)) return InvalidArgument("invalid attribute value");
    }
  }
  const int64_t now = clock_->NowUnixMillis();
  if (spec.expires_at_ms != 0 && spec.expires_at_ms <= now) {
    return InvalidArgument("expires_at must be in the future");
  }
  ASSIGN_OR_RETURN(std::string secret_raw, crypto::RandomBytes(kSecretBytes));
  Created out;
  out.info = spec;
  out.info.id = NewRecordId("key", now);
  out.info.created_at_ms = now;
  out.info.revoked_at_ms = 0;
  const std::string secret = Base64UrlEncode(secret_raw);
  out.token = std::string(kPrefix) + spec.tenant + "." + out.info.id + "." + secret;
  const store::NewRecord rec = ToRecord(out.info, crypto::Sha256Hex(secret));
  const std::string now_text = FormatRfc3339Millis(now);
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> Status {
    return txn.Insert(kCollection, spec.tenant, rec, now_text).status();
  }));
  return out;
}

Result<std::vector<ApiKeyInfo>> ApiKeyStore::List(std::string_view tenant) {
  std::vector<ApiKeyInfo> out;
  store::ListQuery q;
  q.collection = std::string(kCollection);
  q.tenant = std::string(tenant);
  q.limit = 1000;
  while (true) {
    std::vector<store::StoredRecord> page;
    RETURN_IF_ERROR(store_->List(q, &page));
    for (const auto& r : page) {
      ASSIGN_OR_RETURN(ApiKeyInfo k, ParseKey(tenant, r, nullptr));
      out.push_back(std::move(k));
    }
    if (page.size() < static_cast<size_t>(q.limit)) break;
    q.after_seq = page.back().seq;
  }
  return out;
}

Result<ApiKeyInfo> ApiKeyStore::Get(std::string_view tenant, std::string_view id) {
  if (!IsValidRecordId(id)) return NotFound("API key '" + std::string(id) + "' not found");
  auto r = store_->Get(kCollection, tenant, id);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) {
      return NotFound("API key '" + std::string(id) + "' not found");
    }
    return r.status();
  }
  return ParseKey(tenant, r.value(), nullptr);
}

Status ApiKeyStore::Revoke(std::string_view tenant, std::string_view id) {
  if (!IsValidRecordId(id)) return NotFound("API key '" + std::string(id) + "' not found");
  const int64_t now = clock_->NowUnixMillis();
  const std::string now_text = FormatRfc3339Millis(now);
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> Status {
    auto current = txn.Get(kCollection, tenant, id);
    if (!current.ok()) {
      if (current.status().code() == StatusCode::kNotFound) {
        return NotFound("API key '" + std::string(id) + "' not found");
      }
      return current.status();
    }
    std::string hash;
    ASSIGN_OR_RETURN(ApiKeyInfo k, ParseKey(tenant, current.value(), &hash));
    if (k.revoked_at_ms != 0) return Status::Ok();
    k.revoked_at_ms = now;
    return txn.Update(kCollection, tenant, ToRecord(k, hash), store::Expect{}, now_text).status();
  }));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (it->second.principal.credential_id == id && it->second.principal.tenant == tenant) {
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

Result<Principal> ApiKeyStore::Authenticate(std::string_view token) {
  if (token.size() > 256 || !LooksLikeKey(token)) return BadKey();
  const int64_t now = clock_->NowUnixMillis();
  const std::string token_hash = crypto::Sha256(token);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(token_hash);
    if (it != cache_.end()) {
      const Cached& c = it->second;
      if (now - c.checked_at_ms < cache_ttl_ms_ &&
          (c.expires_at_ms == 0 || now < c.expires_at_ms)) {
        return c.principal;
      }
      cache_.erase(it);
    }
  }
  std::string_view rest = token.substr(kPrefix.size());
  const size_t d1 = rest.find('.');
  const std::string_view tenant = rest.substr(0, d1);
  rest = rest.substr(d1 + 1);
  const size_t d2 = rest.find('.');
  const std::string_view id = rest.substr(0, d2);
  const std::string_view secret = rest.substr(d2 + 1);
  if (!IsValidTenant(tenant) || !IsValidRecordId(id) || secret.empty()) return BadKey();
  auto r = store_->Get(kCollection, tenant, id);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) return BadKey();
    return Unavailable("cannot check the API key: " + r.status().message());
  }
  std::string stored_hash;
  auto k = ParseKey(tenant, r.value(), &stored_hash);
  if (!k.ok()) return BadKey();
  if (!crypto::ConstantTimeEquals(crypto::Sha256Hex(secret), stored_hash)) return BadKey();
  if (k->revoked_at_ms != 0) return BadKey();
  if (k->expires_at_ms != 0 && now >= k->expires_at_ms) return BadKey();
  Principal p;
  p.subject = "key:" + k->id;
  p.tenant = std::string(tenant);
  p.roles = k->roles;
  p.attrs = k->attrs;
  p.kind = "service";
  p.method = "api_key";
  p.issuer = "crmi-api-keys";
  p.credential_id = k->id;
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxCache) cache_.clear();
  cache_[token_hash] = Cached{p, k->expires_at_ms, now};
  return p;
}

}  // namespace crmi::trust
