// Importer: bulk-loads NDJSON or CSV into one collection of one tenant, streamed.
//
// Input arrives in chunks of any size (an HTTP body, a file); memory stays bounded by one batch
// plus the longest line whatever the input size. Each line is validated on its own: valid ones
// are written in batches (one transaction per batch), each bad one is reported as
// {"line": N, "error": "..."}. A record whose id exists is replaced (counted as updated).
//
//   Importer imp(&service, *collection, tenant, ImportFormat::kNdjson);
//   while (read chunk) RETURN_IF_ERROR(imp.Feed(chunk));
//   RETURN_IF_ERROR(imp.Finish());
//   std::string json = imp.report().ToJson();
//
// Batches are written asynchronously, one at a time, while the next is parsed; the report is
// complete after Finish. Feed/Finish fail only when the store fails (kUnavailable...): lines of
// earlier batches stay committed, later ones are not written. Not thread-safe.
#ifndef CRMI_CRM_IMPORTER_H_
#define CRMI_CRM_IMPORTER_H_

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/crm/record.h"
#include "src/crm/record_service.h"
#include "src/crm/schema.h"

namespace crmi::crm {

class CsvParser;

enum class ImportFormat { kNdjson, kCsv };

struct ImportOptions {
  size_t batch_rows = 5000;
  size_t batch_bytes = 8 << 20;
  size_t max_line_bytes = 1 << 20;
  size_t max_reported_errors = 1000;
};

struct LineError {
  int64_t line;
  std::string error;
};

struct ImportReport {
  int64_t lines = 0;  // lines (NDJSON) or rows (CSV, header excluded) seen
  int64_t created = 0;
  int64_t updated = 0;
  int64_t failed = 0;
  std::vector<LineError> errors;  // the first max_reported_errors
  bool errors_truncated = false;

  std::string ToJson() const;
};

class Importer {
 public:
  // `access`: what the caller may write (RecordService). A line it does not allow fails on its
  // own, like an invalid one.
  Importer(RecordService* service, const Collection& collection, std::string tenant,
           ImportFormat format, ImportOptions options = {}, Access access = {});
  ~Importer();

  Status Feed(std::string_view chunk);
  Status Finish();

  const ImportReport& report() const { return report_; }
  int64_t bytes_seen() const { return bytes_; }

 private:
  Status OnLine(std::string_view line, int64_t line_no);  // counts the line, skips blank ones
  Status OnRecord(std::string_view json, int64_t line_no);
  Status OnCsvRow(const std::vector<std::string>& fields, int64_t line_no, const Status& error);
  void Fail(int64_t line_no, const Status& s);
  // Submits the current batch and waits for the previous one: one batch commits while the
  // next is parsed, and memory stays at two batches.
  Status Flush();
  Status Drain();

  RecordService* service_;
  const Collection& collection_;
  const std::string tenant_;
  const ImportFormat format_;
  const ImportOptions options_;
  const Access access_;

  ImportReport report_;
  int64_t bytes_ = 0;

  // NDJSON state
  std::string partial_;
  int64_t line_no_ = 0;
  bool skipping_long_line_ = false;

  // CSV state
  std::unique_ptr<CsvParser> csv_;
  std::vector<std::string> header_;
  bool header_done_ = false;

  std::vector<PreparedRecord> batch_;
  std::vector<int64_t> batch_lines_;
  size_t batch_bytes_ = 0;
  std::future<UpsertResult> in_flight_;
  std::vector<int64_t> in_flight_lines_;
};

// Converts one CSV row to a JSON record body using the collection's field types. Exposed for
// tests and the fuzzer.
std::string CsvRowToJson(const Collection& collection, const std::vector<std::string>& header,
                         const std::vector<std::string>& row);
// Checks a CSV header: each column a field, a subfield path, "custom.<key>", id or tenant.
Status ValidateCsvHeader(const Collection& collection, const std::vector<std::string>& header);

}  // namespace crmi::crm

#endif  // CRMI_CRM_IMPORTER_H_
