// Human approval: what the policy marks `require_approval` is held here for a person to approve
// or reject instead of being handed out (NIST SP 800-207's "human in the loop" for risky actions).
//
// An approval holds the request's facts in clear (tenant, requester, what and why, the records it
// drew on) and its payload — what the requester receives once it is approved — sealed (AES-256-GCM
// under the master keys, bound to the approval's tenant and id), because it holds customer data.
//
// Rules:
//  - only pending approvals can be decided; a decision is final (kFailedPrecondition otherwise);
//  - nobody decides their own request (kPermissionDenied): separation of duties;
//  - a pending approval expires after `ttl` and is then removed, payload and all;
//  - ForgetRecord (GDPR erasure, any deleted record) removes every approval that drew on it.
//
// Persistence: one file per approval under `dir`, written atomically (write, fsync, rename) before
// any call returns; the payload is read from the file when asked for, so `crmi keys rotate` can
// re-seal the files of a running server (Reseal) without it noticing.
//
// Thread-safety: all methods may be called concurrently.
#ifndef CRMI_TRUST_APPROVALS_H_
#define CRMI_TRUST_APPROVALS_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/clock.h"
#include "src/common/metrics.h"
#include "src/common/status.h"

namespace prometheus {
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace crmi::trust {

// Seals and opens payloads; `context` is bound to the result (AEAD associated data).
struct Sealer {
  std::function<Result<std::string>(std::string_view plain, std::string_view context)> seal;
  std::function<Result<std::string>(std::string_view sealed, std::string_view context)> open;
};

struct Approval {
  enum class State { kPending, kApproved, kRejected };
  std::string id;  // apr_<ULID>
  std::string tenant;
  std::string requester;   // the principal's subject
  std::string request_id;  // of the request that was held
  std::string kind;        // "ask"
  std::string resource;    // what the policy decided on ("template:grounded-answer")
  std::string rule;        // the policy rule that required the approval
  std::string summary;     // why, for the reviewer ("answer risk 0.93 ≥ rule threshold")
  double risk = 0;
  std::vector<std::string> records;  // record ids it drew on (erasure removes the approval)
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  State state = State::kPending;
  std::string decided_by;
  int64_t decided_ms = 0;
  std::string note;  // the reviewer's

  // Everything but the payload, as JSON (GET /v1/approvals).
  std::string ToJson() const;
};
const char* ApprovalStateName(Approval::State s);

class ApprovalQueue {
 public:
  // Loads the approvals under `dir` (created when missing; empty: in memory only, payloads
  // still sealed). Expired ones are removed. kDataLoss for a file that is not an approval.
  // `registry` (may be null) gets crmi_approvals_total{event = held, approved, rejected,
  // expired, forgotten}.
  static Result<std::unique_ptr<ApprovalQueue>> Open(std::string dir, Sealer sealer,
                                                     const Clock* clock, std::chrono::seconds ttl,
                                                     size_t max_pending_per_tenant = 10000,
                                                     metrics::Registry* registry = nullptr);
  ~ApprovalQueue();

  // Holds `a` (id, created and expiry set here) with `payload`. kResourceExhausted when the
  // tenant has max_pending_per_tenant pending approvals; kUnavailable when it cannot be made
  // durable (nothing is kept then).
  Result<Approval> Submit(Approval a, std::string_view payload);
  // kNotFound (also for other tenants' ids and expired ones).
  Result<Approval> Get(const std::string& tenant, const std::string& id);
  // The payload, opened. kDataLoss when it cannot be (altered file; its master key retired).
  Result<std::string> Payload(const std::string& tenant, const std::string& id);
  // Newest first; `state` null: all; `requester` empty: anyone's.
  std::vector<Approval> List(const std::string& tenant, const Approval::State* state,
                             const std::string& requester, size_t limit);
  // Approves or rejects a pending approval as `actor`.
  Result<Approval> Decide(const std::string& tenant, const std::string& id, bool approve,
                          const std::string& actor, std::string note);
  // The approvals of `tenant` that drew on any of `record_ids` (GDPR access), oldest first.
  std::vector<Approval> ListByRecords(const std::string& tenant,
                                      const std::vector<std::string>& record_ids);
  // ListByRecords as a JSON array for a subject's export: each approval with "held" — its
  // payload (a JSON document) when it still has one, else null. kDataLoss when a payload cannot
  // be opened.
  Result<std::string> ExportJson(const std::string& tenant,
                                 const std::vector<std::string>& record_ids);
  // Removes every approval of `tenant` that drew on record `record_id`; returns how many.
  size_t ForgetRecord(const std::string& tenant, const std::string& record_id);
  // Re-seals every payload with the sealer's current key (key rotation); returns how many.
  Result<int64_t> Reseal();

  size_t pending(const std::string& tenant);

 private:
  ApprovalQueue(std::string dir, Sealer sealer, const Clock* clock, std::chrono::seconds ttl,
                size_t max_pending);
  struct Entry {
    Approval meta;
    std::string sealed;  // in memory only when dir_ is empty
  };
  static Result<Entry> ReadEntry(const std::string& path);
  Status WriteLocked(const Entry& e);
  void RemoveLocked(const std::string& id);
  void ExpireLocked();
  Result<std::string> ReadSealedLocked(const Entry& e);
  std::string PathOf(const std::string& id) const;
  void Count(const char* event, size_t n = 1);

  const std::string dir_;
  const Sealer sealer_;
  const Clock* clock_;
  const std::chrono::seconds ttl_;
  const size_t max_pending_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // id → entry
  prometheus::Family<prometheus::Counter>* events_ = nullptr;
};

}  // namespace crmi::trust

#endif  // CRMI_TRUST_APPROVALS_H_
