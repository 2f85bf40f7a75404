#include "src/audit/audit_verify.h"

#include <rapidjson/document.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "src/audit/audit_log.h"
#include "src/common/base64.h"
#include "src/common/crypto.h"
#include "src/common/json_parse.h"

namespace crmi::audit {
namespace {

constexpr size_t kHex = 64;
// ,"prev":"<64>","hash":"<64>"}
constexpr size_t kTailLen = 9 + kHex + 10 + kHex + 2;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
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

}  // namespace

VerifyReport VerifyLog(const std::string& dir, std::string_view public_key_raw) {
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
  for (const std::string& path : segments) {
    const std::string data = ReadAll(path);
    size_t pos = 0;
    while (pos < data.size()) {
      const size_t nl = data.find('\n', pos);
      if (nl == std::string::npos) {
        return fail(expected,
                    "truncated record after seq " + std::to_string(expected - 1) + " in " + path);
      }
      const std::string_view line(data.data() + pos, nl - pos);
      pos = nl + 1;
      const int64_t seq = SeqOf(line);
      if (seq < 0 || line.size() < kTailLen) return fail(expected, "malformed record in " + path);
      if (seq > expected) {
        return fail(expected, "records " + std::to_string(expected) + ".." +
                                  std::to_string(seq - 1) + " are missing");
      }
      if (seq < expected) {
        return fail(expected, "seq " + std::to_string(seq) + " found where seq " +
                                  std::to_string(expected) + " belongs (inserted or reordered)");
      }
      const std::string_view tail = line.substr(line.size() - kTailLen);
      if (tail.substr(0, 9) != ",\"prev\":\"" || tail.substr(9 + kHex, 10) != "\",\"hash\":\"") {
        return fail(seq, "record " + std::to_string(seq) + " is malformed");
      }
      const std::string_view prev = tail.substr(9, kHex);
      const std::string_view stored = tail.substr(9 + kHex + 10, kHex);
      if (LineHash(line) != stored) {
        return fail(seq, "record " + std::to_string(seq) + " was modified (hash mismatch)");
      }
      if (prev != prev_hash) {
        return fail(seq, "record " + std::to_string(seq) +
                             " does not follow its predecessor (prev mismatch)");
      }
      if (line.find("\",\"type\":\"checkpoint\",") != std::string_view::npos) {
        const std::string_view ts = StringMember(line, "ts");
        auto sig = Base64UrlDecode(StringMember(line, "sig"));
        if (!sig ||
            !crypto::Ed25519Verify(public_key_raw, CheckpointMessage(seq, prev, ts), *sig)) {
          return fail(seq, "checkpoint " + std::to_string(seq) + " has a bad signature");
        }
        ++r.checkpoints;
        r.uncovered_tail = 0;
      } else {
        ++r.uncovered_tail;
      }
      prev_hash = std::string(stored);
      ++r.records;
      r.last_seq = seq;
      ++expected;
    }
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
    const std::string data = ReadAll(segments[i]);
    size_t pos = 0;
    while (pos < data.size()) {
      const size_t nl = data.find('\n', pos);
      if (nl == std::string::npos) break;  // a torn tail is not a record
      const std::string_view line(data.data() + pos, nl - pos);
      pos = nl + 1;
      const int64_t seq = SeqOf(line);
      if (seq <= f.after_seq) continue;
      const bool checkpoint = line.find("\",\"type\":\"checkpoint\",") != std::string_view::npos;
      if (checkpoint && !f.include_checkpoints) continue;
      const std::string_view ts = StringMember(line, "ts");
      if (!f.from_ts.empty() && ts < f.from_ts) continue;
      if (!f.to_ts.empty() && ts >= f.to_ts) continue;
      if (!f.tenant.empty() || !f.principal.empty() || !f.decision.empty()) {
        if (checkpoint) continue;
        rapidjson::Document d;
        if (!ParseJson(line, &d).ok || !d.IsObject()) continue;
        auto str = [&](const rapidjson::Value& obj, const char* name) -> std::string_view {
          auto it = obj.FindMember(name);
          if (it == obj.MemberEnd() || !it->value.IsString()) return {};
          return {it->value.GetString(), it->value.GetStringLength()};
        };
        if (!f.tenant.empty() && str(d, "tenant") != f.tenant) continue;
        if (!f.decision.empty() && str(d, "decision") != f.decision) continue;
        if (!f.principal.empty()) {
          auto p = d.FindMember("principal");
          if (p == d.MemberEnd() || !p->value.IsObject() || str(p->value, "sub") != f.principal) {
            continue;
          }
        }
      }
      if (!fn(seq, line)) return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace crmi::audit
