#include "src/http/routes.h"

#include "src/http/handlers/handlers.h"

namespace crmi::http {
namespace {

// A route under construction: R(GET, "/v1/x", "x.get", "x", "read").Inline().Do(handler).
struct R {
  Route r;
  R(Method m, std::string pattern, std::string name, std::string resource, std::string action) {
    r.method = m;
    r.pattern = std::move(pattern);
    r.name = std::move(name);
    r.resource = std::move(resource);
    r.action = std::move(action);
  }
  R& Inline() {
    r.exec = Exec::kInline;
    return *this;
  }
  R& Accepts(std::vector<std::string> media) {
    r.accepts = std::move(media);
    return *this;
  }
  R& Applies(unsigned bits) {
    r.applies = bits;
    return *this;
  }
  R& Public() {
    r.public_route = true;
    return *this;
  }
  R& Do(Handler h) {
    r.handler = std::move(h);
    return *this;
  }
  R& Stream(StreamHandler h) {
    r.streaming = true;
    r.stream_handler = std::move(h);
    return *this;
  }
  operator Route() const { return r; }  // NOLINT: builder
};

}  // namespace

std::vector<Route> BuildRoutes(App* app) {
  namespace h = handlers;
  const std::vector<std::string> kJson = {"application/json"};
  const std::vector<std::string> kPatch = {"application/merge-patch+json", "application/json"};
  const std::vector<std::string> kImport = {"application/x-ndjson", "application/jsonl",
                                            "text/csv"};
  const std::vector<std::string> kYaml = {"application/yaml", "application/x-yaml", "text/yaml",
                                          "application/json"};
  auto bind = [app](void (*fn)(App&, RequestContext&)) {
    return [app, fn](RequestContext& ctx) { fn(*app, ctx); };
  };
  constexpr Method GET = Method::kGet, POST = Method::kPost, PUT = Method::kPut,
                   PATCH = Method::kPatch, DELETE = Method::kDelete;

  // Order matters where patterns overlap: specific paths come before the generic
  // /v1/{collection}/... routes (the first pattern matching a path decides).
  std::vector<Route> routes = {
      // Probes: the only routes served without authentication.
      R(GET, "/healthz", "health", "system", "read").Inline().Public().Do(bind(&h::Healthz)),
      R(GET, "/readyz", "ready", "system", "read").Inline().Public().Do(bind(&h::Readyz)),
      R(GET, "/metrics", "metrics", "system", "read").Inline().Do(bind(&h::Metrics)),
      R(GET, "/v1/whoami", "whoami", "self", "read").Inline().Do(bind(&h::Whoami)),
      R(GET, "/v1/schema", "schema.get", "schema", "read").Inline().Do(bind(&h::Schema)),
      R(GET, "/v1/schema/{collection}", "schema.collection", "schema", "read")
          .Inline()
          .Do(bind(&h::CollectionSchema)),
      // Policy administration.
      R(GET, "/v1/admin/policies", "policies.get", "policies", "read").Do(bind(&h::GetPolicies)),
      R(PUT, "/v1/admin/policies", "policies.put", "policies", "update")
          .Accepts(kYaml)
          .Do(bind(&h::PutPolicies)),
      R(POST, "/v1/admin/policies:decide", "policies.decide", "policies", "decide")
          .Accepts(kJson)
          .Do(bind(&h::DecidePolicy)),
      // API keys of machine clients.
      R(POST, "/v1/admin/api-keys", "api_keys.create", "api_keys", "create")
          .Accepts(kJson)
          .Do(bind(&h::CreateApiKey)),
      R(GET, "/v1/admin/api-keys", "api_keys.list", "api_keys", "list").Do(bind(&h::ListApiKeys)),
      R(GET, "/v1/admin/api-keys/{id}", "api_keys.get", "api_keys", "read").Do(bind(&h::GetApiKey)),
      R(DELETE, "/v1/admin/api-keys/{id}", "api_keys.revoke", "api_keys", "delete")
          .Do(bind(&h::RevokeApiKey)),
      // The audit trail.
      R(GET, "/v1/audit", "audit.query", "audit", "read").Do(bind(&h::QueryAudit)),
      // Customer 360 (before the generic record routes: "customers" is not a collection).
      R(GET, "/v1/customers/{contact_id}/360", "customers.360", "contacts", "read")
          .Applies(kAppliesRecords)
          .Do(bind(&h::Customer360)),
      // Decisioning: scores and next best actions of a contact (consent applies inside).
      R(GET, "/v1/customers/{contact_id}/scores", "customers.scores", "contacts", "score")
          .Applies(kAppliesRecords)
          .Do(bind(&h::ContactScores)),
      R(POST, "/v1/customers:score", "customers.score", "contacts", "score")
          .Accepts(kJson)
          .Applies(kAppliesRecords)
          .Do(bind(&h::ScoreContacts)),
      R(GET, "/v1/customers/{contact_id}/next-best-actions", "customers.next_best_actions",
        "contacts", "recommend")
          .Applies(kAppliesRecords)
          .Do(bind(&h::NextBestActions)),
      // Search over the tenant's passages; scopes come from per-collection decisions.
      R(POST, "/v1/search", "search", "search", "query").Accepts(kJson).Do(bind(&h::Search)),
      // Grounded answers; model, scopes and reveal are further decisions in the handler.
      R(POST, "/v1/ask", "ask", "assistant", "ask")
          .Accepts(kJson)
          .Applies(kAppliesApproval)
          .Do(bind(&h::Ask)),
      // OpenAI-compatible: model and tools are further decisions in the handler.
      R(POST, "/v1/chat/completions", "chat.completions", "assistant", "chat")
          .Accepts(kJson)
          .Do(bind(&h::ChatCompletions)),
      R(GET, "/v1/models", "models.list", "models", "list").Do(bind(&h::ListModels)),
      // Prompt templates (use is a further decision: template:<name>/use) and approvals.
      R(GET, "/v1/admin/templates", "templates.list", "templates", "list")
          .Do(bind(&h::ListTemplates)),
      R(GET, "/v1/admin/templates/{name}", "templates.get", "templates", "read")
          .Do(bind(&h::GetTemplate)),
      R(PUT, "/v1/admin/templates/{name}", "templates.put", "templates", "update")
          .Accepts(kJson)
          .Do(bind(&h::PutTemplate)),
      R(GET, "/v1/approvals", "approvals.list", "approvals", "list").Do(bind(&h::ListApprovals)),
      R(POST, "/v1/approvals/{id}:approve", "approvals.approve", "approvals", "decide")
          .Do(bind(&h::ApproveApproval)),
      R(POST, "/v1/approvals/{id}:reject", "approvals.reject", "approvals", "decide")
          .Do(bind(&h::RejectApproval)),
      R(GET, "/v1/approvals/{id}", "approvals.get", "approvals", "read").Do(bind(&h::GetApproval)),
      R(POST, "/v1/embeddings", "embeddings.create", "embeddings", "create")
          .Accepts(kJson)
          .Do(bind(&h::Embeddings)),
      R(POST, "/v1/privacy/scan", "privacy.scan", "privacy", "scan")
          .Accepts(kJson)
          .Do(bind(&h::PrivacyScan)),
      R(POST, "/v1/privacy/tokenize", "privacy.tokenize", "privacy", "tokenize")
          .Accepts(kJson)
          .Do(bind(&h::PrivacyTokenize)),
      R(POST, "/v1/privacy/detokenize", "privacy.detokenize", "privacy", "detokenize")
          .Accepts(kJson)
          .Do(bind(&h::PrivacyDetokenize)),
      R(GET, "/v1/subjects/{contact_id}/export", "subjects.export", "subjects", "export")
          .Do(bind(&h::SubjectExport)),
      R(POST, "/v1/subjects/{contact_id}:erase", "subjects.erase", "subjects", "erase")
          .Do(bind(&h::SubjectErase)),
      R(POST, "/v1/feedback", "search.feedback", "search", "feedback")
          .Accepts(kJson)
          .Do(bind(&h::SearchFeedback)),
      R(GET, "/v1/admin/retrieval", "retrieval.status", "retrieval", "read")
          .Do(bind(&h::RetrievalStatus)),
      R(POST, "/v1/admin/retrieval:reindex", "retrieval.reindex", "retrieval", "reindex")
          .Do(bind(&h::Reindex)),
      // Records of any collection. Import returns no records, so max_rows holds trivially.
      R(POST, "/v1/{collection}:import", "records.import", "{collection}", "import")
          .Accepts(kImport)
          .Applies(kAppliesRecords)
          .Stream([app](RequestContext& ctx) { return h::ImportRecords(*app, ctx); }),
      R(GET, "/v1/{collection}", "records.list", "{collection}", "list")
          .Applies(kAppliesRecords)
          .Do(bind(&h::ListRecords)),
      R(POST, "/v1/{collection}", "records.create", "{collection}", "create")
          .Accepts(kJson)
          .Applies(kAppliesRecords)
          .Do(bind(&h::CreateRecord)),
      R(GET, "/v1/{collection}/{id}", "records.get", "{collection}", "read")
          .Inline()
          .Applies(kAppliesRecords)
          .Do(bind(&h::GetRecord)),
      R(PATCH, "/v1/{collection}/{id}", "records.patch", "{collection}", "update")
          .Accepts(kPatch)
          .Applies(kAppliesRecords)
          .Do(bind(&h::PatchRecord)),
      R(DELETE, "/v1/{collection}/{id}", "records.delete", "{collection}", "delete")
          .Applies(kAppliesRecords)
          .Do(bind(&h::DeleteRecord)),
  };
  // The index lists the table itself, so it is added last, with a copy of the others.
  std::vector<Route> listed = routes;
  routes.insert(
      routes.begin(),
      R(GET, "/", "index", "index", "read").Inline().Do([app, listed](RequestContext& ctx) {
        h::Index(*app, listed, ctx);
      }));
  return routes;
}

Status ValidateRoutes(const std::vector<Route>& routes) {
  for (const auto& r : routes) {
    if (r.resource.empty() || r.action.empty()) {
      return Internal("route " + std::string(MethodName(r.method)) + " " + r.pattern +
                      " declares no resource/action: every route must (deny by default)");
    }
    if (r.handler == nullptr && r.stream_handler == nullptr) {
      return Internal("route " + r.pattern + " has no handler");
    }
  }
  return Status::Ok();
}

}  // namespace crmi::http
