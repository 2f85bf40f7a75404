// The tamper-evident audit trail: append-only JSON Lines files under <data-dir>/audit/, one
// record per line, hash-chained, with Ed25519-signed checkpoints.
//
// Line format (one JSON object; members in this order):
//   {"seq":N,"ts":"RFC 3339",<record members>,"prev":"<hex>","hash":"<hex>"}
// hash = SHA-256 of the line's text with its trailing ,"hash":"..." member removed (so the text
// ends with the prev member and a closing brace), prev = the previous record's hash (64 zeros for
// seq 1). Changing, removing, inserting or reordering any record breaks the chain at that seq.
//
// Checkpoints are records too ("type":"checkpoint") and carry "sig", an Ed25519 signature by the
// log's key (<data-dir>/keys/audit.ed25519.pem; the public half is exportable) over
// "crmi-audit-v1|<seq>|<prev>|<ts>": they pin the chain head to a key the files alone cannot
// forge. One is written every `checkpoint_every` records or `checkpoint_seconds` seconds (when
// anything was appended), and at Close.
//
// Durability: Append returns at once; `done` is called once the record is on disk (written and
// fdatasync'ed). A writer thread commits whatever has queued in one write and one sync (group
// commit), so many requests share a sync. Recovery at Open drops a torn final line (a crash in
// the middle of a write) and continues the chain from the last complete record.
//
// Thread-safety: Append and Close are safe from any thread.
#ifndef CRMI_AUDIT_AUDIT_LOG_H_
#define CRMI_AUDIT_AUDIT_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "src/common/clock.h"
#include "src/common/crypto.h"
#include "src/common/metrics.h"
#include "src/common/status.h"

namespace crmi::audit {

// The members a request contributes, rendered by the caller as JSON object members without
// braces: "\"request_id\":\"...\",\"principal\":...". Never secrets or clear-text restricted
// data: ids, names of things, decisions, counts, hashes.
struct AuditEntry {
  std::string members;
};

// The members of an audit record for something crmi did by itself, not for a request (a
// retention purge): the request record's shape, with principal {"sub": actor, "kind": "system"},
// decision "permit" by rule `actor`, status 200 and `detail_json` (an object) as "detail".
std::string SystemRecordMembers(std::string_view request_id, std::string_view tenant,
                                std::string_view actor, std::string_view action,
                                std::string_view resource, std::string_view detail_json);

// The members of the record that completes a streamed response: written after the stream's
// last piece was produced and before it is sent, under the request's own id, with the `ai`
// object that could not be known when the request's record was committed (before the first
// piece left).
std::string StreamCompletionMembers(std::string_view request_id, std::string_view tenant,
                                    std::string_view subject, std::string_view action,
                                    std::string_view resource, std::string_view ai_json);

struct AuditOptions {
  std::string dir;                     // <data-dir>/audit
  std::string key_path;                // Ed25519 signing key (created when absent)
  int64_t segment_bytes = 64ll << 20;  // a new file beyond this size
  int64_t checkpoint_every = 1000;     // records
  int64_t checkpoint_seconds = 10;
  size_t max_queue = 1 << 20;  // pending entries before Append fails (back-pressure)
  // crmi_audit_records_total, crmi_audit_sync_seconds, crmi_audit_write_failures_total; null: none.
  metrics::Registry* registry = nullptr;
};

class AuditLog {
 public:
  using Done = std::function<void(const Status&)>;

  static Result<std::unique_ptr<AuditLog>> Open(const AuditOptions& options, Clock* clock);
  ~AuditLog();

  // Queues an entry. `done` runs on the writer thread once the record is durable, or with
  // kUnavailable when it cannot be written (disk full, log closed, queue full).
  void Append(AuditEntry entry, Done done);
  Status AppendSync(AuditEntry entry);

  // Writes a final checkpoint, syncs and stops the writer. Later appends fail.
  Status Close();

  int64_t last_seq() const;
  // OK while records are being written; the write error once the trail is broken (a failed
  // write is final until restart, so that a torn record is never followed by more records).
  Status health() const;
  std::string public_key_pem() const { return key_.PublicPem(); }

 private:
  AuditLog(AuditOptions options, Clock* clock, crypto::Ed25519Key key);

  Status Recover();
  Status OpenSegment(int64_t first_seq);
  void WriterLoop();
  // Renders one line, advancing seq and the chain head.
  void Render(const std::string& members, std::string* out);
  void RenderCheckpoint(std::string* out);
  const std::string& Now();
  Status WriteAndSync(const std::string& data);

  const AuditOptions options_;
  Clock* clock_;
  const crypto::Ed25519Key key_;

  // Writer state (writer thread only, and Open/Close before/after it runs).
  int fd_ = -1;
  int64_t segment_size_ = 0;
  int64_t seq_ = 0;
  std::string head_ = std::string(64, '0');
  int64_t since_checkpoint_ = 0;
  int64_t last_checkpoint_ms_ = 0;
  Status broken_;  // once a write fails, everything later fails (fail closed)
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
  int64_t now_ms_ = -1;
  std::string now_text_;

  struct Pending {
    AuditEntry entry;
    Done done;
  };
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool closing_ = false;
  int64_t durable_seq_ = 0;
  Status health_;  // broken_, published under mu_ for other threads
  std::thread writer_;
};

// Segment files in order: <dir>/audit-<first seq, 12 digits>.jsonl.
std::vector<std::string> ListSegments(const std::string& dir);

// The chain-hash of a line: SHA-256 (hex) of the line without its trailing hash member; empty
// when the line does not end with one.
std::string LineHash(std::string_view line);

// The checkpoint signing input.
std::string CheckpointMessage(int64_t seq, std::string_view prev, std::string_view ts);

}  // namespace crmi::audit

#endif  // CRMI_AUDIT_AUDIT_LOG_H_
