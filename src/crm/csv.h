// Streaming CSV parser (RFC 4180 plus the usual leniencies): quoted fields with "" escapes and
// embedded newlines, CRLF or LF line ends, an optional UTF-8 BOM. Input arrives in arbitrary
// chunks; memory is bounded by the largest row (rows above max_row_bytes are reported, skipped).
//
// Not thread-safe; one parser per stream.
#ifndef CRMI_CRM_CSV_H_
#define CRMI_CRM_CSV_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi::crm {

class CsvParser {
 public:
  // Called once per row with the row's first line number (1-based). `error` is non-OK for a
  // malformed row, whose fields are then unspecified. Returning non-OK stops the parser.
  using RowFn =
      std::function<Status(const std::vector<std::string>& fields, int64_t line, Status error)>;

  explicit CsvParser(size_t max_row_bytes = 1 << 20) : max_row_bytes_(max_row_bytes) {}

  Status Feed(std::string_view chunk, const RowFn& fn);
  // Flushes the last row (a file need not end with a newline).
  Status Finish(const RowFn& fn);

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted, kBadRow };

  Status Consume(std::string_view data, const RowFn& fn);
  Status EndRow(const RowFn& fn);
  Status EndLine(char c, const RowFn& fn);
  void EndField();

  const size_t max_row_bytes_;
  State state_ = State::kFieldStart;
  std::vector<std::string> fields_;
  std::string field_;
  size_t row_bytes_ = 0;
  int64_t line_ = 1;      // current physical line
  int64_t row_line_ = 1;  // line where the current row started
  bool row_has_data_ = false;
  bool at_start_ = true;  // the first 3 bytes are held back to detect a UTF-8 BOM
  std::string start_;
  bool pending_cr_ = false;
  std::string bad_reason_;
};

}  // namespace crmi::crm

#endif  // CRMI_CRM_CSV_H_
