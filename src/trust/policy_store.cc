#include "src/trust/policy_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/common/crypto.h"
#include "src/common/log.h"

namespace crmi::trust {
namespace fs = std::filesystem;
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Unavailable("read error on " + path);
  return ss.str();
}

Status SyncDir(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + dir + ": " + std::strerror(errno));
  const int rc = fsync(fd);
  close(fd);
  return rc == 0 ? Status::Ok() : Unavailable("fsync " + dir + ": " + std::strerror(errno));
}

// Writes `data` to `path` atomically and durably: a reader sees the old or the new file.
Status WriteFileAtomic(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Unavailable("cannot write " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string err = std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return Unavailable("write " + tmp + ": " + err);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    const std::string err = std::strerror(errno);
    close(fd);
    unlink(tmp.c_str());
    return Unavailable("fsync " + tmp + ": " + err);
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    unlink(tmp.c_str());
    return Unavailable("rename " + tmp + ": " + err);
  }
  return SyncDir(fs::path(path).parent_path().empty() ? "."
                                                      : fs::path(path).parent_path().string());
}

std::string ErrorsText(const std::vector<PolicyError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.ToString();
  }
  return out;
}

}  // namespace

std::string PolicyRevision(std::string_view source) {
  return crypto::Sha256Hex(source).substr(0, 16);
}

PolicyStore::PolicyStore(std::string path, Clock* clock)
    : path_(std::move(path)),
      history_dir_((fs::path(path_).parent_path() / "policy-history").string()),
      clock_(clock) {}

PolicyStore::~PolicyStore() { Stop(); }

Status PolicyStore::FileStamp(std::string* stamp) const {
  struct stat st;
  if (stat(path_.c_str(), &st) != 0) {
    return NotFound("cannot stat " + path_ + ": " + std::strerror(errno));
  }
  *stamp = std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ino);
  return Status::Ok();
}

Status PolicyStore::Load(std::string_view initial) {
  std::lock_guard<std::mutex> put(put_mu_);
  std::error_code ec;
  if (!fs::exists(path_, ec)) {
    const std::string_view text = initial.empty() ? DefaultPolicyYaml() : initial;
    const auto dir = fs::path(path_).parent_path();
    if (!dir.empty()) fs::create_directories(dir, ec);
    RETURN_IF_ERROR(WriteFileAtomic(path_, text));
    log::Info("policy file created from the built-in default", log::Fields().Add("path", path_));
  }
  std::string stamp;
  RETURN_IF_ERROR(FileStamp(&stamp));
  ASSIGN_OR_RETURN(std::string source, ReadFile(path_));
  std::vector<PolicyError> errors;
  auto policy = Policy::Compile(source, &errors);
  if (!policy) {
    return InvalidArgument("policy " + path_ + " is invalid: " + ErrorsText(errors));
  }
  RETURN_IF_ERROR(Install(source, std::move(policy)));
  std::lock_guard<std::mutex> lock(mu_);
  stamp_ = stamp;
  return Status::Ok();
}

PolicyStore::Snapshot PolicyStore::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

Status PolicyStore::Install(std::string_view source, std::shared_ptr<const Policy> policy) {
  Snapshot s;
  s.policy = std::move(policy);
  s.revision = PolicyRevision(source);
  s.loaded_at_ms = clock_->NowUnixMillis();
  // Keep every revision that was ever in force (small files; an auditor's question is "which
  // policy decided this request", and the audit record names the revision).
  std::error_code ec;
  fs::create_directories(history_dir_, ec);
  const std::string hist = history_dir_ + "/" + s.revision + ".yaml";
  if (!fs::exists(hist, ec)) RETURN_IF_ERROR(WriteFileAtomic(hist, source));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(s);
  return Status::Ok();
}

Result<PolicyStore::Snapshot> PolicyStore::Put(std::string_view yaml,
                                               std::optional<std::string_view> if_match,
                                               std::vector<PolicyError>* errors) {
  std::lock_guard<std::mutex> put(put_mu_);
  if (if_match) {
    std::string want(*if_match);
    if (want.size() >= 2 && want.front() == '"' && want.back() == '"') {
      want = want.substr(1, want.size() - 2);
    }
    const std::string have = Current().revision;
    if (want != "*" && want != have) {
      return FailedPrecondition("the policy changed since revision " + want + " (now " + have +
                                ")");
    }
  }
  auto policy = Policy::Compile(yaml, errors);
  if (!policy) return InvalidArgument("the policy is invalid: " + ErrorsText(*errors));
  RETURN_IF_ERROR(WriteFileAtomic(path_, yaml));
  RETURN_IF_ERROR(Install(yaml, std::move(policy)));
  std::string stamp;
  if (FileStamp(&stamp).ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    stamp_ = stamp;
  }
  return Current();
}

bool PolicyStore::Poll() {
  std::lock_guard<std::mutex> put(put_mu_);
  std::string stamp;
  if (!FileStamp(&stamp).ok()) return false;  // mid-rename or deleted: keep what we have
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stamp == stamp_) return false;
  }
  auto source = ReadFile(path_);
  if (!source.ok()) return false;
  const std::string revision = PolicyRevision(source.value());
  {
    std::lock_guard<std::mutex> lock(mu_);
    stamp_ = stamp;  // whatever the outcome, do not retry this version of the file
    if (revision == current_.revision) return false;
  }
  std::vector<PolicyError> errors;
  auto policy = Policy::Compile(source.value(), &errors);
  if (!policy) {
    log::Error("policy file changed but is invalid; the policy in force stays",
               log::Fields().Add("path", path_).Add("errors", ErrorsText(errors)));
    return false;
  }
  Status s = Install(source.value(), std::move(policy));
  if (!s.ok()) {
    log::Error("policy reload failed", log::Fields().Add("error", s.ToString()));
    return false;
  }
  log::Info("policy reloaded", log::Fields().Add("path", path_).Add("revision", revision));
  return true;
}

void PolicyStore::StartWatching(int64_t period_ms) {
  watcher_ = std::thread([this, period_ms] {
    std::unique_lock<std::mutex> lock(watch_mu_);
    while (!stop_) {
      watch_cv_.wait_for(lock, std::chrono::milliseconds(period_ms), [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      Poll();
      lock.lock();
    }
  });
}

void PolicyStore::Stop() {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

std::vector<std::string> PolicyStore::History() const {
  std::vector<std::pair<int64_t, std::string>> entries;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(history_dir_, ec)) {
    if (e.path().extension() != ".yaml") continue;
    const auto t = fs::last_write_time(e.path(), ec);
    const int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    entries.emplace_back(ms, e.path().stem().string());
  }
  std::sort(entries.rbegin(), entries.rend());
  std::vector<std::string> out;
  for (const auto& [ms, rev] : entries) out.push_back(rev);
  return out;
}

}  // namespace crmi::trust
