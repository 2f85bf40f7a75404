#include "src/llm/answer_cache.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <variant>

#include <rapidjson/document.h>

#include "src/common/crypto.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/retrieval/search_cache.h"
#include "src/retrieval/text.h"

namespace crmi::llm {
namespace {

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

// What of a question a semantic match must share exactly: tokens with a digit, '@' or '_'
// (amounts, dates, ids, e-mail addresses) and capitalised words after the first (names),
// lower-cased, sorted, de-duplicated.
std::string Anchors(std::string_view q) {
  std::vector<std::string> out;
  size_t i = 0;
  bool first = true;
  while (i < q.size()) {
    while (i < q.size() && (std::isspace(static_cast<unsigned char>(q[i])) ||
                            std::strchr("?!,;:()[]{}\"", q[i]) != nullptr)) {
      ++i;
    }
    size_t j = i;
    while (j < q.size() && !std::isspace(static_cast<unsigned char>(q[j])) &&
           std::strchr("?!,;:()[]{}\"", q[j]) == nullptr) {
      ++j;
    }
    if (j == i) break;
    std::string_view tok = q.substr(i, j - i);
    while (!tok.empty() && (tok.back() == '.' || tok.back() == '\'')) tok.remove_suffix(1);
    bool anchor = !first && std::isupper(static_cast<unsigned char>(tok.empty() ? 'a' : tok[0]));
    for (char c : tok) {
      anchor = anchor || std::isdigit(static_cast<unsigned char>(c)) || c == '@' || c == '_' ||
               static_cast<unsigned char>(c) >= 0x80;  // non-ASCII: names in other scripts
    }
    // Negations flip a question's meaning and are stop words to the term index.
    const std::string lower = Normalise(tok);
    anchor = anchor || lower == "not" || lower == "no" || lower == "never" || lower == "cannot" ||
             lower == "without" ||
             (lower.size() > 3 && lower.compare(lower.size() - 3, 3, "n't") == 0);
    if (anchor) out.push_back(lower);
    first = false;
    i = j;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  std::string joined;
  for (const auto& a : out) joined += std::to_string(a.size()) + ":" + a;
  return joined;
}

}  // namespace

namespace {

std::string Strings(const std::vector<std::string>& v) {
  std::string out = "[";
  for (const auto& e : v) {
    if (out.size() > 1) out += ",";
    AppendJsonString(&out, e);
  }
  return out + "]";
}

std::string PassageJson(const ContextPassage& p) {
  return JsonObject()
      .Add("id", p.id)
      .Add("collection", p.collection)
      .Add("record_id", p.record_id)
      .Add("field", p.field)
      .Add("region", p.region)
      .Add("title", p.title)
      .Add("text", p.text)
      .Finish();
}

std::string S(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

double D(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it == o.MemberEnd() || !it->value.IsNumber() ? 0 : it->value.GetDouble();
}

int64_t I(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it == o.MemberEnd() || !it->value.IsInt64() ? 0 : it->value.GetInt64();
}

std::vector<std::string> Ss(const rapidjson::Value& o, const char* name) {
  std::vector<std::string> out;
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& e : it->value.GetArray()) {
    if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
  }
  return out;
}

const rapidjson::Value* Arr(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it == o.MemberEnd() || !it->value.IsArray() ? nullptr : &it->value;
}

}  // namespace

std::string AskResultToJson(const AskResult& r) {
  std::string citations = "[";
  for (const auto& c : r.citations) {
    if (citations.size() > 1) citations += ",";
    citations += JsonObject().Add("n", c.n).AddRaw("passage", PassageJson(c.passage)).Finish();
  }
  citations += "]";
  std::string safety = "[";
  for (const auto& f : r.safety) {
    if (safety.size() > 1) safety += ",";
    safety += JsonObject()
                  .Add("id", f.id)
                  .Add("score", f.score)
                  .AddRaw("reasons", Strings(f.reasons))
                  .Add("action", SafetyActionName(f.action))
                  .Finish();
  }
  safety += "]";
  std::string stages = "[";
  for (const auto& [stage, ms] : r.stage_ms) {
    if (stages.size() > 1) stages += ",";
    stages += JsonObject().Add("stage", stage).Add("ms", ms).Finish();
  }
  stages += "]";
  return JsonObject()
      .Add("format", 1)
      .Add("answer", r.answer)
      .Add("tool_calls", r.tool_calls_json)
      .Add("finish_reason", r.finish_reason)
      .AddRaw("citations", citations)
      .Add("model", r.model_alias)
      .Add("backend", r.backend.name)
      .Add("backend_model", r.backend.model)
      .Add("backend_region", r.backend.region)
      .Add("extractive", r.backend.extractive)
      .AddRaw("fallbacks", Strings(r.fallbacks))
      .Add("groundedness", r.groundedness)
      .Add("grounded", r.grounded)
      .Add("injection", r.injection)
      .Add("output_risk", r.output_risk)
      .AddRaw("output_reasons", Strings(r.output_reasons))
      .AddRaw("safety", safety)
      .Add("prompt_tokens", r.usage.prompt)
      .Add("completion_tokens", r.usage.completion)
      .Add("estimated", r.usage.estimated)
      .AddRaw("retrieved", Strings(r.retrieved))
      .Add("anonymized", static_cast<uint64_t>(r.anonymized))
      .Add("input_sha256", r.input_sha256)
      .Add("output_sha256", r.output_sha256)
      .Add("template", r.template_name)
      .Add("template_version", r.template_version)
      .AddRaw("stages", stages)
      .Finish();
}

Result<AskResult> AskResultFromJson(std::string_view json) {
  rapidjson::Document d;
  if (!ParseJson(json, &d).ok || !d.IsObject() || I(d, "format") != 1) {
    return DataLoss("not a cached answer");
  }
  AskResult r;
  r.answer = S(d, "answer");
  r.tool_calls_json = S(d, "tool_calls");
  r.finish_reason = S(d, "finish_reason");
  if (const auto* a = Arr(d, "citations")) {
    for (const auto& c : a->GetArray()) {
      if (!c.IsObject() || !c.HasMember("passage") || !c["passage"].IsObject()) {
        return DataLoss("a cached citation is malformed");
      }
      Citation cit;
      cit.n = static_cast<int>(I(c, "n"));
      const auto& p = c["passage"];
      cit.passage = {S(p, "id"),     S(p, "collection"), S(p, "record_id"), S(p, "field"),
                     S(p, "region"), S(p, "title"),      S(p, "text")};
      r.citations.push_back(std::move(cit));
    }
  }
  r.model_alias = S(d, "model");
  r.backend.name = S(d, "backend");
  r.backend.model = S(d, "backend_model");
  r.backend.region = S(d, "backend_region");
  r.backend.extractive =
      d.HasMember("extractive") && d["extractive"].IsBool() && d["extractive"].GetBool();
  r.fallbacks = Ss(d, "fallbacks");
  r.groundedness = D(d, "groundedness");
  r.grounded = !d.HasMember("grounded") || !d["grounded"].IsBool() || d["grounded"].GetBool();
  r.injection = D(d, "injection");
  r.output_risk = D(d, "output_risk");
  r.output_reasons = Ss(d, "output_reasons");
  if (const auto* a = Arr(d, "safety")) {
    for (const auto& f : a->GetArray()) {
      if (!f.IsObject()) return DataLoss("a cached safety finding is malformed");
      auto action = ParseSafetyAction(S(f, "action"));
      if (!action) return DataLoss("a cached safety action is unknown");
      r.safety.push_back({S(f, "id"), D(f, "score"), Ss(f, "reasons"), *action});
    }
  }
  r.usage.prompt = I(d, "prompt_tokens");
  r.usage.completion = I(d, "completion_tokens");
  r.usage.estimated =
      d.HasMember("estimated") && d["estimated"].IsBool() && d["estimated"].GetBool();
  r.retrieved = Ss(d, "retrieved");
  r.anonymized = static_cast<size_t>(std::max<int64_t>(0, I(d, "anonymized")));
  r.input_sha256 = S(d, "input_sha256");
  r.output_sha256 = S(d, "output_sha256");
  r.template_name = S(d, "template");
  r.template_version = S(d, "template_version");
  if (const auto* a = Arr(d, "stages")) {
    for (const auto& st : a->GetArray()) {
      if (st.IsObject()) r.stage_ms.emplace_back(S(st, "stage"), D(st, "ms"));
    }
  }
  return r;
}

AnswerCache::AnswerCache(size_t capacity, std::chrono::milliseconds ttl, const Clock* clock,
                         store::Store* store, SharedAnswers* shared)
    : capacity_(capacity), ttl_(ttl), clock_(clock), store_(store), shared_(shared) {
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
  return ScopedKey(request, alias, template_id, "q" + Normalise(request.question));
}

std::string AnswerCache::SimilarKey(const AskRequest& request, const std::string& alias,
                                    const std::string& template_id, bool with_terms) {
  std::string key = "a" + Anchors(request.question);
  if (with_terms) {
    // The same content terms (stemmed, stop words out), in any order: paraphrases that only
    // reorder, inflect or change function words. Without this, cosine ≥ 0.9 of the built-in
    // embedder served another intent's answer on 9.8 % of Bitext's questions; with it, none
    // (bench/llm/semantic_cache_eval.cc).
    std::vector<std::string> terms = retrieval::TermTexts(request.question);
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    key += "|t";
    for (const auto& t : terms) key += std::to_string(t.size()) + ":" + t;
  }
  return ScopedKey(request, alias, template_id, key);
}

std::string AnswerCache::ScopedKey(const AskRequest& request, const std::string& alias,
                                   const std::string& template_id, const std::string& question) {
  // Length-prefixed fields: no two different requests serialise alike.
  std::string s;
  auto field = [&s](std::string_view v) { s += std::to_string(v.size()) + ":" + std::string(v); };
  field(question);
  field(alias);
  field(template_id);
  s += "|variables|" + std::to_string(request.variables.size()) + "|";
  for (const auto& [name, value] : request.variables) {
    field(name);
    field(value);
  }
  field(request.contact_id);
  field(request.reveal ? "reveal" : "mask");
  field(request.question_action ? SafetyActionName(*request.question_action) : "-");
  s += "|denied-topics|" + std::to_string(request.denied_topics.size()) + "|";
  for (const auto& t : request.denied_topics) field(t);
  field(std::to_string(request.k));
  retrieval::AppendScopeKey(&s, request.scopes, request.caller_regions);
  return crypto::Sha256Hex(s);
}

AnswerCache::Stamp AnswerCache::Begin(const std::string& tenant) {
  Stamp stamp;
  {
    std::lock_guard lock(mu_);
    stamp.local = generation_[tenant];
  }
  if (shared_ != nullptr && capacity_ > 0) stamp.shared = shared_->Generation(tenant);
  return stamp;
}

std::shared_ptr<const AskResult> AnswerCache::Get(const std::string& tenant, const std::string& key,
                                                  const Stamp& stamp, bool* shared_hit) {
  if (shared_hit != nullptr) *shared_hit = false;
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      Entry& e = *it->second;
      if (e.tenant != tenant || e.generation != generation_[tenant] ||
          e.expires_ms <= clock_->NowUnixMillis()) {
        lru_.erase(it->second);
        index_.erase(it);
      } else {
        lru_.splice(lru_.begin(), lru_, it->second);
        return e.result;
      }
    }
  }
  if (shared_ == nullptr || !stamp.shared) return nullptr;
  std::optional<std::string> value = shared_->Get(tenant, *stamp.shared, key);
  if (!value) return nullptr;
  auto parsed = AskResultFromJson(*value);
  if (!parsed.ok()) return nullptr;  // another version's format, or damage: a miss
  auto result = std::make_shared<const AskResult>(std::move(parsed).value());
  {
    std::lock_guard lock(mu_);
    if (stamp.local == generation_[tenant]) {
      InsertLocked(tenant, key, stamp.local, result, "", {});
    }
  }
  if (shared_hit != nullptr) *shared_hit = true;
  return result;
}

std::shared_ptr<const AskResult> AnswerCache::GetSimilar(const std::string& tenant,
                                                         const std::string& similar_key,
                                                         const std::vector<float>& embedding,
                                                         double threshold, double* similarity) {
  if (embedding.empty()) return nullptr;
  std::lock_guard lock(mu_);
  auto bucket = similar_.find(tenant + '\0' + similar_key);
  if (bucket == similar_.end()) return nullptr;
  const int64_t now = clock_->NowUnixMillis();
  const uint64_t generation = generation_[tenant];
  std::shared_ptr<const AskResult> best;
  double best_sim = threshold;
  for (auto it = bucket->second.begin(); it != bucket->second.end();) {
    auto e = index_.find(*it);
    if (e == index_.end() || e->second->generation != generation || e->second->expires_ms <= now) {
      it = bucket->second.erase(it);  // its entry is gone or no longer valid
      --similar_keys_;
      continue;
    }
    const std::vector<float>& v = e->second->embedding;
    if (v.size() == embedding.size()) {
      double dot = 0;
      for (size_t i = 0; i < v.size(); ++i) dot += static_cast<double>(v[i]) * embedding[i];
      if (dot >= best_sim) {
        best_sim = dot;
        best = e->second->result;
        lru_.splice(lru_.begin(), lru_, e->second);
      }
    }
    ++it;
  }
  if (bucket->second.empty()) similar_.erase(bucket);
  if (best != nullptr && similarity != nullptr) *similarity = best_sim;
  return best;
}

void AnswerCache::PruneSimilarLocked() {
  similar_keys_ = 0;
  for (auto b = similar_.begin(); b != similar_.end();) {
    b->second.remove_if([&](const std::string& k) { return index_.count(k) == 0; });
    similar_keys_ += b->second.size();
    b = b->second.empty() ? similar_.erase(b) : std::next(b);
  }
}

void AnswerCache::InsertLocked(const std::string& tenant, const std::string& key,
                               uint64_t generation, std::shared_ptr<const AskResult> result,
                               const std::string& similar_key, std::vector<float> embedding) {
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{key, tenant, generation, clock_->NowUnixMillis() + ttl_.count(),
                        std::move(result), std::move(embedding)});
  if (!similar_key.empty() && !lru_.front().embedding.empty()) {
    similar_[tenant + '\0' + similar_key].push_front(key);
    // Keys of evicted entries linger in their buckets until looked at; bound them.
    if (++similar_keys_ > 2 * capacity_ + 64) PruneSimilarLocked();
  }
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

void AnswerCache::Put(const std::string& tenant, const std::string& key, const Stamp& stamp,
                      AskResult result, const std::string& similar_key,
                      std::vector<float> embedding) {
  if (capacity_ == 0) return;
  auto shared_result = std::make_shared<const AskResult>(std::move(result));
  {
    std::lock_guard lock(mu_);
    if (stamp.local != generation_[tenant]) return;  // computed from records changed since
    InsertLocked(tenant, key, stamp.local, shared_result, similar_key, std::move(embedding));
  }
  if (shared_ != nullptr && stamp.shared) {
    shared_->Put(tenant, *stamp.shared, key, AskResultToJson(*shared_result), ttl_);
  }
}

void AnswerCache::Invalidate(const std::string& tenant) {
  {
    std::lock_guard lock(mu_);
    ++generation_[tenant];
  }
  if (shared_ != nullptr) shared_->Advance(tenant);
}

size_t AnswerCache::size() {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace crmi::llm
