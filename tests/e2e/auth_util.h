// Credentials for end-to-end tests: bearer tokens minted by the real CLI (`crmi token mint`)
// with the development issuer key of the server's data directory, so every e2e request goes
// through the same authentication and policy as a user's.
#ifndef CRMI_TESTS_E2E_AUTH_UTIL_H_
#define CRMI_TESTS_E2E_AUTH_UTIL_H_

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace crmi::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

// `crmi token mint --sub S --tenant T --roles R --posture managed [extra...]`; fails the test
// (and returns "") when the CLI does.
std::string MintToken(const std::string& data_dir, const std::string& sub,
                      const std::string& tenant, const std::string& roles,
                      const std::vector<std::string>& extra = {});

// Admin tokens per tenant, minted once.
class AdminTokens {
 public:
  explicit AdminTokens(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  const std::string& For(const std::string& tenant);
  // `headers` with its X-Tenant (default "default") replaced by an admin token of that tenant,
  // unless it already carries an Authorization header.
  Headers Auth(const Headers& headers);

 private:
  std::string data_dir_;
  std::mutex mu_;
  std::map<std::string, std::string> tokens_;
};

inline std::pair<std::string, std::string> Bearer(const std::string& token) {
  return {"Authorization", "Bearer " + token};
}

}  // namespace crmi::test

#endif  // CRMI_TESTS_E2E_AUTH_UTIL_H_
