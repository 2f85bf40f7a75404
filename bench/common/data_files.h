// Reading the shared data sets in benchmarks: whole files (exit 2 when missing) and named CSV
// columns, row by row. Header-only; benchmarks only.
#ifndef CRMI_BENCH_COMMON_DATA_FILES_H_
#define CRMI_BENCH_COMMON_DATA_FILES_H_

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "src/crm/csv.h"

namespace crmi::bench {

inline std::string ReadFileOrExit(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The values of `columns` (by header name; a UTF-8 BOM is ignored) of every row whose first named
// column is not empty. Malformed rows are skipped; a missing column leaves rows empty-handed.
inline std::vector<std::vector<std::string>> CsvColumns(const std::string& path,
                                                        const std::vector<std::string>& columns) {
  std::vector<std::vector<std::string>> out;
  std::vector<int> index;
  crm::CsvParser parser(64 << 20);
  auto fn = [&](const std::vector<std::string>& fields, int64_t, Status error) {
    if (!error.ok()) return Status::Ok();
    if (index.empty()) {
      index.assign(columns.size(), 1 << 30);
      for (size_t i = 0; i < fields.size(); ++i) {
        std::string name = fields[i];
        if (name.rfind("\xEF\xBB\xBF", 0) == 0) name = name.substr(3);
        for (size_t c = 0; c < columns.size(); ++c) {
          if (name == columns[c]) index[c] = static_cast<int>(i);
        }
      }
      return Status::Ok();
    }
    const int need = *std::max_element(index.begin(), index.end());
    if (static_cast<size_t>(need) >= fields.size() || fields[index[0]].empty()) {
      return Status::Ok();
    }
    std::vector<std::string> row;
    for (int i : index) row.push_back(fields[i]);
    out.push_back(std::move(row));
    return Status::Ok();
  };
  (void)parser.Feed(ReadFileOrExit(path), fn);
  (void)parser.Finish(fn);
  return out;
}

}  // namespace crmi::bench

#endif  // CRMI_BENCH_COMMON_DATA_FILES_H_
