#include "src/retrieval/chunker.h"

#include <algorithm>

#include "src/common/crypto.h"
#include "src/common/json_parse.h"
#include "src/common/time_format.h"

namespace crmi::retrieval {
namespace {

bool IsTitleField(const crm::Field& f) {
  return f.type == crm::FieldType::kString && IsTitleFieldName(f.name);
}

std::string StringAt(const rapidjson::Value& doc, std::string_view path) {
  const rapidjson::Value* v = JsonAtPath(doc, path);
  if (v == nullptr || !v->IsString()) return "";
  return std::string(v->GetString(), v->GetStringLength());
}

bool IsSentenceEnd(std::string_view text, size_t i) {
  const char c = text[i];
  if (c == '\n') return true;
  if (c != '.' && c != '!' && c != '?') return false;
  return i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n';
}

}  // namespace

bool IsTitleFieldName(std::string_view name) {
  return name == "title" || name == "subject" || name == "name";
}

std::string Chunk::IndexedText() const {
  if (title.empty()) return text;
  if (text.empty()) return title;
  return title + "\n" + text;
}

bool IsSearchable(const crm::Collection& c) {
  return std::any_of(c.fields.begin(), c.fields.end(),
                     [](const crm::Field& f) { return f.type == crm::FieldType::kText; });
}

std::vector<std::string> SearchableCollections(const crm::Schema& schema) {
  std::vector<std::string> out;
  for (const auto& c : schema.collections()) {
    if (IsSearchable(c)) out.push_back(c.name);
  }
  return out;
}

std::vector<std::pair<uint32_t, uint32_t>> SplitText(std::string_view text,
                                                     const ChunkOptions& options) {
  // Word spans first; windows are then cut on word boundaries.
  std::vector<std::pair<uint32_t, uint32_t>> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r')) {
      ++i;
    }
    const size_t s = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n' && text[i] != '\t' &&
           text[i] != '\r') {
      ++i;
    }
    if (i > s) words.emplace_back(static_cast<uint32_t>(s), static_cast<uint32_t>(i));
  }
  std::vector<std::pair<uint32_t, uint32_t>> out;
  if (words.empty()) return out;
  const size_t max_words = std::max<size_t>(options.max_words, 8);
  const size_t overlap = std::min(options.overlap_words, max_words / 2);
  size_t first = 0;
  while (first < words.size()) {
    size_t last = std::min(words.size(), first + max_words);  // exclusive
    if (last < words.size()) {
      // Prefer ending on a sentence: search the last quarter of the window backwards.
      for (size_t w = last; w > first + max_words * 3 / 4; --w) {
        const uint32_t end = words[w - 1].second;
        if (IsSentenceEnd(text, end - 1) || (end < text.size() && text[end] == '\n')) {
          last = w;
          break;
        }
      }
    }
    out.emplace_back(words[first].first, words[last - 1].second);
    if (last == words.size()) break;
    first = std::max(first + 1, last - std::min(overlap, last - first - 1));
  }
  return out;
}

Result<std::vector<Chunk>> ChunkRecord(const crm::Collection& c, std::string_view tenant,
                                       const store::StoredRecord& record,
                                       const ChunkOptions& options) {
  rapidjson::Document doc;
  JsonParseResult parsed = ParseJson(record.doc, &doc);
  if (!parsed.ok || !doc.IsObject()) {
    return InvalidArgument("record " + record.id + " is not a JSON object");
  }
  ChunkMetadata meta;
  meta.tenant = tenant;
  meta.collection = c.name;
  meta.record_id = record.id;
  meta.owner_id = StringAt(doc, "owner_id");
  meta.region = StringAt(doc, "region");
  meta.contact_id = StringAt(doc, "contact_id");
  meta.account_id = StringAt(doc, "account_id");
  const std::string parent_type = StringAt(doc, "parent_type");
  if (parent_type == "contacts") meta.contact_id = StringAt(doc, "parent_id");
  if (parent_type == "accounts") meta.account_id = StringAt(doc, "parent_id");
  meta.record_version = record.version;
  meta.record_seq = record.seq;
  std::string when = StringAt(doc, "occurred_at");
  if (when.empty()) when = record.updated_at;
  if (auto t = ParseRfc3339(when); t.ok()) meta.time_ms = *t;

  std::string title;
  crm::Sensitivity title_class = crm::Sensitivity::kPublic;
  // Restricted fields are never indexed, in passages or titles: an index must not hold them in
  // clear (issue 5), and no search may surface them.
  for (const auto& f : c.fields) {
    if (!IsTitleField(f) || f.sensitivity == crm::Sensitivity::kRestricted) continue;
    title = StringAt(doc, f.name);
    title_class = f.sensitivity;
    if (!title.empty()) break;
  }
  std::vector<Chunk> out;
  auto add = [&](std::string_view field, crm::Sensitivity cls, std::string_view value,
                 uint32_t start, uint32_t end, bool with_title) {
    Chunk ch;
    ch.field = field;
    ch.start = start;
    ch.end = end;
    if (with_title) ch.title = title;
    ch.text.assign(value.substr(start, end - start));
    ch.meta = meta;
    ch.meta.sensitivity = std::max(cls, with_title && !title.empty() ? title_class : cls);
    ch.content_hash = crypto::Sha256Hex(ch.IndexedText());
    out.push_back(std::move(ch));
  };
  for (const auto& f : c.fields) {
    if (f.type != crm::FieldType::kText || f.sensitivity == crm::Sensitivity::kRestricted) {
      continue;
    }
    const std::string value = StringAt(doc, f.name);
    for (auto [s, e] : SplitText(value, options)) add(f.name, f.sensitivity, value, s, e, true);
  }
  if (out.empty() && !title.empty()) {
    for (const auto& f : c.fields) {
      if (!IsTitleField(f) || f.sensitivity == crm::Sensitivity::kRestricted) continue;
      if (StringAt(doc, f.name) != title) continue;
      title.clear();  // the title is the passage
      const std::string value = StringAt(doc, f.name);
      add(f.name, f.sensitivity, value, 0, static_cast<uint32_t>(value.size()), false);
      break;
    }
  }
  return out;
}

}  // namespace crmi::retrieval
