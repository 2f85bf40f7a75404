#include "src/llm/extractive.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "src/llm/grounding.h"
#include "src/retrieval/text.h"

namespace crmi::llm {
namespace {

struct Candidate {
  size_t passage;  // 0-based
  std::string text;
  std::unordered_set<std::string> terms;
  double coverage = 0;
  double score = 0;
  size_t words = 0;
};

double Jaccard(const std::unordered_set<std::string>& a, const std::unordered_set<std::string>& b) {
  if (a.empty() || b.empty()) return 0;
  size_t both = 0;
  for (const auto& t : a) both += b.count(t);
  return static_cast<double>(both) / static_cast<double>(a.size() + b.size() - both);
}

// What kind of answer the question wants, from its words.
enum class Want { kAny, kNumber, kDate };

Want Wants(std::string_view question) {
  std::string q;
  for (char c : question.substr(0, 60)) {
    q += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const char* p : {"how much", "how many", "how long", "what amount", "what price",
                        "what is the price", "what is the cost", "what fee", "what rate"}) {
    if (q.find(p) != std::string::npos) return Want::kNumber;
  }
  for (const char* p : {"when ", "what date", "which date", "what day"}) {
    if (q.find(p) != std::string::npos) return Want::kDate;
  }
  return Want::kAny;
}

// A digit outside placeholders ("<PERSON_1>" is no figure).
bool HasDigit(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      size_t j = i + 1;
      while (j < s.size() && j - i < 24 &&
             ((s[j] >= 'A' && s[j] <= 'Z') || s[j] == '_' || (s[j] >= '0' && s[j] <= '9'))) {
        ++j;
      }
      if (j < s.size() && s[j] == '>') {
        i = j;
        continue;
      }
    }
    if (s[i] >= '0' && s[i] <= '9') return true;
  }
  return false;
}

// "Advisor: Good timing..." → "Good timing...": a speaker label says who, not what.
std::string_view WithoutSpeaker(std::string_view s) {
  const size_t colon = s.find(": ");
  if (colon == std::string_view::npos || colon == 0 || colon > 24) return s;
  for (size_t i = 0; i < colon; ++i) {
    const char c = s[i];
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == ' ' || c == '.' || c == '-')) {
      return s;
    }
  }
  return s.substr(colon + 2);
}

}  // namespace

ExtractiveBackend::ExtractiveBackend(std::string name, ExtractiveOptions options)
    : options_(options) {
  info_.name = std::move(name);
  info_.model = "crmi-extractive";
  info_.extractive = true;
}

Result<ChatResponse> ExtractiveBackend::Complete(const ChatRequest& request,
                                                 const DeltaFn* on_delta) {
  std::string question = request.question;
  if (question.empty()) {
    for (auto it = request.messages.rbegin(); it != request.messages.rend(); ++it) {
      if (it->role == "user") {
        question = it->content;
        break;
      }
    }
  }
  const Want want = Wants(question);
  std::vector<std::string> q = retrieval::TermTexts(question);
  // Question words and the CRM's own words for the person asked about carry no content.
  static const std::unordered_set<std::string> kNoContent = {
      "when", "what", "who",  "whom", "whose",  "where", "which",
      "how",  "why",  "much", "mani", "client", "custom"};
  q.erase(std::remove_if(q.begin(), q.end(),
                         [](const std::string& t) { return kNoContent.count(t) != 0; }),
          q.end());
  std::sort(q.begin(), q.end());
  q.erase(std::unique(q.begin(), q.end()), q.end());

  std::vector<Candidate> candidates;
  for (size_t p = 0; p < request.context.size(); ++p) {
    const std::string& text = request.context[p].text;
    for (const SentenceSpan& s : SplitSentences(text)) {
      Candidate c;
      c.passage = p;
      c.text = StripCitations(text.substr(s.start, s.end - s.start));
      const std::string_view said = WithoutSpeaker(c.text);
      c.words = retrieval::Words(said).size();
      if (c.words < 3) continue;  // fragments ("Hi Ana,") answer nothing
      for (auto& t : retrieval::TermTexts(said)) c.terms.insert(std::move(t));
      candidates.push_back(std::move(c));
    }
  }
  // Rarer question terms weigh more (BM25's idf over the candidate sentences).
  const double n = static_cast<double>(candidates.size());
  std::unordered_map<std::string, double> idf;
  double total = 0;
  for (const std::string& t : q) {
    double df = 0;
    for (const Candidate& c : candidates) df += c.terms.count(t) ? 1 : 0;
    idf[t] = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
    total += idf[t];
  }
  for (Candidate& c : candidates) {
    double covered = 0;
    for (const std::string& t : q) {
      if (c.terms.count(t)) covered += idf[t];
    }
    c.coverage = total > 0 ? covered / total : 0;
    // Earlier passages ranked higher in retrieval; long sentences dilute what they say.
    c.score = c.coverage * (1.0 - 0.02 * static_cast<double>(std::min<size_t>(c.passage, 20))) /
              (1.0 + 0.01 * static_cast<double>(c.words));
    // A question shares the question's words but rarely its answer; a "how much" wants a
    // figure, a "when" a date.
    if (c.text.back() == '?') c.score *= 0.25;
    if (want != Want::kAny && HasDigit(c.text)) c.score *= 1.6;
    if (want == Want::kNumber && c.text.find_first_of("$%") != std::string::npos) c.score *= 1.3;
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  std::vector<const Candidate*> chosen;
  size_t words = 0;
  const double best = candidates.empty() ? 0 : candidates.front().score;
  for (const Candidate& c : candidates) {
    if (chosen.size() >= options_.max_sentences) break;
    if (c.coverage < options_.min_coverage || c.score < best * options_.relative_cutoff) break;
    if (!chosen.empty() && words + c.words > options_.max_words) continue;
    bool duplicate = false;
    for (const Candidate* d : chosen) duplicate = duplicate || Jaccard(c.terms, d->terms) >= 0.6;
    if (duplicate) continue;
    chosen.push_back(&c);
    words += c.words;
  }
  ChatResponse r;
  r.model = info_.model;
  r.finish_reason = "stop";
  // Streamed a sentence at a time, as a model would.
  std::vector<std::string> pieces;
  if (chosen.empty()) {
    pieces.emplace_back(kNoAnswer);
  } else {
    for (const Candidate* c : chosen) {
      std::string sentence = (pieces.empty() ? "" : " ") + c->text;
      const char last = sentence.back();
      if (last != '.' && last != '!' && last != '?') sentence += '.';
      pieces.push_back(sentence + " [" + std::to_string(c->passage + 1) + "]");
    }
  }
  for (const std::string& piece : pieces) {
    r.content += piece;
    if (on_delta != nullptr && !(*on_delta)(piece)) {
      return Cancelled("the caller abandoned the answer");
    }
  }
  int64_t prompt = EstimateTokens(question);
  for (const auto& p : request.context) prompt += EstimateTokens(p.text);
  r.usage = {prompt, EstimateTokens(r.content), true};
  return r;
}

}  // namespace crmi::llm
