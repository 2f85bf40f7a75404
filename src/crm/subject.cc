#include "src/crm/subject.h"

#include "src/common/ids.h"
#include "src/crm/record.h"
#include "src/crm/schema.h"

namespace crmi::crm {
namespace {

// Every record of `collection` in `tenant` where `field` == `value` (all pages).
Status ListWhere(store::ReadTxn& txn, const std::string& collection, std::string_view tenant,
                 std::vector<store::FieldFilter> filters, std::vector<store::StoredRecord>* out) {
  store::ListQuery q;
  q.collection = collection;
  q.tenant = std::string(tenant);
  q.filters = std::move(filters);
  q.limit = 10000;
  while (true) {
    std::vector<store::StoredRecord> page;
    RETURN_IF_ERROR(txn.List(q, &page));
    for (auto& r : page) {
      q.after_seq = r.seq;
      out->push_back(std::move(r));
    }
    if (static_cast<int>(page.size()) < q.limit) return Status::Ok();
  }
}

store::FieldFilter Eq(std::string field, std::string value) {
  store::FieldFilter f;
  f.field = std::move(field);
  f.op = store::FieldFilter::Op::kEq;
  f.values = {store::Value(std::move(value))};
  return f;
}

void AppendArray(std::string* out, std::string_view tenant,
                 const std::vector<store::StoredRecord>& records) {
  *out += '[';
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) *out += ',';
    AppendRecordJson(out, tenant, records[i]);
  }
  *out += ']';
}

}  // namespace

std::vector<std::string> SubjectRecordIds(const SubjectRecords& records,
                                          const std::string& contact_id) {
  std::vector<std::string> ids = {contact_id};
  for (const auto* list : {&records.contacts, &records.leads, &records.cases, &records.activities,
                           &records.opportunities, &records.actions}) {
    for (const auto& r : *list) ids.push_back(r.id);
  }
  return ids;
}

Result<SubjectRecords> CollectSubject(store::Store* store, std::string_view tenant,
                                      std::string_view contact_id) {
  if (!IsValidRecordId(contact_id)) return InvalidArgument("malformed contact id");
  ASSIGN_OR_RETURN(std::unique_ptr<store::ReadTxn> txn, store->BeginRead());
  SubjectRecords s;
  const std::string id(contact_id);
  auto contact = txn->Get("contacts", tenant, id);
  if (contact.ok()) {
    s.contacts.push_back(std::move(contact).value());
  } else if (contact.status().code() != StatusCode::kNotFound) {
    return contact.status();
  }
  RETURN_IF_ERROR(ListWhere(*txn, "leads", tenant, {Eq("converted_contact_id", id)}, &s.leads));
  RETURN_IF_ERROR(ListWhere(*txn, "cases", tenant, {Eq("contact_id", id)}, &s.cases));
  RETURN_IF_ERROR(
      ListWhere(*txn, "opportunities", tenant, {Eq("contact_id", id)}, &s.opportunities));
  RETURN_IF_ERROR(ListWhere(*txn, "activities", tenant,
                            {Eq("parent_type", "contacts"), Eq("parent_id", id)}, &s.activities));
  RETURN_IF_ERROR(ListWhere(*txn, "actions", tenant, {Eq("contact_id", id)}, &s.actions));
  for (const auto& c : s.cases) {
    RETURN_IF_ERROR(ListWhere(*txn, "activities", tenant,
                              {Eq("parent_type", "cases"), Eq("parent_id", c.id)}, &s.activities));
  }
  return s;
}

std::string SubjectRecordsJson(std::string_view tenant, const SubjectRecords& r) {
  std::string out = "{\"contact\":";
  if (r.contacts.empty()) {
    out += "null";
  } else {
    AppendRecordJson(&out, tenant, r.contacts.front());
  }
  out += ",\"leads\":";
  AppendArray(&out, tenant, r.leads);
  out += ",\"cases\":";
  AppendArray(&out, tenant, r.cases);
  out += ",\"activities\":";
  AppendArray(&out, tenant, r.activities);
  out += ",\"opportunities\":";
  AppendArray(&out, tenant, r.opportunities);
  out += ",\"actions\":";
  AppendArray(&out, tenant, r.actions);
  out += '}';
  return out;
}

Result<ErasureCounts> EraseSubject(RecordService* records, store::Store* store,
                                   std::string_view tenant, std::string_view contact_id) {
  ASSIGN_OR_RETURN(SubjectRecords s, CollectSubject(store, tenant, contact_id));
  if (s.empty()) return NotFound("no contact " + std::string(contact_id) + " in this tenant");
  const Schema& schema = Schema::Default();
  ErasureCounts n;
  auto erase = [&](const char* collection, const std::vector<store::StoredRecord>& list,
                   int* count) -> Status {
    const Collection& c = *schema.Find(collection);
    for (const auto& r : list) {
      Status st = records->Delete(c, tenant, r.id, std::nullopt);
      if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
      ++*count;
    }
    return Status::Ok();
  };
  // Children first: a crash midway leaves the contact, so the erasure can be found and redone.
  RETURN_IF_ERROR(erase("actions", s.actions, &n.actions));
  RETURN_IF_ERROR(erase("activities", s.activities, &n.activities));
  RETURN_IF_ERROR(erase("cases", s.cases, &n.cases));
  RETURN_IF_ERROR(erase("leads", s.leads, &n.leads));
  const Collection& opportunities = *schema.Find("opportunities");
  for (const auto& r : s.opportunities) {
    auto st = records->Patch(opportunities, tenant, r.id, R"({"contact_id":null})", std::nullopt);
    if (!st.ok() && st.status().code() != StatusCode::kNotFound) return st.status();
    ++n.opportunities_unlinked;
  }
  RETURN_IF_ERROR(erase("contacts", s.contacts, &n.contacts));
  return n;
}

}  // namespace crmi::crm
