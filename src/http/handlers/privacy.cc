// POST /v1/privacy/scan, /tokenize, /detokenize: thin adapters over privacy::Detector (with the
// tenant's contact names) and privacy::Vault. GET /v1/subjects/{id}/export and
// POST /v1/subjects/{id}:erase: the GDPR rights of access and erasure over crm::subject, the
// vault and the retrieval service. The route's policy decision (resource privacy,
// actions scan / tokenize / detokenize) has already been made; detokenisations are recorded in
// the request's audit record by token and type, never by value.
#include <rapidjson/document.h>

#include <cmath>
#include <set>

#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/log.h"
#include "src/common/time_format.h"
#include "src/crm/subject.h"
#include "src/http/handlers/handlers.h"
#include "src/http/problem.h"
#include "src/privacy/contact_names.h"
#include "src/privacy/detector.h"
#include "src/privacy/subject_export.h"
#include "src/privacy/vault.h"
#include "src/retrieval/retrieval_service.h"
#include "src/trust/approvals.h"

namespace crmi::http::handlers {
namespace {

constexpr size_t kMaxValues = 1000;

// Parses the body as a JSON object; otherwise sets the 400 problem and returns false.
bool ParseObject(RequestContext& ctx, rapidjson::Document* d) {
  auto parsed = ParseJson(ctx.request.body, d);
  if (!parsed.ok) {
    SetProblem(ctx, InvalidArgument("malformed JSON: " + parsed.error));
    return false;
  }
  if (!d->IsObject()) {
    SetProblem(ctx, InvalidArgument("the body must be a JSON object"));
    return false;
  }
  return true;
}

}  // namespace

void PrivacyScan(App& app, RequestContext& ctx) {
  if (app.detector == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "PII detection is not enabled on this server");
  }
  rapidjson::Document d;
  if (!ParseObject(ctx, &d)) return;
  std::string_view text;
  bool has_text = false;
  std::set<privacy::PiiType> types;
  double min_confidence = 0;
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key == "text") {
      if (!m->value.IsString()) return SetProblem(ctx, InvalidArgument("text must be a string"));
      text = std::string_view(m->value.GetString(), m->value.GetStringLength());
      has_text = true;
    } else if (key == "types") {
      if (!m->value.IsArray()) {
        return SetProblem(ctx, InvalidArgument("types must be an array of type names"));
      }
      for (const auto& t : m->value.GetArray()) {
        const auto type =
            t.IsString()
                ? privacy::PiiTypeFromName(std::string_view(t.GetString(), t.GetStringLength()))
                : std::nullopt;
        if (!type) {
          return SetProblem(ctx,
                            InvalidArgument("types: unknown type (known: EMAIL, PHONE, CARD, IBAN, "
                                            "US_SSN, UK_NINO, IP, DATE_OF_BIRTH, ADDRESS, CRYPTO, "
                                            "PERSON, ACCOUNT_NUMBER)"));
        }
        types.insert(*type);
      }
    } else if (key == "min_confidence") {
      if (!m->value.IsNumber() || m->value.GetDouble() < 0 || m->value.GetDouble() > 1) {
        return SetProblem(ctx, InvalidArgument("min_confidence must be a number in [0, 1]"));
      }
      min_confidence = m->value.GetDouble();
    } else {
      return SetProblem(ctx, InvalidArgument("unknown member '" + std::string(key) +
                                             "' (known: text, types, min_confidence)"));
    }
  }
  if (!has_text) return SetProblem(ctx, InvalidArgument("text is required"));
  std::shared_ptr<const privacy::NameDictionary> names;
  if (app.contact_names != nullptr) names = app.contact_names->For(ctx.tenant);
  std::vector<privacy::Finding> findings;
  if (Status s = app.detector->Scan(text, names.get(), &findings); !s.ok()) {
    return SetProblem(ctx, s);
  }
  std::string array = "[";
  for (const privacy::Finding& f : findings) {
    if (!types.empty() && types.count(f.type) == 0) continue;
    if (f.confidence < min_confidence) continue;
    if (array.size() > 1) array += ',';
    array += JsonObject()
                 .Add("type", privacy::PiiTypeName(f.type))
                 .Add("start", static_cast<uint64_t>(f.start))
                 .Add("end", static_cast<uint64_t>(f.end))
                 .Add("confidence", std::round(static_cast<double>(f.confidence) * 100) / 100)
                 .Add("validated", f.validated)
                 .Finish();
  }
  array += ']';
  Reply(ctx, 200, JsonObject().AddRaw("findings", array).Finish());
}

void PrivacyTokenize(App& app, RequestContext& ctx) {
  if (app.vault == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "tokenisation is not enabled on this server");
  }
  rapidjson::Document d;
  if (!ParseObject(ctx, &d)) return;
  std::vector<privacy::TokenRequest> requests;
  privacy::TokenMode mode = privacy::TokenMode::kDeterministic;
  bool has_values = false;
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key == "values") {
      has_values = true;
      if (!m->value.IsArray() || m->value.Empty() || m->value.Size() > kMaxValues) {
        return SetProblem(ctx, InvalidArgument("values must be an array of 1 to 1000 objects"));
      }
      for (const auto& v : m->value.GetArray()) {
        if (!v.IsObject()) {
          return SetProblem(ctx, InvalidArgument("each value is {\"type\", \"value\"}"));
        }
        privacy::TokenRequest r;
        for (auto f = v.MemberBegin(); f != v.MemberEnd(); ++f) {
          const std::string_view fk(f->name.GetString(), f->name.GetStringLength());
          if (!f->value.IsString()) {
            return SetProblem(ctx,
                              InvalidArgument("values[]." + std::string(fk) + " must be a string"));
          }
          std::string fv(f->value.GetString(), f->value.GetStringLength());
          if (fk == "type") {
            r.type = std::move(fv);
          } else if (fk == "value") {
            r.value = std::move(fv);
          } else if (fk == "subject") {
            r.subject = std::move(fv);
          } else {
            return SetProblem(ctx, InvalidArgument("unknown member values[]." + std::string(fk) +
                                                   " (known: type, value, subject)"));
          }
        }
        if (r.type.empty() || r.value.empty()) {
          return SetProblem(ctx, InvalidArgument("each value needs a type and a non-empty value"));
        }
        requests.push_back(std::move(r));
      }
    } else if (key == "mode") {
      const std::string_view v =
          m->value.IsString() ? std::string_view(m->value.GetString(), m->value.GetStringLength())
                              : std::string_view();
      if (v == "deterministic") {
        mode = privacy::TokenMode::kDeterministic;
      } else if (v == "random") {
        mode = privacy::TokenMode::kRandom;
      } else {
        return SetProblem(ctx, InvalidArgument("mode is deterministic or random"));
      }
    } else {
      return SetProblem(
          ctx, InvalidArgument("unknown member '" + std::string(key) + "' (known: values, mode)"));
    }
  }
  if (!has_values) return SetProblem(ctx, InvalidArgument("values is required"));
  auto tokens = app.vault->Tokenize(ctx.tenant, requests, mode);
  if (!tokens.ok()) return SetProblem(ctx, tokens.status());
  std::string array = "[";
  for (size_t i = 0; i < tokens->size(); ++i) {
    if (i > 0) array += ',';
    array += JsonObject().Add("type", requests[i].type).Add("token", (*tokens)[i]).Finish();
  }
  array += ']';
  Reply(ctx, 200, JsonObject().AddRaw("tokens", array).Finish());
}

void PrivacyDetokenize(App& app, RequestContext& ctx) {
  if (app.vault == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "tokenisation is not enabled on this server");
  }
  rapidjson::Document d;
  if (!ParseObject(ctx, &d)) return;
  std::vector<std::string> tokens, types;
  bool has_tokens = false;
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key != "tokens") {
      return SetProblem(
          ctx, InvalidArgument("unknown member '" + std::string(key) + "' (known: tokens)"));
    }
    has_tokens = true;
    if (!m->value.IsArray() || m->value.Empty() || m->value.Size() > kMaxValues) {
      return SetProblem(ctx, InvalidArgument("tokens must be an array of 1 to 1000 objects"));
    }
    for (const auto& t : m->value.GetArray()) {
      // {"type", "token"} as /tokenize returned it; a bare string is accepted too.
      std::string type, token;
      if (t.IsString()) {
        token.assign(t.GetString(), t.GetStringLength());
      } else if (t.IsObject()) {
        for (auto f = t.MemberBegin(); f != t.MemberEnd(); ++f) {
          const std::string_view fk(f->name.GetString(), f->name.GetStringLength());
          if (!f->value.IsString() || (fk != "type" && fk != "token")) {
            return SetProblem(ctx, InvalidArgument("each token is {\"type\", \"token\"}"));
          }
          (fk == "type" ? type : token).assign(f->value.GetString(), f->value.GetStringLength());
        }
      }
      if (token.empty()) {
        return SetProblem(ctx, InvalidArgument("each token is {\"type\", \"token\"}"));
      }
      tokens.push_back(std::move(token));
      types.push_back(std::move(type));
    }
  }
  if (!has_tokens) return SetProblem(ctx, InvalidArgument("tokens is required"));
  auto values = app.vault->Detokenize(ctx.tenant, tokens);
  if (!values.ok()) return SetProblem(ctx, values.status());
  std::string array = "[", audited = "[";
  for (size_t i = 0; i < values->size(); ++i) {
    const privacy::Detokenized& v = (*values)[i];
    if (!types[i].empty() && types[i] != v.type) {
      // A token presented as another type is treated as unknown: no oracle on stored types.
      return SetProblem(ctx, NotFound("unknown token at position " + std::to_string(i)));
    }
    if (i > 0) {
      array += ',';
      audited += ',';
    }
    array += JsonObject().Add("type", v.type).Add("value", v.value).Finish();
    audited += JsonObject().Add("type", v.type).Add("token", tokens[i]).Finish();
  }
  array += ']';
  audited += ']';
  ctx.security.detail_json = JsonObject().AddRaw("detokenized", audited).Finish();
  Reply(ctx, 200, JsonObject().AddRaw("values", array).Finish());
}

void SubjectExport(App& app, RequestContext& ctx) {
  const std::string id(ctx.Param("contact_id"));
  auto records = crm::CollectSubject(app.store, ctx.tenant, id);
  if (!records.ok()) return SetProblem(ctx, records.status());
  std::vector<privacy::Vault::Entry> entries;
  if (app.vault != nullptr) {
    auto listed = app.vault->ListSubject(ctx.tenant, id);
    if (!listed.ok()) return SetProblem(ctx, listed.status());
    entries = std::move(listed).value();
  }
  if (records->empty() && entries.empty()) {
    return SetProblem(ctx, NotFound("no contact " + id + " in this tenant"));
  }
  std::string body = privacy::SubjectExportJson(
      ctx.tenant, id, FormatRfc3339Millis(app.clock->NowUnixMillis()), *records, entries);
  if (app.approvals != nullptr) {
    // Answers held for approval that drew on the subject's records hold data about them too.
    auto held = app.approvals->ExportJson(ctx.tenant, crm::SubjectRecordIds(*records, id));
    if (!held.ok()) return SetProblem(ctx, Unavailable(held.status().message()));
    body.pop_back();
    body += ",\"held_answers\":" + *held + "}";
  }
  ctx.security.detail_json = JsonObject().Add("exported_subject", id).Finish();
  Reply(ctx, 200, std::move(body));
}

void SubjectErase(App& app, RequestContext& ctx) {
  const std::string id(ctx.Param("contact_id"));
  crm::ErasureCounts n;
  auto erased = crm::EraseSubject(app.records, app.store, ctx.tenant, id);
  if (erased.ok()) {
    n = *erased;
  } else if (erased.status().code() != StatusCode::kNotFound) {
    return SetProblem(ctx, erased.status());
  }
  int64_t vault_entries = 0;
  bool key_destroyed = false;
  if (app.vault != nullptr) {
    auto v = app.vault->EraseSubject(ctx.tenant, id);
    if (!v.ok()) return SetProblem(ctx, v.status());
    vault_entries = *v;
    // Crypto-shredding: the subject's restricted fields, in any copy of the database, can no
    // longer be decrypted.
    auto k = app.vault->DestroySubjectKey(ctx.tenant, id);
    if (!k.ok()) return SetProblem(ctx, k.status());
    key_destroyed = *k;
  }
  if (!erased.ok() && vault_entries == 0 && !key_destroyed) {
    return SetProblem(ctx, erased.status());
  }
  // The erasure itself is done. What follows cleans the files; it is reported, not fatal: a
  // retry would answer 404 (nothing left to erase) and never reach it.
  // Nothing of the deleted records stays in the database files: deleted content is zeroed
  // (secure_delete) and the write-ahead log is truncated (else at the next checkpoint or stop).
  Status checkpoint = app.store->Checkpoint();
  if (!checkpoint.ok()) {
    log::Warn("erasure: checkpoint deferred",
              log::Fields().Add("tenant", ctx.tenant).Add("error", checkpoint.ToString()));
  }
  // Derived state: a new model and index without the subject, written over the old files.
  bool rebuilding = false;
  if (app.retrieval != nullptr) {
    Status s = app.retrieval->Purge(ctx.tenant);
    rebuilding = s.ok();
    if (!s.ok()) {
      log::Warn("erasure: index rebuild not started",
                log::Fields().Add("tenant", ctx.tenant).Add("error", s.ToString()));
    }
  }
  const std::string counts = JsonObject()
                                 .Add("contacts", n.contacts)
                                 .Add("leads", n.leads)
                                 .Add("cases", n.cases)
                                 .Add("activities", n.activities)
                                 .Add("opportunities_unlinked", n.opportunities_unlinked)
                                 .Add("actions", n.actions)
                                 .Add("vault_entries", vault_entries)
                                 .Add("subject_key_destroyed", key_destroyed)
                                 .Add("checkpointed", checkpoint.ok())
                                 .Finish();
  // The audit record of this request is the erasure's tombstone: who, when, what was erased.
  ctx.security.detail_json =
      JsonObject().Add("erased_subject", id).AddRaw("erased", counts).Finish();
  Reply(ctx, 200,
        JsonObject()
            .Add("subject", id)
            .AddRaw("erased", counts)
            .Add("index_rebuilding", rebuilding)
            .Finish());
}

}  // namespace crmi::http::handlers
