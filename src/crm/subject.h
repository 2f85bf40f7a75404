// A data subject (a contact) and everything the CRM holds about them, for the GDPR rights of
// access (export) and erasure.
//
// The subject's records: the contact; leads converted to it (converted_contact_id); its cases
// (contact_id); activities whose parent is the contact or one of its cases; opportunities naming
// it as primary contact (contact_id) — those belong to the account, so erasure unlinks them
// instead of deleting them; actions addressed to it (contact_id).
//
// Thread-safety: safe to call concurrently (each function reads one store snapshot or writes
// through RecordService).
#ifndef CRMI_CRM_SUBJECT_H_
#define CRMI_CRM_SUBJECT_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/crm/record_service.h"
#include "src/store/store.h"

namespace crmi::crm {

struct SubjectRecords {
  std::vector<store::StoredRecord> contacts;  // the contact, or none when already erased
  std::vector<store::StoredRecord> leads, cases, activities, opportunities, actions;
  bool empty() const {
    return contacts.empty() && leads.empty() && cases.empty() && activities.empty() &&
           opportunities.empty() && actions.empty();
  }
};

// The ids of every record in `records`, and `contact_id`.
std::vector<std::string> SubjectRecordIds(const SubjectRecords& records,
                                          const std::string& contact_id);

// Reads the subject's records from one consistent snapshot. kInvalidArgument for a malformed id.
Result<SubjectRecords> CollectSubject(store::Store* store, std::string_view tenant,
                                      std::string_view contact_id);

// {"contact": {...} | null, "leads": [...], "cases": [...], "activities": [...],
//  "opportunities": [...], "actions": [...]} — records in their API representation, nothing
//  masked.
std::string SubjectRecordsJson(std::string_view tenant, const SubjectRecords& records);

struct ErasureCounts {
  int contacts = 0, leads = 0, cases = 0, activities = 0, opportunities_unlinked = 0, actions = 0;
};

// Deletes the contact, its leads, cases, activities and actions, and unlinks its opportunities.
// Each record is its own write, so the erasure is idempotent rather than atomic: after a crash,
// erasing again finishes it. kNotFound when the tenant holds nothing of the subject.
Result<ErasureCounts> EraseSubject(RecordService* records, store::Store* store,
                                   std::string_view tenant, std::string_view contact_id);

}  // namespace crmi::crm

#endif  // CRMI_CRM_SUBJECT_H_
