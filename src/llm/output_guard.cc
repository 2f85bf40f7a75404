#include "src/llm/output_guard.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "src/privacy/anonymizer.h"
#include "src/privacy/detector.h"

namespace crmi::llm {
namespace {

const re2::RE2& Secrets() {
  // Never destroyed: guards run on any thread until exit.
  static const re2::RE2* re = new re2::RE2(
      R"((\bsk-[A-Za-z0-9_-]{20,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}|)"
      R"(\bxox[abprs]-[A-Za-z0-9-]{10,}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|)"
      R"(-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)|)"
      R"((?i:\b(?:password|passwd|secret|api[_ -]?key)\s*[:=]\s*)\S+))");
  return *re;
}

// Insults and profanity: a sentence holding one is not passed on. Whole words, lower case.
constexpr std::string_view kAbuse[] = {
    "fuck",  "fucking", "fucked", "shit",   "bullshit", "bitch",    "bastard", "asshole",
    "idiot", "idiots",  "moron",  "morons", "retard",   "retarded", "scum",    "cunt"};

bool Abusive(std::string_view sentence) {
  std::string word;
  auto check = [&] {
    const bool hit =
        std::find(std::begin(kAbuse), std::end(kAbuse), std::string_view(word)) != std::end(kAbuse);
    word.clear();
    return hit;
  };
  for (char c : sentence) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty() && check()) {
      return true;
    }
  }
  return !word.empty() && check();
}

// The end of the last complete sentence in `text` (0: none yet).
size_t LastBoundary(std::string_view text) {
  for (size_t i = text.size(); i-- > 0;) {
    const char c = text[i];
    if (c == '\n') return i + 1;
    if ((c == '.' || c == '!' || c == '?') && i + 1 < text.size() &&
        (text[i + 1] == ' ' || text[i + 1] == '\n')) {
      return i + 1;
    }
  }
  return 0;
}

}  // namespace

Result<std::shared_ptr<const TopicSet>> TopicSet::Compile(const std::vector<PolicyTopic>& topics) {
  std::shared_ptr<TopicSet> set(new TopicSet());
  for (const auto& t : topics) {
    if (t.name.empty() || t.name.size() > 64 ||
        t.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
      return InvalidArgument("topic names are 1–64 of a-z, 0-9 and '-' (got '" + t.name + "')");
    }
    if (t.phrases.empty()) return InvalidArgument("topic '" + t.name + "' has no phrases");
    std::string alternation;
    for (const auto& p : t.phrases) {
      if (p.find_first_not_of(" ") == std::string::npos) {
        return InvalidArgument("topic '" + t.name + "' has an empty phrase");
      }
      if (!alternation.empty()) alternation += "|";
      alternation += re2::RE2::QuoteMeta(p);
    }
    re2::RE2::Options o;
    o.set_case_sensitive(false);
    o.set_log_errors(false);
    auto re = std::make_unique<re2::RE2>("\\b(?:" + alternation + ")\\b", o);
    if (!re->ok()) return InvalidArgument("topic '" + t.name + "': " + re->error());
    set->names_.push_back(t.name);
    set->patterns_.push_back(std::move(re));
  }
  return std::shared_ptr<const TopicSet>(std::move(set));
}

TopicSet::~TopicSet() = default;

std::vector<std::string> TopicSet::Match(std::string_view sentence) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (re2::RE2::PartialMatch(sentence, *patterns_[i])) out.push_back(names_[i]);
  }
  return out;
}

void OutputGuard::SetTopics(const TopicSet* topics,
                            std::function<bool(const std::string&)> may_receive) {
  topics_ = topics;
  may_receive_ = std::move(may_receive);
}

OutputGuard::OutputGuard(const privacy::Detector* detector, const privacy::NameDictionary* names,
                         bool mask_pii)
    : detector_(detector), names_(names), mask_pii_(mask_pii) {}

OutputGuard::~OutputGuard() = default;

void OutputGuard::Found(const char* kind, double weight) {
  risk_ = std::max(risk_, weight);
  if (std::find(reasons_.begin(), reasons_.end(), kind) == reasons_.end()) {
    reasons_.emplace_back(kind);
  }
}

std::string OutputGuard::CleanSentence(std::string s) {
  if (s.empty()) return s;
  // A PEM private key runs over many lines (each a "sentence" here): drop them all.
  if (in_key_) {
    if (s.find("-----END") != std::string::npos) in_key_ = false;
    return s.back() == '\n' ? "\n" : "";
  }
  if (s.find("-----BEGIN") != std::string::npos && s.find("PRIVATE KEY") != std::string::npos &&
      s.find("-----END") == std::string::npos) {
    in_key_ = true;
  }
  if (re2::RE2::GlobalReplace(&s, Secrets(), "[secret removed]") > 0) Found("secret", 0.9);
  if (topics_ != nullptr) {
    bool withhold = false;
    for (const std::string& topic : topics_->Match(s)) {
      auto [it, fresh] = decided_.emplace(topic, false);
      if (fresh) it->second = may_receive_ != nullptr && may_receive_(topic);
      if (it->second) continue;
      withhold = true;
      Found(("topic:" + topic).c_str(), 0.8);
      if (std::find(blocked_topics_.begin(), blocked_topics_.end(), topic) ==
          blocked_topics_.end()) {
        blocked_topics_.push_back(topic);
      }
    }
    if (withhold) return s.back() == '\n' ? "\n" : "";
  }
  if (Abusive(s)) {
    Found("abuse", 0.7);
    // Keep the sentence's surrounding whitespace so the text around it still reads.
    size_t begin = 0, end = s.size();
    while (begin < end && (s[begin] == ' ' || s[begin] == '\n')) ++begin;
    while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\n')) --end;
    return s.substr(0, begin) + "[removed: abusive language]" + s.substr(end);
  }
  if (mask_pii_ && detector_ != nullptr) {
    std::vector<privacy::Finding> findings;
    if (!detector_->Scan(s, names_, &findings).ok()) {
      Found("unscannable", 0.5);
      return "[removed: could not be checked]";  // fail closed
    }
    if (!findings.empty()) {
      Found("personal_data", 0.5);
      std::string out;
      size_t at = 0;
      for (const auto& f : findings) {
        out.append(s, at, f.start - at);
        out +=
            privacy::Anonymizer::Mask(f.type, std::string_view(s).substr(f.start, f.end - f.start));
        at = f.end;
      }
      out.append(s, at);
      s = std::move(out);
    }
  }
  return s;
}

std::string OutputGuard::Push(std::string_view piece) {
  pending_.append(piece);
  const size_t end = LastBoundary(pending_);
  if (end == 0) return "";
  std::string done = pending_.substr(0, end);
  pending_.erase(0, end);
  // Sentence by sentence, so one bad sentence does not take its neighbours with it.
  std::string out;
  size_t start = 0;
  for (size_t i = 0; i < done.size(); ++i) {
    const char c = done[i];
    const bool boundary =
        c == '\n' || ((c == '.' || c == '!' || c == '?') &&
                      (i + 1 == done.size() || done[i + 1] == ' ' || done[i + 1] == '\n'));
    if (boundary) {
      out += CleanSentence(done.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  out += CleanSentence(done.substr(start));
  return out;
}

std::string OutputGuard::Finish() {
  std::string rest = std::move(pending_);
  pending_.clear();
  std::string out = CleanSentence(std::move(rest));
  if (!blocked_topics_.empty()) {
    std::string names;
    for (const auto& t : blocked_topics_) names += (names.empty() ? "" : ", ") + t;
    out += std::string(out.empty() || out.back() == '\n' ? "" : " ") +
           "[crmi withheld what this answer said about " + names +
           ": the policy does not let you receive it.]";
  }
  return out;
}

std::string OutputGuard::Clean(std::string_view text) {
  std::string out = Push(text);  // before Finish: the order of a + b's operands is unspecified
  out += Finish();
  return out;
}

}  // namespace crmi::llm
