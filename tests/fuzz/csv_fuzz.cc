// CSV parsing and row conversion, fed in two pieces split at an input-chosen offset.
#include <cstdlib>
#include <string>
#include <vector>

#include "src/crm/csv.h"
#include "src/crm/importer.h"
#include "src/crm/record.h"
#include "tests/fuzz/fuzz.h"

CRMI_FUZZ_TARGET(csv) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t split = in.empty() ? 0 : data[0] % (in.size() + 1);
  const auto& contacts = *crmi::crm::Schema::Default().Find("contacts");
  crmi::crm::CsvParser parser(4096);
  std::vector<std::string> header;
  auto fn = [&](const std::vector<std::string>& row, int64_t line, crmi::Status error) {
    if (line < 1) std::abort();
    if (!error.ok()) return crmi::Status::Ok();
    if (header.empty()) {
      header = row;
      if (!crmi::crm::ValidateCsvHeader(contacts, header).ok()) header = {"last_name", "custom"};
      return crmi::Status::Ok();
    }
    const std::string json = crmi::crm::CsvRowToJson(contacts, header, row);
    auto r = crmi::crm::PrepareRecord(contacts, json, "t1");
    if (!r.ok() && r.status().code() != crmi::StatusCode::kInvalidArgument) std::abort();
    return crmi::Status::Ok();
  };
  (void)parser.Feed(in.substr(0, split), fn);
  (void)parser.Feed(in.substr(split), fn);
  (void)parser.Finish(fn);
  return 0;
}
