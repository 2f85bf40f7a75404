#include "tests/test_util.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "src/crm/schema.h"
#include "src/store/sqlite/sqlite_store.h"

namespace crmi::test {

std::string TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/crmi-" + prefix + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<store::Store> OpenTestStore(const std::string& dir) {
  store::sqlite::SqliteOptions o;
  o.path = dir + "/crmi.db";
  o.synchronous = "normal";
  auto s = store::sqlite::Open(o, crm::Schema::Default().StoreSpecs());
  if (!s.ok()) throw std::runtime_error("open test store: " + s.status().ToString());
  return std::move(s).value();
}

std::map<std::string, std::string> ParseHeaderFields(const std::string& head) {
  std::map<std::string, std::string> out;
  const size_t line_end = head.find("\r\n");
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    const std::string line = head.substr(pos, e - pos);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' ') == std::string::npos
                         ? value.size()
                         : value.find_first_not_of(' '));
      out[name] = value;
    }
    pos = e + 2;
  }
  return out;
}

std::string SourceDir() { return CRMI_SOURCE_DIR; }

std::string SharedDataDir() {
  const char* env = std::getenv("CRMI_SHARED_DATA");
  if (env != nullptr) return env;
  return std::string(CRMI_SOURCE_DIR) + "/../shared/data";
}

}  // namespace crmi::test
