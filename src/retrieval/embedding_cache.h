// Embeddings cached by content: a decorator over any Embedder keyed by (model, version, SHA-256
// of the text), so an unchanged passage is never sent to a model twice — across records, across
// re-reads of one record, and across tenants sharing a remote model. Least recently used entries
// leave first.
//
// Thread-safety: Embed is safe to call concurrently (one mutex around the map; the inner
// embedder is called outside it).
#ifndef CRMI_RETRIEVAL_EMBEDDING_CACHE_H_
#define CRMI_RETRIEVAL_EMBEDDING_CACHE_H_

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/retrieval/embedder.h"

namespace crmi::retrieval {

class CachedEmbedder final : public Embedder {
 public:
  CachedEmbedder(std::shared_ptr<Embedder> inner, size_t capacity);

  const EmbedderInfo& info() const override { return inner_->info(); }
  Status Embed(std::span<const std::string> texts, std::vector<float>* out) override;

  uint64_t hits() const { return hits_.load(); }
  uint64_t misses() const { return misses_.load(); }
  size_t size() const;

 private:
  struct Entry {
    std::string key;
    std::vector<float> vector;
  };
  std::string KeyOf(const std::string& text) const;

  std::shared_ptr<Embedder> inner_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> map_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_EMBEDDING_CACHE_H_
