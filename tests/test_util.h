// Helpers shared by the unit tests.
#ifndef CRMI_TESTS_TEST_UTIL_H_
#define CRMI_TESTS_TEST_UTIL_H_

#include <memory>
#include <string>

#include "src/store/store.h"

namespace crmi::test {

// Opens a SQLite store with the CRM schema in `dir` (created if needed); aborts the test on
// failure.
std::unique_ptr<store::Store> OpenTestStore(const std::string& dir);

// A fresh directory under $TMPDIR (or /tmp); the caller removes it.
std::string TempDir(const std::string& prefix);

// Contents of a file; empty when unreadable.
std::string ReadFile(const std::string& path);

// Directory of the repository (for tests/cases) and of ../shared/data.
std::string SourceDir();
std::string SharedDataDir();

}  // namespace crmi::test

#endif  // CRMI_TESTS_TEST_UTIL_H_
