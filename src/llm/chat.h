// Chat models as crmi sees them: a request of messages (plus, for the built-in extractive model,
// the retrieved passages themselves), a response with text, tool calls and token usage, and
// the ChatBackend interface every model implements — an OpenAI-compatible endpoint
// (openai_chat.h) or the in-process extractive answerer (extractive.h).
//
// Thread-safety: backends allow concurrent Complete calls.
#ifndef CRMI_LLM_CHAT_H_
#define CRMI_LLM_CHAT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi::llm {

struct ChatMessage {
  std::string role;  // system, user, assistant, tool
  std::string content;
  std::string name;
  std::string tool_call_id;     // role tool: the call this answers
  std::string tool_calls_json;  // role assistant: the calls it made (OpenAI's JSON array)
};

// A retrieved passage given to the model as context, numbered from 1 in the prompt.
struct ContextPassage {
  std::string id;          // "<record id>:<field>:<offset>"
  std::string collection;  // "cases"
  std::string record_id;
  std::string field;
  std::string region;  // the record's ("" when none)
  std::string title;
  std::string text;  // what the model sees (anonymised for remote models)
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  // The passages the messages were built from: a remote model reads them in the prompt; the
  // extractive model answers from them directly (the last user message is the question).
  std::vector<ContextPassage> context;
  std::string question;       // the user's question alone, when there is one
  int max_tokens = 0;         // 0: the backend's default
  double temperature = -1.0;  // < 0: the backend's default
  std::string tools_json;     // OpenAI "tools" array, passed through
  std::string tool_choice_json;
};

struct TokenUsage {
  int64_t prompt = 0;
  int64_t completion = 0;
  bool estimated = false;  // counted by crmi (≈ 4 bytes a token), not reported by the model
};

struct ChatResponse {
  std::string content;
  std::string tool_calls_json;  // OpenAI's JSON array, empty when none
  std::string finish_reason;    // stop, length, tool_calls, content_filter
  std::string model;            // as the service named it
  TokenUsage usage;
};

// Receives streamed text as the model produces it; returning false abandons the call
// (kCancelled). Called on the calling thread.
using DeltaFn = std::function<bool(std::string_view text)>;

struct BackendInfo {
  std::string name;    // the configured backend name, "openai-eu"
  std::string model;   // the model it calls, "gpt-4o-mini"
  std::string region;  // residency tag of its endpoint; "" = in process / unrestricted
  bool extractive = false;
};

class ChatBackend {
 public:
  virtual ~ChatBackend() = default;
  virtual const BackendInfo& info() const = 0;
  // The model's answer. With `on_delta`, text is also streamed through it as it arrives (the
  // response still holds all of it). kUnavailable / kDeadlineExceeded when the model cannot
  // answer (retryable elsewhere); kInvalidArgument when it rejects the request;
  // kPermissionDenied when it rejects crmi's key. Once on_delta has been called, a failure
  // must not be retried on another backend: the caller already holds part of an answer.
  virtual Result<ChatResponse> Complete(const ChatRequest& request, const DeltaFn* on_delta) = 0;
};

// Tokens of `text` as crmi estimates them when a model does not say: ≈ 4 bytes a token.
int64_t EstimateTokens(std::string_view text);

}  // namespace crmi::llm

#endif  // CRMI_LLM_CHAT_H_
