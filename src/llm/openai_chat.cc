#include "src/llm/openai_chat.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <thread>

#include "src/common/http_client.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"

namespace crmi::llm {
namespace {

constexpr size_t kMaxLine = 1u << 20;
constexpr size_t kMaxEvent = 8u << 20;

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

void ReadUsage(const rapidjson::Value& d, TokenUsage* usage) {
  auto it = d.FindMember("usage");
  if (it == d.MemberEnd() || !it->value.IsObject()) return;
  const auto& u = it->value;
  if (u.HasMember("prompt_tokens") && u["prompt_tokens"].IsInt64()) {
    usage->prompt = u["prompt_tokens"].GetInt64();
  }
  if (u.HasMember("completion_tokens") && u["completion_tokens"].IsInt64()) {
    usage->completion = u["completion_tokens"].GetInt64();
  }
  usage->estimated = false;
}

const char* kMalformed = "the model answered a malformed response";

}  // namespace

int64_t EstimateTokens(std::string_view text) {
  return static_cast<int64_t>((text.size() + 3) / 4);
}

Status SseParser::Feed(std::string_view bytes,
                       const std::function<bool(std::string_view data)>& on_event, bool* stopped) {
  *stopped = false;
  for (char c : bytes) {
    if (last_cr_ && c == '\n') {  // the \n of a \r\n
      last_cr_ = false;
      continue;
    }
    last_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      Status s = Line(line_, on_event, stopped);
      line_.clear();
      if (!s.ok() || *stopped) return s;
      continue;
    }
    if (line_.size() >= kMaxLine) return InvalidArgument("an event-stream line is too long");
    line_ += c;
  }
  return Status::Ok();
}

Status SseParser::Line(std::string_view line, const std::function<bool(std::string_view)>& on_event,
                       bool* stopped) {
  if (line.empty()) {  // the end of an event
    if (!has_data_) return Status::Ok();
    std::string data = std::move(data_);
    data_.clear();
    has_data_ = false;
    if (!data.empty() && data.back() == '\n') data.pop_back();
    if (!on_event(data)) *stopped = true;
    return Status::Ok();
  }
  if (line.front() == ':') return Status::Ok();  // a comment (keep-alive)
  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field != "data") return Status::Ok();  // event, id, retry: not used by chat streams
  if (data_.size() + value.size() > kMaxEvent) {
    return InvalidArgument("an event-stream event is too large");
  }
  data_.append(value);
  data_ += '\n';
  has_data_ = true;
  return Status::Ok();
}

Status StreamAssembler::Apply(std::string_view data, std::string* delta) {
  if (data == "[DONE]") {
    done_ = true;
    return Status::Ok();
  }
  if (done_) return Unavailable("the model sent data after the end of its stream");
  rapidjson::Document d;
  if (!ParseJson(data, &d).ok || !d.IsObject()) return Unavailable(kMalformed);
  if (d.HasMember("error")) {
    const rapidjson::Value* m = JsonAtPath(d, "error.message");
    return Unavailable(std::string("the model's stream failed: ") +
                       (m != nullptr && m->IsString() ? m->GetString() : "unknown error"));
  }
  if (d.HasMember("model") && d["model"].IsString()) response_.model = d["model"].GetString();
  ReadUsage(d, &response_.usage);
  auto choices = d.FindMember("choices");
  if (choices == d.MemberEnd()) return Status::Ok();  // e.g. the usage-only last chunk
  if (!choices->value.IsArray()) return Unavailable(kMalformed);
  for (const auto& choice : choices->value.GetArray()) {
    if (!choice.IsObject()) return Unavailable(kMalformed);
    if (choice.HasMember("index") && choice["index"].IsInt() && choice["index"].GetInt() != 0) {
      continue;  // only the first choice is used
    }
    auto fr = choice.FindMember("finish_reason");
    if (fr != choice.MemberEnd() && fr->value.IsString()) {
      response_.finish_reason = fr->value.GetString();
    }
    auto dm = choice.FindMember("delta");
    if (dm == choice.MemberEnd() || dm->value.IsNull()) continue;
    if (!dm->value.IsObject()) return Unavailable(kMalformed);
    const auto& dv = dm->value;
    auto content = dv.FindMember("content");
    if (content != dv.MemberEnd() && content->value.IsString()) {
      delta->append(content->value.GetString(), content->value.GetStringLength());
      response_.content.append(content->value.GetString(), content->value.GetStringLength());
    } else if (content != dv.MemberEnd() && !content->value.IsNull()) {
      return Unavailable(kMalformed);
    }
    auto calls = dv.FindMember("tool_calls");
    if (calls == dv.MemberEnd() || calls->value.IsNull()) continue;
    if (!calls->value.IsArray()) return Unavailable(kMalformed);
    for (const auto& call : calls->value.GetArray()) {
      if (!call.IsObject() || !call.HasMember("index") || !call["index"].IsUint() ||
          call["index"].GetUint() > 127) {
        return Unavailable(kMalformed);
      }
      const unsigned i = call["index"].GetUint();
      if (tool_calls_.size() <= i) tool_calls_.resize(i + 1);
      ToolCall& tc = tool_calls_[i];
      if (call.HasMember("id") && call["id"].IsString()) tc.id = call["id"].GetString();
      if (call.HasMember("type") && call["type"].IsString()) tc.type = call["type"].GetString();
      const rapidjson::Value* fn = JsonAtPath(call, "function");
      if (fn != nullptr) {
        if (fn->HasMember("name") && (*fn)["name"].IsString()) tc.name += (*fn)["name"].GetString();
        if (fn->HasMember("arguments") && (*fn)["arguments"].IsString()) {
          tc.arguments += (*fn)["arguments"].GetString();
        }
      }
    }
  }
  return Status::Ok();
}

Result<ChatResponse> StreamAssembler::Finish() {
  if (response_.finish_reason.empty() && !done_) {
    return Unavailable("the model's stream ended before its answer was complete");
  }
  if (response_.finish_reason.empty()) response_.finish_reason = "stop";
  if (!tool_calls_.empty()) {
    std::string json = "[";
    for (const ToolCall& tc : tool_calls_) {
      if (json.size() > 1) json += ",";
      std::string fn = JsonObject().Add("name", tc.name).Add("arguments", tc.arguments).Finish();
      json += JsonObject().Add("id", tc.id).Add("type", tc.type).AddRaw("function", fn).Finish();
    }
    response_.tool_calls_json = json + "]";
  }
  return response_;
}

Result<ChatResponse> ParseChatCompletion(std::string_view body) {
  rapidjson::Document d;
  if (!ParseJson(body, &d).ok || !d.IsObject()) return Unavailable(kMalformed);
  const auto choices = d.FindMember("choices");
  if (choices == d.MemberEnd() || !choices->value.IsArray() || choices->value.Empty() ||
      !choices->value[0].IsObject()) {
    return Unavailable("the model answered without a choice");
  }
  const auto& choice = choices->value[0];
  const rapidjson::Value* message = JsonAtPath(choice, "message");
  if (message == nullptr) return Unavailable(kMalformed);
  ChatResponse r;
  auto content = message->FindMember("content");
  if (content != message->MemberEnd() && content->value.IsString()) {
    r.content.assign(content->value.GetString(), content->value.GetStringLength());
  } else if (content != message->MemberEnd() && !content->value.IsNull()) {
    return Unavailable(kMalformed);
  }
  auto calls = message->FindMember("tool_calls");
  if (calls != message->MemberEnd() && calls->value.IsArray() && !calls->value.Empty()) {
    r.tool_calls_json = ToJson(calls->value);
  }
  if (choice.HasMember("finish_reason") && choice["finish_reason"].IsString()) {
    r.finish_reason = choice["finish_reason"].GetString();
  }
  if (d.HasMember("model") && d["model"].IsString()) r.model = d["model"].GetString();
  ReadUsage(d, &r.usage);
  return r;
}

std::string ChatRequestJson(std::string_view model, const ChatRequest& request, bool stream) {
  std::string messages = "[";
  for (const ChatMessage& m : request.messages) {
    if (messages.size() > 1) messages += ",";
    JsonObject o;
    o.Add("role", m.role);
    if (m.content.empty() && !m.tool_calls_json.empty()) {
      o.AddNull("content");
    } else {
      o.Add("content", m.content);
    }
    if (!m.name.empty()) o.Add("name", m.name);
    if (!m.tool_call_id.empty()) o.Add("tool_call_id", m.tool_call_id);
    if (!m.tool_calls_json.empty()) o.AddRaw("tool_calls", m.tool_calls_json);
    messages += o.Finish();
  }
  messages += "]";
  JsonObject o;
  o.Add("model", model).AddRaw("messages", messages);
  if (request.max_tokens > 0) o.Add("max_tokens", request.max_tokens);
  if (request.temperature >= 0) o.Add("temperature", request.temperature);
  if (!request.tools_json.empty()) o.AddRaw("tools", request.tools_json);
  if (!request.tool_choice_json.empty()) o.AddRaw("tool_choice", request.tool_choice_json);
  if (stream) {
    o.Add("stream", true).AddRaw("stream_options", R"({"include_usage":true})");
  }
  return o.Finish();
}

OpenAiChatBackend::OpenAiChatBackend(OpenAiChatOptions options) : options_(std::move(options)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
  info_.name = options_.name;
  info_.model = options_.model;
  info_.region = options_.region;
}

Result<std::unique_ptr<OpenAiChatBackend>> OpenAiChatBackend::Create(OpenAiChatOptions options) {
  if (options.base_url.rfind("http://", 0) != 0 && options.base_url.rfind("https://", 0) != 0) {
    return InvalidArgument("chat backend '" + options.name +
                           "': base_url must start with http:// or https://");
  }
  if (options.model.empty()) {
    return InvalidArgument("chat backend '" + options.name + "': model must be set");
  }
  return std::unique_ptr<OpenAiChatBackend>(new OpenAiChatBackend(std::move(options)));
}

Result<ChatResponse> OpenAiChatBackend::Complete(const ChatRequest& request,
                                                 const DeltaFn* on_delta) {
  const bool stream = on_delta != nullptr && options_.stream;
  http_client::PostRequest post;
  post.url = options_.base_url + "/chat/completions";
  post.body = ChatRequestJson(options_.model, request, stream);
  post.headers = {"Content-Type: application/json"};
  if (stream) post.headers.push_back("Accept: text/event-stream");
  if (!options_.api_key.empty())
    post.headers.push_back("Authorization: Bearer " + options_.api_key);
  post.timeout_ms = options_.timeout_ms;
  post.connect_timeout_ms = options_.connect_timeout_ms;
  Status last;
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    bool delivered = false;  // part of the answer is with the caller: no retry from here on
    bool cancelled = false;
    Status stream_error;
    SseParser parser;
    StreamAssembler assembler;
    if (stream) {
      post.on_body = [&](std::string_view bytes) {
        bool stopped = false;
        Status s = parser.Feed(
            bytes,
            [&](std::string_view data) {
              std::string delta;
              Status a = assembler.Apply(data, &delta);
              if (!a.ok()) {
                stream_error = a;
                return false;
              }
              if (!delta.empty()) {
                delivered = true;
                if (!(*on_delta)(delta)) {
                  cancelled = true;
                  return false;
                }
              }
              return true;
            },
            &stopped);
        if (!s.ok()) stream_error = Unavailable(std::string(kMalformed) + ": " + s.message());
        return s.ok() && !stopped;
      };
    }
    auto r = http_client::Post(post);
    if (cancelled) return Cancelled("the caller abandoned the answer");
    bool retry = false;
    if (!stream_error.ok()) {
      last = stream_error;
      retry = true;
    } else if (!r.ok()) {
      last = r.status().WithContext("chat backend '" + options_.name + "'");
      retry = r.status().code() != StatusCode::kInvalidArgument;
    } else if (r->status == 429 || r->status >= 500) {
      last =
          Unavailable("chat backend '" + options_.name + "' answered " + std::to_string(r->status) +
                      ": " + http_client::ServiceErrorMessage(r->body));
      retry = true;
    } else if (r->status == 401 || r->status == 403) {
      return PermissionDenied("chat backend '" + options_.name + "' refused the API key (" +
                              std::to_string(r->status) + ")");
    } else if (r->status != 200) {
      return InvalidArgument("chat backend '" + options_.name + "' answered " +
                             std::to_string(r->status) + ": " +
                             http_client::ServiceErrorMessage(r->body));
    } else {
      Result<ChatResponse> answer = stream ? assembler.Finish() : ParseChatCompletion(r->body);
      if (answer.ok()) {
        if (on_delta != nullptr && !stream && !answer->content.empty() &&
            !(*on_delta)(answer->content)) {
          return Cancelled("the caller abandoned the answer");
        }
        if (answer->usage.prompt == 0 && answer->usage.completion == 0) {
          int64_t prompt = 0;
          for (const auto& m : request.messages) prompt += EstimateTokens(m.content);
          answer->usage = {prompt, EstimateTokens(answer->content), true};
        }
        return answer;
      }
      last = answer.status().WithContext("chat backend '" + options_.name + "'");
      retry = true;
    }
    if (!retry || delivered || attempt == options_.max_retries) break;
    const int wait =
        r.ok() && r->retry_after_s >= 0
            ? std::min(r->retry_after_s * 1000, options_.max_backoff_ms)
            : http_client::BackoffMs(attempt, options_.backoff_ms, options_.max_backoff_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
  return last;
}

}  // namespace crmi::llm
