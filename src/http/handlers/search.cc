// POST /v1/search: a thin adapter over retrieval::RetrievalService. The caller's scopes come
// from secondary policy decisions — "list" on every searchable collection — so search never
// shows a passage of a record the caller could not list, nor of a field it would see masked.
#include <rapidjson/document.h>

#include <chrono>
#include <unordered_set>

#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"
#include "src/http/handlers/search.h"

#include "src/http/handlers/handlers.h"
#include "src/http/problem.h"
#include "src/retrieval/retrieval_service.h"
#include "src/retrieval/text.h"

namespace crmi::http::handlers {
namespace {

namespace r = crmi::retrieval;

constexpr size_t kMaxQueryBytes = 4096;

// A filter value: a string or an array of strings.
Status Strings(const rapidjson::Value& v, std::string_view name, std::vector<std::string>* out) {
  auto bad = [&] {
    return InvalidArgument("filters." + std::string(name) +
                           " must be a string or an array of strings");
  };
  if (v.IsString()) {
    out->emplace_back(v.GetString(), v.GetStringLength());
    return Status::Ok();
  }
  if (!v.IsArray() || v.Empty() || v.Size() > 1000) return bad();
  for (const auto& e : v.GetArray()) {
    if (!e.IsString()) return bad();
    out->emplace_back(e.GetString(), e.GetStringLength());
  }
  return Status::Ok();
}

}  // namespace

Status ParseSearchRequest(std::string_view body, r::SearchRequest* req) {
  rapidjson::Document d;
  auto parsed = ParseJson(body, &d);
  if (!parsed.ok) return InvalidArgument("malformed JSON: " + parsed.error);
  if (!d.IsObject()) return InvalidArgument("the body must be a JSON object");
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    const rapidjson::Value& v = m->value;
    if (key == "query") {
      if (!v.IsString()) return InvalidArgument("query must be a string");
      req->query.assign(v.GetString(), v.GetStringLength());
    } else if (key == "k") {
      if (!v.IsInt64()) return InvalidArgument("k must be an integer");
      const int64_t k = v.GetInt64();
      if (k < 1 || k > static_cast<int64_t>(r::RetrievalService::kMaxK)) {
        return InvalidArgument("k must be between 1 and " +
                               std::to_string(r::RetrievalService::kMaxK));
      }
      req->k = static_cast<size_t>(k);
    } else if (key == "mode") {
      const std::string_view mode = v.IsString() ? v.GetString() : "";
      if (mode == "hybrid")
        req->mode = r::SearchMode::kHybrid;
      else if (mode == "vector")
        req->mode = r::SearchMode::kVector;
      else if (mode == "lexical")
        req->mode = r::SearchMode::kLexical;
      else
        return InvalidArgument("mode must be one of hybrid, vector, lexical");
    } else if (key == "fusion") {
      const std::string_view f = v.IsString() ? v.GetString() : "";
      if (f == "weighted")
        req->fusion = r::Fusion::kWeighted;
      else if (f == "rrf")
        req->fusion = r::Fusion::kRrf;
      else
        return InvalidArgument("fusion must be weighted or rrf");
    } else if (key == "mmr") {
      if (!v.IsBool()) return InvalidArgument("mmr must be true or false");
      req->mmr = v.GetBool();
    } else if (key == "filters") {
      if (!v.IsObject()) return InvalidArgument("filters must be an object");
      r::SearchFilters& f = req->filters;
      for (auto fm = v.MemberBegin(); fm != v.MemberEnd(); ++fm) {
        const std::string_view name(fm->name.GetString(), fm->name.GetStringLength());
        const rapidjson::Value& fv = fm->value;
        Status s;
        if (name == "collection")
          s = Strings(fv, name, &f.collections);
        else if (name == "contact_id")
          s = Strings(fv, name, &f.contact_ids);
        else if (name == "account_id")
          s = Strings(fv, name, &f.account_ids);
        else if (name == "owner_id")
          s = Strings(fv, name, &f.owner_ids);
        else if (name == "region")
          s = Strings(fv, name, &f.regions);
        else if (name == "id")
          s = Strings(fv, name, &f.record_ids);
        else if (name == "from" || name == "to") {
          auto ms = fv.IsString()
                        ? ParseRfc3339(std::string_view(fv.GetString(), fv.GetStringLength()))
                        : Result<int64_t>(InvalidArgument(""));
          if (!ms.ok()) {
            return InvalidArgument("filters." + std::string(name) +
                                   " must be an RFC 3339 date-time");
          }
          (name == "from" ? f.from_ms : f.to_ms) = *ms;
        } else {
          return InvalidArgument("unknown filter field '" + std::string(name) +
                                 "' (known: collection, contact_id, account_id, owner_id, "
                                 "region, id, from, to)");
        }
        if (!s.ok()) return s;
      }
    } else {
      return InvalidArgument("unknown member '" + std::string(key) +
                             "' (known: query, k, mode, fusion, mmr, filters)");
    }
  }
  if (req->query.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("query is required and must not be empty");
  }
  if (req->query.size() > kMaxQueryBytes) {
    return InvalidArgument("query is longer than " + std::to_string(kMaxQueryBytes) + " bytes");
  }
  return Status::Ok();
}

namespace {

std::string HitJson(const r::Hit& h, const std::unordered_set<std::string>& query_terms) {
  const r::Chunk& c = h.chunk->chunk;
  JsonObject source;
  source.Add("collection", c.meta.collection)
      .Add("id", c.meta.record_id)
      .Add("field", c.field)
      .Add("start", static_cast<int64_t>(c.start))
      .Add("end", static_cast<int64_t>(c.end));
  JsonObject scores;
  if (h.vector)
    scores.Add("vector", static_cast<double>(*h.vector));
  else
    scores.AddNull("vector");
  if (h.lexical)
    scores.Add("lexical", static_cast<double>(*h.lexical));
  else
    scores.AddNull("lexical");
  JsonObject o;
  // Stable across restarts and re-indexes: where the passage is, not an index slot.
  o.Add("id", c.meta.record_id + ":" + c.field + ":" + std::to_string(c.start))
      .AddRaw("source", source.Finish())
      .Add("score", static_cast<double>(h.score))
      .AddRaw("scores", scores.Finish())
      .Add("snippet", r::MakeSnippet(c.text, query_terms));
  if (!c.title.empty()) o.Add("title", c.title);
  return o.Finish();
}

}  // namespace

// What the policy lets this caller see, collection by collection ("list" decisions).
// `max_rows` receives the smallest max_rows obligation among them (0: none).
std::vector<r::CollectionScope> SearchScopesOf(const App& app, const RequestContext& ctx,
                                               int* max_rows) {
  std::vector<r::CollectionScope> scopes;
  if (ctx.security.authorizer == nullptr) return scopes;
  for (const auto& name : r::SearchableCollections(*app.schema)) {
    auto a = ctx.security.authorizer->AccessFor(ctx, name, "list");
    if (!a.ok()) continue;  // denied (or an obligation search cannot apply): not in scope
    if (max_rows != nullptr && a->max_rows > 0 && (*max_rows == 0 || a->max_rows < *max_rows)) {
      *max_rows = a->max_rows;
    }
    r::CollectionScope scope;
    scope.collection = name;
    scope.rows = a->rows;
    scope.redact_from = a->redact_from;
    scope.mask_fields = a->mask_fields;
    scopes.push_back(std::move(scope));
  }
  return scopes;
}

std::vector<std::string> CallerRegions(const RequestContext& ctx) {
  if (const auto& principal = ctx.security.principal) {
    if (auto it = principal->attrs.find("regions"); it != principal->attrs.end()) {
      return it->second;
    }
  }
  return {};
}

void Search(App& app, RequestContext& ctx) {
  const auto start = std::chrono::steady_clock::now();
  if (app.retrieval == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "search is not enabled on this server");
  }
  r::SearchRequest req;
  req.tenant = ctx.tenant;
  Status s = ParseSearchRequest(ctx.request.body, &req);
  if (!s.ok()) return SetProblem(ctx, s);
  int max_rows = 0;
  req.scopes = SearchScopesOf(app, ctx, &max_rows);
  req.caller_regions = CallerRegions(ctx);
  // A max_rows obligation caps what one answer may hold, as it caps a list page.
  if (max_rows > 0) req.k = std::min(req.k, static_cast<size_t>(max_rows));
  auto res = app.retrieval->Search(req);
  if (!res.ok()) return SetProblem(ctx, res.status());
  std::unordered_set<std::string> terms;  // analysed once for every snippet
  for (auto& t : r::TermTexts(req.query)) terms.insert(std::move(t));
  std::string hits = "[";
  for (const auto& h : res->hits) {
    if (hits.size() > 1) hits += ",";
    hits += HitJson(h, terms);
  }
  hits += "]";
  const double took =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  JsonObject o;
  o.AddRaw("hits", hits)
      .Add("mode", r::SearchModeName(res->mode))
      .Add("embedder", res->embedder)
      .Add("took_ms", took);
  ctx.response.status = 200;
  ctx.response.content_type = "application/json";
  ctx.response.body = o.Finish();
}

void SearchFeedback(App& app, RequestContext& ctx) {
  if (app.retrieval == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "search is not enabled on this server");
  }
  rapidjson::Document d;
  auto parsed = ParseJson(ctx.request.body, &d);
  if (!parsed.ok) return SetProblem(ctx, InvalidArgument("malformed JSON: " + parsed.error));
  if (!d.IsObject()) return SetProblem(ctx, InvalidArgument("the body must be a JSON object"));
  r::Feedback f;
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (!m->value.IsString()) {
      return SetProblem(ctx, InvalidArgument(std::string(key) + " must be a string"));
    }
    std::string v(m->value.GetString(), m->value.GetStringLength());
    if (key == "hit_id")
      f.hit_id = std::move(v);
    else if (key == "label")
      f.label = std::move(v);
    else if (key == "query")
      f.query = std::move(v);
    else {
      return SetProblem(ctx, InvalidArgument("unknown member '" + std::string(key) +
                                             "' (known: hit_id, label, query)"));
    }
  }
  f.principal = ctx.security.principal ? ctx.security.principal->subject : "";
  f.time = FormatRfc3339Millis(app.clock->NowUnixMillis());
  r::SearchRequest scope;
  scope.tenant = ctx.tenant;
  scope.scopes = SearchScopesOf(app, ctx);
  Status s = app.retrieval->RecordFeedback(scope, f);
  if (!s.ok()) return SetProblem(ctx, s);
  ctx.response.status = 201;
  ctx.response.content_type = "application/json";
  ctx.response.body = JsonObject().Add("recorded", true).Finish();
}

void RetrievalStatus(App& app, RequestContext& ctx) {
  if (app.retrieval == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "search is not enabled on this server");
  }
  for (const auto& s : app.retrieval->Stats()) {
    if (s.tenant != ctx.tenant) continue;  // an admin sees its own tenant
    JsonObject o;
    o.Add("tenant", s.tenant)
        .Add("ready", s.ready)
        .Add("embedder", s.embedder)
        .Add("chunks", static_cast<uint64_t>(s.chunks))
        .Add("records", static_cast<uint64_t>(s.records))
        .Add("dead", static_cast<uint64_t>(s.dead))
        .Add("reindexing", s.reindexing)
        .Add("reopened", s.reopened)
        .Add("last_error", s.last_error);
    if (s.snapshot_age_s >= 0)
      o.Add("snapshot_age_s", s.snapshot_age_s);
    else
      o.AddNull("snapshot_age_s");
    if (s.recall >= 0)
      o.Add("recall", s.recall);
    else
      o.AddNull("recall");
    ctx.response.status = 200;
    ctx.response.content_type = "application/json";
    ctx.response.body = o.Finish();
    return;
  }
  return SetProblem(ctx, 404, "not-found", "this tenant has no search index yet");
}

void Reindex(App& app, RequestContext& ctx) {
  if (app.retrieval == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "search is not enabled on this server");
  }
  Status s = app.retrieval->Reindex(ctx.tenant);
  if (!s.ok()) return SetProblem(ctx, s);
  ctx.response.status = 202;
  ctx.response.content_type = "application/json";
  ctx.response.body = JsonObject().Add("reindexing", true).Finish();
}

}  // namespace crmi::http::handlers
