// Encryption at rest of restricted fields: a store::Store decorator.
//
// Fields the schema classifies `restricted` (contacts.date_of_birth today) are written as
// "enc1:<base64url(AES-256-GCM nonce ‖ ciphertext ‖ tag)>" under the data key of the record's
// subject — the contact itself, or the contact its `contact_id` names — bound to (tenant,
// collection, record, field). Reads decrypt, so everything above the store sees clear values and
// the database files never hold them. Subject keys live in the vault, wrapped by the master key;
// a key made by a write is stored (one transaction per write job, so one fsync per import batch)
// before the write commits. Destroying a subject's key (Vault::DestroySubjectKey) shreds the
// fields: reads then give null, from the live database or from any backup of it.
//
// Restricted fields cannot be filtered on (the store compares ciphertext). Only top-level fields
// are encrypted.
//
// Thread-safety: as the wrapped store.
#ifndef CRMI_PRIVACY_ENCRYPTING_STORE_H_
#define CRMI_PRIVACY_ENCRYPTING_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/crm/schema.h"
#include "src/privacy/keys.h"
#include "src/privacy/vault.h"
#include "src/store/store.h"

namespace crmi::privacy {

class EncryptingStore final : public store::Store {
 public:
  // Owns `inner`, `keys` and `vault` (opened over `keys`).
  EncryptingStore(std::unique_ptr<store::Store> inner, const crm::Schema* schema,
                  std::unique_ptr<KeyProvider> keys, std::unique_ptr<Vault> vault);
  ~EncryptingStore() override;

  Vault* vault() { return vault_.get(); }
  store::Store* inner() { return inner_.get(); }

  // Keys made by one write job, not yet stored.
  struct NewKeys {
    std::vector<Vault::SubjectKeyEntry> list;
    std::unordered_map<std::string, size_t> index;  // "<tenant>\0<subject>" → list position
  };
  // The doc as stored / as read; exposed for tests and tools.
  Result<std::string> Encrypt(std::string_view collection, std::string_view tenant,
                              std::string_view id, const std::string& doc, NewKeys* new_keys);
  Result<std::string> Decrypt(std::string_view collection, std::string_view tenant,
                              std::string_view id, const std::string& doc);
  // Decrypts the docs of (*out)[first..] that a List for `query` appended.
  Status DecryptListed(const store::ListQuery& query, size_t first,
                       std::vector<store::StoredRecord>* out);

  using store::Store::Get;
  Result<store::StoredRecord> Get(std::string_view collection, std::string_view tenant,
                                  std::string_view id,
                                  const std::vector<store::FieldFilter>& filters) override;
  Status List(const store::ListQuery& query, std::vector<store::StoredRecord>* out) override;
  Result<std::unique_ptr<store::ReadTxn>> BeginRead() override;
  Status Write(const std::function<Status(store::WriteTxn&)>& fn) override;
  std::future<Status> WriteAsync(std::function<Status(store::WriteTxn&)> fn) override;
  int AddChangeListener(
      std::function<void(const std::vector<store::RecordChange>&)> listener) override {
    return inner_->AddChangeListener(std::move(listener));
  }
  void RemoveChangeListener(int id) override { inner_->RemoveChangeListener(id); }
  Status Checkpoint() override { return inner_->Checkpoint(); }
  Status ListTenants(std::vector<std::string>* out) override { return inner_->ListTenants(out); }
  Status CheckIntegrity(std::string* report) override { return inner_->CheckIntegrity(report); }
  store::StoreInfo Info() const override { return inner_->Info(); }
  bool Ready() const override { return inner_->Ready(); }
  Status Close() override { return inner_->Close(); }

 private:
  // Runs `fn` over a decrypting/encrypting view of `txn`, then stores the keys it made.
  Status RunJob(store::WriteTxn& txn, const std::function<Status(store::WriteTxn&)>& fn);

  std::unique_ptr<store::Store> inner_;
  std::unique_ptr<KeyProvider> keys_;
  std::unique_ptr<Vault> vault_;
  std::map<std::string, std::vector<std::string>, std::less<>> restricted_;  // collection → fields
};

}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_ENCRYPTING_STORE_H_
