// The answer request body (POST /v1/ask), parsed without the HTTP layer so that it can be
// fuzzed: {"question", "contact_id"?, "model"?, "template"?, "k"?, "stream"?}. Unknown members
// are errors. And the pieces streamed answers share (SSE events, the completion audit record).
#ifndef CRMI_HTTP_HANDLERS_ASK_H_
#define CRMI_HTTP_HANDLERS_ASK_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/status.h"
#include "src/http/app.h"
#include "src/http/message.h"
#include "src/llm/ask.h"
#include "src/llm/templates.h"

namespace crmi::http::handlers {

// kInvalidArgument naming the offending member; fills question, contact_id, model and k, and
// *stream (may be null) from "stream".
struct AskParams {
  llm::AskRequest request;
  std::string template_name = llm::kBuiltinTemplate;
  int template_version = 0;                      // 0: the latest
  std::map<std::string, std::string> variables;  // as given; resolved against the template later
  bool stream = false;
};
// The body of POST /v1/ask. kInvalidArgument naming the member at fault.
Status ParseAskRequest(std::string_view body, AskParams* params);

// The audit record's `ai` object for an answer; `extra_safety` adds checks of the caller's own
// (the gateway's denied tool calls).
std::string AiJson(const llm::AskResult& r, bool revealed,
                   std::vector<std::pair<std::string, double>> extra_safety = {});

// One server-sent event ("event: <event>\ndata: <data>\n\n"; no event line when empty).
// The `ai` object of a request refused because the caller's text was a prompt injection
// (template, model, the score: what a security review needs); "" for other failures.
std::string RefusalAiJson(const llm::AskResult& partial, bool revealed);

std::string SseEvent(std::string_view event, std::string_view data);
// The problem+json body for `status` (non-OK), as SetProblem renders it.
std::string ProblemJson(const Status& status, const std::string& request_id);

// The caller as rate limits count it: "<tenant>/<subject>".
std::string PrincipalKey(const RequestContext& ctx);
// The risk the policy's release decision sees (resource.risk): the worst of the question's
// injection score, the output risk and (for grounded answers) 1 - groundedness.
double AnswerRisk(const llm::AskResult& r);
// The gateway's release decision on `r` (template:<its template>/release): OK to hand it out;
// kPermissionDenied when the policy denies it or wants a person to approve it first (the
// OpenAI-compatible gateway cannot hold an answer).
Status ReleaseWithoutHold(const DecisionScope& scope, const llm::AskResult& r);
// The governed topics (AskService::topic_names) the policy does not let the caller receive
// (resource topic:<name>, action receive).
std::vector<std::string> DeniedTopics(App& app, const RequestContext& ctx);
// The policy's `injection` obligation on the request's permit (block, strip, flag), if any.
std::optional<llm::SafetyAction> InjectionAction(const RequestContext& ctx);

// Who asked for a streamed response, for the record that completes it.
struct StreamAuditInfo {
  std::string request_id, tenant, subject, action, resource;
};
// Appends the completion record of a streamed response (its `ai` object) and waits until it is
// durable; OK when the server has no audit trail.
Status AuditStreamCompletion(App& app, const StreamAuditInfo& info, const std::string& ai_json);

}  // namespace crmi::http::handlers

#endif  // CRMI_HTTP_HANDLERS_ASK_H_
