#include "src/audit/audit_log.h"
#include "src/common/build_info.h"
#include "src/common/json_text.h"
#include "src/http/handlers/handlers.h"
#include "src/http/problem.h"

namespace crmi::http::handlers {

void Index(App& /*app*/, const std::vector<Route>& routes, RequestContext& ctx) {
  std::string list = "[";
  for (size_t i = 0; i < routes.size(); ++i) {
    if (i) list += ",";
    JsonObject r;
    r.Add("method", MethodName(routes[i].method))
        .Add("path", routes[i].pattern)
        .Add("resource", routes[i].resource)
        .Add("action", routes[i].action)
        .Add("name", routes[i].name)
        .Add("public", routes[i].public_route);
    list += r.Finish();
  }
  list += "]";
  JsonObject o;
  o.Add("name", "crmi").Add("version", build::kVersion).Add("commit", build::kCommit);
  o.Add("docs", "README.md and docs/api.md in the crmi repository");
  o.AddRaw("routes", list);
  ctx.response.content_type = "application/json";
  ctx.response.body = o.Finish();
}

void Healthz(App& /*app*/, RequestContext& ctx) {
  ctx.response.content_type = "application/json";
  ctx.response.body = "{\"status\":\"ok\"}";
}

void Readyz(App& app, RequestContext& ctx) {
  if (app.draining.load()) {
    return SetProblem(ctx, 503, "shutting-down", "server is draining before shutdown");
  }
  if (!app.store->Ready()) return SetProblem(ctx, 503, "store-not-ready", "store is not open");
  if (app.audit != nullptr) {
    if (Status s = app.audit->health(); !s.ok()) {
      return SetProblem(ctx, 503, "audit-unavailable",
                        "the audit trail cannot be written (" + s.message() +
                            "); requests are refused until it is fixed and crmi restarted");
    }
  }
  JsonObject o;
  o.Add("status", "ready").Add("schema_version", app.store->Info().schema_version);
  ctx.response.content_type = "application/json";
  ctx.response.body = o.Finish();
}

void Metrics(App& app, RequestContext& ctx) {
  ctx.response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  ctx.response.body = app.metrics->Serialize();
}

void Schema(App& app, RequestContext& ctx) {
  ctx.response.content_type = "application/json";
  ctx.response.body = app.schema->ToJson();
}

void CollectionSchema(App& app, RequestContext& ctx) {
  const crm::Collection* c = app.schema->Find(ctx.Param("collection"));
  if (c == nullptr) {
    return SetProblem(ctx, 404, "not-found",
                      "no collection '" + std::string(ctx.Param("collection")) + "'");
  }
  ctx.response.content_type = "application/json";
  ctx.response.body = crm::Schema::CollectionToJson(*c);
}

}  // namespace crmi::http::handlers
