#include "src/crm/customer360.h"

#include <rapidjson/document.h>

#include <algorithm>

#include "src/common/ids.h"
#include "src/common/time_format.h"
#include "src/common/json_parse.h"
#include "src/crm/record.h"

namespace crmi::crm {
namespace {

// Reads one top-level string member of a stored document ("" when absent).
std::string DocString(const std::string& doc, const char* member) {
  rapidjson::Document d;
  if (!ParseJson(doc, &d).ok || !d.IsObject()) return "";
  auto it = d.FindMember(member);
  if (it == d.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

void AppendArray(std::string* out, std::string_view tenant,
                 const std::vector<store::StoredRecord>& records) {
  out->push_back('[');
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) out->push_back(',');
    AppendRecordJson(out, tenant, records[i]);
  }
  out->push_back(']');
}

store::FieldFilter Eq(std::string field, std::string value) {
  store::FieldFilter f;
  f.field = std::move(field);
  f.values.emplace_back(std::move(value));
  return f;
}

store::FieldFilter NotIn(std::string field, std::vector<std::string> values) {
  store::FieldFilter f;
  f.field = std::move(field);
  f.op = store::FieldFilter::Op::kNotIn;
  for (auto& v : values) f.values.emplace_back(std::move(v));
  return f;
}

}  // namespace

Result<std::string> Customer360Json(store::Store* store, std::string_view tenant,
                                    std::string_view contact_id, const Customer360Options& options,
                                    Clock* clock) {
  if (!IsValidRecordId(contact_id)) {
    return NotFound("contact '" + std::string(contact_id) + "' not found");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::ReadTxn> txn, store->BeginRead());
  auto contact = txn->Get("contacts", tenant, contact_id);
  if (!contact.ok()) {
    if (contact.status().code() == StatusCode::kNotFound) {
      return NotFound("contact '" + std::string(contact_id) + "' not found");
    }
    return contact.status();
  }
  const std::string account_id = DocString(contact->doc, "account_id");

  std::optional<store::StoredRecord> account;
  if (!account_id.empty()) {
    auto a = txn->Get("accounts", tenant, account_id);
    if (a.ok()) {
      account = std::move(a).value();
    } else if (a.status().code() != StatusCode::kNotFound) {
      return a.status();
    }
  }

  store::ListQuery acts;
  acts.collection = "activities";
  acts.tenant = std::string(tenant);
  acts.filters = {Eq("parent_id", std::string(contact_id)), Eq("parent_type", "contacts")};
  acts.order_by_desc = "occurred_at";
  acts.limit = options.activities;
  std::vector<store::StoredRecord> activities;
  RETURN_IF_ERROR(txn->List(acts, &activities));

  store::ListQuery cases;
  cases.collection = "cases";
  cases.tenant = std::string(tenant);
  cases.filters = {Eq("contact_id", std::string(contact_id)),
                   NotIn("status", {"resolved", "closed"})};
  cases.limit = options.cases;
  std::vector<store::StoredRecord> open_cases;
  RETURN_IF_ERROR(txn->List(cases, &open_cases));

  store::ListQuery opps;
  opps.collection = "opportunities";
  opps.tenant = std::string(tenant);
  opps.filters = {Eq("contact_id", std::string(contact_id)),
                  NotIn("stage", {"closed_won", "closed_lost"})};
  opps.limit = options.opportunities;
  std::vector<store::StoredRecord> open_opps;
  RETURN_IF_ERROR(txn->List(opps, &open_opps));
  if (!account_id.empty()) {
    opps.filters[0] = Eq("account_id", account_id);
    std::vector<store::StoredRecord> by_account;
    RETURN_IF_ERROR(txn->List(opps, &by_account));
    for (auto& r : by_account) {
      const bool seen = std::any_of(open_opps.begin(), open_opps.end(),
                                    [&](const store::StoredRecord& o) { return o.id == r.id; });
      if (!seen && open_opps.size() < static_cast<size_t>(options.opportunities)) {
        open_opps.push_back(std::move(r));
      }
    }
    std::sort(open_opps.begin(), open_opps.end(),
              [](const auto& a, const auto& b) { return a.seq < b.seq; });
  }

  std::string out = "{\"contact\":";
  AppendRecordJson(&out, tenant, contact.value());
  out += ",\"account\":";
  if (account) {
    AppendRecordJson(&out, tenant, *account);
  } else {
    out += "null";
  }
  out += ",\"recent_activities\":";
  AppendArray(&out, tenant, activities);
  out += ",\"open_cases\":";
  AppendArray(&out, tenant, open_cases);
  out += ",\"open_opportunities\":";
  AppendArray(&out, tenant, open_opps);
  out += ",\"counts\":{\"recent_activities\":" + std::to_string(activities.size()) +
         ",\"open_cases\":" + std::to_string(open_cases.size()) +
         ",\"open_opportunities\":" + std::to_string(open_opps.size()) + "}";
  out += ",\"as_of\":\"" + FormatRfc3339Millis(clock->NowUnixMillis()) + "\"}";
  return out;
}

}  // namespace crmi::crm
