#include "src/retrieval/eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <unordered_set>

#include "src/common/json_parse.h"
#include "src/common/json_text.h"

namespace crmi::retrieval {
namespace {

using SteadyClock = std::chrono::steady_clock;

double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

std::string Member(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd()) return "";
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
  return "";
}

// Calls fn(line_number, object) for each JSON Lines object of `path`.
Status ReadJsonLines(const std::string& path,
                     const std::function<Status(size_t, const rapidjson::Value&)>& fn) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open " + path);
  std::string line;
  size_t n = 0;
  rapidjson::Document doc;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    JsonParseResult r = ParseJson(line, &doc);
    if (!r.ok || !doc.IsObject()) {
      return InvalidArgument(path + ":" + std::to_string(n) + ": not a JSON object" +
                             (r.ok ? "" : " (" + r.error + ")"));
    }
    Status s = fn(n, doc);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(std::ceil(q * v.size())) - 1);
  return v[i];
}

}  // namespace

Result<BeirData> LoadBeir(const std::string& corpus_path, const std::string& queries_path,
                          const std::string& qrels_path) {
  BeirData data;
  {
    std::ifstream in(qrels_path);
    if (!in) return NotFound("cannot open " + qrels_path);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || (n == 1 && line.rfind("query", 0) == 0)) continue;  // header
      const size_t a = line.find('\t');
      const size_t b = a == std::string::npos ? a : line.find('\t', a + 1);
      if (b == std::string::npos) {
        return InvalidArgument(qrels_path + ":" + std::to_string(n) +
                               ": expected query-id<TAB>corpus-id<TAB>score");
      }
      int grade = 0;
      try {
        grade = std::stoi(line.substr(b + 1));
      } catch (...) {
        return InvalidArgument(qrels_path + ":" + std::to_string(n) + ": score is not a number");
      }
      if (grade > 0) data.qrels[line.substr(0, a)][line.substr(a + 1, b - a - 1)] = grade;
    }
  }
  Status s = ReadJsonLines(corpus_path, [&](size_t n, const rapidjson::Value& o) {
    BeirDoc d{Member(o, "_id"), Member(o, "title"), Member(o, "text")};
    if (d.id.empty()) return InvalidArgument(corpus_path + ":" + std::to_string(n) + ": no _id");
    data.corpus.push_back(std::move(d));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  s = ReadJsonLines(queries_path, [&](size_t n, const rapidjson::Value& o) {
    BeirQuery q{Member(o, "_id"), Member(o, "text")};
    if (q.id.empty()) return InvalidArgument(queries_path + ":" + std::to_string(n) + ": no _id");
    if (data.qrels.count(q.id)) data.queries.push_back(std::move(q));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (data.queries.empty())
    return InvalidArgument("no query of " + queries_path + " has a judgement in " + qrels_path);
  return data;
}

ModeMetrics Score(const BeirData& data,
                  const std::map<std::string, std::vector<std::string>>& runs) {
  ModeMetrics m;
  for (const auto& q : data.queries) {
    const auto& rel = data.qrels.at(q.id);
    auto run_it = runs.find(q.id);
    static const std::vector<std::string> kNone;
    const auto& run = run_it == runs.end() ? kNone : run_it->second;
    auto grade = [&](const std::string& doc) {
      auto it = rel.find(doc);
      return it == rel.end() ? 0 : it->second;
    };
    auto recall = [&](size_t k) {
      size_t found = 0;
      for (size_t i = 0; i < std::min(k, run.size()); ++i) found += grade(run[i]) > 0;
      return static_cast<double>(found) / static_cast<double>(rel.size());
    };
    m.recall_at_1 += recall(1);
    m.recall_at_10 += recall(10);
    m.recall_at_100 += recall(100);
    for (size_t i = 0; i < std::min<size_t>(10, run.size()); ++i) {
      if (grade(run[i]) > 0) {
        m.mrr_at_10 += 1.0 / static_cast<double>(i + 1);
        break;
      }
    }
    double dcg = 0, idcg = 0;
    for (size_t i = 0; i < std::min<size_t>(10, run.size()); ++i) {
      dcg += grade(run[i]) / std::log2(static_cast<double>(i) + 2);
    }
    std::vector<int> ideal;
    for (const auto& [doc, g] : rel) ideal.push_back(g);
    std::sort(ideal.rbegin(), ideal.rend());
    for (size_t i = 0; i < std::min<size_t>(10, ideal.size()); ++i) {
      idcg += ideal[i] / std::log2(static_cast<double>(i) + 2);
    }
    if (idcg > 0) m.ndcg_at_10 += dcg / idcg;
    ++m.queries;
  }
  if (m.queries > 0) {
    const double n = static_cast<double>(m.queries);
    m.recall_at_1 /= n;
    m.recall_at_10 /= n;
    m.recall_at_100 /= n;
    m.mrr_at_10 /= n;
    m.ndcg_at_10 /= n;
  }
  return m;
}

Result<EvalReport> EvaluateRetrieval(const BeirData& data, const EvalOptions& options) {
  EvalReport report;
  report.documents = data.corpus.size();
  // Chunk the corpus as live records are chunked: title on every window.
  std::vector<Chunk> chunks;
  for (const auto& d : data.corpus) {
    const auto windows = SplitText(d.text, options.chunking);
    if (windows.empty() && d.title.empty()) continue;
    auto add = [&](uint32_t s, uint32_t e) {
      Chunk c;
      c.field = "text";
      c.start = s;
      c.end = e;
      c.title = d.title;
      c.text = d.text.substr(s, e - s);
      c.meta.collection = "corpus";
      c.meta.record_id = d.id;
      chunks.push_back(std::move(c));
    };
    if (windows.empty()) add(0, 0);
    for (auto [s, e] : windows) add(s, e);
  }
  report.chunks = chunks.size();

  auto t0 = SteadyClock::now();
  std::unique_ptr<BuiltinEmbedder> embedder;
  if (options.reuse_model) {
    auto e = BuiltinEmbedder::Load(options.model_path);
    if (!e.ok()) return e.status();
    embedder = std::move(*e);
  } else {
    std::vector<std::string> texts;
    texts.reserve(chunks.size());
    for (const auto& c : chunks) texts.push_back(c.IndexedText());
    auto e = BuiltinEmbedder::Train(texts, options.model_path, options.embedder);
    if (!e.ok()) return e.status();
    embedder = std::move(*e);
  }
  report.train_seconds = Seconds(t0);
  report.embedder = embedder->info().Key();

  t0 = SteadyClock::now();
  ChunkIndex index(embedder->info().dim);
  std::map<std::string, std::pair<std::vector<Chunk>, std::vector<float>>> by_doc;
  for (auto& c : chunks) {
    auto& [cs, vs] = by_doc[c.meta.record_id];
    const std::string text = c.IndexedText();
    Status s = embedder->Embed(std::span<const std::string>(&text, 1), &vs);
    if (!s.ok()) return s;
    cs.push_back(std::move(c));
  }
  for (auto& [id, cv] : by_doc) {
    Status s = index.ReplaceRecord("corpus", id, std::move(cv.first), cv.second);
    if (!s.ok()) return s;
  }
  report.index_seconds = Seconds(t0);

  for (SearchMode mode : options.modes) {
    HybridParams p = options.params;
    p.mode = mode;
    p.k = 150;  // chunks: enough for 100 distinct documents
    p.candidates = std::max<size_t>(p.candidates, 150);
    std::map<std::string, std::vector<std::string>> runs;
    std::vector<double> latency_ms;
    for (const auto& q : data.queries) {
      const auto start = SteadyClock::now();
      std::vector<float> qv;
      if (mode != SearchMode::kLexical) {
        Status s = embedder->Embed(std::span<const std::string>(&q.text, 1), &qv);
        if (!s.ok()) return s;
      }
      auto hits = index.Search(q.text, qv, p);
      latency_ms.push_back(Seconds(start) * 1000);
      if (!hits.ok()) return hits.status();
      auto& run = runs[q.id];
      std::unordered_set<std::string> seen;
      for (const auto& h : *hits) {
        if (seen.insert(h.chunk->chunk.meta.record_id).second) {
          run.push_back(h.chunk->chunk.meta.record_id);
        }
        if (run.size() == 100) break;
      }
    }
    ModeMetrics m = Score(data, runs);
    m.mode = std::string(SearchModeName(mode));
    if (mode == SearchMode::kHybrid) m.mode += "-" + std::string(FusionName(p.fusion));
    m.p50_ms = Percentile(latency_ms, 0.50);
    m.p99_ms = Percentile(latency_ms, 0.99);
    report.modes.push_back(m);
  }
  return report;
}

std::string EvalReport::ToJson() const {
  std::string modes_json = "[";
  for (const auto& m : modes) {
    if (modes_json.size() > 1) modes_json += ",";
    modes_json += JsonObject()
                      .Add("mode", m.mode)
                      .Add("queries", static_cast<uint64_t>(m.queries))
                      .Add("recall@1", m.recall_at_1)
                      .Add("recall@10", m.recall_at_10)
                      .Add("recall@100", m.recall_at_100)
                      .Add("mrr@10", m.mrr_at_10)
                      .Add("ndcg@10", m.ndcg_at_10)
                      .Add("latency_p50_ms", m.p50_ms)
                      .Add("latency_p99_ms", m.p99_ms)
                      .Finish();
  }
  modes_json += "]";
  return JsonObject()
      .Add("documents", static_cast<uint64_t>(documents))
      .Add("chunks", static_cast<uint64_t>(chunks))
      .Add("embedder", embedder)
      .Add("train_seconds", train_seconds)
      .Add("index_seconds", index_seconds)
      .AddRaw("modes", modes_json)
      .Finish();
}

std::string EvalReport::ToTable() const {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-16s %8s %9s %10s %8s %8s %9s %9s\n", "mode", "R@1", "R@10",
                "R@100", "MRR@10", "nDCG@10", "p50 ms", "p99 ms");
  out += line;
  for (const auto& m : modes) {
    std::snprintf(line, sizeof line, "%-16s %8.4f %9.4f %10.4f %8.4f %8.4f %9.3f %9.3f\n",
                  m.mode.c_str(), m.recall_at_1, m.recall_at_10, m.recall_at_100, m.mrr_at_10,
                  m.ndcg_at_10, m.p50_ms, m.p99_ms);
    out += line;
  }
  std::snprintf(line, sizeof line, "%zu documents, %zu chunks, %s; train %.1f s, index %.1f s\n",
                documents, chunks, embedder.c_str(), train_seconds, index_seconds);
  out += line;
  return out;
}

}  // namespace crmi::retrieval
