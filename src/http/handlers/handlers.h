// HTTP handlers: thin adapters between RequestContext and the crm/store libraries. Each reads
// its inputs from the context, calls one library function and renders the result or the error.
#ifndef CRMI_HTTP_HANDLERS_HANDLERS_H_
#define CRMI_HTTP_HANDLERS_HANDLERS_H_

#include <memory>
#include <string>

#include "src/http/app.h"
#include "src/http/router.h"

namespace crmi::http::handlers {

// A JSON response with `status` and `body`.
void Reply(RequestContext& ctx, int status, std::string body);

void CreateRecord(App& app, RequestContext& ctx);
void GetRecord(App& app, RequestContext& ctx);
void PatchRecord(App& app, RequestContext& ctx);
void DeleteRecord(App& app, RequestContext& ctx);
void ListRecords(App& app, RequestContext& ctx);
std::unique_ptr<BodySink> ImportRecords(App& app, RequestContext& ctx);
void Customer360(App& app, RequestContext& ctx);

// Decisioning (signals.cc).
void ContactScores(App& app, RequestContext& ctx);
void ScoreContacts(App& app, RequestContext& ctx);
void NextBestActions(App& app, RequestContext& ctx);

// Retrieval.
void Search(App& app, RequestContext& ctx);
void SearchFeedback(App& app, RequestContext& ctx);
void RetrievalStatus(App& app, RequestContext& ctx);
void Reindex(App& app, RequestContext& ctx);

// Grounded answers and the OpenAI-compatible gateway.
void Ask(App& app, RequestContext& ctx);
void ChatCompletions(App& app, RequestContext& ctx);
void ListModels(App& app, RequestContext& ctx);
void Embeddings(App& app, RequestContext& ctx);
// Prompt templates and human approvals.
void ListTemplates(App& app, RequestContext& ctx);
void GetTemplate(App& app, RequestContext& ctx);
void PutTemplate(App& app, RequestContext& ctx);
void ListApprovals(App& app, RequestContext& ctx);
void GetApproval(App& app, RequestContext& ctx);
void ApproveApproval(App& app, RequestContext& ctx);
void RejectApproval(App& app, RequestContext& ctx);

// Privacy.
void PrivacyScan(App& app, RequestContext& ctx);
void PrivacyTokenize(App& app, RequestContext& ctx);
void PrivacyDetokenize(App& app, RequestContext& ctx);
void SubjectExport(App& app, RequestContext& ctx);
void SubjectErase(App& app, RequestContext& ctx);

void Whoami(App& app, RequestContext& ctx);
void GetPolicies(App& app, RequestContext& ctx);
void PutPolicies(App& app, RequestContext& ctx);
void DecidePolicy(App& app, RequestContext& ctx);
void QueryAudit(App& app, RequestContext& ctx);
void CreateApiKey(App& app, RequestContext& ctx);
void ListApiKeys(App& app, RequestContext& ctx);
void GetApiKey(App& app, RequestContext& ctx);
void RevokeApiKey(App& app, RequestContext& ctx);

void Index(App& app, const std::vector<Route>& routes, RequestContext& ctx);
void Healthz(App& app, RequestContext& ctx);
void Readyz(App& app, RequestContext& ctx);
void Metrics(App& app, RequestContext& ctx);
void Schema(App& app, RequestContext& ctx);
void CollectionSchema(App& app, RequestContext& ctx);

}  // namespace crmi::http::handlers

#endif  // CRMI_HTTP_HANDLERS_HANDLERS_H_
