#include "src/crm/customer360.h"

#include <rapidjson/document.h>

#include <algorithm>

#include "src/common/ids.h"
#include "src/common/json_parse.h"
#include "src/common/time_format.h"
#include "src/crm/record.h"
#include "src/crm/schema.h"

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

void AppendArray(std::string* out, const Collection& c, std::string_view tenant,
                 const std::vector<store::StoredRecord>& records, const Access& access) {
  out->push_back('[');
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) out->push_back(',');
    AppendVisibleRecordJson(out, c, tenant, records[i], access);
  }
  out->push_back(']');
}

const Collection& Coll(std::string_view name) { return *Schema::Default().Find(name); }

// Lists `q` unless the section is withheld; the caller's row restriction joins the query.
Status ListSection(store::ReadTxn* txn, store::ListQuery q, const Access* access,
                   std::vector<store::StoredRecord>* out) {
  if (access == nullptr) return Status::Ok();
  q.filters.insert(q.filters.end(), access->rows.begin(), access->rows.end());
  if (access->max_rows > 0) q.limit = std::min(q.limit, access->max_rows);
  return txn->List(q, out);
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
                                    Clock* clock, const Customer360Access& access) {
  auto not_found = [&] { return NotFound("contact '" + std::string(contact_id) + "' not found"); };
  if (!IsValidRecordId(contact_id) || access.contacts == nullptr) return not_found();
  ASSIGN_OR_RETURN(std::unique_ptr<store::ReadTxn> txn, store->BeginRead());
  // Row filters are part of each query: what they exclude is simply not found.
  auto contact = txn->Get("contacts", tenant, contact_id, access.contacts->rows);
  if (!contact.ok()) {
    if (contact.status().code() == StatusCode::kNotFound) return not_found();
    return contact.status();
  }
  const std::string account_id = DocString(contact->doc, "account_id");

  std::optional<store::StoredRecord> account;
  if (!account_id.empty() && access.accounts != nullptr) {
    auto a = txn->Get("accounts", tenant, account_id, access.accounts->rows);
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
  RETURN_IF_ERROR(ListSection(txn.get(), acts, access.activities, &activities));

  store::ListQuery cases;
  cases.collection = "cases";
  cases.tenant = std::string(tenant);
  cases.filters = {Eq("contact_id", std::string(contact_id)),
                   NotIn("status", {"resolved", "closed"})};
  cases.limit = options.cases;
  std::vector<store::StoredRecord> open_cases;
  RETURN_IF_ERROR(ListSection(txn.get(), cases, access.cases, &open_cases));

  store::ListQuery opps;
  opps.collection = "opportunities";
  opps.tenant = std::string(tenant);
  opps.filters = {Eq("contact_id", std::string(contact_id)),
                  NotIn("stage", {"closed_won", "closed_lost"})};
  opps.limit = options.opportunities;
  std::vector<store::StoredRecord> open_opps;
  RETURN_IF_ERROR(ListSection(txn.get(), opps, access.opportunities, &open_opps));
  if (!account_id.empty() && access.opportunities != nullptr) {
    opps.filters[0] = Eq("account_id", account_id);
    std::vector<store::StoredRecord> by_account;
    RETURN_IF_ERROR(ListSection(txn.get(), opps, access.opportunities, &by_account));
    const size_t cap = access.opportunities->max_rows > 0
                           ? std::min<size_t>(static_cast<size_t>(options.opportunities),
                                              static_cast<size_t>(access.opportunities->max_rows))
                           : static_cast<size_t>(options.opportunities);
    for (auto& r : by_account) {
      const bool seen = std::any_of(open_opps.begin(), open_opps.end(),
                                    [&](const store::StoredRecord& o) { return o.id == r.id; });
      if (!seen && open_opps.size() < cap) open_opps.push_back(std::move(r));
    }
    std::sort(open_opps.begin(), open_opps.end(),
              [](const auto& a, const auto& b) { return a.seq < b.seq; });
  }

  std::string out = "{\"contact\":";
  AppendVisibleRecordJson(&out, Coll("contacts"), tenant, contact.value(), *access.contacts);
  out += ",\"account\":";
  if (account) {
    AppendVisibleRecordJson(&out, Coll("accounts"), tenant, *account, *access.accounts);
  } else {
    out += "null";
  }
  const Access& none = Access::Unrestricted();  // for empty, withheld sections
  out += ",\"recent_activities\":";
  AppendArray(&out, Coll("activities"), tenant, activities,
              access.activities ? *access.activities : none);
  out += ",\"open_cases\":";
  AppendArray(&out, Coll("cases"), tenant, open_cases, access.cases ? *access.cases : none);
  out += ",\"open_opportunities\":";
  AppendArray(&out, Coll("opportunities"), tenant, open_opps,
              access.opportunities ? *access.opportunities : none);
  out += ",\"counts\":{\"recent_activities\":" + std::to_string(activities.size()) +
         ",\"open_cases\":" + std::to_string(open_cases.size()) +
         ",\"open_opportunities\":" + std::to_string(open_opps.size()) + "}";
  out += ",\"withheld\":[";
  bool first = true;
  auto withheld = [&](const Access* a, const char* section) {
    if (a != nullptr) return;
    if (!first) out += ",";
    first = false;
    out += std::string("\"") + section + "\"";
  };
  withheld(access.accounts, "account");
  withheld(access.activities, "recent_activities");
  withheld(access.cases, "open_cases");
  withheld(access.opportunities, "open_opportunities");
  out += "]";
  out += ",\"as_of\":\"" + FormatRfc3339Millis(clock->NowUnixMillis()) + "\"}";
  return out;
}

}  // namespace crmi::crm
