#include "src/audit/audit_verify.h"

#include <algorithm>

#include <rapidjson/document.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "src/audit/audit_log.h"
#include "src/common/base64.h"
#include "src/common/crypto.h"
#include "src/common/json_parse.h"

namespace crmi::audit {
namespace {

constexpr size_t kHex = 64;
// ,"prev":"<64>","hash":"<64>"}
constexpr size_t kTailLen = 9 + kHex + 10 + kHex + 2;

// Streams a file's lines through one reusable buffer (a whole-segment buffer would cost a page
// fault per 4 KiB and a 64 MiB memset per file). `fn(line, complete)` gets each line without its
// newline; `complete` is false for a final line that has none. Returns false if fn did.
bool ForEachLine(const std::string& path,
                 const std::function<bool(std::string_view line, bool complete)>& fn) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  thread_local std::string buf;
  constexpr size_t kChunk = 4 << 20;
  if (buf.size() < 2 * kChunk) buf.resize(2 * kChunk);
  size_t have = 0;  // bytes of a partial line carried at the front of buf
  bool go_on = true;
  while (go_on) {
    if (have + kChunk > buf.size()) buf.resize(have + kChunk);  // a line longer than a chunk
    const ssize_t n = read(fd, buf.data() + have, kChunk);
    if (n <= 0) break;
    const size_t end = have + static_cast<size_t>(n);
    size_t pos = 0;
    while (go_on) {
      const void* nl = std::memchr(buf.data() + pos, '\n', end - pos);
      if (nl == nullptr) break;
      const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
      go_on = fn(std::string_view(buf.data() + pos, at - pos), true);
      pos = at + 1;
    }
    have = end - pos;
    std::memmove(buf.data(), buf.data() + pos, have);
  }
  close(fd);
  if (go_on && have > 0) go_on = fn(std::string_view(buf.data(), have), false);
  return go_on;
}

int64_t SeqOf(std::string_view line) {
  constexpr std::string_view kPrefix = "{\"seq\":";
  if (line.substr(0, kPrefix.size()) != kPrefix) return -1;
  int64_t seq = -1;
  const char* b = line.data() + kPrefix.size();
  auto [p, ec] = std::from_chars(b, line.data() + line.size(), seq);
  if (ec != std::errc() || p == b || p >= line.data() + line.size() || *p != ',') return -1;
  return seq;
}

int64_t FirstSeqOfSegment(const std::string& path) {
  const size_t dash = path.rfind("audit-");
  int64_t seq = 0;
  std::from_chars(path.data() + dash + 6, path.data() + path.size(), seq);
  return seq;
}

// Member value between `"name":"` and the next quote, within `line`.
std::string_view StringMember(std::string_view line, std::string_view name) {
  std::string key = "\"" + std::string(name) + "\":\"";
  const size_t at = line.find(key);
  if (at == std::string_view::npos) return {};
  const size_t start = at + key.size();
  const size_t end = line.find('"', start);
  return end == std::string_view::npos ? std::string_view() : line.substr(start, end - start);
}

// Checkpoints put "type":"checkpoint" right after the timestamp: look there, not everywhere.
bool IsCheckpoint(std::string_view line) {
  constexpr std::string_view kTs = ",\"ts\":\"";
  constexpr std::string_view kType = "\",\"type\":\"checkpoint\",";
  const size_t ts = line.find(kTs);
  if (ts == std::string_view::npos || ts > 32) return false;
  const size_t end = line.find('"', ts + kTs.size());
  return end != std::string_view::npos && line.substr(end, kType.size()) == kType;
}

}  // namespace

VerifyReport VerifyLog(const std::string& dir, std::string_view public_key_raw) {
  return VerifyLog(dir, std::vector<std::string>{std::string(public_key_raw)});
}

VerifyReport VerifyLog(const std::string& dir, const std::vector<std::string>& public_keys_raw) {
  VerifyReport r;
  std::string prev_hash(kHex, '0');
  int64_t expected = 1;
  auto fail = [&](int64_t seq, std::string why) {
    r.ok = false;
    r.first_bad_seq = seq;
    r.error = std::move(why);
    return r;
  };
  const auto segments = ListSegments(dir);
  if (segments.empty()) return fail(1, "no audit files in " + dir);
  bool failed = false;
  for (const std::string& path : segments) {
    ForEachLine(path, [&](std::string_view line, bool complete) {
      auto stop = [&](int64_t seq, std::string why) {
        fail(seq, std::move(why));
        failed = true;
        return false;
      };
      if (!complete) {
        return stop(expected,
                    "truncated record after seq " + std::to_string(expected - 1) + " in " + path);
      }
      const int64_t seq = SeqOf(line);
      if (seq < 0 || line.size() < kTailLen) return stop(expected, "malformed record in " + path);
      if (seq > expected) {
        return stop(expected, "records " + std::to_string(expected) + ".." +
                                  std::to_string(seq - 1) + " are missing");
      }
      if (seq < expected) {
        return stop(expected, "seq " + std::to_string(seq) + " found where seq " +
                                  std::to_string(expected) + " belongs (inserted or reordered)");
      }
      const std::string_view tail = line.substr(line.size() - kTailLen);
      if (tail.substr(0, 9) != ",\"prev\":\"" || tail.substr(9 + kHex, 10) != "\",\"hash\":\"") {
        return stop(seq, "record " + std::to_string(seq) + " is malformed");
      }
      const std::string_view prev = tail.substr(9, kHex);
      const std::string_view stored = tail.substr(9 + kHex + 10, kHex);
      if (LineHash(line) != stored) {
        return stop(seq, "record " + std::to_string(seq) + " was modified (hash mismatch)");
      }
      if (prev != prev_hash) {
        return stop(seq, "record " + std::to_string(seq) +
                             " does not follow its predecessor (prev mismatch)");
      }
      if (IsCheckpoint(line)) {
        const std::string_view ts = StringMember(line, "ts");
        auto sig = Base64UrlDecode(StringMember(line, "sig"));
        const std::string message = CheckpointMessage(seq, prev, ts);
        const bool signed_by_trusted_key =
            sig &&
            std::any_of(public_keys_raw.begin(), public_keys_raw.end(), [&](const std::string& k) {
              return crypto::Ed25519Verify(k, message, *sig);
            });
        if (!signed_by_trusted_key) {
          return stop(seq, "checkpoint " + std::to_string(seq) + " has a bad signature");
        }
        ++r.checkpoints;
        r.uncovered_tail = 0;
      } else {
        ++r.uncovered_tail;
      }
      prev_hash.assign(stored);
      ++r.records;
      r.last_seq = seq;
      ++expected;
      return true;
    });
    if (failed) return r;
  }
  r.ok = true;
  return r;
}

Status ScanLog(const std::string& dir, const ScanFilter& f,
               const std::function<bool(int64_t, std::string_view)>& fn) {
  const auto segments = ListSegments(dir);
  for (size_t i = 0; i < segments.size(); ++i) {
    // Skip whole segments that end before the cursor.
    if (i + 1 < segments.size() && FirstSeqOfSegment(segments[i + 1]) <= f.after_seq + 1) continue;
    const bool more = ForEachLine(segments[i], [&](std::string_view line, bool complete) {
      if (!complete) return true;  // a torn tail is not a record
      const int64_t seq = SeqOf(line);
      if (seq <= f.after_seq) return true;
      const bool checkpoint = IsCheckpoint(line);
      if (checkpoint && !f.include_checkpoints) return true;
      const std::string_view ts = StringMember(line, "ts");
      if (!f.from_ts.empty() && ts < f.from_ts) return true;
      if (!f.to_ts.empty() && ts >= f.to_ts) return true;
      if (!f.tenant.empty() || !f.principal.empty() || !f.decision.empty()) {
        if (checkpoint) return true;
        rapidjson::Document d;
        if (!ParseJson(line, &d).ok || !d.IsObject()) return true;
        auto str = [&](const rapidjson::Value& obj, const char* name) -> std::string_view {
          auto it = obj.FindMember(name);
          if (it == obj.MemberEnd() || !it->value.IsString()) return {};
          return {it->value.GetString(), it->value.GetStringLength()};
        };
        if (!f.tenant.empty() && str(d, "tenant") != f.tenant) return true;
        if (!f.decision.empty() && str(d, "decision") != f.decision) return true;
        if (!f.principal.empty()) {
          auto p = d.FindMember("principal");
          if (p == d.MemberEnd() || !p->value.IsObject() || str(p->value, "sub") != f.principal) {
            return true;
          }
        }
      }
      return fn(seq, line);
    });
    if (!more) return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace crmi::audit
