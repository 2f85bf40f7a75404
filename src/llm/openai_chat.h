// A client of any OpenAI-compatible chat completions endpoint (POST {base_url}/chat/completions):
// OpenAI, Azure OpenAI behind a compatible gateway, vLLM, Ollama, LiteLLM, llama.cpp's server.
//
// Calls have a timeout and are retried with full jitter on connection errors, timeouts, 429 and
// 5xx (honouring Retry-After), but only until the first streamed byte has been handed to the
// caller. Streaming uses server-sent events (`"stream": true`, with usage in the last chunk);
// tool calls are accumulated from their deltas. Every answer is checked: a malformed event, an
// answer without choices or a stream that ends without a finish reason or "[DONE]" is an error
// (kUnavailable), never a silently short answer. The API key is sent as a bearer token and never
// logged. Each thread reuses its connections (common/http_client.h).
//
// Thread-safety: Complete may be called concurrently.
#ifndef CRMI_LLM_OPENAI_CHAT_H_
#define CRMI_LLM_OPENAI_CHAT_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "src/llm/chat.h"

namespace crmi::llm {

struct OpenAiChatOptions {
  std::string name;      // backend name in config, metrics and audit
  std::string base_url;  // "https://api.openai.com/v1"
  std::string api_key;   // may be empty for local servers
  std::string model;     // "gpt-4o-mini"
  std::string region;    // residency tag; "" = unrestricted
  int timeout_ms = 60000;
  int connect_timeout_ms = 3000;
  int max_retries = 2;
  int backoff_ms = 200;
  int max_backoff_ms = 5000;
  bool stream = true;  // ask the service to stream when the caller wants deltas
};

// Server-sent events (the WHATWG event-stream format): bytes in, the data of each complete event
// out. Lines may end in \n, \r\n or \r; comments and fields other than data are ignored.
class SseParser {
 public:
  // Calls on_event for every event completed by `bytes`; stops early, returning false, when
  // on_event does. kInvalidArgument when a line grows beyond 1 MiB.
  Status Feed(std::string_view bytes, const std::function<bool(std::string_view data)>& on_event,
              bool* stopped);

 private:
  Status Line(std::string_view line, const std::function<bool(std::string_view)>& on_event,
              bool* stopped);
  std::string line_;
  std::string data_;
  bool has_data_ = false;
  bool last_cr_ = false;  // the previous byte was \r (so a following \n ends nothing)
};

// The state of one streamed completion, built from its chunks.
class StreamAssembler {
 public:
  // Applies one event's data ("[DONE]" or a chat.completion.chunk); `delta` receives new text.
  // kUnavailable for anything malformed.
  Status Apply(std::string_view data, std::string* delta);
  bool done() const { return done_; }
  // The whole answer; kUnavailable when the stream ended early (no finish reason).
  Result<ChatResponse> Finish();

 private:
  struct ToolCall {
    std::string id, type = "function", name, arguments;
  };
  ChatResponse response_;
  std::vector<ToolCall> tool_calls_;
  bool done_ = false;
};

// A non-streamed chat.completion body → response; kUnavailable when malformed.
Result<ChatResponse> ParseChatCompletion(std::string_view body);
// The request body for `model`.
std::string ChatRequestJson(std::string_view model, const ChatRequest& request, bool stream);

class OpenAiChatBackend final : public ChatBackend {
 public:
  // kInvalidArgument for a bad URL or an empty model.
  static Result<std::unique_ptr<OpenAiChatBackend>> Create(OpenAiChatOptions options);

  const BackendInfo& info() const override { return info_; }
  Result<ChatResponse> Complete(const ChatRequest& request, const DeltaFn* on_delta) override;

 private:
  explicit OpenAiChatBackend(OpenAiChatOptions options);
  OpenAiChatOptions options_;
  BackendInfo info_;
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_OPENAI_CHAT_H_
