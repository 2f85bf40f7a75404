#include "src/crm/access.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "src/common/json_parse.h"
#include "src/crm/record.h"

namespace crmi::crm {
namespace {

using rapidjson::Value;

// Equality as SQLite compares a JSON value with a bound parameter.
bool Equals(const Value& v, const store::Value& want) {
  switch (want.index()) {
    case 1:
      return v.IsString() &&
             std::string_view(v.GetString(), v.GetStringLength()) == std::get<std::string>(want);
    case 2:
      return v.IsNumber() && v.GetDouble() == static_cast<double>(std::get<int64_t>(want));
    case 3:
      return v.IsNumber() && v.GetDouble() == std::get<double>(want);
    case 4:
      return v.IsBool() && v.GetBool() == std::get<bool>(want);
    default:
      return false;
  }
}

bool Masked(const Field* f, std::string_view path, const Access& a) {
  if (std::find(a.mask_fields.begin(), a.mask_fields.end(), path) != a.mask_fields.end()) {
    return true;
  }
  return f != nullptr && a.redact_from.has_value() && f->sensitivity >= *a.redact_from;
}

// Copies `v` into `w`, masking what `a` says; `field` is the schema field at `path` (null inside
// free JSON, where only explicit paths apply).
void Write(const Value& v, const Field* field, const std::string& path, const Access& a,
           rapidjson::Writer<rapidjson::StringBuffer>* w) {
  if (!v.IsObject()) {
    v.Accept(*w);
    return;
  }
  w->StartObject();
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    const std::string name(m->name.GetString(), m->name.GetStringLength());
    const std::string child = path.empty() ? name : path + "." + name;
    const Field* sub = nullptr;
    if (field == nullptr && path.empty()) {
      sub = nullptr;  // the top level is handled by MaskDoc
    } else if (field != nullptr && field->type == FieldType::kObject) {
      sub = field->FindSubfield(name);
    }
    w->Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    if (Masked(sub, child, a)) {
      w->String(kMasked.data(), static_cast<rapidjson::SizeType>(kMasked.size()));
    } else {
      Write(m->value, sub, child, a, w);
    }
  }
  w->EndObject();
}

// True when a mask path lies strictly under `path` ("custom" covers "custom.iban").
bool CoversMask(std::string_view path, const Access& a) {
  for (const auto& m : a.mask_fields) {
    if (m.size() > path.size() && m.compare(0, path.size(), path) == 0 && m[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

Status Denied(std::string_view path) {
  return PermissionDenied("field '" + std::string(path) +
                          "' is masked for you and cannot be written");
}

Status CheckMembers(const Value& obj, const Field* field, const std::string& path,
                    const Collection& c, const Access& a) {
  for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) {
    const std::string name(m->name.GetString(), m->name.GetStringLength());
    const std::string child = path.empty() ? name : path + "." + name;
    const Field* sub = nullptr;
    if (path.empty()) {
      sub = c.Find(name);
    } else if (field != nullptr && field->type == FieldType::kObject) {
      sub = field->FindSubfield(name);
    }
    if (Masked(sub, child, a)) return Denied(child);
    if (m->value.IsObject()) {
      RETURN_IF_ERROR(CheckMembers(m->value, sub, child, c, a));
    } else if (CoversMask(child, a)) {
      return Denied(child);  // replacing or removing the parent replaces the masked child
    }
  }
  return Status::Ok();
}

}  // namespace

void AppendVisibleRecordJson(std::string* out, const Collection& c, std::string_view tenant,
                             const store::StoredRecord& r, const Access& a) {
  if (!a.masks()) return AppendRecordJson(out, tenant, r);
  store::StoredRecord masked;
  masked.id = r.id;
  masked.seq = r.seq;
  masked.version = r.version;
  masked.created_at = r.created_at;
  masked.updated_at = r.updated_at;
  masked.doc = MaskDoc(c, r.doc, a);
  AppendRecordJson(out, tenant, masked);
}

bool IsMaskedPath(const Collection& c, std::string_view path, const Access& a) {
  if (!a.masks()) return false;
  // The path itself, or any object above it ("custom" when "custom.iban" is asked).
  std::string_view prefix = path;
  while (true) {
    if (Masked(c.FindPath(prefix), prefix, a)) return true;
    const size_t dot = prefix.rfind('.');
    if (dot == std::string_view::npos) return false;
    prefix = prefix.substr(0, dot);
  }
}

Status CheckWritable(const Collection& c, std::string_view body, const Access& a) {
  if (!a.masks()) return Status::Ok();
  rapidjson::Document d;
  if (!ParseJson(body, &d).ok || !d.IsObject()) return Status::Ok();
  return CheckMembers(d, nullptr, "", c, a);
}

const Access& Access::Unrestricted() {
  static const Access* a = new Access();
  return *a;
}

bool DocMatches(const Collection& /*c*/, std::string_view doc,
                const std::vector<store::FieldFilter>& rows) {
  if (rows.empty()) return true;
  rapidjson::Document d;
  if (!ParseJson(doc, &d).ok || !d.IsObject()) return false;
  for (const auto& f : rows) {
    const Value* v = JsonAtPath(d, f.field);
    const bool null = v == nullptr || v->IsNull();
    switch (f.op) {
      case store::FieldFilter::Op::kEq:
        if (f.values.empty()) return false;
        if (std::holds_alternative<std::monostate>(f.values[0])) {
          if (!null) return false;
        } else if (null || !Equals(*v, f.values[0])) {
          return false;
        }
        break;
      case store::FieldFilter::Op::kNe:
        if (f.values.empty()) return false;
        if (std::holds_alternative<std::monostate>(f.values[0])) {
          if (null) return false;
        } else if (null || Equals(*v, f.values[0])) {
          return false;
        }
        break;
      case store::FieldFilter::Op::kIn: {
        if (null) return false;
        bool any = false;
        for (const auto& want : f.values) any = any || Equals(*v, want);
        if (!any) return false;
        break;
      }
      case store::FieldFilter::Op::kNotIn:
        if (!null) {
          for (const auto& want : f.values) {
            if (Equals(*v, want)) return false;
          }
        }
        break;
    }
  }
  return true;
}

std::string MaskDoc(const Collection& c, std::string_view doc, const Access& a) {
  if (!a.masks()) return std::string(doc);
  rapidjson::Document d;
  if (!ParseJson(doc, &d).ok || !d.IsObject()) return "{}";  // never leak what we cannot read
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string name(m->name.GetString(), m->name.GetStringLength());
    const Field* f = c.Find(name);
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    if (Masked(f, name, a)) {
      w.String(kMasked.data(), static_cast<rapidjson::SizeType>(kMasked.size()));
    } else {
      Write(m->value, f, name, a, &w);
    }
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace crmi::crm
