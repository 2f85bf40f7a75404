#include "tests/test_util.h"

#include <unistd.h>

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

std::string SourceDir() { return CRMI_SOURCE_DIR; }

std::string SharedDataDir() {
  const char* env = std::getenv("CRMI_SHARED_DATA");
  if (env != nullptr) return env;
  return std::string(CRMI_SOURCE_DIR) + "/../shared/data";
}

}  // namespace crmi::test
