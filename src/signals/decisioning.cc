#include "src/signals/decisioning.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include "src/common/ids.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"
#include "src/crm/consent.h"

namespace crmi::signals {
namespace {

int64_t Millis(std::string_view rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  return t.ok() ? t.value() : 0;
}

store::FieldFilter Eq(std::string field, store::Value value) {
  store::FieldFilter f;
  f.field = std::move(field);
  f.values.push_back(std::move(value));
  return f;
}

struct Contact {
  std::string doc;
  bool profiling = false;
  bool marketing = false;
  std::string preferred_channel;
};

Result<Contact> ReadContact(store::ReadTxn* txn, std::string_view tenant,
                            std::string_view contact_id, const crm::Access& access) {
  if (!IsValidRecordId(contact_id)) {
    return NotFound("contact '" + std::string(contact_id) + "' not found");
  }
  auto r = txn->Get("contacts", tenant, contact_id, access.rows);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) {
      return NotFound("contact '" + std::string(contact_id) + "' not found");
    }
    return r.status();
  }
  Contact c;
  c.doc = std::move(r->doc);
  c.profiling = crm::DocConsents(c.doc, crm::Consent::kProfiling);
  c.marketing = crm::DocConsents(c.doc, crm::Consent::kMarketing);
  rapidjson::Document d;
  if (ParseJson(c.doc, &d).ok) c.preferred_channel = JsonStringAt(d, "preferred_channel");
  return c;
}

Result<ScoreInputs> ReadTimeline(store::ReadTxn* txn, std::string_view tenant,
                                 std::string_view contact_id) {
  ScoreInputs in;
  rapidjson::Document d;
  std::vector<store::StoredRecord> rows;

  store::ListQuery acts;
  acts.collection = "activities";
  acts.tenant = std::string(tenant);
  acts.filters = {Eq("parent_id", std::string(contact_id)), Eq("parent_type", "contacts")};
  acts.order_by_desc = "occurred_at";
  acts.limit = Decisioning::kTimelineLimit;
  RETURN_IF_ERROR(txn->List(acts, &rows));
  for (const auto& r : rows) {
    if (!ParseJson(r.doc, &d).ok) continue;
    ActivityFact a;
    a.at_ms = Millis(JsonStringAt(d, "occurred_at"));
    a.channel = JsonStringAt(d, "channel");
    a.direction = JsonStringAt(d, "direction");
    a.text = JsonStringAt(d, "subject") + "\n" + JsonStringAt(d, "body");
    in.activities.push_back(std::move(a));
  }

  rows.clear();
  store::ListQuery cases;
  cases.collection = "cases";
  cases.tenant = std::string(tenant);
  cases.filters = {Eq("contact_id", std::string(contact_id))};
  cases.limit = 500;
  RETURN_IF_ERROR(txn->List(cases, &rows));
  for (const auto& r : rows) {
    if (!ParseJson(r.doc, &d).ok) continue;
    CaseFact c;
    c.id = r.id;
    c.status = JsonStringAt(d, "status");
    c.priority = JsonStringAt(d, "priority");
    c.opened_ms = Millis(r.created_at);
    c.text = JsonStringAt(d, "subject") + "\n" + JsonStringAt(d, "description");
    in.cases.push_back(std::move(c));
  }

  rows.clear();
  store::ListQuery opps;
  opps.collection = "opportunities";
  opps.tenant = std::string(tenant);
  opps.filters = {Eq("contact_id", std::string(contact_id))};
  opps.limit = 500;
  RETURN_IF_ERROR(txn->List(opps, &rows));
  for (const auto& r : rows) {
    if (!ParseJson(r.doc, &d).ok) continue;
    in.opportunities.push_back({JsonStringAt(d, "stage"), Millis(r.updated_at)});
  }
  return in;
}

// The tenant's first active offer (products of kind "offer"), or "".
Result<std::string> FirstOffer(store::ReadTxn* txn, std::string_view tenant) {
  store::ListQuery q;
  q.collection = "products";
  q.tenant = std::string(tenant);
  q.filters = {Eq("kind", std::string("offer")), Eq("active", true)};
  q.limit = 1;
  q.omit_doc = true;
  std::vector<store::StoredRecord> rows;
  RETURN_IF_ERROR(txn->List(q, &rows));
  return rows.empty() ? std::string() : rows[0].id;
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// "churn 0.82 (exit_signals_90d, complaint_signals_90d)"
std::string Because(std::string_view name, const Score& s) {
  std::string out(name);
  out += " " + Fixed(s.value, 2);
  if (!s.reasons.empty()) {
    out += " (";
    for (size_t i = 0; i < s.reasons.size() && i < 3; ++i) {
      if (i) out += ", ";
      out += s.reasons[i].feature;
    }
    out += ")";
  }
  return out;
}

void AppendScore(JsonObject* parent, std::string_view key, const Score& s) {
  std::string reasons = "[";
  for (size_t i = 0; i < s.reasons.size(); ++i) {
    if (i) reasons += ",";
    JsonObject r;
    r.Add("feature", s.reasons[i].feature)
        .AddRaw("value", Fixed(s.reasons[i].value, 3))
        .AddRaw("contribution", Fixed(s.reasons[i].contribution, 3));
    reasons += r.Finish();
  }
  reasons += "]";
  JsonObject o;
  o.AddRaw("score", Fixed(s.value, 4)).Add("band", s.band).AddRaw("reasons", reasons);
  parent->AddRaw(key, o.Finish());
}

}  // namespace

Result<ContactScores> Decisioning::Score(std::string_view tenant, std::string_view contact_id,
                                         const crm::Access& contacts) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::ReadTxn> txn, store_->BeginRead());
  ASSIGN_OR_RETURN(Contact c, ReadContact(txn.get(), tenant, contact_id, contacts));
  if (!c.profiling) return crm::ConsentRefusal(contact_id, crm::Consent::kProfiling);
  ASSIGN_OR_RETURN(ScoreInputs in, ReadTimeline(txn.get(), tenant, contact_id));
  return ComputeScores(in, clock_->NowUnixMillis());
}

Result<BatchScores> Decisioning::ScoreMany(std::string_view tenant,
                                           const std::vector<std::string>& ids,
                                           const crm::Access& contacts) {
  // max_rows caps how many records one call may reveal anything about.
  const size_t cap = contacts.max_rows > 0
                         ? std::min(kMaxBatch, static_cast<size_t>(contacts.max_rows))
                         : kMaxBatch;
  if (ids.size() > cap) {
    return InvalidArgument("contact_ids: at most " + std::to_string(cap) + " per call");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::ReadTxn> txn, store_->BeginRead());
  const int64_t now = clock_->NowUnixMillis();
  BatchScores out;
  std::set<std::string_view> seen;
  for (const std::string& id : ids) {
    if (!seen.insert(id).second) continue;
    auto c = ReadContact(txn.get(), tenant, id, contacts);
    if (!c.ok()) {
      if (c.status().code() != StatusCode::kNotFound) return c.status();
      out.not_found.push_back(id);
      continue;
    }
    if (!c->profiling) {
      out.excluded.push_back(id);
      continue;
    }
    ASSIGN_OR_RETURN(ScoreInputs in, ReadTimeline(txn.get(), tenant, id));
    out.scored.push_back({id, ComputeScores(in, now)});
  }
  return out;
}

Result<Recommendations> Decisioning::Recommend(std::string_view tenant, std::string_view contact_id,
                                               const crm::Access& contacts) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::ReadTxn> txn, store_->BeginRead());
  ASSIGN_OR_RETURN(Contact c, ReadContact(txn.get(), tenant, contact_id, contacts));
  ASSIGN_OR_RETURN(ScoreInputs in, ReadTimeline(txn.get(), tenant, contact_id));
  Recommendations out;
  // Service first: an escalated case is answered whatever the profile says, and needs none.
  int calls = 0;
  for (const CaseFact& k : in.cases) {
    const bool open = k.status != "resolved" && k.status != "closed";
    if (!open || (k.status != "escalated" && k.priority != "urgent") || calls == 2) continue;
    ++calls;
    out.actions.push_back(
        {"call", "service", "phone", "", "open " + k.status + " case " + k.id, 1.0});
  }
  if (!c.profiling) {
    out.excluded.push_back({"scoring", "consent.profiling"});
    return out;
  }
  out.scored = true;
  out.scores = ComputeScores(in, clock_->NowUnixMillis());
  const signals::Score& churn = out.scores.churn;
  const signals::Score& intent = out.scores.intent;
  std::vector<Recommendation> marketing;
  if (churn.value >= 0.7) {
    ASSIGN_OR_RETURN(std::string offer, FirstOffer(txn.get(), tenant));
    marketing.push_back({"offer", "marketing", c.preferred_channel, offer,
                         "retention: " + Because("churn", churn), churn.value});
    // Internal follow-up for the owner: not outreach, so no marketing consent involved.
    out.actions.push_back({"task", "service", "", "",
                           "review the relationship: " + Because("churn", churn), churn.value});
  } else if (churn.value >= 0.4) {
    marketing.push_back({"loyalty", "marketing", c.preferred_channel, "",
                         "loyalty: " + Because("churn", churn), churn.value});
  }
  if (intent.value >= 0.6) {
    marketing.push_back({"call", "marketing", "phone", "",
                         "proactive advisor call: " + Because("intent", intent), intent.value});
    marketing.push_back({"message", "marketing", c.preferred_channel, "",
                         "personal briefing: " + Because("intent", intent), intent.value});
  }
  if (!marketing.empty()) {
    if (!c.marketing) {
      out.excluded.push_back({"marketing", "consent.marketing"});
    } else if (c.preferred_channel == "none") {
      out.excluded.push_back({"marketing", "preferred_channel"});
    } else {
      for (auto& m : marketing) out.actions.push_back(std::move(m));
    }
  }
  return out;
}

Result<std::vector<std::string>> ParseScoreRequest(std::string_view body) {
  rapidjson::Document d;
  auto parsed = ParseJson(body, &d);
  if (!parsed.ok) return InvalidArgument("malformed JSON: " + parsed.error);
  if (!d.IsObject()) return InvalidArgument("the body must be a JSON object");
  std::vector<std::string> ids;
  bool has_ids = false;
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key != "contact_ids") {
      return InvalidArgument("unknown member '" + std::string(key) +
                             "' (the body is {\"contact_ids\": [...]})");
    }
    if (!m->value.IsArray()) return InvalidArgument("contact_ids must be an array of ids");
    has_ids = true;
    for (const auto& v : m->value.GetArray()) {
      if (!v.IsString()) return InvalidArgument("contact_ids must be an array of ids");
      ids.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  if (!has_ids) return InvalidArgument("contact_ids is required");
  return ids;
}

std::string ScoresJson(const ContactScores& s) {
  JsonObject o;
  AppendScore(&o, "churn", s.churn);
  AppendScore(&o, "intent", s.intent);
  return o.Finish();
}

std::string RecommendationsJson(std::string_view contact_id, const Recommendations& r) {
  std::string actions = "[";
  for (size_t i = 0; i < r.actions.size(); ++i) {
    const Recommendation& a = r.actions[i];
    if (i) actions += ",";
    JsonObject o;
    o.Add("contact_id", contact_id).Add("kind", a.kind).Add("purpose", a.purpose);
    if (!a.channel.empty()) o.Add("channel", a.channel);
    if (!a.product_id.empty()) o.Add("product_id", a.product_id);
    o.Add("reason", a.reason).AddRaw("score", Fixed(a.score, 4));
    actions += o.Finish();
  }
  actions += "]";
  std::string excluded = "[";
  for (size_t i = 0; i < r.excluded.size(); ++i) {
    if (i) excluded += ",";
    JsonObject o;
    o.Add("what", r.excluded[i].what).Add("why", r.excluded[i].why);
    excluded += o.Finish();
  }
  excluded += "]";
  JsonObject o;
  o.Add("contact_id", contact_id);
  if (r.scored) {
    o.AddRaw("scores", ScoresJson(r.scores));
  } else {
    o.AddNull("scores");
  }
  o.AddRaw("actions", actions).AddRaw("excluded", excluded);
  return o.Finish();
}

}  // namespace crmi::signals
