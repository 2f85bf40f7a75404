#include "src/trust/token_verifier.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "src/common/crypto.h"
#include "src/common/log.h"

namespace crmi::trust {
namespace {

constexpr size_t kMaxCachedTokens = 20000;
constexpr int64_t kForcedRefreshInterval = 30;
constexpr size_t kMaxJwksBytes = 1 << 20;

int64_t FileMtime(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

size_t CollectBody(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > kMaxJwksBytes) return 0;  // aborts the transfer
  body->append(data, size * n);
  return size * n;
}

}  // namespace

Result<std::string> FetchUrl(const std::string& url) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Unavailable("cannot start an HTTP client");
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return Unavailable("fetching " + url + ": " + curl_easy_strerror(rc));
  if (status != 200) return Unavailable("fetching " + url + ": HTTP " + std::to_string(status));
  return body;
}

TokenVerifier::TokenVerifier(Clock* clock, Fetcher fetcher)
    : clock_(clock), fetcher_(fetcher ? std::move(fetcher) : Fetcher(&FetchUrl)) {}

TokenVerifier::~TokenVerifier() { Stop(); }

Status TokenVerifier::AddIssuer(IssuerConfig config) {
  if (config.issuer.empty()) return InvalidArgument("issuer needs an \"issuer\" value");
  if (config.audiences.empty()) {
    return InvalidArgument("issuer " + config.issuer + " needs at least one audience");
  }
  if (config.jwks_file.empty() == config.jwks_url.empty()) {
    return InvalidArgument("issuer " + config.issuer + " needs exactly one of jwks_file, jwks_url");
  }
  auto issuer = std::make_shared<Issuer>();
  issuer->config = std::move(config);
  std::lock_guard<std::mutex> lock(mu_);
  if (issuers_.count(issuer->config.issuer)) {
    return AlreadyExists("issuer " + issuer->config.issuer + " is configured twice");
  }
  issuers_.emplace(issuer->config.issuer, std::move(issuer));
  return Status::Ok();
}

Status TokenVerifier::AddIssuer(IssuerConfig config, KeySet keys) {
  auto issuer = std::make_shared<Issuer>();
  issuer->config = std::move(config);
  issuer->keys = std::move(keys);
  issuer->fixed = true;
  std::lock_guard<std::mutex> lock(mu_);
  if (issuers_.count(issuer->config.issuer)) {
    return AlreadyExists("issuer " + issuer->config.issuer + " is configured twice");
  }
  issuers_.emplace(issuer->config.issuer, std::move(issuer));
  return Status::Ok();
}

Status TokenVerifier::Load(Issuer* issuer) {
  const IssuerConfig& c = issuer->config;
  std::string json;
  if (!c.jwks_file.empty()) {
    const int64_t mtime = FileMtime(c.jwks_file);
    if (mtime < 0) return Unavailable("cannot read JWKS file " + c.jwks_file);
    if (mtime == issuer->loaded_mtime && issuer->keys.size() > 0) return Status::Ok();
    std::ifstream in(c.jwks_file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    json = ss.str();
    issuer->loaded_mtime = mtime;
  } else {
    ASSIGN_OR_RETURN(json, fetcher_(c.jwks_url));
  }
  auto keys = KeySet::FromJwks(json, c.allow_hs256);
  if (!keys.ok()) return keys.status().WithContext("JWKS of " + c.issuer);
  std::lock_guard<std::mutex> lock(mu_);
  issuer->keys = std::move(keys).value();
  return Status::Ok();
}

Status TokenVerifier::Start() {
  std::vector<std::shared_ptr<Issuer>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, issuer] : issuers_) all.push_back(issuer);
  }
  const int64_t now = clock_->NowUnixMillis() / 1000;
  for (auto& issuer : all) {
    if (issuer->fixed) continue;
    RETURN_IF_ERROR(Load(issuer.get()));
    issuer->next_refresh = now + issuer->config.refresh_seconds;
  }
  {
    std::lock_guard<std::mutex> lock(refresh_mu_);
    stop_ = false;
  }
  refresher_ = std::thread([this] { RefreshLoop(); });
  return Status::Ok();
}

void TokenVerifier::Stop() {
  {
    std::lock_guard<std::mutex> lock(refresh_mu_);
    stop_ = true;
  }
  refresh_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

void TokenVerifier::RefreshLoop() {
  std::unique_lock<std::mutex> lock(refresh_mu_);
  while (!stop_) {
    refresh_cv_.wait_for(lock, std::chrono::seconds(1),
                         [&] { return stop_ || refresh_requested_; });
    if (stop_) return;
    const bool forced = refresh_requested_;
    refresh_requested_ = false;
    lock.unlock();
    std::vector<std::shared_ptr<Issuer>> due;
    const int64_t now = clock_->NowUnixMillis() / 1000;
    {
      std::lock_guard<std::mutex> g(mu_);
      for (auto& [name, issuer] : issuers_) {
        if (issuer->fixed) continue;
        if (forced || now >= issuer->next_refresh || !issuer->config.jwks_file.empty()) {
          due.push_back(issuer);
        }
      }
    }
    for (auto& issuer : due) {
      Status s = Load(issuer.get());
      if (!s.ok()) {
        // Keep serving with the previous keys; say so.
        log::Warn("JWKS refresh failed",
                  log::Fields().Add("issuer", issuer->config.issuer).Add("error", s.message()));
      }
      issuer->next_refresh = now + issuer->config.refresh_seconds;
    }
    lock.lock();
  }
}

Result<std::shared_ptr<const Claims>> TokenVerifier::Verify(std::string_view token) {
  if (token.size() > options_.max_token_bytes) {
    return Unauthenticated("token longer than " + std::to_string(options_.max_token_bytes) +
                           " bytes");
  }
  const int64_t now = clock_->NowUnixMillis() / 1000;
  const std::string key = crypto::Sha256(token);
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (now < it->second->expires_at + options_.skew_seconds) return it->second;
      cache_.erase(it);
      return Unauthenticated("token expired");
    }
  }
  ASSIGN_OR_RETURN(std::string iss, PeekIssuer(token, options_.max_token_bytes));
  std::shared_ptr<Issuer> issuer;
  KeySet keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = issuers_.find(iss);
    if (it == issuers_.end()) return Unauthenticated("token issuer " + iss + " is not trusted");
    issuer = it->second;
    keys = issuer->keys;
  }
  VerifyOptions opts = options_;
  opts.now_seconds = now;
  auto claims = VerifyJwt(token, issuer->config, keys, opts);
  if (!claims.ok()) {
    const bool unknown_kid =
        claims.status().message().rfind("unknown key id", 0) == 0 && !issuer->fixed;
    if (unknown_kid && now - issuer->last_forced_refresh >= kForcedRefreshInterval) {
      issuer->last_forced_refresh = now;
      {
        std::lock_guard<std::mutex> lock(refresh_mu_);
        refresh_requested_ = true;
      }
      refresh_cv_.notify_all();
    }
    return claims.status();
  }
  auto shared = std::make_shared<const Claims>(std::move(claims).value());
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (cache_.size() >= kMaxCachedTokens) {
    std::erase_if(cache_, [&](const auto& e) { return now >= e.second->expires_at; });
    if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  }
  cache_.emplace(key, shared);
  return shared;
}

size_t TokenVerifier::cache_size() const {
  std::lock_guard<std::mutex> lock(cache_mu_);
  return cache_.size();
}

std::vector<std::string> TokenVerifier::issuers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, issuer] : issuers_) out.push_back(name);
  return out;
}

}  // namespace crmi::trust
