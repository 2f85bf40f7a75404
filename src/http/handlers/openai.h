// The OpenAI chat completions request body (POST /v1/chat/completions), parsed without the HTTP
// layer so that it can be fuzzed. Members OpenAI defines that crmi has no use for (top_p, stop,
// seed, user, stream_options, response_format, ...) are accepted and ignored, as compatible
// servers do; only text content parts are supported.
#ifndef CRMI_HTTP_HANDLERS_OPENAI_H_
#define CRMI_HTTP_HANDLERS_OPENAI_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/status.h"
#include "src/llm/ask.h"

namespace crmi::http::handlers {

struct ChatCompletionRequest {
  llm::ChatGatewayRequest chat;  // model, messages, tool_choice, max_tokens, temperature
  bool stream = false;
  bool include_usage = false;                              // stream_options.include_usage
  std::vector<std::pair<std::string, std::string>> tools;  // function name → the tool's JSON
};

// kInvalidArgument naming the offending member.
Status ParseChatCompletionRequest(std::string_view body, ChatCompletionRequest* out);

}  // namespace crmi::http::handlers

#endif  // CRMI_HTTP_HANDLERS_OPENAI_H_
