// PII detection throughput, single thread: crmi's detector against the same identifiers as one
// std::regex alternation (on 1 MB: it runs at about 1 MB/s) and as one RE2 alternation.
//
// Text: customer-service utterances (Bitext's sample, ../shared/data/conversations, or a built-in
// fallback), half of them capitalised as agents write, joined by newlines into 64 MB.
//   sparse: one planted value (card, email, phone, IBAN, ...) per ~2 KB  ("few findings")
//   dense:  one planted value per line, ~1 per 90 bytes
//
//   detector_bench [--mb 64] [--runs 5] [--detector-only] [--only sparse|dense]
#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "src/privacy/detector.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> LoadUtterances() {
  const char* env = std::getenv("CRMI_SHARED_DATA");
  const std::string dir = env != nullptr ? env : "../shared/data";
  std::ifstream in(dir +
                   "/conversations/bitext_customer_service/"
                   "Bitext_Sample_Customer_Service_Training_Dataset.csv");
  std::vector<std::string> out;
  std::string line;
  std::getline(in, line);  // header: flags,utterance,category,intent
  while (std::getline(in, line)) {
    const size_t a = line.find(',');
    if (a == std::string::npos) continue;
    std::string u;
    if (line[a + 1] == '"') {
      size_t i = a + 2;
      for (; i < line.size(); ++i) {
        if (line[i] == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          u += '"';
          ++i;
        } else if (line[i] == '"') {
          break;
        } else {
          u += line[i];
        }
      }
    } else {
      u = line.substr(a + 1, line.find(',', a + 1) - a - 1);
    }
    if (!u.empty()) out.push_back(u);
  }
  if (out.empty()) {
    std::fprintf(stderr, "(no Bitext data under %s; using built-in sentences)\n", dir.c_str());
    out = {"I have problems with canceling an order",
           "how can I find information about canceling orders?",
           "could you help me cancelling the last order I made?",
           "I want to change the shipping address of my purchase",
           "what is the number to call customer service?",
           "I need help to get a refund for order {{Order Number}}",
           "Thank you for contacting us, I will check the status of your delivery now."};
  }
  return out;
}

std::string Luhn(std::string body) {
  int sum = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    int d = body[body.size() - 1 - i] - '0';
    if (i % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + char('0' + (10 - sum % 10) % 10);
}

std::string Planted(std::mt19937& rng) {
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += char('0' + rng() % 10);
    return s;
  };
  switch (rng() % 8) {
    case 0:
      return " my card is " + Luhn("4" + digits(14));
    case 1:
      return " email me at user" + digits(4) + "@example.com";
    case 2:
      return " call (415) 555-" + digits(4);
    case 3:
      return " IBAN GB29 NWBK 6016 1331 9268 19";
    case 4:
      return " my SSN is 536-90-" + std::to_string(1000 + rng() % 8999);
    case 5:
      return " from 10.0." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    case 6:
      return " or +44 20 " + digits(4) + " " + digits(4);
    default:
      return " Dear Mr. Hargreaves,";
  }
}

std::string BuildText(const std::vector<std::string>& utterances, size_t bytes, bool dense,
                      size_t* planted) {
  std::mt19937 rng(42);
  std::string text;
  text.reserve(bytes + 256);
  size_t since = 0;
  *planted = 0;
  while (text.size() < bytes) {
    std::string u = utterances[rng() % utterances.size()];
    if (rng() % 2 && !u.empty() && u[0] >= 'a' && u[0] <= 'z') u[0] = char(u[0] - 32);
    text += u;
    since += u.size();
    if (dense || since >= 2048) {
      text += Planted(rng);
      ++*planted;
      since = 0;
    }
    text += '\n';
  }
  return text;
}

// The same identifiers as one alternation (std::regex ECMAScript and RE2 syntax agree here).
const char* kAlternation =
    "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"
    "|\\b(?:\\d[ -]?){12,18}\\d\\b"
    "|\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\\b"
    "|\\b\\d{3}-\\d{2}-\\d{4}\\b"
    "|\\(\\d{3}\\) ?\\d{3}-\\d{4}"
    "|\\+\\d{1,3}(?:[ -]?\\d{2,5}){2,5}"
    "|\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b"
    "|\\b[A-CEGHJ-PR-TW-Z]{2}\\d{6}[A-D]\\b"
    "|\\b\\d{4}-\\d{2}-\\d{2}\\b"
    "|\\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\\b";

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct Result {
  double mb_s;
  size_t findings;
};

Result RunDetector(const crmi::privacy::Detector& d, const std::string& text, int runs,
                   bool per_line) {
  double best = 1e30;
  size_t found = 0;
  std::vector<crmi::privacy::Finding> out;
  std::vector<std::string_view> lines;
  if (per_line) {
    size_t s = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') {
        lines.emplace_back(text.data() + s, i - s);
        s = i + 1;
      }
    }
  }
  for (int r = 0; r < runs; ++r) {
    out.clear();
    const auto t0 = Clock::now();
    if (per_line) {
      size_t n = 0;
      for (std::string_view line : lines) {
        out.clear();
        (void)d.Scan(line, nullptr, &out);
        n += out.size();
      }
      found = n;
    } else {
      (void)d.Scan(text, nullptr, &out);
      found = out.size();
    }
    best = std::min(best, Seconds(t0, Clock::now()));
  }
  return {text.size() / 1e6 / best, found};
}

Result RunStdRegex(const std::string& text) {
  const std::regex re(kAlternation, std::regex::ECMAScript | std::regex::optimize);
  const auto t0 = Clock::now();
  size_t n = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    ++n;
  }
  return {text.size() / 1e6 / Seconds(t0, Clock::now()), n};
}

Result RunRe2(const std::string& text, int runs) {
  const re2::RE2 re(std::string("(") + kAlternation + ")");
  if (!re.ok()) {
    std::fprintf(stderr, "RE2: %s\n", re.error().c_str());
    return {0, 0};
  }
  double best = 1e30;
  size_t n = 0;
  for (int r = 0; r < runs; ++r) {
    re2::StringPiece in(text);
    re2::StringPiece m;
    n = 0;
    const auto t0 = Clock::now();
    while (re2::RE2::FindAndConsume(&in, re, &m)) ++n;
    best = std::min(best, Seconds(t0, Clock::now()));
  }
  return {text.size() / 1e6 / best, n};
}

}  // namespace

int main(int argc, char** argv) {
  size_t mb = 64;
  int runs = 5;
  bool detector_only = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--detector-only") == 0) detector_only = true;
    if (i + 1 == argc) break;
    if (std::strcmp(argv[i], "--mb") == 0) mb = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--only") == 0) only = argv[i + 1];
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);
  auto detector = crmi::privacy::Detector::Create();
  if (!detector.ok()) return 1;
  const auto utterances = LoadUtterances();
  std::printf("%zu utterances; %zu MB per text; best of %d runs, 1 thread\n", utterances.size(), mb,
              runs);
  std::printf("%-7s %-28s %10s %10s\n", "text", "engine", "MB/s", "findings");
  for (bool dense : {false, true}) {
    if (!only.empty() && only != (dense ? "dense" : "sparse")) continue;
    size_t planted = 0;
    const std::string text = BuildText(utterances, mb << 20, dense, &planted);
    const char* name = dense ? "dense" : "sparse";
    std::printf("%-7s planted %zu values (one per %zu bytes)\n", name, planted,
                text.size() / std::max<size_t>(planted, 1));
    const Result whole = RunDetector(**detector, text, runs, false);
    std::printf("%-7s %-28s %10.0f %10zu\n", name, "crmi detector, one text", whole.mb_s,
                whole.findings);
    const Result lines = RunDetector(**detector, text, runs, true);
    std::printf("%-7s %-28s %10.0f %10zu\n", name, "crmi detector, per line", lines.mb_s,
                lines.findings);
    if (detector_only) continue;
    const Result re2 = RunRe2(text, std::min(runs, 2));
    std::printf("%-7s %-28s %10.0f %10zu\n", name, "RE2 alternation", re2.mb_s, re2.findings);
    const std::string one_mb = text.substr(0, 1 << 20);
    const Result std_re = RunStdRegex(one_mb);
    std::printf("%-7s %-28s %10.1f %10zu   (first 1 MB)\n", name, "std::regex alternation",
                std_re.mb_s, std_re.findings);
    std::printf("%-7s crmi / std::regex: %.0fx\n", name, whole.mb_s / std_re.mb_s);
  }
  return 0;
}
