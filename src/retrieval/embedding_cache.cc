#include "src/retrieval/embedding_cache.h"

#include "src/common/crypto.h"

namespace crmi::retrieval {

CachedEmbedder::CachedEmbedder(std::shared_ptr<Embedder> inner, size_t capacity)
    : inner_(std::move(inner)), capacity_(capacity) {}

std::string CachedEmbedder::KeyOf(const std::string& text) const {
  return inner_->info().Key() + "#" + crypto::Sha256(text);
}

size_t CachedEmbedder::size() const {
  std::lock_guard lock(mu_);
  return map_.size();
}

Status CachedEmbedder::Embed(std::span<const std::string> texts, std::vector<float>* out) {
  const size_t dim = inner_->info().dim;
  std::vector<float> result(texts.size() * dim);
  std::vector<std::string> keys;
  std::vector<std::string> missing;
  std::vector<size_t> slots;
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < texts.size(); ++i) {
      keys.push_back(KeyOf(texts[i]));
      auto it = map_.find(keys.back());
      if (it != map_.end() && it->second->vector.size() == dim) {
        std::copy(it->second->vector.begin(), it->second->vector.end(),
                  result.begin() + static_cast<ptrdiff_t>(i * dim));
        lru_.splice(lru_.begin(), lru_, it->second);
        ++hits_;
      } else {
        missing.push_back(texts[i]);
        slots.push_back(i);
      }
    }
  }
  if (!missing.empty()) {
    misses_ += missing.size();
    std::vector<float> fresh;
    RETURN_IF_ERROR(inner_->Embed(missing, &fresh));
    std::lock_guard lock(mu_);
    for (size_t j = 0; j < slots.size(); ++j) {
      auto first = fresh.begin() + static_cast<ptrdiff_t>(j * dim);
      std::copy(first, first + static_cast<ptrdiff_t>(dim),
                result.begin() + static_cast<ptrdiff_t>(slots[j] * dim));
      if (capacity_ == 0 || map_.count(keys[slots[j]])) continue;
      lru_.push_front(
          {keys[slots[j]], std::vector<float>(first, first + static_cast<ptrdiff_t>(dim))});
      map_[keys[slots[j]]] = lru_.begin();
      if (map_.size() > capacity_) {
        map_.erase(lru_.back().key);
        lru_.pop_back();
      }
    }
  }
  out->insert(out->end(), result.begin(), result.end());
  return Status::Ok();
}

}  // namespace crmi::retrieval
