#include "src/crm/record.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "src/common/ids.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"

namespace crmi::crm {
namespace {

using rapidjson::Document;
using rapidjson::Value;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr int kMaxJsonDepth = 32;
constexpr size_t kMaxErrors = 10;
constexpr size_t kMaxArrayItems = 100;

std::string_view Str(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

bool HasDuplicateKeys(const Value& obj) {
  const auto n = obj.MemberCount();
  if (n < 2) return false;
  if (n <= 16) {
    for (auto a = obj.MemberBegin(); a != obj.MemberEnd(); ++a) {
      for (auto b = a + 1; b != obj.MemberEnd(); ++b) {
        if (Str(a->name) == Str(b->name)) return true;
      }
    }
    return false;
  }
  std::vector<std::string_view> names;
  names.reserve(n);
  for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) names.push_back(Str(m->name));
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) != names.end();
}

// Depth and duplicate-key check for free JSON (custom); recursion bounded by kMaxJsonDepth.
bool CheckFreeJson(const Value& v, int depth, std::string* why) {
  if (depth > kMaxJsonDepth) {
    *why = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return false;
  }
  if (v.IsObject()) {
    if (HasDuplicateKeys(v)) {
      *why = "duplicate key";
      return false;
    }
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      if (!CheckFreeJson(m->value, depth + 1, why)) return false;
    }
  } else if (v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      if (!CheckFreeJson(item, depth + 1, why)) return false;
    }
  }
  return true;
}

bool IsValidEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || s.find('@', at + 1) != s.npos) {
    return false;
  }
  for (size_t i = 0; i < at; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c <= ' ' || c == 0x7F || c == '(' || c == ')' || c == ',' || c == ';' || c == '<' ||
        c == '>' || c == '[' || c == ']' || c == '\\' || c == '"') {
      return false;
    }
  }
  std::string_view domain = s.substr(at + 1);
  if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) dot = domain.size();
    std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char ch : label) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    if (dot == domain.size()) {
      // The top-level label is never all digits (rules out 1.2.3.4 as a domain).
      if (std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
      }
      break;
    }
    start = dot + 1;
  }
  return true;
}

bool IsValidPhone(std::string_view s) {
  int digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '+') {
      if (i != 0) return false;
    } else if (!(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' ||
                 c == 'x')) {
      return false;
    }
  }
  return digits >= 5 && digits <= 20;
}

bool IsValidLocale(std::string_view s) {
  if (s.empty() || s.size() > 35) return false;
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t dash = s.find('-', start);
    std::string_view part = s.substr(start, dash == s.npos ? s.npos : dash - start);
    if (first) {
      if (part.size() < 2 || part.size() > 3) return false;
      for (char c : part) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
      }
      first = false;
    } else {
      if (part.empty() || part.size() > 8) return false;
      for (char c : part) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
          return false;
        }
      }
    }
    if (dash == s.npos) return true;
    start = dash + 1;
  }
}

bool IsValidRegion(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsCurrency(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string JoinEnum(const Field& f) {
  std::string out;
  for (size_t i = 0; i < f.enum_values.size(); ++i) {
    if (i) out += ", ";
    out += f.enum_values[i];
  }
  return out;
}

std::string RangeText(const Field& f) {
  std::string out;
  auto num = [](double d) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", d);
    return std::string(buf);
  };
  if (f.min && f.max) return " between " + num(*f.min) + " and " + num(*f.max);
  if (f.min) return " >= " + num(*f.min);
  if (f.max) return " <= " + num(*f.max);
  return out;
}

// A field's default as a JSON value, parsed once per thread (defaults are schema constants; the
// text is compared so a schema freed and another allocated at the same address cannot alias).
const Value& DefaultValue(const Field& f) {
  thread_local std::unordered_map<const Field*, std::pair<std::string, Document>> cache;
  auto& [text, doc] = cache[&f];
  if (text != f.default_json || doc.IsNull()) {
    text = f.default_json;
    doc.Parse(text.data(), text.size());
  }
  return doc;
}

// Per-call arena for the documents of one record: its first kArenaBytes come from the stack, so
// a typical record is parsed without touching the heap.
constexpr size_t kArenaBytes = 16 << 10;

// Validates records field by field and writes the canonical document as it goes.
class Validator {
 public:
  Validator(const Collection& c, Writer* w) : c_(c), w_(w) {}

  void Error(std::string_view path, std::string_view msg) {
    ++error_count_;
    if (errors_.size() >= kMaxErrors) return;
    errors_.push_back(std::string(path) + ": " + std::string(msg));
  }

  Status Result() const {
    if (error_count_ == 0) return Status::Ok();
    std::string msg;
    if (error_count_ > 1) msg = std::to_string(error_count_) + " invalid fields: ";
    for (size_t i = 0; i < errors_.size(); ++i) {
      if (i) msg += "; ";
      msg += errors_[i];
    }
    if (error_count_ > errors_.size()) msg += "; ...";
    return InvalidArgument(msg);
  }

  // `obj` holds user fields (system fields already removed or skipped by `skip`).
  void Record(const Value& obj, std::vector<store::Value>* index_values,
              bool (*skip)(std::string_view)) {
    for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) {
      const std::string_view name = Str(m->name);
      if (skip(name)) continue;
      if (c_.Find(name) == nullptr) {
        Error(name, "unknown field of " + c_.name + " (free-form data goes under custom)");
      }
    }
    w_->StartObject();
    for (const Field& f : c_.fields) {
      auto it = obj.FindMember(rapidjson::StringRef(f.name.data(), f.name.size()));
      const Value* v = (it == obj.MemberEnd() || it->value.IsNull()) ? nullptr : &it->value;
      store::Value index_value;
      if (v == nullptr && !f.default_json.empty() && f.type != FieldType::kObject) {
        WriteField(f, f.name, DefaultValue(f), &index_value);
      } else if (v != nullptr) {
        WriteField(f, f.name, *v, &index_value);
      } else if (f.type == FieldType::kObject && HasDefaults(f)) {
        Value empty(rapidjson::kObjectType);
        WriteField(f, f.name, empty, &index_value);
      } else if (f.required) {
        Error(f.name, "is required");
      }
      if (f.indexed) index_values->push_back(std::move(index_value));
    }
    w_->EndObject();
  }

 private:
  static bool HasDefaults(const Field& f) {
    return std::any_of(f.subfields.begin(), f.subfields.end(),
                       [](const Field& s) { return !s.default_json.empty(); });
  }

  void Key(std::string_view name) {
    w_->Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  }

  void String(std::string_view s) {
    w_->String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  }

  // Validates `v` as field `f`; on success writes key and value (and sets *index).
  void WriteField(const Field& f, const std::string& path, const Value& v, store::Value* index) {
    auto need_string = [&]() -> bool {
      if (!v.IsString()) {
        Error(path, "must be a string");
        return false;
      }
      if (v.GetStringLength() > f.max_length) {
        Error(path, "longer than " + std::to_string(f.max_length) + " bytes");
        return false;
      }
      return true;
    };
    switch (f.type) {
      case FieldType::kString:
      case FieldType::kText:
        if (!need_string()) return;
        return EmitString(f, v, index);
      case FieldType::kEmail:
        if (!need_string()) return;
        if (!IsValidEmail(Str(v))) return Error(path, "not a valid email address");
        return EmitString(f, v, index);
      case FieldType::kPhone:
        if (!need_string()) return;
        if (!IsValidPhone(Str(v))) {
          return Error(path, "not a valid phone number (digits, optional leading +)");
        }
        return EmitString(f, v, index);
      case FieldType::kEnum:
        if (!need_string()) return;
        if (std::find(f.enum_values.begin(), f.enum_values.end(), Str(v)) == f.enum_values.end()) {
          return Error(path, "must be one of " + JoinEnum(f));
        }
        return EmitString(f, v, index);
      case FieldType::kRef:
        if (!need_string()) return;
        if (!IsValidRecordId(Str(v))) return Error(path, "not a valid record id");
        return EmitString(f, v, index);
      case FieldType::kCurrency:
        if (!need_string()) return;
        if (!IsCurrency(Str(v))) return Error(path, "must be an ISO 4217 code such as USD");
        return EmitString(f, v, index);
      case FieldType::kRegion:
        if (!need_string()) return;
        if (!IsValidRegion(Str(v))) return Error(path, "must match [a-z0-9-]{1,32}");
        return EmitString(f, v, index);
      case FieldType::kLocale:
        if (!need_string()) return;
        if (!IsValidLocale(Str(v))) return Error(path, "must be a language tag such as en-US");
        return EmitString(f, v, index);
      case FieldType::kDate:
        if (!need_string()) return;
        if (!IsValidDate(Str(v))) return Error(path, "must be a date YYYY-MM-DD");
        return EmitString(f, v, index);
      case FieldType::kDateTime: {
        if (!v.IsString()) return Error(path, "must be an RFC 3339 date-time string");
        auto ms = ParseRfc3339(Str(v));
        if (!ms.ok()) return Error(path, ms.status().message());
        const std::string norm = FormatRfc3339Millis(ms.value());
        Key(f.name);
        String(norm);
        *index = norm;
        return;
      }
      case FieldType::kInteger: {
        if (!v.IsInt64()) return Error(path, "must be an integer");
        const int64_t i = v.GetInt64();
        if ((f.min && static_cast<double>(i) < *f.min) ||
            (f.max && static_cast<double>(i) > *f.max)) {
          return Error(path, "must be" + RangeText(f));
        }
        Key(f.name);
        w_->Int64(i);
        *index = i;
        return;
      }
      case FieldType::kNumber: {
        if (!v.IsNumber()) return Error(path, "must be a number");
        const double d = v.GetDouble();
        if (!std::isfinite(d) || (f.min && d < *f.min) || (f.max && d > *f.max)) {
          return Error(path, "must be a number" + RangeText(f));
        }
        Key(f.name);
        if (v.IsInt64()) {
          w_->Int64(v.GetInt64());
          *index = v.GetInt64();
        } else {
          w_->Double(d);
          *index = d;
        }
        return;
      }
      case FieldType::kBoolean:
        if (!v.IsBool()) return Error(path, "must be true or false");
        Key(f.name);
        w_->Bool(v.GetBool());
        *index = v.GetBool();
        return;
      case FieldType::kStringArray: {
        if (!v.IsArray()) return Error(path, "must be an array of strings");
        if (v.Size() > kMaxArrayItems) {
          return Error(path, "more than " + std::to_string(kMaxArrayItems) + " items");
        }
        for (const auto& item : v.GetArray()) {
          if (!item.IsString() || item.GetStringLength() > 255) {
            return Error(path, "items must be strings of at most 255 bytes");
          }
        }
        Key(f.name);
        w_->StartArray();
        for (const auto& item : v.GetArray()) String(Str(item));
        w_->EndArray();
        return;
      }
      case FieldType::kObject: {
        if (!v.IsObject()) return Error(path, "must be an object");
        if (HasDuplicateKeys(v)) return Error(path, "duplicate key");
        for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
          if (f.FindSubfield(Str(m->name)) == nullptr) {
            Error(path + "." + std::string(Str(m->name)), "unknown field");
          }
        }
        Key(f.name);
        w_->StartObject();
        for (const Field& sub : f.subfields) {
          auto it = v.FindMember(rapidjson::StringRef(sub.name.data(), sub.name.size()));
          store::Value ignored;
          const std::string sub_path = path + "." + sub.name;
          if (it != v.MemberEnd() && !it->value.IsNull()) {
            WriteField(sub, sub_path, it->value, &ignored);
          } else if (!sub.default_json.empty()) {
            WriteField(sub, sub_path, DefaultValue(sub), &ignored);
          } else if (sub.required) {
            Error(sub_path, "is required");
          }
        }
        w_->EndObject();
        return;
      }
      case FieldType::kJson: {
        if (!v.IsObject()) return Error(path, "must be a JSON object");
        std::string why;
        if (!CheckFreeJson(v, 1, &why)) return Error(path, why);
        rapidjson::StringBuffer probe;
        Writer pw(probe);
        v.Accept(pw);
        if (probe.GetSize() > f.max_length) {
          return Error(path, "larger than " + std::to_string(f.max_length) + " bytes");
        }
        Key(f.name);
        w_->RawValue(probe.GetString(), probe.GetSize(), rapidjson::kObjectType);
        return;
      }
    }
  }

  void EmitString(const Field& f, const Value& v, store::Value* index) {
    Key(f.name);
    String(Str(v));
    if (f.indexed) *index = std::string(Str(v));
  }

  const Collection& c_;
  Writer* w_;
  std::vector<std::string> errors_;
  size_t error_count_ = 0;
};

Status ParseObject(std::string_view json, Document* doc, std::string_view what) {
  const JsonParseResult parsed = ParseJson(json, doc);
  if (!parsed.ok) return InvalidArgument(std::string(what) + " is not valid JSON: " + parsed.error);
  if (!doc->IsObject()) return InvalidArgument(std::string(what) + " must be a JSON object");
  if (HasDuplicateKeys(*doc)) {
    return InvalidArgument(std::string(what) + " has a duplicate key");
  }
  return Status::Ok();
}

bool SkipSystem(std::string_view name) { return IsSystemField(name); }

// Checks id/tenant members of an input body.
Status CheckSystemMembers(const Value& obj, std::string_view tenant, std::string* id_out,
                          std::string_view fixed_id) {
  auto id = obj.FindMember("id");
  if (id != obj.MemberEnd() && !id->value.IsNull()) {
    if (!id->value.IsString() || !IsValidRecordId(Str(id->value))) {
      return InvalidArgument("id: must be 1-64 characters of A-Z a-z 0-9 _ . : -");
    }
    if (!fixed_id.empty() && Str(id->value) != fixed_id) {
      return InvalidArgument("id: cannot be changed");
    }
    if (id_out != nullptr) *id_out = std::string(Str(id->value));
  }
  auto t = obj.FindMember("tenant");
  if (t != obj.MemberEnd() && !t->value.IsNull()) {
    if (!t->value.IsString() || Str(t->value) != tenant) {
      return InvalidArgument("tenant: does not match the caller's tenant");
    }
  }
  return Status::Ok();
}

Result<PreparedRecord> Finish(const Collection& c, const Value& obj, std::string id,
                              size_t size_hint) {
  rapidjson::StringBuffer buf(nullptr, size_hint + 64);
  Writer w(buf);
  Validator v(c, &w);
  PreparedRecord out;
  out.id = std::move(id);
  v.Record(obj, &out.index_values, &SkipSystem);
  RETURN_IF_ERROR(v.Result());
  out.doc.assign(buf.GetString(), buf.GetSize());
  return out;
}

// RFC 7396 MergePatch(target, patch) for object patches; `alloc` owns target's memory.
void MergeInto(Value* target, const Value& patch, Document::AllocatorType& alloc) {
  for (auto m = patch.MemberBegin(); m != patch.MemberEnd(); ++m) {
    auto existing = target->FindMember(m->name);
    if (m->value.IsNull()) {
      if (existing != target->MemberEnd()) target->RemoveMember(existing);
      continue;
    }
    if (m->value.IsObject() && existing != target->MemberEnd() && existing->value.IsObject()) {
      MergeInto(&existing->value, m->value, alloc);
      continue;
    }
    Value copy;
    if (m->value.IsObject()) {
      // Merging into nothing: the result is the patch with its nulls removed.
      copy.SetObject();
      MergeInto(&copy, m->value, alloc);
    } else {
      copy.CopyFrom(m->value, alloc);
    }
    if (existing != target->MemberEnd()) {
      existing->value = copy;
    } else {
      Value name(m->name, alloc);
      target->AddMember(name, copy, alloc);
    }
  }
}

// Merge recursion follows the patch's nesting, so bound it before merging.
bool DepthOk(const Value& v, int depth) {
  if (depth > kMaxJsonDepth) return false;
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      if (!DepthOk(m->value, depth + 1)) return false;
    }
  } else if (v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      if (!DepthOk(item, depth + 1)) return false;
    }
  }
  return true;
}

}  // namespace

Result<PreparedRecord> PrepareRecord(const Collection& c, std::string_view json,
                                     std::string_view tenant) {
  char arena[kArenaBytes];
  rapidjson::MemoryPoolAllocator<> alloc(arena, sizeof(arena));
  Document doc(&alloc);
  RETURN_IF_ERROR(ParseObject(json, &doc, "record"));
  std::string id;
  RETURN_IF_ERROR(CheckSystemMembers(doc, tenant, &id, {}));
  return Finish(c, doc, std::move(id), json.size());
}

Result<PreparedRecord> PrepareMergePatch(const Collection& c, std::string_view stored_doc,
                                         std::string_view patch_json, std::string_view id,
                                         std::string_view tenant) {
  char patch_arena[kArenaBytes];
  rapidjson::MemoryPoolAllocator<> patch_alloc(patch_arena, sizeof(patch_arena));
  Document patch(&patch_alloc);
  RETURN_IF_ERROR(ParseObject(patch_json, &patch, "merge patch"));
  if (!DepthOk(patch, 1)) {
    return InvalidArgument("merge patch nested deeper than " + std::to_string(kMaxJsonDepth));
  }
  RETURN_IF_ERROR(CheckSystemMembers(patch, tenant, nullptr, id));
  char target_arena[kArenaBytes];
  rapidjson::MemoryPoolAllocator<> target_alloc(target_arena, sizeof(target_arena));
  Document target(&target_alloc);
  if (!ParseJson(stored_doc, &target).ok || !target.IsObject()) {
    return DataLoss("stored document of " + c.name + " '" + std::string(id) + "' is corrupt");
  }
  // System members of the patch were checked above and never enter the document.
  for (const auto& name : SystemFields()) {
    auto m = patch.FindMember(rapidjson::StringRef(name.data(), name.size()));
    if (m != patch.MemberEnd()) patch.RemoveMember(m);
  }
  MergeInto(&target, patch, target.GetAllocator());
  return Finish(c, target, std::string(id), stored_doc.size() + patch_json.size());
}

void AppendRecordJson(std::string* out, std::string_view tenant, const store::StoredRecord& r) {
  out->append("{\"id\":");
  AppendJsonString(out, r.id);
  out->append(",\"tenant\":");
  AppendJsonString(out, tenant);
  out->append(",\"version\":");
  out->append(std::to_string(r.version));
  out->append(",\"created_at\":\"");
  out->append(r.created_at);
  out->append("\",\"updated_at\":\"");
  out->append(r.updated_at);
  out->push_back('"');
  // The stored document is a canonical object: splice its members after the system fields.
  if (r.doc.size() > 2) {
    out->push_back(',');
    out->append(r.doc, 1, r.doc.size() - 1);
  } else {
    out->push_back('}');
  }
}

std::string RecordJson(std::string_view tenant, const store::StoredRecord& r) {
  std::string out;
  out.reserve(r.doc.size() + 160);
  AppendRecordJson(&out, tenant, r);
  return out;
}

std::string ETag(const store::StoredRecord& r) {
  return "\"" + std::to_string(r.seq) + "-" + std::to_string(r.version) + "\"";
}

std::optional<store::Expect> ParseETag(std::string_view etag) {
  if (etag.size() < 5 || etag.front() != '"' || etag.back() != '"') return std::nullopt;
  etag = etag.substr(1, etag.size() - 2);
  const size_t dash = etag.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  store::Expect e;
  auto parse = [](std::string_view s, int64_t* out) {
    if (s.empty() || s.size() > 18) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size() && *out > 0;
  };
  if (!parse(etag.substr(0, dash), &e.seq) || !parse(etag.substr(dash + 1), &e.version)) {
    return std::nullopt;
  }
  return e;
}

Result<store::Value> ParseFilterValue(const Collection& c, std::string_view path,
                                      std::string_view raw) {
  const std::string p(path);
  if (raw.empty()) return InvalidArgument("filter '" + p + "' needs a value");
  if (path == "id") {
    if (!IsValidRecordId(raw)) return InvalidArgument("filter 'id': not a valid record id");
    return store::Value(std::string(raw));
  }
  const Field* f = c.FindPath(path);
  if (f == nullptr) {
    return InvalidArgument("cannot filter " + c.name + " by '" + p + "': no such field");
  }
  switch (f->type) {
    case FieldType::kJson: {
      if (path.find('.') == std::string_view::npos) {
        return InvalidArgument("filter on custom needs a key: custom.<key>=<value>");
      }
      Document d;
      if (ParseJson(raw, &d).ok) {
        if (d.IsString()) return store::Value(std::string(Str(d)));
        if (d.IsBool()) return store::Value(d.GetBool());
        if (d.IsInt64()) return store::Value(d.GetInt64());
        if (d.IsNumber()) return store::Value(d.GetDouble());
      }
      return store::Value(std::string(raw));
    }
    case FieldType::kInteger: {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
      if (ec != std::errc() || ptr != raw.data() + raw.size()) {
        return InvalidArgument("filter '" + p + "': must be an integer");
      }
      return store::Value(v);
    }
    case FieldType::kNumber: {
      Document d;
      if (!ParseJson(raw, &d).ok || !d.IsNumber()) {
        return InvalidArgument("filter '" + p + "': must be a number");
      }
      if (d.IsInt64()) return store::Value(d.GetInt64());
      return store::Value(d.GetDouble());
    }
    case FieldType::kBoolean:
      if (raw == "true") return store::Value(true);
      if (raw == "false") return store::Value(false);
      return InvalidArgument("filter '" + p + "': must be true or false");
    case FieldType::kDateTime: {
      auto ms = ParseRfc3339(raw);
      if (!ms.ok()) return ms.status().WithContext("filter '" + p + "'");
      return store::Value(FormatRfc3339Millis(ms.value()));
    }
    case FieldType::kEnum:
      if (std::find(f->enum_values.begin(), f->enum_values.end(), raw) == f->enum_values.end()) {
        return InvalidArgument("filter '" + p + "': must be one of " + JoinEnum(*f));
      }
      return store::Value(std::string(raw));
    case FieldType::kObject:
    case FieldType::kStringArray:
      return InvalidArgument("cannot filter by '" + p + "': not a scalar field");
    default:
      if (!IsValidUtf8(raw)) return InvalidArgument("filter '" + p + "': invalid UTF-8");
      return store::Value(std::string(raw));
  }
}

}  // namespace crmi::crm
