#include <charconv>

#include "src/common/json_text.h"
#include "src/crm/access.h"
#include "src/crm/customer360.h"
#include "src/crm/importer.h"
#include "src/crm/record.h"
#include "src/http/handlers/handlers.h"
#include "src/http/problem.h"

namespace crmi::http::handlers {
namespace {

constexpr char kJson[] = "application/json";

// Resolves the {collection} parameter or answers 404.
const crm::Collection* CollectionOr404(App& app, RequestContext& ctx) {
  auto c = app.records->FindCollection(ctx.Param("collection"));
  if (!c.ok()) {
    SetProblem(ctx, c.status());
    return nullptr;
  }
  return c.value();
}

// Every record leaves through here or ListRecords: the caller's masks apply to both.
void RecordReply(RequestContext& ctx, int status, const crm::Collection& c,
                 const store::StoredRecord& r) {
  ctx.response.status = status;
  ctx.response.content_type = kJson;
  ctx.response.headers.Set("ETag", crm::ETag(r));
  std::string body;
  body.reserve(r.doc.size() + 160);
  crm::AppendVisibleRecordJson(&body, c, ctx.tenant, r, ctx.security.access);
  ctx.response.body = std::move(body);
}

const crm::Access& AccessOf(const RequestContext& ctx) { return ctx.security.access; }

std::optional<std::string_view> IfMatch(const RequestContext& ctx) {
  return ctx.request.headers.Get("If-Match");
}

class ImportSink final : public BodySink {
 public:
  ImportSink(App& app, const crm::Collection& c, std::string tenant, crm::ImportFormat format,
             crm::Access access)
      : importer_(app.records, c, std::move(tenant), format, crm::ImportOptions{},
                  std::move(access)) {}

  Status OnData(std::string_view chunk) override {
    Status s = importer_.Feed(chunk);
    if (!s.ok()) return WithProgress(s);
    return s;
  }

  void OnEnd(RequestContext& ctx) override {
    Status s = importer_.Finish();
    if (!s.ok()) {
      SetProblem(ctx, WithProgress(s));
      return;
    }
    ctx.response.status = 200;
    ctx.response.content_type = kJson;
    ctx.response.body = importer_.report().ToJson();
  }

 private:
  // A failed import still committed earlier batches: say how far it got.
  Status WithProgress(const Status& s) const {
    const auto& r = importer_.report();
    return Status(s.code(), s.message() + " (before the failure: " + std::to_string(r.created) +
                                " created, " + std::to_string(r.updated) + " updated, " +
                                std::to_string(r.failed) + " failed lines)");
  }

  crm::Importer importer_;
};

}  // namespace

void CreateRecord(App& app, RequestContext& ctx) {
  const crm::Collection* c = CollectionOr404(app, ctx);
  if (c == nullptr) return;
  auto r = app.records->Create(*c, ctx.tenant, ctx.request.body, AccessOf(ctx));
  if (!r.ok()) return SetProblem(ctx, r.status());
  ctx.response.headers.Set("Location", "/v1/" + c->name + "/" + r->id);
  RecordReply(ctx, 201, *c, r.value());
}

void GetRecord(App& app, RequestContext& ctx) {
  const crm::Collection* c = CollectionOr404(app, ctx);
  if (c == nullptr) return;
  auto r = app.records->Get(*c, ctx.tenant, ctx.Param("id"), AccessOf(ctx));
  if (!r.ok()) return SetProblem(ctx, r.status());
  auto inm = ctx.request.headers.Get("If-None-Match");
  if (inm) {
    const std::string etag = crm::ETag(r.value());
    if (*inm == "*" || inm->find(etag) != std::string_view::npos) {
      ctx.response.status = 304;
      ctx.response.headers.Set("ETag", etag);
      return;
    }
  }
  RecordReply(ctx, 200, *c, r.value());
}

void PatchRecord(App& app, RequestContext& ctx) {
  const crm::Collection* c = CollectionOr404(app, ctx);
  if (c == nullptr) return;
  auto r = app.records->Patch(*c, ctx.tenant, ctx.Param("id"), ctx.request.body, IfMatch(ctx),
                              AccessOf(ctx));
  if (!r.ok()) return SetProblem(ctx, r.status());
  RecordReply(ctx, 200, *c, r.value());
}

void DeleteRecord(App& app, RequestContext& ctx) {
  const crm::Collection* c = CollectionOr404(app, ctx);
  if (c == nullptr) return;
  Status s = app.records->Delete(*c, ctx.tenant, ctx.Param("id"), IfMatch(ctx), AccessOf(ctx));
  if (!s.ok()) return SetProblem(ctx, s);
  ctx.response.status = 204;
}

void ListRecords(App& app, RequestContext& ctx) {
  const crm::Collection* c = CollectionOr404(app, ctx);
  if (c == nullptr) return;
  crm::ListRequest req;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "limit") {
      int limit = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), limit);
      if (ec != std::errc() || p != v.data() + v.size()) {
        return SetProblem(ctx, 400, "invalid-argument", "limit must be an integer");
      }
      req.limit = limit;
    } else if (k == "cursor") {
      req.cursor = v;
    } else {
      req.filters.emplace_back(k, v);
    }
  }
  auto page = app.records->List(*c, ctx.tenant, req, AccessOf(ctx));
  if (!page.ok()) return SetProblem(ctx, page.status());
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < page->items.size(); ++i) {
    if (i) body.push_back(',');
    crm::AppendVisibleRecordJson(&body, *c, ctx.tenant, page->items[i], AccessOf(ctx));
  }
  body += "],\"next_cursor\":";
  if (page->next_cursor.empty()) {
    body += "null";
  } else {
    AppendJsonString(&body, page->next_cursor);
  }
  body += "}";
  ctx.response.status = 200;
  ctx.response.content_type = kJson;
  ctx.response.body = std::move(body);
}

std::unique_ptr<BodySink> ImportRecords(App& app, RequestContext& ctx) {
  const crm::Collection* c = CollectionOr404(app, ctx);
  if (c == nullptr) return nullptr;
  const auto ct = ctx.request.headers.Get("Content-Type");
  const bool csv = ct && MediaType(*ct) == "text/csv";
  return std::make_unique<ImportSink>(app, *c, ctx.tenant,
                                      csv ? crm::ImportFormat::kCsv : crm::ImportFormat::kNdjson,
                                      AccessOf(ctx));
}

void Customer360(App& app, RequestContext& ctx) {
  // The route's own decision covers the contact; every other section is decided on its own
  // collection under the same policy snapshot, and withheld when not permitted.
  std::optional<crm::Access> sections[4];
  const char* kSections[4][2] = {
      {"accounts", "read"}, {"activities", "list"}, {"cases", "list"}, {"opportunities", "list"}};
  for (int i = 0; i < 4; ++i) {
    if (ctx.security.authorizer == nullptr) break;
    auto a = ctx.security.authorizer->AccessFor(ctx, kSections[i][0], kSections[i][1]);
    if (a.ok()) sections[i] = std::move(a).value();
  }
  crm::Customer360Access access;
  access.contacts = &AccessOf(ctx);
  access.accounts = sections[0] ? &*sections[0] : nullptr;
  access.activities = sections[1] ? &*sections[1] : nullptr;
  access.cases = sections[2] ? &*sections[2] : nullptr;
  access.opportunities = sections[3] ? &*sections[3] : nullptr;
  auto json = crm::Customer360Json(app.store, ctx.tenant, ctx.Param("contact_id"),
                                   crm::Customer360Options{}, app.clock, access);
  if (!json.ok()) return SetProblem(ctx, json.status());
  ctx.response.status = 200;
  ctx.response.content_type = kJson;
  ctx.response.body = std::move(json).value();
}

}  // namespace crmi::http::handlers
