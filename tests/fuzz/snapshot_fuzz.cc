// Index snapshots read back from disk (ChunkIndex::LoadSnapshot: the chunk table and the BM25
// postings; binary_file.h framing). The files are crmi's own, but a damaged disk or a partial
// copy can put any bytes there: whatever they are, loading returns an index whose searches work
// or an error, never a crash or a half-loaded index. The input is the file's body; the target
// frames it with the right magic and checksum, so that the parser itself is what gets explored.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "src/common/binary_file.h"
#include "src/retrieval/chunk_index.h"
#include "tests/fuzz/fuzz.h"

CRMI_FUZZ_TARGET(snapshot) {
  namespace r = crmi::retrieval;
  static const std::string dir = [] {
    std::string d = (std::filesystem::temp_directory_path() /
                     ("crmi-fuzz-snapshot-" + std::to_string(getpid())))
                        .string();
    std::filesystem::create_directories(d);
    std::ofstream(d + "/CURRENT") << "chunks-1\n";
    return d;
  }();
  const std::string magic = "CRMICHK1";
  crmi::StreamChecksum sum;
  sum.Add(magic.data(), magic.size());
  sum.Add(data, size);
  const uint64_t checksum = sum.Finish();
  {
    std::ofstream out(dir + "/chunks-1", std::ios::binary | std::ios::trunc);
    out.write(magic.data(), static_cast<std::streamsize>(magic.size()));
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.write(reinterpret_cast<const char*>(&checksum), 8);
  }
  auto snap = r::ChunkIndex::LoadSnapshot(dir);
  if (!snap.ok()) {
    const auto code = snap.status().code();
    if (code != crmi::StatusCode::kDataLoss && code != crmi::StatusCode::kNotFound) std::abort();
    return 0;
  }
  // A loaded index answers like any other.
  r::HybridParams p;
  p.mode = r::SearchMode::kLexical;
  p.k = 5;
  auto hits = snap->index->Search("zebra crossing", {}, p);
  if (!hits.ok() || hits->size() > 5) std::abort();
  for (const auto& h : *hits) {
    if (h.chunk == nullptr || snap->index->Get(h.chunk->label) == nullptr) std::abort();
  }
  r::ChunkPredicate pred;
  pred.collections.push_back({"cases"});
  pred.owner_ids = {"own1"};
  (void)snap->index->Select(pred);
  snap->index->ForEachRecord([](std::string_view, std::string_view, int64_t, int64_t) {});
  return 0;
}
