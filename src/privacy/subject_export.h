// The GDPR access export of one subject, shared by GET /v1/subjects/{id}/export and
// `crmi subject export`:
//   {"subject", "tenant", "exported_at", "records": {...crm::SubjectRecordsJson},
//    "tokens": [{"type", "token", "value"}]}
#ifndef CRMI_PRIVACY_SUBJECT_EXPORT_H_
#define CRMI_PRIVACY_SUBJECT_EXPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/crm/subject.h"
#include "src/privacy/vault.h"

namespace crmi::privacy {

std::string SubjectExportJson(std::string_view tenant, std::string_view subject,
                              std::string_view exported_at, const crm::SubjectRecords& records,
                              const std::vector<Vault::Entry>& tokens);

}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_SUBJECT_EXPORT_H_
