#include "src/llm/templates.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "src/common/binary_file.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/llm/ask.h"

namespace crmi::llm {
namespace {

constexpr size_t kMaxMessageBytes = 16 * 1024;
constexpr size_t kMaxDescriptionBytes = 1024;
constexpr size_t kMaxVariables = 16;
constexpr size_t kMaxModels = 32;
constexpr size_t kMaxVariableBytes = 8000;
const char* const kBuiltinNames[] = {"question", "context", "contact_id", "today"};

bool IsBuiltinName(std::string_view n) {
  for (const char* b : kBuiltinNames) {
    if (n == b) return true;
  }
  return false;
}

bool IsIdentifier(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  if (!(n[0] >= 'a' && n[0] <= 'z') && n[0] != '_') return false;
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Calls `on_text(piece)` for literal text and `on_name(name)` for each "{{ name }}";
// kInvalidArgument for an unclosed or malformed placeholder.
template <typename Text, typename Name>
Status Scan(std::string_view s, Text on_text, Name on_name) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t open = s.find("{{", i);
    if (open == std::string_view::npos) {
      on_text(s.substr(i));
      break;
    }
    on_text(s.substr(i, open - i));
    const size_t close = s.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return InvalidArgument("a placeholder opened with {{ at byte " + std::to_string(open) +
                             " is not closed");
    }
    std::string_view name = s.substr(open + 2, close - open - 2);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (!IsIdentifier(name)) {
      return InvalidArgument("'{{" + std::string(s.substr(open + 2, close - open - 2)) +
                             "}}' is not a placeholder (names are [a-z_][a-z0-9_]*)");
    }
    on_name(name);
    i = close + 2;
  }
  return Status::Ok();
}

std::string Str(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

Status CheckText(std::string_view member, std::string_view text, size_t max) {
  if (text.size() > max) {
    return InvalidArgument(std::string(member) + " is longer than " + std::to_string(max) +
                           " bytes");
  }
  if (!IsValidUtf8(text)) return InvalidArgument(std::string(member) + " must be UTF-8");
  return Status::Ok();
}

Status Validate(const PromptTemplate& t) {
  RETURN_IF_ERROR(ValidateTemplateName(t.name));
  RETURN_IF_ERROR(CheckText("description", t.description, kMaxDescriptionBytes));
  RETURN_IF_ERROR(CheckText("system", t.system, kMaxMessageBytes));
  RETURN_IF_ERROR(CheckText("user", t.user, kMaxMessageBytes));
  if (t.user.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("user must not be empty");
  }
  if (t.variables.size() > kMaxVariables) {
    return InvalidArgument("a template declares at most " + std::to_string(kMaxVariables) +
                           " variables");
  }
  std::set<std::string, std::less<>> declared;
  for (size_t i = 0; i < t.variables.size(); ++i) {
    const auto& v = t.variables[i];
    const std::string at = "variables[" + std::to_string(i) + "]";
    if (!IsIdentifier(v.name)) {
      return InvalidArgument(at + ".name must match [a-z_][a-z0-9_]* (at most 64 bytes)");
    }
    if (IsBuiltinName(v.name)) {
      return InvalidArgument(at + ".name '" + v.name +
                             "' is built in (question, context, contact_id, today)");
    }
    if (!declared.insert(v.name).second) {
      return InvalidArgument(at + ".name '" + v.name + "' is declared twice");
    }
    if (v.max_bytes == 0 || v.max_bytes > kMaxVariableBytes) {
      return InvalidArgument(at + ".max_bytes must be from 1 to " +
                             std::to_string(kMaxVariableBytes));
    }
    RETURN_IF_ERROR(CheckText(at + ".default", v.default_value, v.max_bytes));
  }
  if (t.models.size() > kMaxModels) {
    return InvalidArgument("models lists at most " + std::to_string(kMaxModels) + " aliases");
  }
  for (const auto& m : t.models) {
    if (m.empty() || m.size() > 128) return InvalidArgument("models holds 1–128 byte aliases");
  }
  std::set<std::string, std::less<>> used;
  for (const auto* member : {&t.system, &t.user}) {
    Status s = Scan(
        *member, [](std::string_view) {},
        [&](std::string_view name) { used.insert(std::string(name)); });
    if (!s.ok()) return s.WithContext(member == &t.system ? "system" : "user");
  }
  for (const auto& name : used) {
    if (!IsBuiltinName(name) && declared.count(name) == 0) {
      return InvalidArgument("{{" + name +
                             "}} is neither built in (question, context, contact_id, today) nor "
                             "declared in variables");
    }
  }
  for (const char* needed : {"question", "context"}) {
    if (used.count(needed) == 0) {
      return InvalidArgument(std::string("the template must use {{") + needed +
                             "}} (answers are grounded in the tenant's records)");
    }
  }
  return Status::Ok();
}

void AppendStrings(JsonObject* o, std::string_view key, const std::vector<std::string>& v) {
  std::string arr = "[";
  for (const auto& s : v) {
    if (arr.size() > 1) arr += ",";
    AppendJsonString(&arr, s);
  }
  o->AddRaw(key, arr + "]");
}

// The members of a template body (PUT) or stored template into `t`.
Status FromJson(const rapidjson::Value& d, bool stored, PromptTemplate* t) {
  if (!d.IsObject()) return InvalidArgument("a template must be a JSON object");
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string key = Str(m->name);
    const auto& v = m->value;
    auto str = [&](std::string* out) {
      if (!v.IsString()) return InvalidArgument(key + " must be a string");
      *out = Str(v);
      return Status::Ok();
    };
    if (key == "description") {
      RETURN_IF_ERROR(str(&t->description));
    } else if (key == "system") {
      RETURN_IF_ERROR(str(&t->system));
    } else if (key == "user") {
      RETURN_IF_ERROR(str(&t->user));
    } else if (key == "models") {
      if (!v.IsArray()) return InvalidArgument("models must be an array of strings");
      for (const auto& e : v.GetArray()) {
        if (!e.IsString()) return InvalidArgument("models must be an array of strings");
        t->models.push_back(Str(e));
      }
    } else if (key == "variables") {
      if (!v.IsArray()) return InvalidArgument("variables must be an array of objects");
      for (const auto& e : v.GetArray()) {
        const std::string at = "variables[" + std::to_string(t->variables.size()) + "]";
        if (!e.IsObject()) return InvalidArgument(at + " must be an object");
        TemplateVariable var;
        for (auto f = e.MemberBegin(); f != e.MemberEnd(); ++f) {
          const std::string fk = Str(f->name);
          if (fk == "name" && f->value.IsString()) {
            var.name = Str(f->value);
          } else if (fk == "required" && f->value.IsBool()) {
            var.required = f->value.GetBool();
          } else if (fk == "default" && f->value.IsString()) {
            var.default_value = Str(f->value);
          } else if (fk == "max_bytes" && f->value.IsUint64()) {
            var.max_bytes = static_cast<size_t>(std::min<uint64_t>(f->value.GetUint64(), 1u << 30));
          } else if (fk == "name" || fk == "required" || fk == "default" || fk == "max_bytes") {
            return InvalidArgument(at + "." + fk + " has the wrong type");
          } else {
            return InvalidArgument(at + ": unknown member '" + fk +
                                   "' (known: name, required, default, max_bytes)");
          }
        }
        t->variables.push_back(std::move(var));
      }
    } else if (stored && (key == "name" || key == "created_at" || key == "created_by")) {
      if (!v.IsString()) return DataLoss(key + " must be a string");
      (key == "name" ? t->name : key == "created_at" ? t->created_at : t->created_by) = Str(v);
    } else if (stored && key == "version") {
      if (!v.IsInt() || v.GetInt() < 1) return DataLoss("version must be a positive integer");
      t->version = v.GetInt();
    } else if (stored && key == "tenant") {
      // read by the caller
    } else {
      return InvalidArgument("unknown member '" + key +
                             "' (known: description, system, user, variables, models)");
    }
  }
  return Status::Ok();
}

}  // namespace

bool PromptTemplate::AllowsModel(std::string_view alias) const {
  return models.empty() || std::find(models.begin(), models.end(), alias) != models.end();
}

std::string PromptTemplate::ToJson() const {
  std::string vars = "[";
  for (const auto& v : variables) {
    if (vars.size() > 1) vars += ",";
    vars += JsonObject()
                .Add("name", v.name)
                .Add("required", v.required)
                .Add("default", v.default_value)
                .Add("max_bytes", static_cast<uint64_t>(v.max_bytes))
                .Finish();
  }
  vars += "]";
  JsonObject o;
  o.Add("name", name)
      .Add("version", version)
      .Add("description", description)
      .Add("system", system)
      .Add("user", user)
      .AddRaw("variables", vars);
  AppendStrings(&o, "models", models);
  o.Add("created_at", created_at).Add("created_by", created_by);
  return o.Finish();
}

std::shared_ptr<const PromptTemplate> BuiltinTemplate() {
  static const std::shared_ptr<const PromptTemplate> t = [] {
    auto p = std::make_shared<PromptTemplate>();
    p->name = kBuiltinTemplate;
    p->version = 1;
    p->description =
        "Answers a question only from the numbered context passages, citing them as [n]; says "
        "so when they do not answer it.";
    p->system = kGroundedAnswerSystemPrompt;
    p->user = "Context passages:\n{{context}}\nQuestion: {{question}}";
    p->created_at = "1970-01-01T00:00:00Z";
    p->created_by = "builtin";
    return p;
  }();
  return t;
}

Status ValidateTemplateName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return InvalidArgument("template names are 1 to 64 bytes");
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      return InvalidArgument("template names use only a-z, 0-9, '.', '_' and '-'");
    }
  }
  if (name[0] == '.' || name[0] == '-' || name[0] == '_') {
    return InvalidArgument("template names start with a letter or a digit");
  }
  return Status::Ok();
}

Result<PromptTemplate> ParseTemplate(std::string_view name, std::string_view json) {
  rapidjson::Document d;
  auto parsed = ParseJson(json, &d);
  if (!parsed.ok) return InvalidArgument("malformed JSON: " + parsed.error);
  PromptTemplate t;
  t.name = std::string(name);
  RETURN_IF_ERROR(FromJson(d, false, &t));
  RETURN_IF_ERROR(Validate(t));
  return t;
}

Result<std::map<std::string, std::string>> ResolveVariables(
    const PromptTemplate& t, const std::map<std::string, std::string>& given) {
  std::map<std::string, std::string> out;
  for (const auto& [given_name, value] : given) {
    const std::string& name = given_name;  // a lambda may not capture a structured binding (C++17)
    auto it = std::find_if(t.variables.begin(), t.variables.end(),
                           [&name](const TemplateVariable& v) { return v.name == name; });
    if (it == t.variables.end()) {
      std::string known;
      for (const auto& v : t.variables) known += (known.empty() ? "" : ", ") + v.name;
      return InvalidArgument(
          "template " + t.Id() + " has no variable '" + name + "'" +
          (known.empty() ? " (it declares none)" : " (it declares: " + known + ")"));
    }
    if (value.size() > it->max_bytes) {
      return InvalidArgument("variable '" + name + "' is longer than " +
                             std::to_string(it->max_bytes) + " bytes");
    }
    out[name] = value;
  }
  for (const auto& v : t.variables) {
    if (out.count(v.name) != 0) continue;
    if (v.required) {
      return InvalidArgument("template " + t.Id() + " requires variable '" + v.name + "'");
    }
    out[v.name] = v.default_value;
  }
  return out;
}

std::string RenderTemplate(std::string_view text,
                           const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  Status s = Scan(
      text, [&](std::string_view piece) { out.append(piece); },
      [&](std::string_view name) {
        auto it = values.find(std::string(name));
        if (it != values.end()) out += it->second;
      });
  (void)s;  // stored templates were validated; a malformed tail was appended as text by then
  return out;
}

Result<std::unique_ptr<TemplateRegistry>> TemplateRegistry::Open(std::string path) {
  std::unique_ptr<TemplateRegistry> r(new TemplateRegistry(path));
  if (path.empty() || !std::filesystem::exists(path)) return r;
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  if (!in.good() && !in.eof()) return Unavailable("cannot read " + path);
  rapidjson::Document d;
  auto parsed = ParseJson(buf.str(), &d);
  if (!parsed.ok || !d.IsObject() || !d.HasMember("templates") || !d["templates"].IsArray()) {
    return DataLoss(path + " is not a template registry");
  }
  for (const auto& e : d["templates"].GetArray()) {
    if (!e.IsObject() || !e.HasMember("tenant") || !e["tenant"].IsString()) {
      return DataLoss(path + ": a template without a tenant");
    }
    auto t = std::make_shared<PromptTemplate>();
    Status s = FromJson(e, true, t.get());
    if (s.ok()) s = Validate(*t);
    if (!s.ok()) return DataLoss(path + ": " + s.message());
    auto& versions = r->templates_[Str(e["tenant"])][t->name];
    const int expected = static_cast<int>(versions.size()) + 1 + (t->name == kBuiltinTemplate);
    if (t->version != expected) {
      return DataLoss(path + ": " + t->Id() + " is out of order (expected version " +
                      std::to_string(expected) + ")");
    }
    versions.push_back(std::move(t));
  }
  return r;
}

Result<std::shared_ptr<const PromptTemplate>> TemplateRegistry::Get(const std::string& tenant,
                                                                    const std::string& name,
                                                                    int version) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto t = templates_.find(tenant);
    if (t != templates_.end()) {
      auto n = t->second.find(name);
      if (n != t->second.end() && !n->second.empty()) {
        if (version == 0) return n->second.back();
        for (const auto& v : n->second) {
          if (v->version == version) return v;
        }
      }
    }
  }
  if (name == kBuiltinTemplate && version <= 1) return BuiltinTemplate();
  if (version != 0) {
    return NotFound("no template '" + name + "' version " + std::to_string(version));
  }
  return NotFound("no template '" + name + "'");
}

std::vector<std::shared_ptr<const PromptTemplate>> TemplateRegistry::List(
    const std::string& tenant) const {
  std::vector<std::shared_ptr<const PromptTemplate>> out;
  std::lock_guard<std::mutex> lock(mu_);
  bool builtin = false;
  if (auto t = templates_.find(tenant); t != templates_.end()) {
    for (const auto& [name, versions] : t->second) {
      if (versions.empty()) continue;
      builtin = builtin || name == kBuiltinTemplate;
      out.push_back(versions.back());
    }
  }
  if (!builtin) out.push_back(BuiltinTemplate());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  return out;
}

std::vector<std::shared_ptr<const PromptTemplate>> TemplateRegistry::Versions(
    const std::string& tenant, const std::string& name) const {
  std::vector<std::shared_ptr<const PromptTemplate>> out;
  if (name == kBuiltinTemplate) out.push_back(BuiltinTemplate());
  std::lock_guard<std::mutex> lock(mu_);
  if (auto t = templates_.find(tenant); t != templates_.end()) {
    if (auto n = t->second.find(name); n != t->second.end()) {
      out.insert(out.end(), n->second.begin(), n->second.end());
    }
  }
  return out;
}

Status TemplateRegistry::SaveLocked(
    const std::map<std::string,
                   std::map<std::string, std::vector<std::shared_ptr<const PromptTemplate>>>>& all)
    const {
  if (path_.empty()) return Status::Ok();
  std::string out = "{\"format\":1,\"templates\":[";
  bool first = true;
  for (const auto& [tenant, names] : all) {
    for (const auto& [name, versions] : names) {
      for (const auto& t : versions) {
        if (!first) out += ",\n";
        first = false;
        // The tenant first, then the template's own members.
        std::string body = t->ToJson();
        JsonObject head;
        head.Add("tenant", tenant);
        out += "{" + std::string(head.members()) + "," + body.substr(1);
      }
    }
  }
  out += "]}\n";
  return WriteFileAtomically(path_, out);
}

Result<TemplateRegistry::PutResult> TemplateRegistry::Put(const std::string& tenant,
                                                          PromptTemplate t, int expected_version,
                                                          const std::string& actor,
                                                          const std::string& now_rfc3339) {
  RETURN_IF_ERROR(Validate(t));
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<const PromptTemplate> latest;
  auto& versions = templates_[tenant][t.name];
  if (!versions.empty()) {
    latest = versions.back();
  } else if (t.name == kBuiltinTemplate) {
    latest = BuiltinTemplate();
  }
  const int current = latest ? latest->version : 0;
  if (expected_version >= 0 && expected_version != current) {
    return FailedPrecondition("template '" + t.name + "' is at version " + std::to_string(current) +
                              ", not " + std::to_string(expected_version));
  }
  if (latest && latest->description == t.description && latest->system == t.system &&
      latest->user == t.user && latest->models == t.models &&
      latest->variables.size() == t.variables.size() &&
      std::equal(latest->variables.begin(), latest->variables.end(), t.variables.begin(),
                 [](const TemplateVariable& a, const TemplateVariable& b) {
                   return a.name == b.name && a.required == b.required &&
                          a.default_value == b.default_value && a.max_bytes == b.max_bytes;
                 })) {
    return PutResult{latest, false};
  }
  t.version = current + 1;
  t.created_by = actor;
  t.created_at = now_rfc3339;
  auto stored = std::make_shared<const PromptTemplate>(std::move(t));
  versions.push_back(stored);
  Status s = SaveLocked(templates_);
  if (!s.ok()) {
    versions.pop_back();  // nothing changes unless it is durable
    return Unavailable("the template could not be saved: " + s.message());
  }
  return PutResult{stored, true};
}

}  // namespace crmi::llm
