// The retrieval cache: search results reused for an identical search (query, k, mode, filters)
// in an identical policy scope (every collection's row filter with its values, masks and
// redaction, and the caller's regions) against an unchanged index — so a result never crosses a
// permission boundary and is never stale.
//
// Staleness: each tenant's index has a generation, bumped after every change it applies and at
// every model swap. A search reads the generation before it runs and stores its result under it;
// a result is served only while the generation is the same. A change that lands while a search
// runs therefore makes its result unservable, never wrong. Entries of a tenant whose generation
// moved are dropped (memory too: an erased subject's passages do not linger here).
//
// Thread-safety: all methods may be called concurrently.
#ifndef CRMI_RETRIEVAL_SEARCH_CACHE_H_
#define CRMI_RETRIEVAL_SEARCH_CACHE_H_

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/retrieval/retrieval_service.h"

namespace crmi::retrieval {

// The caller's policy scope and regions, serialised unambiguously (for cache keys).
void AppendScopeKey(std::string* out, const std::vector<CollectionScope>& scopes,
                    const std::vector<std::string>& caller_regions);

class SearchCache {
 public:
  explicit SearchCache(size_t capacity) : capacity_(capacity) {}

  // Everything of `r` that decides its result except the tenant, hashed.
  static std::string Key(const SearchRequest& r);

  std::optional<SearchResponse> Get(const std::string& tenant, const std::string& key,
                                    uint64_t generation);
  void Put(const std::string& tenant, const std::string& key, uint64_t generation,
           SearchResponse response);
  // The tenant's index moved to `generation`: its older entries go.
  void Advance(const std::string& tenant, uint64_t generation);
  size_t size();

 private:
  struct Entry {
    std::string tenant, key;
    uint64_t generation = 0;
    SearchResponse response;
  };
  void EraseLocked(std::list<Entry>::iterator it);
  const size_t capacity_;
  std::mutex mu_;
  std::list<Entry> lru_;                                               // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;  // tenant '\0' key
  std::unordered_map<std::string, size_t> per_tenant_;  // entries held, to skip empty scans
};

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_SEARCH_CACHE_H_
