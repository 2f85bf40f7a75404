// The OpenAI-compatible face of crmi, so that unmodified OpenAI SDKs and LangChain can use it as
// a governed gateway: POST /v1/chat/completions and GET /v1/models. Same bearer credentials,
// policy, anonymisation, injection scanning and audit as /v1/ask (a thin adapter over
// llm::AskService::Chat). The model is a policy resource (model:<alias> / use); so is every tool
// (tool:<name> / call): tools the caller may not call are not offered to the model, and a call
// the model makes to one anyway is removed from the answer.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <cstring>
#include <set>

#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/http/handlers/ask.h"
#include "src/http/handlers/handlers.h"
#include "src/http/handlers/openai.h"
#include "src/http/handlers/search.h"
#include "src/http/problem.h"
#include "src/llm/ask.h"
#include "src/llm/router.h"
#include "src/retrieval/retrieval_service.h"

namespace crmi::http::handlers {
namespace {

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// A message's content: a string, null, or an array of text parts.
Status Content(const rapidjson::Value& v, std::string* out) {
  if (v.IsNull()) return Status::Ok();
  if (v.IsString()) {
    out->assign(v.GetString(), v.GetStringLength());
    return Status::Ok();
  }
  if (!v.IsArray()) return InvalidArgument("message content must be a string or an array");
  for (const auto& part : v.GetArray()) {
    if (!part.IsObject() || !part.HasMember("type") || !part["type"].IsString() ||
        std::string_view(part["type"].GetString()) != "text" || !part.HasMember("text") ||
        !part["text"].IsString()) {
      return InvalidArgument("only text content parts are supported");
    }
    if (!out->empty()) *out += "\n";
    out->append(part["text"].GetString(), part["text"].GetStringLength());
  }
  return Status::Ok();
}

// RFC 4648 §4 base64 with padding (common/base64.h is the unpadded URL alphabet).
std::string StandardBase64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(n >> k) & 63];
  }
  if (i < in.size()) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool MayCall(const RequestContext& ctx, std::string_view tool) {
  return ctx.security.authorizer != nullptr &&
         ctx.security.authorizer->AccessFor(ctx, "tool:" + std::string(tool), "call").ok();
}

}  // namespace

Status ParseChatCompletionRequest(std::string_view body, ChatCompletionRequest* out) {
  rapidjson::Document d;
  auto parsed = ParseJson(body, &d);
  if (!parsed.ok) return InvalidArgument("malformed JSON: " + parsed.error);
  if (!d.IsObject()) return InvalidArgument("the body must be a JSON object");
  auto& req = out->chat;
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    const auto& v = m->value;
    if (key == "model") {
      if (!v.IsString()) return InvalidArgument("model must be a string");
      if (v.GetStringLength() > 128) return InvalidArgument("model names are at most 128 bytes");
      req.model.assign(v.GetString(), v.GetStringLength());
    } else if (key == "messages") {
      if (!v.IsArray() || v.Empty()) return InvalidArgument("messages must be a non-empty array");
      if (v.Size() > 1000) return InvalidArgument("at most 1000 messages");
      for (const auto& e : v.GetArray()) {
        if (!e.IsObject() || !e.HasMember("role") || !e["role"].IsString()) {
          return InvalidArgument("every message needs a role");
        }
        llm::ChatMessage msg;
        msg.role = e["role"].GetString();
        if (msg.role == "developer") msg.role = "system";
        if (msg.role != "system" && msg.role != "user" && msg.role != "assistant" &&
            msg.role != "tool") {
          return InvalidArgument("unknown message role '" + msg.role + "'");
        }
        if (e.HasMember("content")) RETURN_IF_ERROR(Content(e["content"], &msg.content));
        if (e.HasMember("name") && e["name"].IsString()) msg.name = e["name"].GetString();
        if (e.HasMember("tool_call_id") && e["tool_call_id"].IsString()) {
          msg.tool_call_id = e["tool_call_id"].GetString();
        }
        if (e.HasMember("tool_calls") && e["tool_calls"].IsArray() && !e["tool_calls"].Empty()) {
          msg.tool_calls_json = ToJson(e["tool_calls"]);
        }
        if (msg.role == "tool" && msg.tool_call_id.empty()) {
          return InvalidArgument("a tool message needs tool_call_id");
        }
        req.messages.push_back(std::move(msg));
      }
    } else if (key == "stream") {
      if (!v.IsBool()) return InvalidArgument("stream must be a boolean");
      out->stream = v.GetBool();
    } else if (key == "tools") {
      if (!v.IsArray()) return InvalidArgument("tools must be an array");
      for (const auto& tool : v.GetArray()) {
        const rapidjson::Value* name = JsonAtPath(tool, "function.name");
        if (name == nullptr || !name->IsString()) {
          return InvalidArgument("every tool needs function.name");
        }
        // OpenAI's rule for function names; they also become policy resources (tool:<name>).
        const std::string_view n(name->GetString(), name->GetStringLength());
        if (n.empty() || n.size() > 64 ||
            n.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                std::string_view::npos) {
          return InvalidArgument("tool names must be 1 to 64 letters, digits, '_' or '-'");
        }
        out->tools.emplace_back(std::string(n), ToJson(tool));
      }
    } else if (key == "stream_options") {
      const rapidjson::Value* u = v.IsObject() ? JsonAtPath(v, "include_usage") : nullptr;
      out->include_usage = u != nullptr && u->IsBool() && u->GetBool();
    } else if (key == "tool_choice") {
      req.tool_choice_json = ToJson(v);
    } else if (key == "max_tokens" || key == "max_completion_tokens") {
      if (v.IsNull()) continue;
      if (!v.IsInt() || v.GetInt() < 1) return InvalidArgument(std::string(key) + " must be >= 1");
      req.max_tokens = v.GetInt();
    } else if (key == "temperature") {
      if (v.IsNull()) continue;
      if (!v.IsNumber() || v.GetDouble() < 0 || v.GetDouble() > 2) {
        return InvalidArgument("temperature must be between 0 and 2");
      }
      req.temperature = v.GetDouble();
    } else if (key == "n") {
      if (!v.IsNull() && (!v.IsInt() || v.GetInt() != 1)) {
        return InvalidArgument("n must be 1: one answer per request");
      }
    }
    // Anything else (top_p, stop, seed, user, response_format, ...) is accepted
    // and ignored, as compatible servers do: SDKs send defaults crmi has no use for.
  }
  if (req.model.empty()) return InvalidArgument("model is required");
  if (req.messages.empty()) return InvalidArgument("messages is required");
  return Status::Ok();
}

namespace {

// What the model's answer becomes once its tool calls are governed.
struct Governed {
  std::string content;
  std::string tool_calls;  // JSON array of the permitted calls; empty when none
  std::string finish_reason;
  std::vector<std::string> denied;
};

// Keeps the tool calls of `r` to tools the caller was found permitted to call (the tools
// offered); any other call is removed, and when nothing is left the answer says so.
Governed Govern(const llm::AskResult& r, const std::set<std::string>& permitted) {
  Governed g;
  g.content = r.answer;
  g.finish_reason = r.finish_reason.empty() ? "stop" : r.finish_reason;
  if (!r.tool_calls_json.empty()) {
    rapidjson::Document calls;
    if (ParseJson(r.tool_calls_json, &calls).ok && calls.IsArray()) {
      std::string kept = "[";
      for (const auto& call : calls.GetArray()) {
        const rapidjson::Value* name = JsonAtPath(call, "function.name");
        const std::string n = name != nullptr && name->IsString() ? name->GetString() : "";
        if (n.empty() || permitted.count(n) == 0) {
          g.denied.push_back(n);
          continue;
        }
        if (kept.size() > 1) kept += ",";
        kept += ToJson(call);
      }
      kept += "]";
      if (kept != "[]") g.tool_calls = kept;
    }
  }
  if (!g.denied.empty() && g.tool_calls.empty()) {
    std::string names;
    for (const auto& n : g.denied) names += (names.empty() ? "" : ", ") + n;
    if (g.content.empty()) {
      g.content = "The model asked to call a tool this caller may not use (" + names + ").";
    }
    g.finish_reason = "stop";
  }
  return g;
}

std::string AiJsonOf(const llm::AskResult& r, const Governed& g, bool revealed) {
  return AiJson(r, revealed, {{"tool_calls_denied", static_cast<double>(g.denied.size())}});
}

std::string NamesJson(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const auto& n : names) {
    if (out.size() > 1) out += ",";
    AppendJsonString(&out, n);
  }
  return out + "]";
}

std::string UsageJson(const llm::TokenUsage& u) {
  return JsonObject()
      .Add("prompt_tokens", u.prompt)
      .Add("completion_tokens", u.completion)
      .Add("total_tokens", u.prompt + u.completion)
      .Finish();
}

// The `crmi` extension member: what the gateway did, beside OpenAI's fields.
std::string CrmiJson(const llm::AskResult& r, const Governed& g, bool grounded,
                     const std::vector<std::string>& withheld, const std::string& trace_id) {
  std::string citations = "[";
  for (const auto& c : r.citations) {
    if (citations.size() > 1) citations += ",";
    citations += JsonObject()
                     .Add("n", c.n)
                     .Add("id", c.passage.id)
                     .Add("collection", c.passage.collection)
                     .Add("record_id", c.passage.record_id)
                     .Add("snippet", c.passage.text)
                     .Finish();
  }
  citations += "]";
  return JsonObject()
      .Add("backend", r.backend.name)
      .Add("extractive", r.backend.extractive)
      .Add("grounded", grounded)
      .AddRaw("citations", citations)
      .Add("groundedness", r.groundedness)
      .Add("injection", r.injection)
      .Add("output_risk", r.output_risk)
      .AddRaw("output_reasons", NamesJson(r.output_reasons))
      .AddRaw("tools_withheld", NamesJson(withheld))
      .AddRaw("tool_calls_denied", NamesJson(g.denied))
      .Add("trace_id", trace_id)
      .Finish();
}

// One chat.completion.chunk.
std::string ChunkJson(const std::string& id, int64_t created, const std::string& model,
                      const std::string& delta, const std::string& finish) {
  JsonObject choice;
  choice.Add("index", 0).AddRaw("delta", delta);
  if (finish.empty()) {
    choice.AddNull("finish_reason");
  } else {
    choice.Add("finish_reason", finish);
  }
  return JsonObject()
      .Add("id", id)
      .Add("object", "chat.completion.chunk")
      .Add("created", created)
      .Add("model", model)
      .AddRaw("choices", "[" + choice.Finish() + "]")
      .Finish();
}

// The permitted tool calls of a final chunk, with the "index" members streamed calls carry.
std::string IndexedToolCalls(const std::string& calls_json) {
  rapidjson::Document calls;
  if (!ParseJson(calls_json, &calls).ok || !calls.IsArray()) return "[]";
  std::string out = "[";
  int index = 0;
  for (auto& call : calls.GetArray()) {
    if (!call.IsObject()) continue;
    call.AddMember("index", index++, calls.GetAllocator());
    if (out.size() > 1) out += ",";
    out += ToJson(call);
  }
  return out + "]";
}

}  // namespace

void ChatCompletions(App& app, RequestContext& ctx) {
  if (app.ask == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "models are not enabled on this server");
  }
  ChatCompletionRequest parsed;
  Status s = ParseChatCompletionRequest(ctx.request.body, &parsed);
  if (!s.ok()) return SetProblem(ctx, s);
  if (ctx.security.authorizer == nullptr) {
    return SetProblem(ctx, PermissionDenied("no policy decision is available"));
  }
  llm::ChatGatewayRequest& req = parsed.chat;
  if (!ctx.security.authorizer->AccessFor(ctx, "model:" + req.model, "use").ok()) {
    return SetProblem(ctx,
                      PermissionDenied("the policy does not permit model '" + req.model + "'"));
  }
  // Only the tools the caller may call are offered, and only calls to those are kept.
  std::vector<std::string> withheld;
  std::set<std::string> permitted;
  if (!parsed.tools.empty()) {
    std::string tools = "[";
    for (const auto& [name, json] : parsed.tools) {
      if (!MayCall(ctx, name)) {
        withheld.push_back(name);
        continue;
      }
      permitted.insert(name);
      if (tools.size() > 1) tools += ",";
      tools += json;
    }
    tools += "]";
    if (tools != "[]") {
      req.tools_json = tools;
    } else {
      req.tool_choice_json.clear();  // nothing left to choose from
    }
  }
  req.tenant = ctx.tenant;
  req.grounded = app.grounded_models.count(req.model) != 0;
  if (req.grounded) req.scopes = SearchScopesOf(app, ctx);
  req.caller_regions = CallerRegions(ctx);
  req.reveal = ctx.security.authorizer->AccessFor(ctx, "privacy", "reveal").ok();
  req.denied_topics = DeniedTopics(app, ctx);
  req.question_action = InjectionAction(ctx);
  req.principal = PrincipalKey(ctx);
  const std::string id = "chatcmpl-" + ctx.request_id;
  const int64_t created = app.clock->NowUnixMillis() / 1000;
  // Answers are released by the policy like /v1/ask's, but the gateway cannot hold one for a
  // reviewer: what would be held is refused.
  const DecisionScope scope{ctx.security.principal, ctx.security.context, ctx.security.policy,
                            ctx.tenant};

  if (parsed.stream) {
    // OpenAI's stream: chat.completion.chunk events, the role first, text deltas as the model
    // writes them (re-identified, never half a value), a last chunk with the permitted tool calls
    // and the finish reason, the usage when asked for, then [DONE]. Failures before the first
    // delta are plain problem responses.
    StreamAuditInfo info{ctx.request_id, ctx.tenant,
                         ctx.security.principal ? ctx.security.principal->subject : "", "chat",
                         "assistant"};
    ctx.security.detail_json = R"({"stream":true})";
    ctx.response.status = 200;
    ctx.response.content_type = "text/event-stream";
    ctx.response.headers.Set("Cache-Control", "no-cache");
    App* a = &app;
    const bool include_usage = parsed.include_usage;
    // Nothing streams while the policy might still withhold the answer at its end.
    const std::string pseudo_template = req.grounded ? "grounded-chat" : "passthrough";
    auto worst = scope.PermitFor("template:" + pseudo_template, "release", 1.0);
    const bool may_withhold = !worst.ok() || worst->require_approval;
    ctx.response.stream = [a, req, info, id, created, permitted, withheld, include_usage, scope,
                           may_withhold](StreamWriter& w) {
      bool wrote = false;
      auto start = [&] {
        if (wrote) return true;
        wrote = true;
        return w.Write(SseEvent(
            "", ChunkJson(id, created, req.model, R"({"role":"assistant","content":""})", "")));
      };
      llm::DeltaFn on_delta = [&](std::string_view text) {
        return start() &&
               w.Write(SseEvent("", ChunkJson(id, created, req.model,
                                              JsonObject().Add("content", text).Finish(), "")));
      };
      int retry_after = -1;
      llm::ChatGatewayRequest asked = req;
      asked.retry_after_s = &retry_after;
      auto r = a->ask->Chat(asked, may_withhold ? nullptr : &on_delta);
      if (!r.ok()) {
        if (!wrote) return w.Fail(r.status(), retry_after);
        w.Write(SseEvent("", "{\"error\":" + ProblemJson(r.status(), info.request_id) + "}"));
        return;
      }
      if (Status released = ReleaseWithoutHold(scope, *r); !released.ok()) {
        if (!wrote) return w.Fail(released);
        w.Write(SseEvent("", "{\"error\":" + ProblemJson(released, info.request_id) + "}"));
        return;
      }
      const Governed g = Govern(*r, permitted);
      if (!start()) return;
      if (may_withhold && !r->answer.empty() && !on_delta(r->answer)) return;
      if (r->answer.empty() && !g.content.empty()) {  // the notice about a denied tool call
        w.Write(SseEvent("", ChunkJson(id, created, req.model,
                                       JsonObject().Add("content", g.content).Finish(), "")));
      }
      Status audited = AuditStreamCompletion(*a, info, AiJsonOf(*r, g, req.reveal));
      if (!audited.ok()) {
        w.Write(SseEvent("", "{\"error\":" +
                                 ProblemJson(Unavailable("the answer could not be recorded in the "
                                                         "audit trail"),
                                             info.request_id) +
                                 "}"));
        return;
      }
      const std::string last_delta =
          g.tool_calls.empty()
              ? std::string("{}")
              : JsonObject().AddRaw("tool_calls", IndexedToolCalls(g.tool_calls)).Finish();
      w.Write(SseEvent("", ChunkJson(id, created, req.model, last_delta, g.finish_reason)));
      if (include_usage) {
        w.Write(SseEvent(
            "", JsonObject()
                    .Add("id", id)
                    .Add("object", "chat.completion.chunk")
                    .Add("created", created)
                    .Add("model", req.model)
                    .AddRaw("choices", "[]")
                    .AddRaw("usage", UsageJson(r->usage))
                    .AddRaw("crmi", CrmiJson(*r, g, req.grounded, withheld, info.request_id))
                    .Finish()));
      }
      w.Write(SseEvent("", "[DONE]"));
    };
    return;
  }

  int retry_after = -1;
  req.retry_after_s = &retry_after;
  llm::AskResult partial;
  req.partial = &partial;
  auto r = app.ask->Chat(req, nullptr);
  if (!r.ok()) {
    ctx.security.ai_json = RefusalAiJson(partial, req.reveal);
    return SetProblem(ctx, r.status(), retry_after);
  }
  const Governed g = Govern(*r, permitted);
  ctx.security.ai_json = AiJsonOf(*r, g, req.reveal);
  if (Status released = ReleaseWithoutHold(scope, *r); !released.ok()) {
    return SetProblem(ctx, released);
  }
  JsonObject message;
  message.Add("role", "assistant");
  if (g.content.empty() && !g.tool_calls.empty()) {
    message.AddNull("content");
  } else {
    message.Add("content", g.content);
  }
  if (!g.tool_calls.empty()) message.AddRaw("tool_calls", g.tool_calls);
  const std::string choice = JsonObject()
                                 .Add("index", 0)
                                 .AddRaw("message", message.Finish())
                                 .Add("finish_reason", g.finish_reason)
                                 .Finish();
  ctx.response.status = 200;
  ctx.response.content_type = "application/json";
  ctx.response.body = JsonObject()
                          .Add("id", id)
                          .Add("object", "chat.completion")
                          .Add("created", created)
                          .Add("model", req.model)
                          .AddRaw("choices", "[" + choice + "]")
                          .AddRaw("usage", UsageJson(r->usage))
                          .AddRaw("crmi", CrmiJson(*r, g, req.grounded, withheld, ctx.request_id))
                          .Finish();
}

void Embeddings(App& app, RequestContext& ctx) {
  if (app.retrieval == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "embeddings are not enabled on this server");
  }
  rapidjson::Document d;
  auto parsed = ParseJson(ctx.request.body, &d);
  if (!parsed.ok) return SetProblem(ctx, InvalidArgument("malformed JSON: " + parsed.error));
  if (!d.IsObject()) return SetProblem(ctx, InvalidArgument("the body must be a JSON object"));
  std::vector<std::string> texts;
  size_t bytes = 0;
  bool has_model = false;
  bool base64 = false;  // OpenAI's SDKs ask for base64 (little-endian float32) by default
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    const auto& v = m->value;
    if (key == "model") {
      has_model = v.IsString();
    } else if (key == "input") {
      if (v.IsString()) {
        texts.emplace_back(v.GetString(), v.GetStringLength());
      } else if (v.IsArray()) {
        for (const auto& e : v.GetArray()) {
          if (!e.IsString()) {
            return SetProblem(ctx, InvalidArgument("input must be a string or an array of "
                                                   "strings (token arrays are not supported)"));
          }
          texts.emplace_back(e.GetString(), e.GetStringLength());
        }
      } else {
        return SetProblem(ctx, InvalidArgument("input must be a string or an array of strings"));
      }
    } else if (key == "encoding_format") {
      if (!v.IsString() || (std::string_view(v.GetString()) != "float" &&
                            std::string_view(v.GetString()) != "base64")) {
        return SetProblem(ctx, InvalidArgument("encoding_format must be \"float\" or \"base64\""));
      }
      base64 = std::string_view(v.GetString()) == "base64";
    }  // dimensions, user: accepted and ignored
  }
  if (!has_model) return SetProblem(ctx, InvalidArgument("model is required"));
  if (texts.empty() || texts.size() > 256) {
    return SetProblem(ctx, InvalidArgument("input must hold 1 to 256 texts"));
  }
  for (const auto& t : texts) {
    if (t.size() > 32768) return SetProblem(ctx, InvalidArgument("each input is at most 32 KiB"));
    bytes += t.size();
  }
  std::vector<float> vectors;
  std::string model;
  size_t dim = 0;
  Status s =
      app.retrieval->EmbedForTenant(ctx.tenant, texts, CallerRegions(ctx), &vectors, &model, &dim);
  if (!s.ok()) return SetProblem(ctx, s);
  std::string data = "[";
  for (size_t i = 0; i < texts.size(); ++i) {
    if (data.size() > 1) data += ",";
    std::string v;
    if (base64) {
      std::string raw(dim * sizeof(float), '\0');
      for (size_t j = 0; j < dim; ++j) {
        const float f = vectors[i * dim + j];
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        for (int b = 0; b < 4; ++b) raw[j * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xFF);
      }
      v = "\"" + StandardBase64(raw) + "\"";
    } else {
      v = "[";
      for (size_t j = 0; j < dim; ++j) {
        if (j) v += ",";
        char num[32];
        std::snprintf(num, sizeof num, "%.7g", static_cast<double>(vectors[i * dim + j]));
        v += num;
      }
      v += "]";
    }
    data += JsonObject()
                .Add("object", "embedding")
                .Add("index", static_cast<int64_t>(i))
                .AddRaw("embedding", v)
                .Finish();
  }
  data += "]";
  const int64_t tokens = static_cast<int64_t>((bytes + 3) / 4);
  ctx.response.status = 200;
  ctx.response.content_type = "application/json";
  ctx.response.body =
      JsonObject()
          .Add("object", "list")
          .AddRaw("data", data)
          .Add("model", model)
          .AddRaw("usage",
                  JsonObject().Add("prompt_tokens", tokens).Add("total_tokens", tokens).Finish())
          .Finish();
}

void ListModels(App& app, RequestContext& ctx) {
  if (app.ask == nullptr) {
    return SetProblem(ctx, 503, "unavailable", "models are not enabled on this server");
  }
  std::string data = "[";
  for (const std::string& alias : app.ask->router().Aliases()) {
    if (ctx.security.authorizer == nullptr ||
        !ctx.security.authorizer->AccessFor(ctx, "model:" + alias, "use").ok()) {
      continue;  // a model the caller may not use is not listed
    }
    if (data.size() > 1) data += ",";
    data += JsonObject()
                .Add("id", alias)
                .Add("object", "model")
                .Add("created", int64_t{0})
                .Add("owned_by", "crmi")
                .Finish();
  }
  data += "]";
  ctx.response.status = 200;
  ctx.response.content_type = "application/json";
  ctx.response.body = JsonObject().Add("object", "list").AddRaw("data", data).Finish();
}

}  // namespace crmi::http::handlers
