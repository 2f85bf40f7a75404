#include "src/crm/csv.h"

#include <algorithm>

namespace crmi::crm {

void CsvParser::EndField() {
  fields_.push_back(std::move(field_));
  field_.clear();
}

Status CsvParser::EndRow(const RowFn& fn) {
  Status s;
  if (state_ == State::kBadRow) {
    s = fn(fields_, row_line_, InvalidArgument(bad_reason_));
  } else {
    EndField();
    // A physically empty line is not a row.
    const bool empty = fields_.size() == 1 && fields_[0].empty() && !row_has_data_;
    if (!empty) s = fn(fields_, row_line_, Status::Ok());
  }
  fields_.clear();
  field_.clear();
  state_ = State::kFieldStart;
  row_bytes_ = 0;
  row_has_data_ = false;
  row_line_ = line_ + 1;
  return s;
}

Status CsvParser::EndLine(char c, const RowFn& fn) {
  pending_cr_ = c == '\r';  // a following \n belongs to this line end
  RETURN_IF_ERROR(EndRow(fn));
  ++line_;
  return Status::Ok();
}

Status CsvParser::Feed(std::string_view chunk, const RowFn& fn) {
  if (at_start_) {
    const size_t take = std::min(chunk.size(), 3 - start_.size());
    start_.append(chunk.substr(0, take));
    chunk.remove_prefix(take);
    if (start_.size() < 3) return Status::Ok();
    at_start_ = false;
    if (start_ != "\xEF\xBB\xBF") RETURN_IF_ERROR(Consume(start_, fn));
  }
  return Consume(chunk, fn);
}

Status CsvParser::Consume(std::string_view chunk, const RowFn& fn) {
  for (size_t i = 0; i < chunk.size(); ++i) {
    const char c = chunk[i];
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') continue;  // CRLF: the row already ended at CR
    }
    if (state_ != State::kBadRow && ++row_bytes_ > max_row_bytes_) {
      state_ = State::kBadRow;
      bad_reason_ = "row longer than " + std::to_string(max_row_bytes_) + " bytes";
    }
    switch (state_) {
      case State::kBadRow:
        // Skip to the end of the line. A bad row inside quotes may swallow following lines;
        // that is the price of not buffering unbounded input.
        if (c == '\n' || c == '\r') {
          RETURN_IF_ERROR(EndLine(c, fn));
        }
        break;
      case State::kFieldStart:
        if (c == '"') {
          state_ = State::kQuoted;
          row_has_data_ = true;
        } else if (c == ',') {
          row_has_data_ = true;
          EndField();
        } else if (c == '\n' || c == '\r') {
          RETURN_IF_ERROR(EndLine(c, fn));
        } else {
          field_.push_back(c);
          row_has_data_ = true;
          state_ = State::kUnquoted;
        }
        break;
      case State::kUnquoted:
        if (c == ',') {
          EndField();
          state_ = State::kFieldStart;
        } else if (c == '\n' || c == '\r') {
          RETURN_IF_ERROR(EndLine(c, fn));
        } else {
          field_.push_back(c);
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          state_ = State::kQuoteInQuoted;
        } else {
          if (c == '\n') ++line_;
          field_.push_back(c);
        }
        break;
      case State::kQuoteInQuoted:
        if (c == '"') {
          field_.push_back('"');
          state_ = State::kQuoted;
        } else if (c == ',') {
          EndField();
          state_ = State::kFieldStart;
        } else if (c == '\n' || c == '\r') {
          RETURN_IF_ERROR(EndLine(c, fn));
        } else {
          state_ = State::kBadRow;
          bad_reason_ = "unexpected character after closing quote";
        }
        break;
    }
  }
  return Status::Ok();
}

Status CsvParser::Finish(const RowFn& fn) {
  if (at_start_) {  // fewer than 3 bytes in all
    at_start_ = false;
    RETURN_IF_ERROR(Consume(start_, fn));
  }
  pending_cr_ = false;
  if (state_ == State::kQuoted) {
    state_ = State::kBadRow;
    bad_reason_ = "unterminated quoted field at end of input";
  }
  if (state_ == State::kFieldStart && fields_.empty() && field_.empty() && !row_has_data_) {
    return Status::Ok();
  }
  return EndRow(fn);
}

}  // namespace crmi::crm
