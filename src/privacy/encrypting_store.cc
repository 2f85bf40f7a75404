#include "src/privacy/encrypting_store.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "src/common/base64.h"
#include "src/common/crypto.h"

namespace crmi::privacy {
namespace {

constexpr std::string_view kPrefix = "enc1:";

std::string Aad(std::string_view tenant, std::string_view collection, std::string_view id,
                std::string_view field) {
  std::string a(tenant);
  for (std::string_view part : {collection, id, field}) {
    a += '\0';
    a += part;
  }
  return a;
}

std::string Serialize(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// The contact a record belongs to: the contact itself, or the one its contact_id names.
std::string SubjectOf(std::string_view collection, std::string_view id,
                      const rapidjson::Document& d) {
  if (collection != "contacts") {
    auto it = d.FindMember("contact_id");
    if (it != d.MemberEnd() && it->value.IsString()) {
      return std::string(it->value.GetString(), it->value.GetStringLength());
    }
  }
  return std::string(id);
}

// A view of a transaction that encrypts what is written and decrypts what is read.
class Txn final : public store::WriteTxn {
 public:
  Txn(EncryptingStore* s, store::ReadTxn* read, store::WriteTxn* write)
      : s_(s), read_(read), write_(write) {}
  EncryptingStore::NewKeys new_keys;

  Result<store::StoredRecord> Get(std::string_view collection, std::string_view tenant,
                                  std::string_view id,
                                  const std::vector<store::FieldFilter>& filters) override {
    ASSIGN_OR_RETURN(store::StoredRecord r, read_->Get(collection, tenant, id, filters));
    ASSIGN_OR_RETURN(r.doc, s_->Decrypt(collection, tenant, r.id, r.doc));
    return r;
  }
  Status List(const store::ListQuery& query, std::vector<store::StoredRecord>* out) override {
    const size_t first = out->size();
    RETURN_IF_ERROR(read_->List(query, out));
    return s_->DecryptListed(query, first, out);
  }
  Result<store::StoredRecord> Insert(std::string_view collection, std::string_view tenant,
                                     const store::NewRecord& record,
                                     std::string_view now) override {
    store::NewRecord sealed = record;
    ASSIGN_OR_RETURN(sealed.doc, s_->Encrypt(collection, tenant, record.id, record.doc, &new_keys));
    return write_->Insert(collection, tenant, sealed, now);
  }
  Result<store::StoredRecord> Update(std::string_view collection, std::string_view tenant,
                                     const store::NewRecord& record, const store::Expect& expect,
                                     std::string_view now) override {
    store::NewRecord sealed = record;
    ASSIGN_OR_RETURN(sealed.doc, s_->Encrypt(collection, tenant, record.id, record.doc, &new_keys));
    return write_->Update(collection, tenant, sealed, expect, now);
  }
  Status Delete(std::string_view collection, std::string_view tenant, std::string_view id,
                const store::Expect& expect) override {
    return write_->Delete(collection, tenant, id, expect);
  }

 private:
  EncryptingStore* s_;
  store::ReadTxn* read_;
  store::WriteTxn* write_;  // null for a read-only view
};

// Owns the inner read transaction.
class ReadView final : public store::ReadTxn {
 public:
  ReadView(EncryptingStore* s, std::unique_ptr<store::ReadTxn> inner)
      : inner_(std::move(inner)), view_(s, inner_.get(), nullptr) {}
  Result<store::StoredRecord> Get(std::string_view collection, std::string_view tenant,
                                  std::string_view id,
                                  const std::vector<store::FieldFilter>& filters) override {
    return view_.Get(collection, tenant, id, filters);
  }
  Status List(const store::ListQuery& query, std::vector<store::StoredRecord>* out) override {
    return view_.List(query, out);
  }

 private:
  std::unique_ptr<store::ReadTxn> inner_;
  Txn view_;
};

}  // namespace

EncryptingStore::EncryptingStore(std::unique_ptr<store::Store> inner, const crm::Schema* schema,
                                 std::unique_ptr<KeyProvider> keys, std::unique_ptr<Vault> vault)
    : inner_(std::move(inner)), keys_(std::move(keys)), vault_(std::move(vault)) {
  for (const crm::Collection& c : schema->collections()) {
    for (const crm::Field& f : c.fields) {
      if (f.sensitivity == crm::Sensitivity::kRestricted) restricted_[c.name].push_back(f.name);
    }
  }
}

EncryptingStore::~EncryptingStore() = default;

Result<std::string> EncryptingStore::Encrypt(std::string_view collection, std::string_view tenant,
                                             std::string_view id, const std::string& doc,
                                             NewKeys* new_keys) {
  auto fields = restricted_.find(collection);
  if (fields == restricted_.end()) return doc;
  // Most records carry no restricted field: skip the parse unless one is named in the doc.
  bool named = false;
  for (const std::string& name : fields->second) {
    named |= doc.find("\"" + name + "\":") != std::string::npos;
  }
  if (!named) return doc;
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(doc.data(), doc.size());
  if (d.HasParseError() || !d.IsObject()) return InvalidArgument("record is not a JSON object");
  std::string key;
  bool changed = false;
  for (const std::string& name : fields->second) {
    auto it = d.FindMember(name.c_str());
    if (it == d.MemberEnd() || it->value.IsNull()) continue;
    if (it->value.IsString() && std::string_view(it->value.GetString(), it->value.GetStringLength())
                                        .substr(0, kPrefix.size()) == kPrefix) {
      continue;  // already sealed (a record copied as stored)
    }
    if (key.empty()) {
      const std::string subject = SubjectOf(collection, id, d);
      const std::string pending = std::string(tenant) + '\0' + subject;
      if (auto it = new_keys->index.find(pending); it != new_keys->index.end()) {
        key = new_keys->list[it->second].key;
      } else {
        auto existing = vault_->SubjectKey(tenant, subject);
        if (existing.ok()) {
          key = *existing;
        } else if (existing.status().code() == StatusCode::kNotFound) {
          ASSIGN_OR_RETURN(key, Vault::NewSubjectKey());
          new_keys->index.emplace(pending, new_keys->list.size());
          new_keys->list.push_back({std::string(tenant), subject, key});
        } else {
          return existing.status();
        }
      }
    }
    ASSIGN_OR_RETURN(std::string blob, crypto::AesGcmEncrypt(key, Serialize(it->value),
                                                             Aad(tenant, collection, id, name)));
    const std::string sealed = std::string(kPrefix) + Base64UrlEncode(blob);
    it->value.SetString(sealed.data(), static_cast<rapidjson::SizeType>(sealed.size()),
                        d.GetAllocator());
    changed = true;
  }
  return changed ? Serialize(d) : doc;
}

Result<std::string> EncryptingStore::Decrypt(std::string_view collection, std::string_view tenant,
                                             std::string_view id, const std::string& doc) {
  auto fields = restricted_.find(collection);
  if (fields == restricted_.end() || doc.find(kPrefix) == std::string::npos) return doc;
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(doc.data(), doc.size());
  if (d.HasParseError() || !d.IsObject()) return doc;
  bool changed = false;
  for (const std::string& name : fields->second) {
    auto it = d.FindMember(name.c_str());
    if (it == d.MemberEnd() || !it->value.IsString()) continue;
    const std::string_view v(it->value.GetString(), it->value.GetStringLength());
    if (v.substr(0, kPrefix.size()) != kPrefix) continue;
    changed = true;
    auto key = vault_->SubjectKey(tenant, SubjectOf(collection, id, d));
    if (!key.ok()) {
      if (key.status().code() != StatusCode::kNotFound) return key.status();
      it->value.SetNull();  // the subject's key was destroyed: the value is gone for good
      continue;
    }
    auto blob = Base64UrlDecode(v.substr(kPrefix.size()));
    if (!blob) return DataLoss("an encrypted field is not base64url");
    ASSIGN_OR_RETURN(std::string plain,
                     crypto::AesGcmDecrypt(*key, *blob, Aad(tenant, collection, id, name)));
    rapidjson::Document value(&d.GetAllocator());
    value.Parse<rapidjson::kParseFullPrecisionFlag>(plain.data(), plain.size());
    if (value.HasParseError()) return DataLoss("a decrypted field is not JSON");
    it->value.CopyFrom(value, d.GetAllocator());
  }
  return changed ? Serialize(d) : doc;
}

Result<store::StoredRecord> EncryptingStore::Get(std::string_view collection,
                                                 std::string_view tenant, std::string_view id,
                                                 const std::vector<store::FieldFilter>& filters) {
  ASSIGN_OR_RETURN(store::StoredRecord r, inner_->Get(collection, tenant, id, filters));
  ASSIGN_OR_RETURN(r.doc, Decrypt(collection, tenant, r.id, r.doc));
  return r;
}

Status EncryptingStore::List(const store::ListQuery& query, std::vector<store::StoredRecord>* out) {
  const size_t first = out->size();
  RETURN_IF_ERROR(inner_->List(query, out));
  return DecryptListed(query, first, out);
}

Status EncryptingStore::DecryptListed(const store::ListQuery& query, size_t first,
                                      std::vector<store::StoredRecord>* out) {
  if (query.omit_doc) return Status::Ok();
  for (size_t i = first; i < out->size(); ++i) {
    auto& r = (*out)[i];
    ASSIGN_OR_RETURN(r.doc, Decrypt(query.collection, query.tenant, r.id, r.doc));
  }
  return Status::Ok();
}

Result<std::unique_ptr<store::ReadTxn>> EncryptingStore::BeginRead() {
  ASSIGN_OR_RETURN(std::unique_ptr<store::ReadTxn> inner, inner_->BeginRead());
  return std::unique_ptr<store::ReadTxn>(new ReadView(this, std::move(inner)));
}

Status EncryptingStore::RunJob(store::WriteTxn& txn,
                               const std::function<Status(store::WriteTxn&)>& fn) {
  Txn view(this, &txn, &txn);
  RETURN_IF_ERROR(fn(view));
  // Keys made by this job are durable before anything they encrypted can commit.
  return vault_->StoreSubjectKeys(view.new_keys.list);
}

Status EncryptingStore::Write(const std::function<Status(store::WriteTxn&)>& fn) {
  return inner_->Write([&](store::WriteTxn& txn) { return RunJob(txn, fn); });
}

std::future<Status> EncryptingStore::WriteAsync(std::function<Status(store::WriteTxn&)> fn) {
  return inner_->WriteAsync(
      [this, fn = std::move(fn)](store::WriteTxn& txn) { return RunJob(txn, fn); });
}

}  // namespace crmi::privacy
