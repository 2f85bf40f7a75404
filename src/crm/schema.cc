#include "src/crm/schema.h"

#include <algorithm>

#include "src/common/json_text.h"

namespace crmi::crm {
namespace {

using S = Sensitivity;
using T = FieldType;

// Terse field constructors keep the model below readable as a table.
Field F(std::string name, T type, S sens, std::string description = "") {
  Field f;
  f.name = std::move(name);
  f.type = type;
  f.sensitivity = sens;
  f.description = std::move(description);
  if (type == T::kText) f.max_length = 1 << 20;
  if (type == T::kEmail) f.max_length = 254;
  if (type == T::kPhone) f.max_length = 32;
  return f;
}

Field Required(Field f) {
  f.required = true;
  return f;
}
Field Indexed(Field f) {
  f.indexed = true;
  return f;
}
Field Enum(std::string name, S sens, std::vector<std::string> values, std::string def = "",
           std::string description = "") {
  Field f = F(std::move(name), T::kEnum, sens, std::move(description));
  f.enum_values = std::move(values);
  if (!def.empty()) f.default_json = "\"" + def + "\"";
  return f;
}
Field Ref(std::string name, std::string collection, std::string description = "") {
  Field f = F(std::move(name), T::kRef, S::kInternal, std::move(description));
  f.ref_collection = std::move(collection);
  return f;
}
Field Range(Field f, std::optional<double> min, std::optional<double> max) {
  f.min = min;
  f.max = max;
  return f;
}
Field Default(Field f, std::string json) {
  f.default_json = std::move(json);
  return f;
}
Field Object(std::string name, S sens, std::vector<Field> subfields, std::string description) {
  Field f = F(std::move(name), T::kObject, sens, std::move(description));
  f.subfields = std::move(subfields);
  return f;
}

Field Address(std::string name, S sens) {
  return Object(std::move(name), sens,
                {F("street", T::kString, sens), F("city", T::kString, sens),
                 F("state", T::kString, sens), F("postal_code", T::kString, sens),
                 F("country", T::kString, sens, "ISO 3166-1 alpha-2 code")},
                "postal address");
}

// Fields every collection shares, placed first (owner_id, region) and last (custom).
std::vector<Field> WithCommon(std::vector<Field> fields) {
  std::vector<Field> all;
  all.push_back(Indexed(F("owner_id", T::kString, S::kInternal,
                          "user or team that owns the record (row-level access)")));
  all.push_back(Indexed(F("region", T::kRegion, S::kInternal,
                          "residency region of the record's data, e.g. na, eu, apac")));
  for (auto& f : fields) all.push_back(std::move(f));
  Field custom = F("custom", T::kJson, S::kConfidential, "free-form JSON object");
  custom.max_length = 64 << 10;
  all.push_back(std::move(custom));
  return all;
}

Collection C(std::string name, std::string singular, std::string prefix, std::string description,
             std::vector<Field> fields) {
  return Collection{std::move(name), std::move(singular), std::move(prefix), std::move(description),
                    WithCommon(std::move(fields))};
}

std::vector<Collection> BuiltIn() {
  const std::vector<std::string> kChannels = {"email", "sms",  "phone", "chat",
                                              "push",  "mail", "none"};
  std::vector<Collection> c;
  c.push_back(
      C("accounts", "account", "acc", "organisations or households that buy",
        {Indexed(Required(F("name", T::kString, S::kInternal))),
         F("domain", T::kString, S::kPublic, "web domain"), F("industry", T::kString, S::kPublic),
         Enum("type", S::kInternal, {"customer", "prospect", "partner", "household"}, "customer"),
         F("phone", T::kPhone, S::kConfidential),
         Range(F("annual_revenue", T::kNumber, S::kConfidential), 0, std::nullopt),
         Range(F("employees", T::kInteger, S::kInternal), 0, std::nullopt),
         F("segment", T::kString, S::kInternal), Address("billing_address", S::kConfidential)}));
  c.push_back(
      C("contacts", "contact", "con", "people at accounts; the customer of customer 360",
        {F("first_name", T::kString, S::kConfidential),
         Required(F("last_name", T::kString, S::kConfidential)),
         Indexed(F("email", T::kEmail, S::kConfidential)), F("phone", T::kPhone, S::kConfidential),
         Indexed(Ref("account_id", "accounts")), F("title", T::kString, S::kInternal),
         Enum("preferred_channel", S::kInternal, kChannels, "email"),
         Object("consent", S::kInternal,
                {Default(F("marketing", T::kBoolean, S::kInternal), "false"),
                 Default(F("profiling", T::kBoolean, S::kInternal), "false")},
                "consent flags; absent means not given"),
         F("segment", T::kString, S::kInternal), F("date_of_birth", T::kDate, S::kRestricted),
         Address("mailing_address", S::kConfidential), F("locale", T::kLocale, S::kInternal)}));
  c.push_back(
      C("leads", "lead", "lea", "unqualified prospects",
        {F("first_name", T::kString, S::kConfidential),
         Required(F("last_name", T::kString, S::kConfidential)),
         F("company", T::kString, S::kInternal), Indexed(F("email", T::kEmail, S::kConfidential)),
         F("phone", T::kPhone, S::kConfidential),
         Indexed(Enum("status", S::kInternal,
                      {"new", "working", "qualified", "unqualified", "converted"}, "new")),
         F("source", T::kString, S::kInternal), Range(F("score", T::kNumber, S::kInternal), 0, 100),
         Ref("converted_contact_id", "contacts")}));
  c.push_back(C(
      "opportunities", "opportunity", "opp", "potential deals",
      {Required(F("name", T::kString, S::kInternal)), Indexed(Ref("account_id", "accounts")),
       Indexed(Ref("contact_id", "contacts", "primary contact")),
       Range(F("amount", T::kNumber, S::kConfidential), 0, std::nullopt),
       F("currency", T::kCurrency, S::kInternal),
       Indexed(Enum(
           "stage", S::kInternal,
           {"prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"},
           "prospecting")),
       Range(F("probability", T::kNumber, S::kInternal, "percent"), 0, 100),
       F("close_date", T::kDate, S::kInternal), F("description", T::kText, S::kConfidential)}));
  c.push_back(
      C("cases", "case", "cas", "support cases",
        {Required(F("subject", T::kString, S::kConfidential)),
         F("description", T::kText, S::kConfidential),
         Indexed(Enum("status", S::kInternal,
                      {"new", "open", "pending", "escalated", "resolved", "closed"}, "new")),
         Enum("priority", S::kInternal, {"low", "medium", "high", "urgent"}, "medium"),
         Indexed(Ref("contact_id", "contacts")), Indexed(Ref("account_id", "accounts")),
         Enum("origin", S::kInternal, {"email", "chat", "phone", "web", "app", "social"}),
         F("category", T::kString, S::kInternal), Ref("product_id", "products")}));
  Field parent_type = Indexed(Required(
      Enum("parent_type", S::kInternal, {"contacts", "accounts", "cases", "opportunities"})));
  c.push_back(
      C("activities", "activity", "act",
        "interactions: emails, chats, call transcripts, meetings, notes, web/app event summaries",
        {parent_type,
         Indexed(Required(Ref("parent_id", "", "id of the record named by parent_type"))),
         Required(Enum("channel", S::kInternal,
                       {"email", "chat", "call", "meeting", "note", "web", "app", "sms"})),
         Enum("direction", S::kInternal, {"inbound", "outbound", "internal"}),
         Indexed(Required(F("occurred_at", T::kDateTime, S::kInternal))),
         F("subject", T::kString, S::kConfidential), F("body", T::kText, S::kConfidential),
         Range(F("duration_seconds", T::kInteger, S::kInternal), 0, std::nullopt)}));
  c.push_back(
      C("products", "product", "prd", "catalogue items and offers",
        {Indexed(F("sku", T::kString, S::kPublic)), Required(F("name", T::kString, S::kPublic)),
         F("description", T::kText, S::kPublic), F("category", T::kString, S::kPublic),
         Enum("kind", S::kPublic, {"product", "service", "offer", "plan"}, "product"),
         Range(F("price", T::kNumber, S::kPublic), 0, std::nullopt),
         F("currency", T::kCurrency, S::kPublic),
         Default(F("active", T::kBoolean, S::kPublic), "true"),
         F("valid_from", T::kDate, S::kPublic), F("valid_to", T::kDate, S::kPublic)}));
  // Actions crmi or a user proposes or triggers for a contact (next best action). A marketing
  // action may only be proposed, queued or sent while its contact consents to marketing
  // (crm/consent.h); the dispatcher delivers queued ones through the contact's channel.
  std::vector<std::string> action_channels(kChannels.begin(), kChannels.end() - 1);  // no "none"
  Field message = F("message", T::kString, S::kConfidential, "text sent to the contact");
  message.max_length = 4000;  // a string, not text: actions are not search passages
  c.push_back(C(
      "actions", "action", "nba", "next best actions: offers, messages and calls for a contact",
      {Indexed(Required(Ref("contact_id", "contacts"))),
       Required(Enum("kind", S::kInternal, {"offer", "message", "call", "loyalty", "task"})),
       Required(Enum("purpose", S::kInternal, {"marketing", "service"}, "",
                     "marketing needs the contact's consent.marketing")),
       Enum("channel", S::kInternal, action_channels, "",
            "absent: the contact's preferred_channel at delivery"),
       Indexed(Enum("status", S::kInternal,
                    {"proposed", "queued", "sending", "sent", "suppressed", "failed", "cancelled"},
                    "queued")),
       Ref("product_id", "products"), std::move(message),
       F("reason", T::kString, S::kInternal, "why it was recommended"),
       Range(F("score", T::kNumber, S::kInternal, "the score that triggered it, 0..1"), 0, 1),
       F("outcome", T::kString, S::kInternal, "delivery result or why it was suppressed"),
       Range(F("attempts", T::kInteger, S::kInternal, "failed deliveries so far"), 0, std::nullopt),
       F("sent_at", T::kDateTime, S::kInternal)}));
  c.push_back(C("knowledge", "knowledge article", "kno", "knowledge base articles",
                {Required(F("title", T::kString, S::kPublic)),
                 Required(F("body", T::kText, S::kPublic)), F("tags", T::kStringArray, S::kPublic),
                 Indexed(Default(F("locale", T::kLocale, S::kPublic), "\"en-US\"")),
                 Enum("status", S::kPublic, {"draft", "published", "archived"}, "published"),
                 Enum("audience", S::kInternal, {"public", "internal"}, "public")}));
  return c;
}

void AppendField(std::string* out, const Field& f) {
  JsonObject o;
  o.Add("name", f.name)
      .Add("type", FieldTypeName(f.type))
      .Add("sensitivity", SensitivityName(f.sensitivity))
      .Add("required", f.required)
      .Add("indexed", f.indexed);
  if (f.type == T::kString || f.type == T::kText) {
    o.Add("max_length", static_cast<int64_t>(f.max_length));
  }
  if (!f.enum_values.empty()) {
    std::string vals = "[";
    for (size_t i = 0; i < f.enum_values.size(); ++i) {
      if (i) vals += ",";
      AppendJsonString(&vals, f.enum_values[i]);
    }
    o.AddRaw("enum", vals + "]");
  }
  if (!f.ref_collection.empty()) o.Add("ref", f.ref_collection);
  if (f.min) o.Add("min", *f.min);
  if (f.max) o.Add("max", *f.max);
  if (!f.default_json.empty()) o.AddRaw("default", f.default_json);
  if (!f.description.empty()) o.Add("description", f.description);
  if (!f.subfields.empty()) {
    std::string subs = "[";
    for (size_t i = 0; i < f.subfields.size(); ++i) {
      if (i) subs += ",";
      AppendField(&subs, f.subfields[i]);
    }
    o.AddRaw("fields", subs + "]");
  }
  out->append(o.Finish());
}

}  // namespace

std::string_view FieldTypeName(FieldType t) {
  switch (t) {
    case T::kString:
      return "string";
    case T::kText:
      return "text";
    case T::kEmail:
      return "email";
    case T::kPhone:
      return "phone";
    case T::kEnum:
      return "enum";
    case T::kInteger:
      return "integer";
    case T::kNumber:
      return "number";
    case T::kBoolean:
      return "boolean";
    case T::kDate:
      return "date";
    case T::kDateTime:
      return "datetime";
    case T::kRef:
      return "ref";
    case T::kCurrency:
      return "currency";
    case T::kRegion:
      return "region";
    case T::kLocale:
      return "locale";
    case T::kObject:
      return "object";
    case T::kStringArray:
      return "string_array";
    case T::kJson:
      return "json";
  }
  return "unknown";
}

std::string_view SensitivityName(Sensitivity s) {
  switch (s) {
    case S::kPublic:
      return "public";
    case S::kInternal:
      return "internal";
    case S::kConfidential:
      return "confidential";
    case S::kRestricted:
      return "restricted";
  }
  return "restricted";
}

const Field* Field::FindSubfield(std::string_view n) const {
  for (const auto& f : subfields) {
    if (f.name == n) return &f;
  }
  return nullptr;
}

const Field* Collection::Find(std::string_view n) const {
  for (const auto& f : fields) {
    if (f.name == n) return &f;
  }
  return nullptr;
}

const Field* Collection::FindPath(std::string_view path) const {
  const size_t dot = path.find('.');
  const Field* top = Find(path.substr(0, dot));
  if (top == nullptr || dot == std::string_view::npos) return top;
  if (top->type == T::kJson) return top;
  if (top->type != T::kObject) return nullptr;
  const std::string_view rest = path.substr(dot + 1);
  if (rest.find('.') != std::string_view::npos) return nullptr;
  return top->FindSubfield(rest);
}

store::CollectionSpec Collection::StoreSpec() const {
  store::CollectionSpec spec;
  spec.name = name;
  for (const auto& f : fields) {
    if (f.indexed) spec.indexed_fields.push_back(f.name);
  }
  return spec;
}

Schema::Schema(std::vector<Collection> collections) : collections_(std::move(collections)) {}

const Schema& Schema::Default() {
  static const Schema* schema = new Schema(BuiltIn());
  return *schema;
}

const Collection* Schema::Find(std::string_view name) const {
  for (const auto& c : collections_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<store::CollectionSpec> Schema::StoreSpecs() const {
  std::vector<store::CollectionSpec> specs;
  for (const auto& c : collections_) specs.push_back(c.StoreSpec());
  return specs;
}

std::string Schema::CollectionToJson(const Collection& c) {
  JsonObject o;
  o.Add("name", c.name).Add("singular", c.singular).Add("id_prefix", c.id_prefix);
  o.Add("description", c.description);
  std::string sys = "[";
  for (size_t i = 0; i < SystemFields().size(); ++i) {
    if (i) sys += ",";
    AppendJsonString(&sys, SystemFields()[i]);
  }
  o.AddRaw("system_fields", sys + "]");
  std::string fields = "[";
  for (size_t i = 0; i < c.fields.size(); ++i) {
    if (i) fields += ",";
    AppendField(&fields, c.fields[i]);
  }
  o.AddRaw("fields", fields + "]");
  return o.Finish();
}

std::string Schema::ToJson() const {
  std::string out = "{\"collections\":[";
  for (size_t i = 0; i < collections_.size(); ++i) {
    if (i) out += ",";
    out += CollectionToJson(collections_[i]);
  }
  out += "]}";
  return out;
}

const std::vector<std::string>& SystemFields() {
  static const std::vector<std::string>* f =
      new std::vector<std::string>{"id", "tenant", "version", "created_at", "updated_at"};
  return *f;
}

bool IsSystemField(std::string_view name) {
  const auto& f = SystemFields();
  return std::find(f.begin(), f.end(), name) != f.end();
}

}  // namespace crmi::crm
