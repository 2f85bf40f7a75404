// The answer request body (POST /v1/ask), parsed without the HTTP layer so that it can be
// fuzzed: {"question", "contact_id"?, "model"?, "template"?, "k"?, "stream"?}. Unknown members
// are errors.
#ifndef CRMI_HTTP_HANDLERS_ASK_H_
#define CRMI_HTTP_HANDLERS_ASK_H_

#include <string_view>

#include "src/common/status.h"
#include "src/llm/ask.h"

namespace crmi::http::handlers {

// kInvalidArgument naming the offending member; fills question, contact_id, model and k.
Status ParseAskRequest(std::string_view body, llm::AskRequest* req);

}  // namespace crmi::http::handlers

#endif  // CRMI_HTTP_HANDLERS_ASK_H_
