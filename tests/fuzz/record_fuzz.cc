// Record bodies and merge patches: arbitrary bytes must give a record or kInvalidArgument.
#include <cstdlib>
#include <string_view>

#include "src/crm/record.h"
#include "tests/fuzz/fuzz.h"

CRMI_FUZZ_TARGET(record) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto& schema = crmi::crm::Schema::Default();
  // First byte picks the collection; the rest is the body.
  if (in.empty()) return 0;
  const auto& c =
      schema.collections()[static_cast<unsigned char>(in[0]) % schema.collections().size()];
  const std::string_view body = in.substr(1);
  auto r = crmi::crm::PrepareRecord(c, body, "t1");
  if (r.ok()) {
    // A valid record's document must itself validate (canonical form is stable).
    auto again = crmi::crm::PrepareRecord(c, r->doc, "t1");
    if (!again.ok() || again->doc != r->doc) std::abort();
  } else if (r.status().code() != crmi::StatusCode::kInvalidArgument) {
    std::abort();
  }
  auto p = crmi::crm::PrepareMergePatch(c, "{\"last_name\":\"N\",\"name\":\"N\",\"custom\":{}}",
                                        body, "r1", "t1");
  if (!p.ok() && p.status().code() != crmi::StatusCode::kInvalidArgument) std::abort();
  return 0;
}
