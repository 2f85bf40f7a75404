// Grounded answers: the library behind POST /v1/ask.
//
//   question ─► retrieval within the caller's scopes (row filters, masks, residency) ─► context
//   assembly within a token budget ─► anonymisation of question and passages (typed
//   placeholders, one mapping per request) ─► model (an alias's fallback chain; residency
//   decides which backends may take the passages) ─► groundedness of the raw answer against
//   the passages it cites ─► re-identification (originals when the caller may see them, masks
//   otherwise) ─► answer with citations, scores, usage and the facts for the audit record.
//
// Fails closed: when the tenant's contact names cannot be had or the detector fails, nothing
// is sent to any model (kUnavailable).
//
// Thread-safety: Ask may be called from any number of threads at once.
#ifndef CRMI_LLM_ASK_H_
#define CRMI_LLM_ASK_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/metrics.h"
#include "src/llm/chat.h"
#include "src/llm/router.h"
#include "src/retrieval/retrieval_service.h"

namespace crmi::privacy {
class ContactNames;
class Detector;
}  // namespace crmi::privacy

namespace crmi::llm {

class InjectionDetector;
class TokenBudget;
class AnswerCache;
class TopicSet;
struct PromptTemplate;
struct AskResult;

// What happens to text the injection detector flags.
enum class SafetyAction {
  kBlock,  // the question is refused (kPermissionDenied); for a passage: same as kDrop
  kDrop,   // a passage is left out of the context
  kStrip,  // the flagged sentences are removed (all of it, when that does not clear it)
  kFlag,   // kept; only reported
};
// "block", "drop", "strip", "flag"; nullopt otherwise.
std::optional<SafetyAction> ParseSafetyAction(std::string_view name);
const char* SafetyActionName(SafetyAction a);

struct AskOptions {
  size_t k = 8;                       // passages retrieved
  int64_t max_context_tokens = 3000;  // passages beyond this budget are left out
  size_t max_question_bytes = 4000;
  std::string default_model = "default";
  // Null: no injection scanning.
  const InjectionDetector* injection = nullptr;
  SafetyAction question_action = SafetyAction::kBlock;
  SafetyAction passage_action = SafetyAction::kDrop;  // indirect injection in retrieved text
  // Null: no rate limits or token budgets.
  TokenBudget* budget = nullptr;
  // Subjects the policy governs in answers (output_guard.h); null: none.
  std::shared_ptr<const TopicSet> topics;
  // Null: no answer cache (answer_cache.h); only /v1/ask answers are cached.
  AnswerCache* cache = nullptr;
  // The semantic layer of the cache: a question whose embedding's cosine with a cached one's is
  // at least this (with the same scope and anchors, AnswerCache::SimilarKey) gets its answer.
  // 0: off. `embed` gives a question's normalised embedding (the tenant's model).
  double semantic_threshold = 0;
  std::function<Result<std::vector<float>>(const std::string& tenant, const std::string& text,
                                           const std::vector<std::string>& caller_regions)>
      embed;
};

struct AskRequest {
  std::string tenant;
  std::string question;
  std::string contact_id;  // optional: passages about this contact come first
  std::string model;       // alias; empty: the template's first allowed one, else the default
  // The prompt (templates.h); null: the built-in grounded-answer@1. `variables` are the
  // template's, resolved (ResolveVariables): scanned for injection and anonymised like the
  // question.
  std::shared_ptr<const PromptTemplate> prompt;
  std::map<std::string, std::string> variables;
  std::vector<retrieval::CollectionScope> scopes;
  std::vector<std::string> caller_regions;
  bool reveal = false;  // the caller may see original values in the answer
  // Policy topics (AskOptions::topics) the caller may not receive: sentences about them are
  // withheld, and an answer that had any is replaced by a refusal. Part of the cache key.
  std::vector<std::string> denied_topics;
  // What an injection verdict on the question does (the policy's `injection` obligation);
  // nullopt: AskOptions::question_action.
  std::optional<SafetyAction> question_action;
  size_t k = 0;           // 0: the service's default
  std::string principal;  // for rate limits
  // Set with kResourceExhausted: seconds until the budget would allow the call.
  int* retry_after_s = nullptr;
  // Set on failure: what was known by then — template, model, and for a refused question its
  // injection score and a `safety` entry with the reasons (for the audit record).
  AskResult* partial = nullptr;
};

// A conversation through the governed OpenAI-compatible gateway (POST /v1/chat/completions).
struct ChatGatewayRequest {
  std::string tenant;
  std::string model;                  // alias; empty: the default
  std::vector<ChatMessage> messages;  // the caller's, in order
  std::string tools_json;             // passed through to the model
  std::string tool_choice_json;
  int max_tokens = 0;
  double temperature = -1.0;
  // Ground the conversation in the tenant's records: passages retrieved for the last user
  // message (within `scopes`) are given to the model as numbered context.
  bool grounded = false;
  std::vector<retrieval::CollectionScope> scopes;
  std::vector<std::string> caller_regions;
  bool reveal = false;
  std::vector<std::string> denied_topics;       // as in AskRequest
  std::optional<SafetyAction> question_action;  // as in AskRequest, for user messages
  std::string principal;                        // for rate limits
  int* retry_after_s = nullptr;                 // as in AskRequest
  AskResult* partial = nullptr;                 // as in AskRequest
};

struct Citation {
  int n = 0;               // the number the answer cites it by
  ContextPassage passage;  // text re-identified (or masked) like the answer
};

// A flagged text and what was done with it.
struct SafetyFinding {
  std::string id;  // the passage id; "question" for the question
  double score = 0;
  std::vector<std::string> reasons;
  SafetyAction action = SafetyAction::kFlag;
};

struct AskResult {
  std::string answer;
  bool cached = false;          // served from the answer cache: no retrieval, no model call
  std::string cache_kind;       // "exact", "shared" (the L2) or "semantic" when cached
  double cache_similarity = 0;  // of the question to the cached one (semantic hits)
  std::string tool_calls_json;  // the model's tool calls (OpenAI's JSON array), re-identified
  std::string finish_reason;
  std::vector<Citation> citations;
  std::string model_alias;
  BackendInfo backend;
  std::vector<std::string> fallbacks;
  double groundedness = 1.0;
  bool grounded = true;    // answered from retrieved passages (false: a pass-through chat)
  double injection = 0;    // the question's score (0 without a detector)
  double output_risk = 0;  // what the output guard found (output_guard.h)
  std::vector<std::string> output_reasons;
  std::vector<SafetyFinding> safety;  // the question, if flagged, and flagged passages
  TokenUsage usage;
  std::vector<std::string> retrieved;  // record ids of the passages given to the model
  size_t anonymized = 0;               // distinct values replaced by placeholders
  std::string input_sha256;            // of the exact messages sent to the model
  std::string output_sha256;           // of the answer returned
  std::string template_name = "grounded-answer";
  std::string template_version = "1";
  std::vector<std::pair<std::string, double>> stage_ms;  // retrieve, anonymize, model, total
};

class AskService {
 public:
  // Pointers must outlive the service; `registry` may be null.
  AskService(retrieval::RetrievalService* retrieval, const privacy::Detector* detector,
             const privacy::ContactNames* names, ModelRouter* router, AskOptions options,
             metrics::Registry* registry);
  ~AskService();

  // kInvalidArgument for an empty or too long question or an unknown model; kUnavailable when
  // the index is not ready, names cannot be had or every backend failed; kPermissionDenied
  // when residency leaves no backend or the question is blocked as an injection. `on_delta`
  // receives the re-identified answer as it is produced (never a partial original value).
  Result<AskResult> Ask(const AskRequest& request, const DeltaFn* on_delta);

  // The same chain for a caller's conversation: user messages are scanned like a question,
  // tool results like retrieved passages (a dropped one is replaced by a notice); every message
  // is anonymised, tool calls' arguments included, and the answer and its tool calls
  // re-identified. kInvalidArgument for a conversation without a user message.
  Result<AskResult> Chat(const ChatGatewayRequest& request, const DeltaFn* on_delta);

  const ModelRouter& router() const { return *router_; }
  // The names of the governed topics (policy resources topic:<name>).
  std::vector<std::string> topic_names() const;

 private:
  struct Metrics;
  struct Job;
  // Builds the answer in *result (left as far as it got when it fails) and returns a copy.
  Result<AskResult> Run(const Job& job, const DeltaFn* on_delta, AskResult* result);
  // crmi_llm_answers_total{result=rate_limited|refused|unavailable|invalid|cancelled|error}.
  void CountFailure(const std::string& alias, const Status& status);
  // Applies the question action to a flagged text; kPermissionDenied when it is blocked.
  Status ScanQuestion(std::string* text, const char* id, SafetyAction action, AskResult* result);
  retrieval::RetrievalService* retrieval_;
  const privacy::Detector* detector_;
  const privacy::ContactNames* names_;
  ModelRouter* router_;
  AskOptions options_;
  std::unique_ptr<Metrics> metrics_;
};

// The system prompt of the built-in "grounded-answer" template.
extern const char kGroundedAnswerSystemPrompt[];

}  // namespace crmi::llm

#endif  // CRMI_LLM_ASK_H_
