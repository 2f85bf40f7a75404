#include "src/store/sqlite/queries.h"

#include <algorithm>

#include "src/store/sqlite/sqlite_db.h"
#include "src/store/sqlite/tenants.h"

namespace crmi::store::sqlite {
namespace {

constexpr int kMaxListLimit = 10000;

bool IsPathSegment(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '_')) {
      return false;
    }
  }
  return true;
}

bool IsValidPath(std::string_view path) {
  size_t start = 0;
  int depth = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    if (!IsPathSegment(path.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (++depth > 8) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

bool CollectionInfo::IsColumn(std::string_view field) const {
  if (field == "id" || field == "created_at" || field == "updated_at" || field == "version") {
    return true;
  }
  return std::find(indexed.begin(), indexed.end(), field) != indexed.end();
}

CollectionInfo BuildCollectionInfo(const CollectionSpec& spec) {
  CollectionInfo c;
  c.name = spec.name;
  c.indexed = spec.indexed_fields;
  const std::string cols = "seq, id, version, created_at, updated_at, doc";
  c.get_sql = "SELECT " + cols + " FROM " + c.name + " WHERE tenant = ?1 AND id = ?2";
  c.exists_sql = "SELECT version FROM " + c.name + " WHERE tenant = ?1 AND id = ?2";
  std::string names, params, sets;
  for (size_t i = 0; i < c.indexed.size(); ++i) {
    const std::string p = "?" + std::to_string(5 + i);
    names += ", " + c.indexed[i];
    params += ", " + p;
    sets += ", " + c.indexed[i] + " = " + p;
  }
  const std::string next = "?" + std::to_string(5 + c.indexed.size());
  const std::string after = "?" + std::to_string(6 + c.indexed.size());
  c.insert_sql = "INSERT INTO " + c.name + " (tenant, id, version, created_at, updated_at, doc" +
                 names + ", seq) VALUES (?1, ?2, 1, ?3, ?3, ?4" + params + ", " + next + ")";
  c.update_sql = "UPDATE " + c.name + " SET version = version + 1, updated_at = ?3, doc = ?4" +
                 sets + " WHERE tenant = ?1 AND id = ?2 AND (" + next +
                 " = 0 OR version = " + next + ") AND (" + after + " = 0 OR seq = " + after +
                 ") RETURNING seq, version, created_at";
  c.delete_sql = "DELETE FROM " + c.name +
                 " WHERE tenant = ?1 AND id = ?2 AND (?3 = 0 OR version = ?3) AND (?4 = 0 OR "
                 "seq = ?4)";
  return c;
}

void ReadRecordRow(const Stmt& st, StoredRecord* r) {
  r->seq = st.ColumnInt(0);
  r->id = st.ColumnText(1);
  r->version = st.ColumnInt(2);
  r->created_at = st.ColumnText(3);
  r->updated_at = st.ColumnText(4);
  r->doc = st.ColumnText(5);
}

Result<const CollectionInfo*> Queries::Find(std::string_view collection) const {
  auto it = collections_->find(collection);
  if (it == collections_->end()) {
    return InvalidArgument("unknown collection '" + std::string(collection) + "'");
  }
  return &it->second;
}

// Filters as SQL conditions (" AND ..." each) and what to bind to their placeholders.
struct FilterSql {
  struct Bind {
    const Value* value;  // null: bind `path`
    std::string path;    // for json_extract on fields that are not columns
  };
  std::string sql;
  std::vector<Bind> binds;
  bool column_filter = false;  // some filter is on an indexed column
};

Status ValidateFilters(const std::vector<FieldFilter>& filters) {
  for (const FieldFilter& f : filters) {
    if (!IsValidPath(f.field)) return InvalidArgument("invalid filter field '" + f.field + "'");
    if ((f.op == FieldFilter::Op::kEq || f.op == FieldFilter::Op::kNe) && f.values.size() != 1) {
      return InvalidArgument("equality filter needs one value");
    }
    if (f.op == FieldFilter::Op::kNotIn && (f.values.empty() || f.values.size() > 100)) {
      return InvalidArgument("not-in filter needs 1..100 values");
    }
    // Row filters put a principal's book of customers or regions here: allow a large set
    // (SQLite binds up to 32,766 parameters).
    if (f.op == FieldFilter::Op::kIn && f.values.size() > 10000) {
      return InvalidArgument("in filter takes at most 10000 values");
    }
  }
  return Status::Ok();
}

// REQUIRES: ValidateFilters(filters).ok(); `filters` outlives the result (binds point into it).
FilterSql BuildFilterSql(const CollectionInfo& c, const std::vector<FieldFilter>& filters) {
  FilterSql out;
  for (const FieldFilter& f : filters) {
    const bool column = c.IsColumn(f.field);
    out.column_filter = out.column_filter || column;
    const std::string lhs = column ? f.field : "json_extract(doc, ?)";
    auto bind_lhs = [&] {
      if (!column) out.binds.push_back({nullptr, "$." + f.field});
    };
    if (f.op == FieldFilter::Op::kEq) {
      bind_lhs();
      if (std::holds_alternative<std::monostate>(f.values[0])) {
        out.sql += " AND " + lhs + " IS NULL";
      } else {
        out.sql += " AND " + lhs + " = ?";
        out.binds.push_back({&f.values[0], {}});
      }
    } else if (f.op == FieldFilter::Op::kNe) {
      // SQL semantics: a null field is not "different", it is unknown — the record stays out.
      bind_lhs();
      if (std::holds_alternative<std::monostate>(f.values[0])) {
        out.sql += " AND " + lhs + " IS NOT NULL";
      } else {
        out.sql += " AND " + lhs + " <> ?";
        out.binds.push_back({&f.values[0], {}});
      }
    } else if (f.op == FieldFilter::Op::kIn) {
      if (f.values.empty()) {
        out.sql += " AND 0";  // in an empty set: nothing matches
        continue;
      }
      bind_lhs();
      out.sql += " AND " + lhs + " IN (";
      for (size_t i = 0; i < f.values.size(); ++i) {
        out.sql += i ? ", ?" : "?";
        out.binds.push_back({&f.values[i], {}});
      }
      out.sql += ")";
    } else {
      bind_lhs();
      bind_lhs();
      out.sql += " AND (" + lhs + " IS NULL OR " + lhs + " NOT IN (";
      for (size_t i = 0; i < f.values.size(); ++i) {
        out.sql += i ? ", ?" : "?";
        out.binds.push_back({&f.values[i], {}});
      }
      out.sql += "))";
    }
  }
  return out;
}

void BindFilters(const FilterSql& where, Stmt* st, int* idx) {
  for (const FilterSql::Bind& b : where.binds) {
    if (b.value == nullptr) {
      st->BindText((*idx)++, b.path);
    } else {
      st->BindValue((*idx)++, *b.value);
    }
  }
}

Result<StoredRecord> Queries::Get(Connection* conn, std::string_view collection, int64_t tenant_id,
                                  std::string_view id,
                                  const std::vector<FieldFilter>& filters) const {
  ASSIGN_OR_RETURN(const CollectionInfo* c, Find(collection));
  RETURN_IF_ERROR(ValidateFilters(filters));
  auto missing = [&] {
    return NotFound(std::string(collection) + " '" + std::string(id) + "' not found");
  };
  if (tenant_id == 0) return missing();
  // A record the filters exclude is as missing as one that does not exist.
  FilterSql where = BuildFilterSql(*c, filters);
  ASSIGN_OR_RETURN(Stmt st, conn->Prepare(where.sql.empty() ? c->get_sql : c->get_sql + where.sql));
  st.BindInt(1, tenant_id);
  st.BindText(2, id);
  int idx = 3;
  BindFilters(where, &st, &idx);
  bool row = false;
  RETURN_IF_ERROR(st.Step(&row));
  if (!row) return missing();
  StoredRecord r;
  ReadRecordRow(st, &r);
  return r;
}

Status Queries::List(Connection* conn, const ListQuery& q, int64_t tenant_id,
                     std::vector<StoredRecord>* out) const {
  ASSIGN_OR_RETURN(const CollectionInfo* c, Find(q.collection));
  if (q.limit < 1 || q.limit > kMaxListLimit) {
    return InvalidArgument("limit must be between 1 and " + std::to_string(kMaxListLimit));
  }
  RETURN_IF_ERROR(ValidateFilters(q.filters));
  if (!q.order_by_desc.empty() && (!c->IsColumn(q.order_by_desc) || q.order_by_desc == "id")) {
    return InvalidArgument("cannot order by '" + q.order_by_desc + "'");
  }
  if (tenant_id == 0) return Status::Ok();  // the tenant has no records

  // The tenant's records are the seq range (floor, ceil). The tenant equality is stated only
  // when an indexed column is filtered, so that SQLite can use that (tenant, field, seq) index;
  // otherwise the range scan of the table is the plan.
  // The doc is the row's last column: without it SQLite does not read its overflow pages.
  std::string sql = std::string("SELECT seq, id, version, created_at, updated_at, ") +
                    (q.omit_doc ? "''" : "doc") + " FROM " + c->name + " WHERE seq > ? AND seq < ?";
  FilterSql where = BuildFilterSql(*c, q.filters);
  sql += where.sql;
  const bool column_filter = where.column_filter;
  if (column_filter || !q.order_by_desc.empty()) sql += " AND tenant = ?";
  if (q.order_by_desc.empty()) {
    sql += " ORDER BY seq LIMIT ?";
  } else {
    sql += " ORDER BY " + q.order_by_desc + " DESC, seq DESC LIMIT ?";
  }
  ASSIGN_OR_RETURN(Stmt st, conn->Prepare(sql));
  int idx = 1;
  const int64_t floor = SeqFloor(tenant_id);
  st.BindInt(idx++, q.order_by_desc.empty() ? std::max(q.after_seq, floor) : floor);
  st.BindInt(idx++, SeqCeil(tenant_id));
  BindFilters(where, &st, &idx);
  if (column_filter || !q.order_by_desc.empty()) st.BindInt(idx++, tenant_id);
  st.BindInt(idx, q.limit);
  bool row = false;
  while (true) {
    RETURN_IF_ERROR(st.Step(&row));
    if (!row) break;
    StoredRecord r;
    ReadRecordRow(st, &r);
    out->push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace crmi::store::sqlite
