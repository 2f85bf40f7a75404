// Reading the audit trail back: verification of the whole chain, and filtered scans for the audit
// API and `crmi audit export`. Both work on a copy of the files, without the server.
#ifndef CRMI_AUDIT_AUDIT_VERIFY_H_
#define CRMI_AUDIT_AUDIT_VERIFY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi::audit {

struct VerifyReport {
  bool ok = false;
  int64_t records = 0;  // lines read and verified, checkpoints included
  int64_t checkpoints = 0;
  int64_t last_seq = 0;
  int64_t first_bad_seq = 0;  // the seq at which the chain first fails (0 when ok)
  std::string error;
  // Records after the last checkpoint: intact as a chain, but not yet covered by a signature
  // (normal after a crash; a clean shutdown ends with a checkpoint).
  int64_t uncovered_tail = 0;
};

// Verifies every segment in `dir`: seq continuity from 1, each line's hash, each prev against the
// previous hash, each checkpoint's Ed25519 signature against `public_key_raw` (32 bytes).
VerifyReport VerifyLog(const std::string& dir, std::string_view public_key_raw);
// The same with several trusted keys (after a key rotation): a checkpoint is good when one of
// them verifies its signature.
VerifyReport VerifyLog(const std::string& dir, const std::vector<std::string>& public_keys_raw);

struct ScanFilter {
  int64_t after_seq = 0;       // cursor
  std::string from_ts, to_ts;  // RFC 3339 UTC millis, inclusive / exclusive; empty: open
  std::string tenant;          // only this tenant's records (empty: all)
  std::string principal;       // principal subject
  std::string decision;        // permit | deny | none
  bool include_checkpoints = false;
};

// Calls `fn(seq, line)` for matching lines in seq order until it returns false.
Status ScanLog(const std::string& dir, const ScanFilter& filter,
               const std::function<bool(int64_t seq, std::string_view line)>& fn);

}  // namespace crmi::audit

#endif  // CRMI_AUDIT_AUDIT_VERIFY_H_
