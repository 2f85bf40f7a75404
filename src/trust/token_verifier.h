// TokenVerifier: bearer JWTs of several issuers, with their key sets kept current and verified
// tokens cached.
//
// - Each issuer's JWKS comes from a file (re-read when it changes) or a URL (fetched at start,
//   then every refresh_seconds; a token with an unknown kid triggers an early refresh, at most
//   once per 30 s, and is refused meanwhile — its retry succeeds once the new key is in).
// - Verified tokens are cached by SHA-256 until they expire, so the hot path is a hash and a map
//   lookup, not a signature check. The cache is bounded; when full it drops expired entries, then
//   everything.
//
// Thread-safety: all methods are safe from any thread. Start() before Verify(); Stop() (or the
// destructor) ends the refresh thread.
#ifndef CRMI_TRUST_TOKEN_VERIFIER_H_
#define CRMI_TRUST_TOKEN_VERIFIER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/common/clock.h"
#include "src/common/status.h"
#include "src/trust/jwks.h"
#include "src/trust/jwt.h"

namespace crmi::trust {

class TokenVerifier {
 public:
  // Fetches a URL's body (JWKS over HTTPS); injectable for tests.
  using Fetcher = std::function<Result<std::string>(const std::string& url)>;

  TokenVerifier(Clock* clock, Fetcher fetcher = nullptr);
  ~TokenVerifier();

  // Adds an issuer whose keys come from its jwks_file / jwks_url (loaded by Start).
  Status AddIssuer(IssuerConfig issuer);
  // Adds an issuer with a fixed key set (the development issuer; tests).
  Status AddIssuer(IssuerConfig issuer, KeySet keys);

  // Loads every JWKS; fails when one cannot be loaded. Starts the refresh thread.
  Status Start();
  void Stop();

  Result<std::shared_ptr<const Claims>> Verify(std::string_view token);

  size_t cache_size() const;
  std::vector<std::string> issuers() const;

  VerifyOptions& options() { return options_; }

 private:
  struct Issuer {
    IssuerConfig config;
    KeySet keys;
    int64_t loaded_mtime = 0;
    int64_t next_refresh = 0;
    std::atomic<int64_t> last_forced_refresh{0};  // read and set by request threads
    bool fixed = false;
  };

  Status Load(Issuer* issuer);
  void RefreshLoop();

  Clock* clock_;
  Fetcher fetcher_;
  VerifyOptions options_;

  mutable std::mutex mu_;  // guards issuers_ (key sets are swapped whole)
  std::map<std::string, std::shared_ptr<Issuer>> issuers_;

  mutable std::mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const Claims>> cache_;

  std::mutex refresh_mu_;
  std::condition_variable refresh_cv_;
  bool stop_ = false;
  bool refresh_requested_ = false;
  std::thread refresher_;
};

// Fetches a URL with libcurl (HTTPS, system CAs, 5 s timeout, 1 MiB limit).
Result<std::string> FetchUrl(const std::string& url);

}  // namespace crmi::trust

#endif  // CRMI_TRUST_TOKEN_VERIFIER_H_
