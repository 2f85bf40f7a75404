#include "tests/e2e/auth_util.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/e2e/server_process.h"

namespace crmi::test {

std::string MintToken(const std::string& data_dir, const std::string& sub,
                      const std::string& tenant, const std::string& roles,
                      const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"token", "mint",    "--sub", sub,          "--tenant",
                                   tenant,  "--roles", roles,   "--data-dir", data_dir};
  if (std::find(extra.begin(), extra.end(), "--posture") == extra.end()) {
    args.insert(args.end(), {"--posture", "managed"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = RunCrmi(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return "";
  std::string token = r.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

const std::string& AdminTokens::For(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(tenant);
  if (it == tokens_.end()) {
    it = tokens_.emplace(tenant, MintToken(data_dir_, "e2e-admin", tenant, "admin")).first;
  }
  return it->second;
}

Headers AdminTokens::Auth(const Headers& headers) {
  for (const auto& [k, v] : headers) {
    if (k == "Authorization") return headers;
  }
  std::string tenant = "default";
  Headers out;
  bool has_auth = false;
  for (const auto& [k, v] : headers) {
    if (k == "X-Tenant") {
      tenant = v;
      continue;
    }
    has_auth = has_auth || k == "Authorization";
    out.emplace_back(k, v);
  }
  if (!has_auth) out.push_back(Bearer(For(tenant)));
  return out;
}

}  // namespace crmi::test
