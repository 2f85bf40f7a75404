// Small parsers of untrusted strings: timestamps, cursors, ETags, filter values, ids.
#include <cstdlib>
#include <string>

#include "src/common/base64.h"
#include "src/common/ids.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"
#include "src/crm/record.h"
#include "src/crm/record_service.h"
#include "tests/fuzz/fuzz.h"

CRMI_FUZZ_TARGET(scalars) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto ms = crmi::ParseRfc3339(in);
  if (ms.ok() && ms.value() > -62135596800000 && ms.value() < 253402300800000) {
    // Formatting then parsing again is the identity.
    auto again = crmi::ParseRfc3339(crmi::FormatRfc3339Millis(ms.value()));
    if (!again.ok() || again.value() != ms.value()) std::abort();
  }
  (void)crmi::IsValidDate(in);
  (void)crmi::crm::DecodeCursor(in);
  (void)crmi::crm::ParseETag(in);
  auto dec = crmi::Base64UrlDecode(in);
  if (dec && crmi::Base64UrlEncode(*dec) != in) std::abort();
  (void)crmi::IsValidRecordId(in);
  std::string json;
  crmi::AppendJsonString(&json, in);
  if (!crmi::IsValidUtf8(json)) std::abort();
  const auto& opp = *crmi::crm::Schema::Default().Find("opportunities");
  for (const char* field : {"amount", "stage", "custom.x", "close_date", "probability"}) {
    (void)crmi::crm::ParseFilterValue(opp, field, in);
  }
  return 0;
}
