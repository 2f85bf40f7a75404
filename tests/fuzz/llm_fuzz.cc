// Untrusted input of the LLM layer: answer and chat-completion request bodies, and everything a
// remote model sends back — event streams split anywhere (any bytes give a complete answer whose
// text is exactly the streamed deltas, or kUnavailable), non-streamed completions, and answers
// scanned for sentences and citations (spans inside the text, citations within the context,
// groundedness in [0, 1]). The extractive model answers any question from any context without
// failing.
#include <cstdlib>
#include <string>

#include "src/http/handlers/ask.h"
#include "src/http/handlers/openai.h"
#include "src/llm/extractive.h"
#include "src/llm/grounding.h"
#include "src/llm/openai_chat.h"
#include "src/llm/output_guard.h"
#include "src/llm/templates.h"
#include "tests/fuzz/fuzz.h"

CRMI_FUZZ_TARGET(llm) {
  namespace l = crmi::llm;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  crmi::http::handlers::AskParams ask;
  crmi::Status s = crmi::http::handlers::ParseAskRequest(in, &ask);
  if (s.ok() ? ask.request.k > 20 : s.code() != crmi::StatusCode::kInvalidArgument) std::abort();
  if (s.ok()) {
    // A template body: parsing and validation refuse, never crash; a valid one renders.
    auto t = l::ParseTemplate(ask.template_name, in);
    if (t.ok()) {
      auto vars = l::ResolveVariables(*t, ask.variables);
      if (vars.ok()) (void)l::RenderTemplate(t->user, *vars);
    }
  }
  {
    auto t = l::ParseTemplate("fuzz", in);
    if (!t.ok() && t.status().code() != crmi::StatusCode::kInvalidArgument) std::abort();
    if (t.ok()) (void)l::RenderTemplate(t->system + t->user, {{"question", "q"}});
  }
  crmi::http::handlers::ChatCompletionRequest chat_req;
  s = crmi::http::handlers::ParseChatCompletionRequest(in, &chat_req);
  if (s.ok() ? chat_req.chat.model.empty() || chat_req.chat.messages.empty()
             : s.code() != crmi::StatusCode::kInvalidArgument) {
    std::abort();
  }

  // An event stream in two pieces, cut where the first byte says.
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  l::SseParser parser;
  l::StreamAssembler assembler;
  std::string deltas;
  bool failed = false;
  for (std::string_view piece : {in.substr(0, cut), in.substr(cut)}) {
    bool stopped = false;
    s = parser.Feed(
        piece,
        [&](std::string_view event) {
          std::string delta;
          if (!assembler.Apply(event, &delta).ok()) {
            failed = true;
            return false;
          }
          deltas += delta;
          return true;
        },
        &stopped);
    if (!s.ok() || failed) break;
  }
  if (!failed && s.ok()) {
    auto answer = assembler.Finish();
    if (answer.ok() && answer->content != deltas) std::abort();
    if (!answer.ok() && answer.status().code() != crmi::StatusCode::kUnavailable) std::abort();
  }
  auto completion = l::ParseChatCompletion(in);
  if (!completion.ok() && completion.status().code() != crmi::StatusCode::kUnavailable) {
    std::abort();
  }

  size_t last_end = 0;
  for (const auto& span : l::SplitSentences(in)) {
    if (span.start < last_end || span.end <= span.start || span.end > size) std::abort();
    last_end = span.end;
  }
  for (int n : l::CitedPassages(in, 5)) {
    if (n < 1 || n > 5) std::abort();
  }
  if (l::StripCitations(in).size() > size) std::abort();
  std::vector<l::ContextPassage> context(2);
  context[0].text = std::string(in.substr(0, cut));
  context[1].text = std::string(in.substr(cut));
  const double g = l::Groundedness(in, context);
  if (!(g >= 0.0 && g <= 1.0)) std::abort();
  // The output guard: a stream cut anywhere gives what the whole text gives.
  {
    l::OutputGuard whole(nullptr, nullptr, false);
    const std::string want = whole.Clean(in);
    l::OutputGuard parts(nullptr, nullptr, false);
    std::string got = parts.Push(in.substr(0, cut));
    got += parts.Push(in.substr(cut));
    got += parts.Finish();
    if (got != want || whole.risk() < 0 || whole.risk() > 1) std::abort();
  }
  l::ExtractiveBackend extractive;
  l::ChatRequest chat;
  chat.question = std::string(in.substr(0, cut));
  chat.context = context;
  if (!extractive.Complete(chat, nullptr).ok()) std::abort();
  return 0;
}
