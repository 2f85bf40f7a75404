#include "src/crm/importer.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/crm/csv.h"

namespace crmi::crm {
namespace {

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A CSV cell as JSON text for a field of type `t`. Cells that do not fit the type are passed as
// strings so that record validation reports them with the field name.
std::string CellJson(FieldType t, std::string_view cell) {
  std::string out;
  switch (t) {
    case FieldType::kInteger:
    case FieldType::kNumber: {
      rapidjson::Document d;
      if (ParseJson(cell, &d).ok && d.IsNumber()) {
        return std::string(cell);
      }
      break;
    }
    case FieldType::kBoolean: {
      const std::string l = Lower(cell);
      if (l == "true" || l == "1" || l == "yes" || l == "y") return "true";
      if (l == "false" || l == "0" || l == "no" || l == "n") return "false";
      break;
    }
    case FieldType::kStringArray: {
      out = "[";
      size_t start = 0;
      bool first = true;
      while (start <= cell.size()) {
        size_t semi = cell.find(';', start);
        if (semi == std::string_view::npos) semi = cell.size();
        std::string_view item = cell.substr(start, semi - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) {
          if (!first) out += ",";
          AppendJsonString(&out, item);
          first = false;
        }
        start = semi + 1;
      }
      return out + "]";
    }
    case FieldType::kJson: {
      rapidjson::Document d;
      if (ParseJson(cell, &d).ok && d.IsObject()) {
        return std::string(cell);
      }
      break;
    }
    default:
      break;
  }
  AppendJsonString(&out, cell);
  return out;
}

// Value of a custom.<key> cell: a JSON scalar when it parses as one, else a string.
std::string CustomCellJson(std::string_view cell) {
  rapidjson::Document d;
  if (ParseJson(cell, &d).ok && (d.IsNumber() || d.IsBool() || d.IsString())) {
    return std::string(cell);
  }
  std::string out;
  AppendJsonString(&out, cell);
  return out;
}

}  // namespace

Status ValidateCsvHeader(const Collection& c, const std::vector<std::string>& header) {
  if (header.empty()) return InvalidArgument("CSV header is empty");
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    if (IsSystemField(h)) continue;
    if (c.FindPath(h) == nullptr) {
      return InvalidArgument("CSV column " + std::to_string(i + 1) + " '" + h +
                             "' is not a field of " + c.name);
    }
    for (size_t j = 0; j < i; ++j) {
      if (header[j] == h) return InvalidArgument("CSV column '" + h + "' appears twice");
    }
  }
  return Status::Ok();
}

std::string CsvRowToJson(const Collection& c, const std::vector<std::string>& header,
                         const std::vector<std::string>& row) {
  // Top-level members in header order; dotted columns grouped under their parent.
  std::vector<std::pair<std::string, std::string>> top;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> nested;
  std::vector<std::string> nested_order;
  for (size_t i = 0; i < header.size() && i < row.size(); ++i) {
    const std::string& name = header[i];
    const std::string& cell = row[i];
    if (cell.empty()) continue;
    const size_t dot = name.find('.');
    if (dot == std::string::npos) {
      if (name == "version" || name == "created_at" || name == "updated_at") continue;
      const Field* f = c.Find(name);
      std::string v;
      if (f != nullptr) {
        v = CellJson(f->type, cell);
      } else {
        AppendJsonString(&v, cell);
      }
      top.emplace_back(name, std::move(v));
      continue;
    }
    const std::string parent = name.substr(0, dot);
    const std::string child = name.substr(dot + 1);
    const Field* f = c.FindPath(name);
    std::string v;
    if (f != nullptr && f->type == FieldType::kJson) {
      v = CustomCellJson(cell);
    } else if (f != nullptr) {
      v = CellJson(f->type, cell);
    } else {
      AppendJsonString(&v, cell);
    }
    if (nested.find(parent) == nested.end()) nested_order.push_back(parent);
    nested[parent].emplace_back(child, std::move(v));
  }
  std::string out = "{";
  bool first = true;
  auto key = [&](const std::string& k) {
    if (!first) out += ",";
    first = false;
    AppendJsonString(&out, k);
    out += ":";
  };
  for (const auto& [k, v] : top) {
    if (nested.count(k)) continue;  // "consent" and "consent.x" both given: dotted wins
    key(k);
    out += v;
  }
  for (const auto& parent : nested_order) {
    key(parent);
    out += "{";
    bool first_child = true;
    for (const auto& [k, v] : nested[parent]) {
      if (!first_child) out += ",";
      first_child = false;
      AppendJsonString(&out, k);
      out += ":" + v;
    }
    out += "}";
  }
  out += "}";
  return out;
}

std::string ImportReport::ToJson() const {
  std::string errs = "[";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) errs += ",";
    JsonObject e;
    e.Add("line", errors[i].line).Add("error", errors[i].error);
    errs += e.Finish();
  }
  errs += "]";
  JsonObject o;
  o.Add("lines", lines)
      .Add("created", created)
      .Add("updated", updated)
      .Add("failed", failed)
      .AddRaw("errors", errs)
      .Add("errors_truncated", errors_truncated);
  return o.Finish();
}

Importer::Importer(RecordService* service, const Collection& collection, std::string tenant,
                   ImportFormat format, ImportOptions options, Access access)
    : service_(service),
      collection_(collection),
      tenant_(std::move(tenant)),
      format_(format),
      options_(options),
      access_(std::move(access)) {
  if (format_ == ImportFormat::kCsv) csv_ = std::make_unique<CsvParser>(options_.max_line_bytes);
}

Importer::~Importer() = default;

void Importer::Fail(int64_t line_no, const Status& s) {
  ++report_.failed;
  if (report_.errors.size() < options_.max_reported_errors) {
    report_.errors.push_back({line_no, s.message()});
  } else {
    report_.errors_truncated = true;
  }
}

Status Importer::Flush() {
  RETURN_IF_ERROR(Drain());
  if (batch_.empty()) return Status::Ok();
  in_flight_lines_.swap(batch_lines_);
  in_flight_ = service_->UpsertAsync(collection_, tenant_, std::move(batch_), access_);
  batch_.clear();
  batch_lines_.clear();
  batch_bytes_ = 0;
  return Status::Ok();
}

Status Importer::Drain() {
  if (!in_flight_.valid()) return Status::Ok();
  UpsertResult r = in_flight_.get();
  if (!r.status.ok()) {
    return r.status.WithContext("writing lines " + std::to_string(in_flight_lines_.front()) + "-" +
                                std::to_string(in_flight_lines_.back()));
  }
  for (size_t i = 0; i < r.outcomes.size(); ++i) {
    switch (r.outcomes[i]) {
      case UpsertOutcome::kCreated:
        ++report_.created;
        break;
      case UpsertOutcome::kUpdated:
        ++report_.updated;
        break;
      case UpsertOutcome::kNoConsent:
        Fail(in_flight_lines_[i],
             PermissionDenied("consent required: the contact has not consented to marketing "
                              "(consent.marketing); the action was not written"));
        break;
      case UpsertOutcome::kDenied:
        Fail(in_flight_lines_[i],
             PermissionDenied("a record with this id exists outside the records your access "
                              "allows; it was left unchanged"));
        break;
    }
  }
  return Status::Ok();
}

Status Importer::OnLine(std::string_view line, int64_t line_no) {
  if (IsBlank(line)) return Status::Ok();
  ++report_.lines;
  return OnRecord(line, line_no);
}

Status Importer::OnRecord(std::string_view json, int64_t line_no) {
  auto prepared = PrepareRecord(collection_, json, tenant_);
  if (!prepared.ok()) {
    Fail(line_no, prepared.status());
    return Status::Ok();
  }
  Status allowed = CheckWritable(collection_, json, access_);
  if (allowed.ok() && !DocMatches(collection_, prepared->doc, access_.rows)) {
    allowed = PermissionDenied("the record falls outside the records your access allows");
  }
  if (!allowed.ok()) {
    Fail(line_no, allowed);
    return Status::Ok();
  }
  batch_bytes_ += prepared->doc.size();
  batch_.push_back(std::move(prepared).value());
  batch_lines_.push_back(line_no);
  if (batch_.size() >= options_.batch_rows || batch_bytes_ >= options_.batch_bytes) return Flush();
  return Status::Ok();
}

Status Importer::OnCsvRow(const std::vector<std::string>& fields, int64_t line_no,
                          const Status& error) {
  if (!header_done_) {
    if (!error.ok()) return error.WithContext("CSV header");
    header_ = fields;
    for (auto& h : header_) {
      while (!h.empty() && h.back() == ' ') h.pop_back();
      while (!h.empty() && h.front() == ' ') h.erase(h.begin());
    }
    RETURN_IF_ERROR(ValidateCsvHeader(collection_, header_));
    header_done_ = true;
    return Status::Ok();
  }
  ++report_.lines;
  if (!error.ok()) {
    Fail(line_no, error);
    return Status::Ok();
  }
  if (fields.size() != header_.size()) {
    Fail(line_no, InvalidArgument("row has " + std::to_string(fields.size()) +
                                  " columns, header has " + std::to_string(header_.size())));
    return Status::Ok();
  }
  return OnRecord(CsvRowToJson(collection_, header_, fields), line_no);
}

Status Importer::Feed(std::string_view chunk) {
  bytes_ += static_cast<int64_t>(chunk.size());
  if (format_ == ImportFormat::kCsv) {
    return csv_->Feed(chunk, [this](const std::vector<std::string>& f, int64_t line, Status e) {
      return OnCsvRow(f, line, e);
    });
  }
  while (!chunk.empty()) {
    const size_t nl = chunk.find('\n');
    const std::string_view piece = chunk.substr(0, nl);
    if (skipping_long_line_) {
      if (nl == std::string_view::npos) return Status::Ok();
      skipping_long_line_ = false;
    } else if (partial_.size() + piece.size() > options_.max_line_bytes) {
      ++report_.lines;
      Fail(line_no_ + 1, InvalidArgument("line longer than " +
                                         std::to_string(options_.max_line_bytes) + " bytes"));
      partial_.clear();
      if (nl == std::string_view::npos) {
        skipping_long_line_ = true;
        return Status::Ok();
      }
    } else if (nl == std::string_view::npos) {
      partial_.append(piece);
      return Status::Ok();
    } else {
      ++line_no_;
      if (partial_.empty()) {
        RETURN_IF_ERROR(OnLine(piece, line_no_));
      } else {
        partial_.append(piece);
        RETURN_IF_ERROR(OnLine(partial_, line_no_));
        partial_.clear();
      }
      chunk.remove_prefix(nl + 1);
      continue;
    }
    // Long line handled: count it and move past its newline.
    ++line_no_;
    chunk.remove_prefix(nl + 1);
  }
  return Status::Ok();
}

Status Importer::Finish() {
  if (format_ == ImportFormat::kCsv) {
    RETURN_IF_ERROR(csv_->Finish([this](const std::vector<std::string>& f, int64_t line, Status e) {
      return OnCsvRow(f, line, e);
    }));
    if (!header_done_) return InvalidArgument("CSV input has no header row");
  } else if (!skipping_long_line_ && !partial_.empty()) {
    ++line_no_;
    RETURN_IF_ERROR(OnLine(partial_, line_no_));
    partial_.clear();
  } else if (skipping_long_line_) {
    ++line_no_;
  }
  RETURN_IF_ERROR(Flush());
  return Drain();
}

}  // namespace crmi::crm
