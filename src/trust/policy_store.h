// PolicyStore: the policy administration point (PA). Owns the policy file, the compiled policy
// in force, its revision and its history.
//
// - The file (YAML) is the source of truth; a missing file is created from the built-in default.
// - Put() validates a new document completely before anything changes; an invalid one is
//   refused with its line/field errors and the policy in force stays. A valid one is written
//   to history/, then atomically replaces the file (write, fsync, rename, fsync dir), then
//   replaces the compiled policy: readers see the old or the new one, never a mix.
// - The revision is the SHA-256 (first 16 hex digits) of the file's bytes: it names exactly
//   one document, survives restarts and serves as the ETag for If-Match.
// - Hot reload: Poll() (driven by a thread every second when started) re-reads the file when
//   its size or mtime changed; an invalid edit is logged and ignored.
//
// Thread-safety: all methods are safe from any thread; Current() is lock-free for readers
// (a shared_ptr copy under a short mutex).
#ifndef CRMI_TRUST_POLICY_STORE_H_
#define CRMI_TRUST_POLICY_STORE_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "src/common/clock.h"
#include "src/common/status.h"
#include "src/trust/policy.h"

namespace crmi::trust {

// The built-in default policy (config/policy.yaml, embedded at build time).
std::string_view DefaultPolicyYaml();

// The revision of a policy document: first 16 hex digits of its SHA-256.
std::string PolicyRevision(std::string_view source);

class PolicyStore {
 public:
  struct Snapshot {
    std::shared_ptr<const Policy> policy;
    std::string revision;
    int64_t loaded_at_ms = 0;
  };

  // `path`: the policy file; history goes to <dir of path>/policy-history/.
  PolicyStore(std::string path, Clock* clock);
  ~PolicyStore();

  // Loads the file, creating it from `initial` (DefaultPolicyYaml() when empty) if absent.
  // Fails, naming every error, when the file exists but does not compile.
  Status Load(std::string_view initial = {});

  Snapshot Current() const;

  // Validates and installs `yaml`. `if_match`: the revision the caller last saw
  // (kFailedPrecondition → 412 when it moved on). On invalid input returns kInvalidArgument and
  // fills `errors`.
  Result<Snapshot> Put(std::string_view yaml, std::optional<std::string_view> if_match,
                       std::vector<PolicyError>* errors);

  // Re-reads the file when it changed on disk. Returns true when a new policy was installed.
  bool Poll();
  // Polls every `period_ms` on a thread until Stop() or destruction.
  void StartWatching(int64_t period_ms = 1000);
  void Stop();

  // Every revision ever installed, newest first (files in policy-history/<revision>.yaml).
  std::vector<std::string> History() const;

  const std::string& path() const { return path_; }

 private:
  Status Install(std::string_view source, std::shared_ptr<const Policy> policy);
  Status FileStamp(std::string* stamp) const;

  const std::string path_;
  const std::string history_dir_;
  Clock* clock_;

  mutable std::mutex mu_;  // guards current_ and stamp_
  Snapshot current_;
  std::string stamp_;  // size:mtime of the file as last loaded

  std::mutex put_mu_;  // serialises Put and Poll

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool stop_ = false;
  std::thread watcher_;
};

}  // namespace crmi::trust

#endif  // CRMI_TRUST_POLICY_STORE_H_
