// Prompt templates: a versioned registry per tenant (GET/PUT /v1/admin/templates) and rendering.
//
// A template is a system and a user message with {{placeholders}}: the built-in ones —
// {{question}}, {{context}} (the numbered passages), {{contact_id}}, {{today}} (YYYY-MM-DD) —
// and the variables it declares, whose values the caller gives (`"variables"` of POST /v1/ask).
// Every placeholder must be built in or declared, and {{question}} and {{context}} must appear:
// an answer from a template is always grounded. Rendering is one pass, so a value containing
// "{{context}}" stays text. A template may name the model aliases it may run on (an allow-list;
// the first is its default).
//
// Versions are immutable: a PUT adds version n+1 (or returns version n unchanged when the content
// is identical), so every answer's audit record names exactly the text its prompt came from. The
// built-in "grounded-answer" is version 1 of every tenant; a tenant may put later versions of it.
//
// Persistence: one JSON file, rewritten atomically on every change (write, fsync, rename), read
// whole at open. Templates change rarely and are small (each message ≤ 16 KiB).
//
// Thread-safety: all methods may be called concurrently; returned templates are immutable.
#ifndef CRMI_LLM_TEMPLATES_H_
#define CRMI_LLM_TEMPLATES_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi::llm {

struct TemplateVariable {
  std::string name;
  bool required = false;
  std::string default_value;  // used when not required and not given
  size_t max_bytes = 1000;
};

struct PromptTemplate {
  std::string name;
  int version = 0;
  std::string description;
  std::string system;
  std::string user;
  std::vector<TemplateVariable> variables;
  std::vector<std::string> models;  // allowed aliases, the first the default; empty: any
  std::string created_at;           // RFC 3339
  std::string created_by;           // the principal that put it ("builtin" for the built-in)

  std::string Id() const { return name + "@" + std::to_string(version); }
  bool AllowsModel(std::string_view alias) const;
  // The stored form, also the body of GET /v1/admin/templates/{name}.
  std::string ToJson() const;
};

inline constexpr char kBuiltinTemplate[] = "grounded-answer";

// The built-in template (version 1).
std::shared_ptr<const PromptTemplate> BuiltinTemplate();

// Parses a PUT body ({"description", "system", "user", "variables": [{"name", "required",
// "default", "max_bytes"}], "models"}) into a template named `name` and validates it.
// kInvalidArgument naming the member at fault.
Result<PromptTemplate> ParseTemplate(std::string_view name, std::string_view json);
// Names: 1–64 of [a-z0-9._-], starting with a letter or digit.
Status ValidateTemplateName(std::string_view name);

// The caller's variables checked against the template's declarations: unknown names, missing
// required ones and values over max_bytes are kInvalidArgument; defaults are filled in.
Result<std::map<std::string, std::string>> ResolveVariables(
    const PromptTemplate& t, const std::map<std::string, std::string>& given);

// Replaces every placeholder of `text` with its value from `values` (built-ins included).
// Placeholders without a value become empty (validation makes that impossible for stored ones).
std::string RenderTemplate(std::string_view text, const std::map<std::string, std::string>& values);

class TemplateRegistry {
 public:
  // Reads `path` when it exists (kDataLoss when it is not a registry file); empty: in memory
  // only (tests).
  static Result<std::unique_ptr<TemplateRegistry>> Open(std::string path);

  // The template `name` of `tenant` at `version` (0: the latest). kNotFound.
  Result<std::shared_ptr<const PromptTemplate>> Get(const std::string& tenant,
                                                    const std::string& name, int version = 0) const;
  // The latest version of each of the tenant's templates (the built-in included), by name.
  std::vector<std::shared_ptr<const PromptTemplate>> List(const std::string& tenant) const;
  // Every version of one template, oldest first; empty when there is none.
  std::vector<std::shared_ptr<const PromptTemplate>> Versions(const std::string& tenant,
                                                              const std::string& name) const;

  struct PutResult {
    std::shared_ptr<const PromptTemplate> stored;
    bool created = false;  // false: identical to the latest version, nothing added
  };
  // Adds `t` as the next version of its name (created_at/created_by are set here).
  // `expected_version` ≥ 0: kFailedPrecondition unless the latest version is that one (0: the
  // name must not exist yet, beyond the built-in). kUnavailable when the file cannot be written
  // (nothing changes then).
  Result<PutResult> Put(const std::string& tenant, PromptTemplate t, int expected_version,
                        const std::string& actor, const std::string& now_rfc3339);

 private:
  explicit TemplateRegistry(std::string path) : path_(std::move(path)) {}
  Status SaveLocked(
      const std::map<std::string,
                     std::map<std::string, std::vector<std::shared_ptr<const PromptTemplate>>>>&
          all) const;
  std::string path_;
  mutable std::mutex mu_;
  // tenant → name → versions (oldest first); the built-in's version 1 is implicit.
  std::map<std::string, std::map<std::string, std::vector<std::shared_ptr<const PromptTemplate>>>>
      templates_;
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_TEMPLATES_H_
