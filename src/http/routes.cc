#include "src/http/routes.h"

#include "src/http/handlers/handlers.h"

namespace crmi::http {

std::vector<Route> BuildRoutes(App* app) {
  using handlers::CollectionSchema;
  namespace h = handlers;
  const std::vector<std::string> kJson = {"application/json"};
  const std::vector<std::string> kPatch = {"application/merge-patch+json", "application/json"};
  const std::vector<std::string> kImport = {"application/x-ndjson", "application/jsonl",
                                            "text/csv"};
  auto bind = [app](void (*fn)(App&, RequestContext&)) {
    return [app, fn](RequestContext& ctx) { fn(*app, ctx); };
  };

  std::vector<Route> routes = {
      // Operations (no tenant data).
      {Method::kGet,
       "/healthz",
       "health",
       "system",
       "read",
       Exec::kInline,
       {},
       false,
       bind(&h::Healthz),
       nullptr},
      {Method::kGet,
       "/readyz",
       "ready",
       "system",
       "read",
       Exec::kInline,
       {},
       false,
       bind(&h::Readyz),
       nullptr},
      {Method::kGet,
       "/metrics",
       "metrics",
       "system",
       "read",
       Exec::kInline,
       {},
       false,
       bind(&h::Metrics),
       nullptr},
      {Method::kGet,
       "/v1/schema",
       "schema.get",
       "schema",
       "read",
       Exec::kInline,
       {},
       false,
       bind(&h::Schema),
       nullptr},
      {Method::kGet,
       "/v1/schema/{collection}",
       "schema.collection",
       "schema",
       "read",
       Exec::kInline,
       {},
       false,
       bind(&h::CollectionSchema),
       nullptr},
      // Customer 360 (before the generic record routes: "customers" is not a collection).
      {Method::kGet,
       "/v1/customers/{contact_id}/360",
       "customers.360",
       "contacts",
       "read",
       Exec::kBlocking,
       {},
       false,
       bind(&h::Customer360),
       nullptr},
      // Records of any collection.
      {Method::kPost, "/v1/{collection}:import", "records.import", "{collection}", "import",
       Exec::kBlocking, kImport, true, nullptr,
       [app](RequestContext& ctx) { return h::ImportRecords(*app, ctx); }},
      {Method::kGet,
       "/v1/{collection}",
       "records.list",
       "{collection}",
       "list",
       Exec::kBlocking,
       {},
       false,
       bind(&h::ListRecords),
       nullptr},
      {Method::kPost, "/v1/{collection}", "records.create", "{collection}", "create",
       Exec::kBlocking, kJson, false, bind(&h::CreateRecord), nullptr},
      {Method::kGet,
       "/v1/{collection}/{id}",
       "records.get",
       "{collection}",
       "read",
       Exec::kInline,
       {},
       false,
       bind(&h::GetRecord),
       nullptr},
      {Method::kPatch, "/v1/{collection}/{id}", "records.patch", "{collection}", "update",
       Exec::kBlocking, kPatch, false, bind(&h::PatchRecord), nullptr},
      {Method::kDelete,
       "/v1/{collection}/{id}",
       "records.delete",
       "{collection}",
       "delete",
       Exec::kBlocking,
       {},
       false,
       bind(&h::DeleteRecord),
       nullptr},
  };
  // The index lists the table itself, so it is added last, with a copy of the others.
  std::vector<Route> listed = routes;
  routes.insert(routes.begin(),
                Route{Method::kGet,
                      "/",
                      "index",
                      "system",
                      "read",
                      Exec::kInline,
                      {},
                      false,
                      [app, listed](RequestContext& ctx) { h::Index(*app, listed, ctx); },
                      nullptr});
  return routes;
}

}  // namespace crmi::http
