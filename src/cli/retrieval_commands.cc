// crmi eval retrieval: the offline evaluation of src/retrieval/eval.h on BEIR-format files.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "src/cli/commands.h"
#include "src/retrieval/eval.h"

namespace crmi::cli {

int RunEvalRetrieval(const EvalRetrievalArgs& args) {
  namespace r = crmi::retrieval;
  auto data = r::LoadBeir(args.corpus, args.queries, args.qrels);
  if (!data.ok()) {
    std::fprintf(stderr, "crmi: %s\n", data.status().message().c_str());
    return data.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  r::EvalOptions options;
  options.modes.clear();
  for (const auto& m : args.modes) {
    if (m == "lexical")
      options.modes.push_back(r::SearchMode::kLexical);
    else if (m == "vector")
      options.modes.push_back(r::SearchMode::kVector);
    else if (m == "hybrid")
      options.modes.push_back(r::SearchMode::kHybrid);
  }
  options.params.fusion = args.fusion == "weighted" ? r::Fusion::kWeighted : r::Fusion::kRrf;
  options.params.vector_weight = static_cast<float>(args.vector_weight);
  options.params.rrf_k = args.rrf_k;
  options.embedder.dim = args.dim;
  options.embedder.epochs = args.epochs;
  options.embedder.seed = args.seed;
  std::error_code ec;
  std::filesystem::create_directories(args.work_dir, ec);
  options.model_path = (std::filesystem::path(args.work_dir) / "builtin.bin").string();
  options.reuse_model = args.reuse_model;
  std::fprintf(stderr, "crmi: %zu documents, %zu judged queries; %s the built-in embedder...\n",
               data->corpus.size(), data->queries.size(),
               args.reuse_model ? "loading" : "training");
  auto report = r::EvaluateRetrieval(*data, options);
  if (!report.ok()) {
    std::fprintf(stderr, "crmi: %s\n", report.status().message().c_str());
    return 1;
  }
  std::fputs(report->ToTable().c_str(), stdout);
  if (!args.out.empty()) {
    std::ofstream out(args.out, std::ios::trunc);
    out << report->ToJson() << "\n";
    if (!out.flush()) {
      std::fprintf(stderr, "crmi: cannot write %s\n", args.out.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace crmi::cli
