// Runs every registered fuzz target over its seed corpus (tests/fuzz/corpus/<target>/) and over
// deterministic pseudo-random mutations of those seeds. Exits non-zero if a target aborts or a
// corpus is missing.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz.h"

namespace crmi::fuzz {

std::map<std::string, TargetFn>& Targets() {
  static auto* t = new std::map<std::string, TargetFn>();
  return *t;
}

bool Register(const char* name, TargetFn fn) {
  Targets()[name] = fn;
  return true;
}

}  // namespace crmi::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  int failures = 0;
  for (const auto& [name, fn] : crmi::fuzz::Targets()) {
    const std::filesystem::path dir = std::filesystem::path(argv[1]) / name;
    std::vector<std::string> seeds;
    if (std::filesystem::is_directory(dir)) {
      for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        seeds.push_back(ss.str());
      }
    }
    if (seeds.empty()) {
      std::fprintf(stderr, "fuzz target %s has no seed corpus in %s\n", name.c_str(), dir.c_str());
      ++failures;
      continue;
    }
    size_t runs = 0;
    for (const auto& s : seeds) {
      fn(reinterpret_cast<const uint8_t*>(s.data()), s.size());
      ++runs;
    }
    // Cheap mutations: flip, insert, delete and splice bytes of the seeds.
    for (int i = 0; i < 3000; ++i) {
      std::string m = seeds[next() % seeds.size()];
      const int edits = 1 + static_cast<int>(next() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t pos = m.empty() ? 0 : next() % m.size();
        switch (next() % 4) {
          case 0:
            if (!m.empty()) m[pos] = static_cast<char>(next());
            break;
          case 1:
            m.insert(pos, 1, static_cast<char>(next()));
            break;
          case 2:
            if (!m.empty()) m.erase(pos, 1 + next() % 8);
            break;
          default: {
            const std::string& other = seeds[next() % seeds.size()];
            if (!other.empty()) m.insert(pos, other.substr(next() % other.size(), 16));
          }
        }
      }
      fn(reinterpret_cast<const uint8_t*>(m.data()), m.size());
      ++runs;
    }
    std::printf("fuzz replay %-12s %zu seeds, %zu runs: ok\n", name.c_str(), seeds.size(), runs);
  }
  return failures == 0 ? 0 : 1;
}
