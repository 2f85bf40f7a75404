#include "src/retrieval/search_cache.h"

#include <algorithm>
#include <variant>

#include "src/common/crypto.h"

namespace crmi::retrieval {
namespace {

void Field(std::string* s, std::string_view v) {
  *s += std::to_string(v.size());
  *s += ':';
  s->append(v);
}

void AppendValue(std::string* out, const store::Value& v) {
  std::visit(
      [out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          *out += "null";
        } else if constexpr (std::is_same_v<T, std::string>) {
          *out += "s";
          Field(out, x);
        } else if constexpr (std::is_same_v<T, bool>) {
          *out += x ? "true" : "false";
        } else {
          *out += std::to_string(x);
        }
      },
      v);
}

void AppendList(std::string* s, const std::vector<std::string>& v) {
  *s += std::to_string(v.size()) + "[";
  for (const auto& e : v) Field(s, e);
  *s += "]";
}

}  // namespace

void AppendScopeKey(std::string* s, const std::vector<CollectionScope>& scopes,
                    const std::vector<std::string>& caller_regions) {
  std::vector<std::string> regions = caller_regions;
  std::sort(regions.begin(), regions.end());
  *s += "|regions|";
  AppendList(s, regions);
  // Counts before every list: no two different scopes serialise alike.
  *s += "|scopes|" + std::to_string(scopes.size());
  for (const auto& scope : scopes) {
    Field(s, scope.collection);
    *s += std::to_string(scope.rows.size()) + "rows";
    for (const auto& f : scope.rows) {
      Field(s, f.field);
      *s += std::to_string(static_cast<int>(f.op)) + "/" + std::to_string(f.values.size()) + "[";
      for (const auto& v : f.values) {
        AppendValue(s, v);
        *s += ",";
      }
      *s += "]";
    }
    Field(s, scope.redact_from ? std::string(crm::SensitivityName(*scope.redact_from)) : "-");
    AppendList(s, scope.mask_fields);
    *s += ";";
  }
}

std::string SearchCache::Key(const SearchRequest& r) {
  std::string s;
  Field(&s, r.query);
  s += std::to_string(r.k) + "/" + std::to_string(static_cast<int>(r.mode)) + "/" +
       std::to_string(static_cast<int>(r.fusion)) + "/" + (r.mmr ? "mmr" : "-");
  const SearchFilters& f = r.filters;
  for (const auto* list :
       {&f.collections, &f.contact_ids, &f.account_ids, &f.owner_ids, &f.regions, &f.record_ids}) {
    AppendList(&s, *list);
  }
  s += f.from_ms ? std::to_string(*f.from_ms) : "-";
  s += "/";
  s += f.to_ms ? std::to_string(*f.to_ms) : "-";
  AppendScopeKey(&s, r.scopes, r.caller_regions);
  return crypto::Sha256(s);
}

void SearchCache::EraseLocked(std::list<Entry>::iterator it) {
  auto n = per_tenant_.find(it->tenant);
  if (n != per_tenant_.end() && --n->second == 0) per_tenant_.erase(n);
  index_.erase(it->tenant + '\0' + it->key);
  lru_.erase(it);
}

std::optional<SearchResponse> SearchCache::Get(const std::string& tenant, const std::string& key,
                                               uint64_t generation) {
  std::lock_guard lock(mu_);
  auto it = index_.find(tenant + '\0' + key);
  if (it == index_.end()) return std::nullopt;
  if (it->second->generation != generation) {
    EraseLocked(it->second);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->response;
}

void SearchCache::Put(const std::string& tenant, const std::string& key, uint64_t generation,
                      SearchResponse response) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  const std::string id = tenant + '\0' + key;
  if (auto it = index_.find(id); it != index_.end()) EraseLocked(it->second);
  lru_.push_front(Entry{tenant, key, generation, std::move(response)});
  index_[id] = lru_.begin();
  ++per_tenant_[tenant];
  while (lru_.size() > capacity_) EraseLocked(std::prev(lru_.end()));
}

void SearchCache::Advance(const std::string& tenant, uint64_t generation) {
  std::lock_guard lock(mu_);
  if (per_tenant_.count(tenant) == 0) return;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->tenant == tenant && it->generation < generation) EraseLocked(it);
    it = next;
  }
}

size_t SearchCache::size() {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace crmi::retrieval
