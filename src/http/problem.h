// RFC 9457 problem details: every error crmi returns is application/problem+json
//   {"type": "urn:crmi:problem:<slug>", "title", "status", "detail", "instance": <request id>}
// and canonical Status codes map to HTTP status codes here and nowhere else.
#ifndef CRMI_HTTP_PROBLEM_H_
#define CRMI_HTTP_PROBLEM_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/status.h"
#include "src/http/message.h"

namespace crmi::http {

// HTTP status for a canonical code (kInvalidArgument → 400, kNotFound → 404, ...).
int HttpStatusFor(StatusCode code);
// Reason phrase ("Not Found").
std::string_view ReasonPhrase(int status);

// Replaces ctx.response with a problem. `slug` names the problem type (documented in
// docs/api.md); empty picks the default slug for the status.
void SetProblem(RequestContext& ctx, int status, std::string_view slug, std::string_view detail);

// The same with extension members (RFC 9457 §3.2): name → JSON text ("errors" → "[...]").
void SetProblemWithMembers(RequestContext& ctx, int status, std::string_view slug,
                           std::string_view detail,
                           const std::vector<std::pair<std::string, std::string>>& members);

// Maps a non-OK Status to a problem response.
void SetProblem(RequestContext& ctx, const Status& status);
// The same, with Retry-After when `retry_after_s` >= 0 (a spent rate limit or budget).
void SetProblem(RequestContext& ctx, const Status& status, int retry_after_s);

}  // namespace crmi::http

#endif  // CRMI_HTTP_PROBLEM_H_
