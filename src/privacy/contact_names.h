// The names of each tenant's contacts and leads as NameDictionary snapshots for the detector,
// kept current from the store's change announcements.
//
// Start() loads every tenant on a background thread (until a tenant is loaded, For() returns the
// built-in dictionary); afterwards each committed change of a contact or lead is re-read and the
// tenant's dictionary rebuilt, at most once per `debounce`. A reader holds a shared_ptr to an
// immutable snapshot, so a rebuild never blocks or disturbs a scan.
//
// Thread-safety: all methods may be called from any thread.
#ifndef CRMI_PRIVACY_CONTACT_NAMES_H_
#define CRMI_PRIVACY_CONTACT_NAMES_H_

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "src/common/status.h"
#include "src/privacy/detector.h"
#include "src/store/store.h"

namespace crmi::privacy {

class ContactNames {
 public:
  struct Options {
    std::chrono::milliseconds debounce{200};
  };
  // `store` must outlive this object.
  ContactNames(store::Store* store, Options options);
  explicit ContactNames(store::Store* store) : ContactNames(store, Options{}) {}
  ~ContactNames();
  ContactNames(const ContactNames&) = delete;
  ContactNames& operator=(const ContactNames&) = delete;

  Status Start();
  void Stop();

  // The tenant's dictionary; the built-in one while it is loading or when it has no contacts.
  std::shared_ptr<const NameDictionary> For(const std::string& tenant) const;
  // The tenant's dictionary once it holds every change of a contact or lead announced before
  // this call (and the initial load is done) — for text about to leave crmi, where a name the
  // dictionary learns a moment later would already be gone. Waits up to `timeout`, then
  // kUnavailable (the caller refuses, and retries later).
  Result<std::shared_ptr<const NameDictionary>> Current(const std::string& tenant,
                                                        std::chrono::milliseconds timeout) const;
  // Blocks until every change announced so far is in the dictionaries (tests).
  void WaitIdle();

 private:
  struct Tenant {
    std::map<std::string, NameDictionary::Name> by_id;  // "<collection>/<id>" → name
    std::shared_ptr<const NameDictionary> dictionary;
  };
  void OnChanges(const std::vector<store::RecordChange>& changes);
  void Loop();
  Status LoadTenant(const std::string& tenant, Tenant* out);
  Status Refresh(const std::string& tenant, const std::set<std::string>& keys, Tenant* t);

  store::Store* const store_;
  const Options options_;
  int listener_id_ = 0;
  std::thread worker_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  mutable std::condition_variable idle_cv_;
  bool stop_ = false;
  bool loaded_ = false;  // the initial load is done
  bool busy_ = false;
  // tenant → "<collection>/<id>", or kReload for the whole tenant (its load failed)
  std::map<std::string, std::set<std::string>> pending_;
  std::map<std::string, std::shared_ptr<const NameDictionary>> published_;
  // Per tenant: announcements received, and the last one whose changes are published.
  std::map<std::string, uint64_t> announced_;
  std::map<std::string, uint64_t> applied_;
  std::set<std::string> unloaded_;  // tenants whose load failed (until a reload succeeds)
};

}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_CONTACT_NAMES_H_
