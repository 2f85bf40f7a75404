// How safe is the answer cache's semantic layer at a given threshold? Bitext's customer-service
// utterances (8,175, 27 intents, many paraphrases each) stand in for questions: a semantic hit
// whose cached question has the caller's intent would have served a fitting answer; one with
// another intent would have served a wrong one.
//
// Protocol: the built-in embedder is trained on the utterances (a support tenant's corpus holds
// such text; optimistic for hits), the utterances are shuffled (seed 7) and asked one by one
// through llm::AnswerCache — exact lookup, then GetSimilar at the threshold — and every miss is
// stored with its embedding, as /v1/ask does. One pass per threshold.
//
//   CRMI_SHARED_DATA=../shared/data build/release/bench/semantic_cache_eval
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/common/data_files.h"
#include "src/common/clock.h"
#include "src/crm/csv.h"
#include "src/llm/answer_cache.h"
#include "src/retrieval/builtin_embedder.h"

namespace {

struct Utterance {
  std::string text, intent;
};

std::vector<Utterance> ReadBitext(const std::string& path) {
  std::vector<Utterance> out;
  for (auto& row : crmi::bench::CsvColumns(path, {"utterance", "intent"})) {
    out.push_back({std::move(row[0]), std::move(row[1])});
  }
  return out;
}

}  // namespace

int main() {
  namespace llm = crmi::llm;
  const char* env = std::getenv("CRMI_SHARED_DATA");
  const std::string data = env ? env : "../shared/data";
  std::vector<Utterance> all = ReadBitext(data +
                                          "/conversations/bitext_customer_service/"
                                          "Bitext_Sample_Customer_Service_Training_Dataset.csv");
  if (all.size() < 1000) {
    std::fprintf(stderr, "too few utterances (%zu)\n", all.size());
    return 2;
  }
  std::vector<std::string> corpus;
  for (const auto& u : all) corpus.push_back(u.text);
  const std::string dir = std::filesystem::temp_directory_path() / "crmi-semantic-eval";
  std::filesystem::create_directories(dir);
  crmi::retrieval::BuiltinEmbedderOptions eo;  // the defaults a tenant gets
  auto t0 = std::chrono::steady_clock::now();
  auto embedder = crmi::retrieval::BuiltinEmbedder::Train(corpus, dir + "/model.bin", eo);
  if (!embedder.ok()) {
    std::fprintf(stderr, "training failed: %s\n", embedder.status().ToString().c_str());
    return 1;
  }
  const double train_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<float> vectors;
  if (!embedder.value()->Embed(corpus, &vectors).ok()) return 1;
  const size_t dim = vectors.size() / corpus.size();
  std::mt19937_64 rng(7);
  std::vector<size_t> order(all.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);

  std::printf(
      "%zu utterances, %zu intents-worth of paraphrases; built-in embedder dim %zu "
      "trained in %.1f s\n\n",
      all.size(), static_cast<size_t>(27), dim, train_s);
  // The library's key (anchors and content terms), and anchors with cosine alone.
  for (int guard = 0; guard < 2; ++guard) {
    std::printf("\n%s\n",
                guard ? "SimilarKey: anchors, content terms, cosine" : "anchors and cosine only");
    std::printf(
        "threshold  exact  semantic_hits  right_intent  wrong_intent  wrong/queries  "
        "lookup_p50_us  lookup_p99_us\n");
    for (double threshold : {0.80, 0.85, 0.90, 0.93, 0.95, 0.97, 0.99}) {
      llm::AnswerCache cache(all.size() + 10, std::chrono::hours(1), crmi::Clock::Real());
      size_t exact = 0, hits = 0, right = 0;
      std::vector<double> lookup_us;
      for (size_t i : order) {
        llm::AskRequest req;
        req.tenant = "t";
        req.question = all[i].text;
        const std::string key = llm::AnswerCache::Key(req, "default", "grounded-answer@1");
        const std::string similar =
            llm::AnswerCache::SimilarKey(req, "default", "grounded-answer@1", guard == 1);
        const auto stamp = cache.Begin("t");
        if (auto hit = cache.Get("t", key, stamp)) {
          ++exact;
          continue;
        }
        std::vector<float> v(vectors.begin() + static_cast<std::ptrdiff_t>(i * dim),
                             vectors.begin() + static_cast<std::ptrdiff_t>((i + 1) * dim));
        double sim = 0;
        const auto start = std::chrono::steady_clock::now();
        auto hit = cache.GetSimilar("t", similar, v, threshold, &sim);
        lookup_us.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count());
        if (hit != nullptr) {
          ++hits;
          right += hit->answer == all[i].intent;  // the "answer" stored is the intent
          continue;
        }
        llm::AskResult r;
        r.answer = all[i].intent;
        cache.Put("t", key, stamp, std::move(r), similar, std::move(v));
      }
      std::sort(lookup_us.begin(), lookup_us.end());
      auto pct = [&](double p) {
        return lookup_us.empty() ? 0.0 : lookup_us[static_cast<size_t>(p * (lookup_us.size() - 1))];
      };
      std::printf("%9.2f  %5zu  %13zu  %12zu  %12zu  %13.4f  %13.0f  %13.0f\n", threshold, exact,
                  hits, right, hits - right, static_cast<double>(hits - right) / all.size(),
                  pct(0.5), pct(0.99));
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
