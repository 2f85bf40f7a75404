#include "src/privacy/subject_export.h"

#include "src/common/json_text.h"

namespace crmi::privacy {

std::string SubjectExportJson(std::string_view tenant, std::string_view subject,
                              std::string_view exported_at, const crm::SubjectRecords& records,
                              const std::vector<Vault::Entry>& tokens) {
  std::string array = "[";
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) array += ',';
    array += JsonObject()
                 .Add("type", tokens[i].type)
                 .Add("token", tokens[i].token)
                 .Add("value", tokens[i].value)
                 .Finish();
  }
  array += ']';
  return JsonObject()
      .Add("subject", subject)
      .Add("tenant", tenant)
      .Add("exported_at", exported_at)
      .AddRaw("records", crm::SubjectRecordsJson(tenant, records))
      .AddRaw("tokens", array)
      .Finish();
}

}  // namespace crmi::privacy
