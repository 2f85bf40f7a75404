#include "src/crm/record_service.h"

#include <algorithm>
#include <charconv>

#include "src/common/base64.h"
#include "src/common/ids.h"
#include "src/common/time_format.h"
#include "src/crm/consent.h"

namespace crmi::crm {
namespace {

store::NewRecord ToNew(PreparedRecord&& p) {
  return store::NewRecord{std::move(p.id), std::move(p.doc), std::move(p.index_values)};
}

// Resolves an If-Match header against the current record. "*" matches any; a list of tags
// matches if any tag does. Returns the precondition to enforce atomically in the write.
Result<store::Expect> MatchIfMatch(std::string_view if_match, const store::StoredRecord& current) {
  store::Expect expect{current.version, current.seq};
  size_t start = 0;
  while (start < if_match.size()) {
    size_t comma = if_match.find(',', start);
    if (comma == std::string_view::npos) comma = if_match.size();
    std::string_view tag = if_match.substr(start, comma - start);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return expect;
    auto parsed = ParseETag(tag);
    if (parsed && parsed->seq == current.seq && parsed->version == current.version) return expect;
    start = comma + 1;
  }
  return FailedPrecondition("If-Match " + std::string(if_match) +
                            " does not match the current ETag " + ETag(current));
}

}  // namespace

std::string EncodeCursor(int64_t seq) { return Base64UrlEncode("1." + std::to_string(seq)); }

Result<int64_t> DecodeCursor(std::string_view cursor) {
  auto bad = [] { return InvalidArgument("invalid cursor: pass next_cursor back unchanged"); };
  if (cursor.size() > 64) return bad();
  auto raw = Base64UrlDecode(cursor);
  if (!raw || raw->size() < 3 || raw->compare(0, 2, "1.") != 0) return bad();
  int64_t seq = 0;
  const char* b = raw->data() + 2;
  const char* e = raw->data() + raw->size();
  auto [p, ec] = std::from_chars(b, e, seq);
  if (ec != std::errc() || p != e || seq < 0) return bad();
  return seq;
}

std::string RecordService::Now() const { return FormatRfc3339Millis(clock_->NowUnixMillis()); }

Result<const Collection*> RecordService::FindCollection(std::string_view name) const {
  const Collection* c = schema_->Find(name);
  if (c == nullptr) {
    std::string known;
    for (const auto& col : schema_->collections()) {
      if (!known.empty()) known += ", ";
      known += col.name;
    }
    return NotFound("no collection '" + std::string(name) + "' (collections: " + known + ")");
  }
  return c;
}

namespace {

Status NotFoundRecord(const Collection& c, std::string_view id) {
  return NotFound(c.singular + " '" + std::string(id) + "' not found");
}

Status OutsideRows() {
  return PermissionDenied("the record would fall outside the records your access allows");
}

}  // namespace

Result<store::StoredRecord> RecordService::Create(const Collection& c, std::string_view tenant,
                                                  std::string_view body, const Access& access) {
  RETURN_IF_ERROR(CheckWritable(c, body, access));
  ASSIGN_OR_RETURN(PreparedRecord prepared, PrepareRecord(c, body, tenant));
  if (!DocMatches(c, prepared.doc, access.rows)) return OutsideRows();
  if (prepared.id.empty()) prepared.id = NewRecordId(c.id_prefix, clock_->NowUnixMillis());
  store::NewRecord rec = ToNew(std::move(prepared));
  const std::string now = Now();
  store::StoredRecord out;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> Status {
    if (c.name == "actions") RETURN_IF_ERROR(CheckActionConsent(txn, tenant, rec.doc, {}));
    ASSIGN_OR_RETURN(out, txn.Insert(c.name, tenant, rec, now));
    return Status::Ok();
  }));
  out.doc = std::move(rec.doc);
  return out;
}

Result<store::StoredRecord> RecordService::Get(const Collection& c, std::string_view tenant,
                                               std::string_view id, const Access& access) {
  if (!IsValidRecordId(id)) return NotFoundRecord(c, id);
  // The row filter is part of the query: a record outside it is not found, like a missing one.
  auto r = store_->Get(c.name, tenant, id, access.rows);
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) return NotFoundRecord(c, id);
  return r;
}

Result<store::StoredRecord> RecordService::Patch(const Collection& c, std::string_view tenant,
                                                 std::string_view id, std::string_view patch,
                                                 std::optional<std::string_view> if_match,
                                                 const Access& access) {
  if (!IsValidRecordId(id)) return NotFoundRecord(c, id);
  RETURN_IF_ERROR(CheckWritable(c, patch, access));
  // Read, merge and write inside one write transaction: the writer serialises patches, so
  // concurrent patches of different fields all land and If-Match is checked atomically.
  const std::string now = Now();
  store::StoredRecord out;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(store::StoredRecord current, txn.Get(c.name, tenant, id));
    if (!DocMatches(c, current.doc, access.rows)) return NotFoundRecord(c, id);
    store::Expect expect{current.version, current.seq};
    if (if_match) {
      ASSIGN_OR_RETURN(expect, MatchIfMatch(*if_match, current));
    }
    ASSIGN_OR_RETURN(PreparedRecord prepared, PrepareMergePatch(c, current.doc, patch, id, tenant));
    if (!DocMatches(c, prepared.doc, access.rows)) return OutsideRows();
    if (c.name == "actions") {
      RETURN_IF_ERROR(CheckActionConsent(txn, tenant, prepared.doc, current.doc));
    }
    std::string doc = prepared.doc;
    ASSIGN_OR_RETURN(out, txn.Update(c.name, tenant, ToNew(std::move(prepared)), expect, now));
    out.doc = std::move(doc);
    return Status::Ok();
  }));
  return out;
}

Status RecordService::Delete(const Collection& c, std::string_view tenant, std::string_view id,
                             std::optional<std::string_view> if_match, const Access& access) {
  if (!IsValidRecordId(id)) return NotFoundRecord(c, id);
  return store_->Write([&](store::WriteTxn& txn) -> Status {
    store::Expect expect;
    if (if_match || access.restricts_rows()) {
      ASSIGN_OR_RETURN(store::StoredRecord current, txn.Get(c.name, tenant, id));
      if (!DocMatches(c, current.doc, access.rows)) return NotFoundRecord(c, id);
      expect = store::Expect{current.version, current.seq};
      if (if_match) {
        ASSIGN_OR_RETURN(expect, MatchIfMatch(*if_match, current));
      }
    }
    return txn.Delete(c.name, tenant, id, expect);
  });
}

Result<Page> RecordService::List(const Collection& c, std::string_view tenant,
                                 const ListRequest& request, const Access& access) {
  if (request.limit < 1 || request.limit > kMaxPageSize) {
    return InvalidArgument("limit must be between 1 and " + std::to_string(kMaxPageSize));
  }
  // max_rows caps what one call may return; the caller still pages through the rest.
  const int limit = access.max_rows > 0 ? std::min(request.limit, access.max_rows) : request.limit;
  store::ListQuery q;
  q.collection = c.name;
  q.tenant = std::string(tenant);
  q.limit = limit + 1;  // one extra tells whether another page exists
  if (!request.cursor.empty()) {
    ASSIGN_OR_RETURN(q.after_seq, DecodeCursor(request.cursor));
  }
  for (const auto& [path, raw] : request.filters) {
    // Filtering on a masked field would reveal its values one probe at a time.
    if (IsMaskedPath(c, path, access)) {
      return PermissionDenied("field '" + path + "' is masked for you and cannot be filtered on");
    }
    ASSIGN_OR_RETURN(store::Value v, ParseFilterValue(c, path, raw));
    store::FieldFilter f;
    f.field = path;
    f.values.push_back(std::move(v));
    q.filters.push_back(std::move(f));
  }
  // The row restriction is part of the query, so pages hold exactly `limit` visible records.
  q.filters.insert(q.filters.end(), access.rows.begin(), access.rows.end());
  Page page;
  RETURN_IF_ERROR(store_->List(q, &page.items));
  if (page.items.size() > static_cast<size_t>(limit)) {
    page.items.pop_back();
    page.next_cursor = EncodeCursor(page.items.back().seq);
  }
  return page;
}

std::future<UpsertResult> RecordService::UpsertAsync(const Collection& c, std::string tenant,
                                                     std::vector<PreparedRecord> records,
                                                     const Access& access) {
  const int64_t now_ms = clock_->NowUnixMillis();
  // Shared between this call and the write, which runs later on the store's writer thread.
  struct State {
    const Collection* collection;
    std::string tenant;
    std::string now;
    std::vector<store::FieldFilter> rows;
    std::vector<store::NewRecord> recs;
    UpsertResult result;
  };
  auto st = std::make_shared<State>();
  st->collection = &c;
  st->tenant = std::move(tenant);
  st->now = FormatRfc3339Millis(now_ms);
  st->rows = access.rows;
  st->recs.reserve(records.size());
  for (auto& p : records) {
    if (p.id.empty()) p.id = NewRecordId(c.id_prefix, now_ms);
    st->recs.push_back(ToNew(std::move(p)));
  }
  std::future<Status> written = store_->WriteAsync([st](store::WriteTxn& txn) -> Status {
    const std::string& name = st->collection->name;
    st->result.outcomes.clear();
    const bool actions = name == "actions";
    for (const auto& rec : st->recs) {
      if (actions) {
        // The consent rule needs what the record replaces, if anything.
        auto current = txn.Get(name, st->tenant, rec.id);
        if (!current.ok() && current.status().code() != StatusCode::kNotFound) {
          return current.status();
        }
        Status consent =
            CheckActionConsent(txn, st->tenant, rec.doc, current.ok() ? current->doc : "");
        if (IsConsentRefusal(consent)) {
          st->result.outcomes.push_back(UpsertOutcome::kNoConsent);
          continue;
        }
        RETURN_IF_ERROR(consent);
      }
      auto ins = txn.Insert(name, st->tenant, rec, st->now);
      if (ins.ok()) {
        st->result.outcomes.push_back(UpsertOutcome::kCreated);
        continue;
      }
      if (ins.status().code() != StatusCode::kAlreadyExists) return ins.status();
      if (!st->rows.empty()) {
        auto current = txn.Get(name, st->tenant, rec.id);
        if (!current.ok()) return current.status();
        if (!DocMatches(*st->collection, current->doc, st->rows)) {
          st->result.outcomes.push_back(UpsertOutcome::kDenied);
          continue;
        }
      }
      auto upd = txn.Update(name, st->tenant, rec, store::Expect{}, st->now);
      if (!upd.ok()) return upd.status();
      st->result.outcomes.push_back(UpsertOutcome::kUpdated);
    }
    return Status::Ok();
  });
  // Chain the store's future into ours without a thread: the result is read on get().
  return std::async(std::launch::deferred, [st, written = std::move(written)]() mutable {
    st->result.status = written.get();
    if (!st->result.status.ok()) st->result.outcomes.clear();
    return std::move(st->result);
  });
}

Status RecordService::Upsert(const Collection& c, std::string_view tenant,
                             std::vector<PreparedRecord>* records,
                             std::vector<UpsertOutcome>* outcomes, const Access& access) {
  UpsertResult r = UpsertAsync(c, std::string(tenant), std::move(*records), access).get();
  records->clear();
  if (r.status.ok()) *outcomes = std::move(r.outcomes);
  return r.status;
}

}  // namespace crmi::crm
