#include "src/llm/answer_cache.h"

#include <algorithm>
#include <cctype>
#include <variant>

#include "src/common/crypto.h"

namespace crmi::llm {
namespace {

void AppendValue(std::string* out, const store::Value& v) {
  std::visit(
      [out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          *out += "null";
        } else if constexpr (std::is_same_v<T, std::string>) {
          *out += "s:" + std::to_string(x.size()) + ":" + x;
        } else if constexpr (std::is_same_v<T, bool>) {
          *out += x ? "true" : "false";
        } else {
          *out += std::to_string(x);
        }
      },
      v);
}

// Lower-case ASCII, whitespace runs as one space, trimmed: "What is X?" and "what  is x?" share.
std::string Normalise(std::string_view q) {
  std::string out;
  bool space = false;
  for (char c : q) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

AnswerCache::AnswerCache(size_t capacity, std::chrono::milliseconds ttl, const Clock* clock,
                         store::Store* store)
    : capacity_(capacity), ttl_(ttl), clock_(clock), store_(store) {
  if (store_ != nullptr) {
    listener_id_ = store_->AddChangeListener([this](const std::vector<store::RecordChange>& cs) {
      std::string last;
      for (const auto& c : cs) {
        if (c.tenant != last) Invalidate(c.tenant);
        last = c.tenant;
      }
    });
  }
}

AnswerCache::~AnswerCache() {
  if (store_ != nullptr) store_->RemoveChangeListener(listener_id_);
}

std::string AnswerCache::Key(const AskRequest& request, const std::string& alias,
                             const std::string& template_id) {
  // Length-prefixed fields: no two different requests serialise alike.
  std::string s;
  auto field = [&s](std::string_view v) { s += std::to_string(v.size()) + ":" + std::string(v); };
  field(Normalise(request.question));
  field(alias);
  field(template_id);
  field(request.contact_id);
  field(request.reveal ? "reveal" : "mask");
  field(std::to_string(request.k));
  std::vector<std::string> regions = request.caller_regions;
  std::sort(regions.begin(), regions.end());
  for (const auto& r : regions) field(r);
  s += "|scopes|";
  for (const auto& scope : request.scopes) {
    field(scope.collection);
    for (const auto& f : scope.rows) {
      field(f.field);
      s += std::to_string(static_cast<int>(f.op)) + "[";
      for (const auto& v : f.values) {
        AppendValue(&s, v);
        s += ",";
      }
      s += "]";
    }
    field(scope.redact_from ? std::string(crm::SensitivityName(*scope.redact_from)) : "-");
    for (const auto& m : scope.mask_fields) field(m);
    s += ";";
  }
  return crypto::Sha256Hex(s);
}

std::shared_ptr<const AskResult> AnswerCache::Get(const std::string& tenant,
                                                  const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  Entry& e = *it->second;
  if (e.tenant != tenant || e.generation != generation_[tenant] ||
      e.expires_ms <= clock_->NowUnixMillis()) {
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return e.result;
}

void AnswerCache::Put(const std::string& tenant, const std::string& key, AskResult result) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{key, tenant, generation_[tenant], clock_->NowUnixMillis() + ttl_.count(),
                        std::make_shared<const AskResult>(std::move(result))});
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

void AnswerCache::Invalidate(const std::string& tenant) {
  std::lock_guard lock(mu_);
  ++generation_[tenant];
}

size_t AnswerCache::size() {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace crmi::llm
