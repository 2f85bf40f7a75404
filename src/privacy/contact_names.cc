#include "src/privacy/contact_names.h"

#include <rapidjson/document.h>

#include "src/common/log.h"

namespace crmi::privacy {
namespace {

// Collections whose records are people with first_name / last_name.
constexpr std::string_view kPeople[] = {"contacts", "leads"};
// A pending key that stands for the whole tenant.
constexpr std::string_view kReload = "*";

bool IsPeople(std::string_view collection) {
  for (std::string_view c : kPeople) {
    if (c == collection) return true;
  }
  return false;
}

NameDictionary::Name NameOf(const std::string& doc) {
  NameDictionary::Name name;
  rapidjson::Document d;
  d.Parse(doc.data(), doc.size());
  if (d.HasParseError() || !d.IsObject()) return name;
  auto get = [&](const char* field, std::string* out) {
    auto it = d.FindMember(field);
    if (it != d.MemberEnd() && it->value.IsString()) {
      out->assign(it->value.GetString(), it->value.GetStringLength());
    }
  };
  get("first_name", &name.first);
  get("last_name", &name.last);
  return name;
}

std::shared_ptr<const NameDictionary> Rebuild(
    const std::map<std::string, NameDictionary::Name>& by_id) {
  std::vector<NameDictionary::Name> names;
  names.reserve(by_id.size());
  for (const auto& [key, name] : by_id) names.push_back(name);
  return NameDictionary::Build(names);
}

}  // namespace

ContactNames::ContactNames(store::Store* store, Options options)
    : store_(store), options_(options) {}

ContactNames::~ContactNames() { Stop(); }

Status ContactNames::Start() {
  listener_id_ = store_->AddChangeListener(
      [this](const std::vector<store::RecordChange>& changes) { OnChanges(changes); });
  worker_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void ContactNames::Stop() {
  if (listener_id_ != 0) store_->RemoveChangeListener(listener_id_);
  listener_id_ = 0;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::shared_ptr<const NameDictionary> ContactNames::For(const std::string& tenant) const {
  {
    std::lock_guard lock(mu_);
    auto it = published_.find(tenant);
    if (it != published_.end()) return it->second;
  }
  return NameDictionary::Builtin();
}

Result<std::shared_ptr<const NameDictionary>> ContactNames::Current(
    const std::string& tenant, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  auto count = [](const std::map<std::string, uint64_t>& m, const std::string& t) {
    auto it = m.find(t);
    return it == m.end() ? uint64_t{0} : it->second;
  };
  const uint64_t wanted = count(announced_, tenant);
  const bool ready = idle_cv_.wait_for(lock, timeout, [&] {
    return stop_ || (loaded_ && count(applied_, tenant) >= wanted && unloaded_.count(tenant) == 0);
  });
  if (!ready || stop_) {
    return Unavailable("the names of this tenant's contacts are not loaded yet; retry shortly");
  }
  auto it = published_.find(tenant);
  if (it != published_.end()) return it->second;
  return NameDictionary::Builtin();
}

void ContactNames::WaitIdle() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return stop_ || (loaded_ && !busy_ && pending_.empty()); });
}

void ContactNames::OnChanges(const std::vector<store::RecordChange>& changes) {
  bool any = false;
  {
    std::lock_guard lock(mu_);
    for (const auto& c : changes) {
      if (!IsPeople(c.collection)) continue;
      pending_[c.tenant].insert(c.collection + "/" + c.id);
      ++announced_[c.tenant];
      any = true;
    }
  }
  if (any) cv_.notify_all();
}

Status ContactNames::LoadTenant(const std::string& tenant, Tenant* out) {
  for (std::string_view collection : kPeople) {
    store::ListQuery q;
    q.collection = std::string(collection);
    q.tenant = tenant;
    q.limit = 10000;
    while (true) {
      std::vector<store::StoredRecord> page;
      RETURN_IF_ERROR(store_->List(q, &page));
      for (const auto& r : page) {
        out->by_id[q.collection + "/" + r.id] = NameOf(r.doc);
        q.after_seq = r.seq;
      }
      if (static_cast<int>(page.size()) < q.limit) break;
    }
  }
  out->dictionary = Rebuild(out->by_id);
  return Status::Ok();
}

Status ContactNames::Refresh(const std::string& tenant, const std::set<std::string>& keys,
                             Tenant* t) {
  for (const std::string& key : keys) {
    const size_t slash = key.find('/');
    auto r = store_->Get(std::string_view(key).substr(0, slash), tenant,
                         std::string_view(key).substr(slash + 1));
    if (r.ok()) {
      t->by_id[key] = NameOf(r.value().doc);
    } else if (r.status().code() == StatusCode::kNotFound) {
      t->by_id.erase(key);
    } else {
      return r.status();
    }
  }
  t->dictionary = Rebuild(t->by_id);
  return Status::Ok();
}

void ContactNames::Loop() {
  std::map<std::string, Tenant> tenants;  // owned by this thread
  std::vector<std::string> names;
  Status s = store_->ListTenants(&names);
  if (!s.ok())
    log::Warn("contact names: cannot list tenants", log::Fields().Add("error", s.ToString()));
  for (const std::string& tenant : names) {
    {
      std::lock_guard lock(mu_);
      if (stop_) break;
    }
    Tenant t;
    s = LoadTenant(tenant, &t);
    if (!s.ok()) {
      log::Warn(
          "contact names: load failed; retrying (until then, text of this tenant is not "
          "sent to remote models)",
          log::Fields().Add("tenant", tenant).Add("error", s.ToString()));
      std::lock_guard lock(mu_);
      pending_[tenant].insert(std::string(kReload));
      unloaded_.insert(tenant);
      continue;
    }
    std::lock_guard lock(mu_);
    published_[tenant] = t.dictionary;
    tenants[tenant] = std::move(t);
  }
  std::unique_lock lock(mu_);
  loaded_ = true;
  idle_cv_.notify_all();
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (stop_) break;
    // Gather what arrives within the debounce window into one rebuild per tenant.
    cv_.wait_for(lock, options_.debounce, [&] { return stop_; });
    if (stop_) break;
    auto batch = std::move(pending_);
    pending_.clear();
    std::map<std::string, uint64_t> covers;  // what each tenant's part of the batch covers
    for (const auto& [tenant, keys] : batch) covers[tenant] = announced_[tenant];
    busy_ = true;
    lock.unlock();
    for (auto& [tenant, keys] : batch) {
      Tenant& t = tenants[tenant];
      if (keys.count(std::string(kReload))) {
        Tenant fresh;
        s = LoadTenant(tenant, &fresh);
        if (s.ok()) t = std::move(fresh);
      } else {
        s = Refresh(tenant, keys, &t);
      }
      if (!s.ok()) {
        log::Warn("contact names: refresh failed; retrying",
                  log::Fields().Add("tenant", tenant).Add("error", s.ToString()));
        std::lock_guard relock(mu_);
        pending_[tenant].insert(keys.begin(), keys.end());
        continue;
      }
      std::lock_guard relock(mu_);
      published_[tenant] = t.dictionary;
      applied_[tenant] = covers[tenant];
      unloaded_.erase(tenant);
      idle_cv_.notify_all();
    }
    lock.lock();
    busy_ = false;
    idle_cv_.notify_all();
  }
  busy_ = false;
  idle_cv_.notify_all();
}

}  // namespace crmi::privacy
