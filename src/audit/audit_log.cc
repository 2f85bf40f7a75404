#include "src/audit/audit_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "src/common/base64.h"
#include "src/common/json_text.h"
#include "src/common/log.h"
#include "src/common/time_format.h"

namespace crmi::audit {
namespace {

constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr size_t kHexLen = 64;
constexpr size_t kMaxBatch = 65536;

std::string SegmentName(const std::string& dir, int64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "audit-%012lld.jsonl", static_cast<long long>(first_seq));
  return dir + "/" + buf;
}

Status SyncDir(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + dir);
  const int rc = fsync(fd);
  close(fd);
  return rc == 0 ? Status::Ok() : Unavailable("cannot sync " + dir);
}

Status Errno(const std::string& what) { return Unavailable(what + ": " + std::strerror(errno)); }

// seq of a line that starts with {"seq":N,
int64_t LineSeq(std::string_view line) {
  constexpr std::string_view kPrefix = "{\"seq\":";
  if (line.substr(0, kPrefix.size()) != kPrefix) return -1;
  int64_t seq = -1;
  const char* b = line.data() + kPrefix.size();
  auto [p, ec] = std::from_chars(b, line.data() + line.size(), seq);
  if (ec != std::errc() || p == b || *p != ',') return -1;
  return seq;
}

}  // namespace

std::string CheckpointMessage(int64_t seq, std::string_view prev, std::string_view ts) {
  std::string m = "crmi-audit-v1|" + std::to_string(seq) + "|";
  m.append(prev);
  m.push_back('|');
  m.append(ts);
  return m;
}

std::string LineHash(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const size_t tail = kHashKey.size() + kHexLen + 2;  // ,"hash":"<64>"}
  if (line.size() < tail + 2 || line.substr(line.size() - 2) != "\"}" ||
      line.substr(line.size() - tail, kHashKey.size()) != kHashKey) {
    return {};
  }
  return crypto::Sha256Hex(line.substr(0, line.size() - tail), "}");
}

std::vector<std::string> ListSegments(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("audit-", 0) == 0 && name.size() > 12 &&
        name.substr(name.size() - 6) == ".jsonl") {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct AuditLog::Metrics {
  prometheus::Counter* records = nullptr;
  prometheus::Histogram* sync = nullptr;
  prometheus::Counter* failures = nullptr;

  explicit Metrics(metrics::Registry* registry) {
    if (registry == nullptr) return;
    records = &prometheus::BuildCounter()
                   .Name("crmi_audit_records_total")
                   .Help("Audit records made durable (checkpoints included)")
                   .Register(registry->prom())
                   .Add({});
    sync = &prometheus::BuildHistogram()
                .Name("crmi_audit_sync_seconds")
                .Help("Write + fdatasync of one group commit of the audit trail")
                .Register(registry->prom())
                .Add({}, metrics::LatencyBuckets());
    failures = &prometheus::BuildCounter()
                    .Name("crmi_audit_write_failures_total")
                    .Help("Audit writes that failed (each makes the trail refuse further records)")
                    .Register(registry->prom())
                    .Add({});
  }
};

AuditLog::AuditLog(AuditOptions options, Clock* clock, crypto::Ed25519Key key)
    : options_(std::move(options)),
      clock_(clock),
      key_(std::move(key)),
      metrics_(std::make_unique<Metrics>(options_.registry)) {}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const AuditOptions& options, Clock* clock) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Unavailable("cannot create " + options.dir + ": " + ec.message());
  ASSIGN_OR_RETURN(crypto::Ed25519Key key, crypto::Ed25519Key::LoadOrCreate(options.key_path));
  std::unique_ptr<AuditLog> log(new AuditLog(options, clock, std::move(key)));
  RETURN_IF_ERROR(log->Recover());
  log->last_checkpoint_ms_ = clock->NowUnixMillis();
  log->durable_seq_ = log->seq_;
  log->writer_ = std::thread([raw = log.get()] { raw->WriterLoop(); });
  return log;
}

AuditLog::~AuditLog() { (void)Close(); }

Status AuditLog::Recover() {
  auto segments = ListSegments(options_.dir);
  // Skip trailing segments that hold no complete line (a crash right after creating one).
  while (!segments.empty()) {
    const std::string& path = segments.back();
    const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return Errno("cannot open " + path);
    struct stat st;
    fstat(fd, &st);
    std::string data(static_cast<size_t>(st.st_size), '\0');
    ssize_t got = 0;
    while (got < st.st_size) {
      const ssize_t n = pread(fd, data.data() + got, static_cast<size_t>(st.st_size - got), got);
      if (n <= 0) break;
      got += n;
    }
    // A torn final line (crash mid-write) was never acknowledged: drop it.
    const size_t end = data.rfind('\n');
    const size_t keep = end == std::string::npos ? 0 : end + 1;
    if (keep != data.size()) {
      log::Warn(
          "audit: dropping a torn final line",
          log::Fields().Add("file", path).Add("bytes", static_cast<int64_t>(data.size() - keep)));
      if (ftruncate(fd, static_cast<off_t>(keep)) != 0 || fsync(fd) != 0) {
        close(fd);
        return Errno("cannot truncate " + path);
      }
      data.resize(keep);
    }
    close(fd);
    if (data.empty()) {
      std::filesystem::remove(path);
      segments.pop_back();
      continue;
    }
    const size_t start = data.rfind('\n', data.size() - 2);
    const std::string_view last =
        std::string_view(data).substr(start == std::string::npos ? 0 : start + 1);
    const int64_t seq = LineSeq(last);
    const std::string hash = LineHash(last);
    const std::string_view stored = last.size() > kHexLen + 3
                                        ? last.substr(last.size() - kHexLen - 3, kHexLen)
                                        : std::string_view();
    if (seq <= 0 || hash.empty() || hash != stored) {
      return DataLoss("audit log " + path +
                      " ends with a damaged record; run `crmi audit verify` before serving");
    }
    seq_ = seq;
    head_ = hash;
    segment_size_ = static_cast<int64_t>(data.size());
    fd_ = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) return Errno("cannot open " + path);
    return Status::Ok();
  }
  return OpenSegment(1);
}

Status AuditLog::OpenSegment(int64_t first_seq) {
  if (fd_ >= 0) close(fd_);
  const std::string path = SegmentName(options_.dir, first_seq);
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return Errno("cannot create " + path);
  segment_size_ = 0;
  return SyncDir(options_.dir);  // the new file's name must survive a crash too
}

void AuditLog::Append(AuditEntry entry, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closing_ && queue_.size() < options_.max_queue) {
      queue_.push_back(Pending{std::move(entry), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(Unavailable("audit trail is closed or overloaded"));
}

Status AuditLog::AppendSync(AuditEntry entry) {
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  Status result;
  Append(std::move(entry), [&](const Status& s) {
    std::lock_guard<std::mutex> lock(m);
    result = s;
    finished = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [&] { return finished; });
  return result;
}

int64_t AuditLog::last_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return durable_seq_;
}

Status AuditLog::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_;
}

std::string SystemRecordMembers(std::string_view request_id, std::string_view tenant,
                                std::string_view actor, std::string_view action,
                                std::string_view resource, std::string_view detail_json) {
  std::string out = "\"request_id\":";
  AppendJsonString(&out, request_id);
  out += ",\"tenant\":";
  AppendJsonString(&out, tenant);
  out += ",\"principal\":{\"sub\":";
  AppendJsonString(&out, actor);
  out += ",\"kind\":\"system\",\"method\":\"internal\",\"issuer\":\"crmi\",\"roles\":[]}";
  out += ",\"action\":";
  AppendJsonString(&out, action);
  out += ",\"resource\":";
  AppendJsonString(&out, resource);
  out += ",\"decision\":\"permit\",\"rule\":";
  AppendJsonString(&out, actor);
  out += ",\"obligations\":null,\"status\":200,\"latency_us\":0,\"detail\":";
  out += detail_json;
  out += ",\"ai\":null";
  return out;
}

std::string StreamCompletionMembers(std::string_view request_id, std::string_view tenant,
                                    std::string_view subject, std::string_view action,
                                    std::string_view resource, std::string_view ai_json) {
  std::string out = "\"request_id\":";
  AppendJsonString(&out, request_id);
  out += ",\"tenant\":";
  AppendJsonString(&out, tenant);
  out += ",\"principal\":{\"sub\":";
  AppendJsonString(&out, subject);
  out += "},\"action\":";
  AppendJsonString(&out, action);
  out += ",\"resource\":";
  AppendJsonString(&out, resource);
  out += ",\"decision\":\"permit\",\"status\":200,\"detail\":{\"stream\":\"complete\"}";
  out += ",\"ai\":";
  out += ai_json.empty() ? std::string_view("null") : ai_json;
  return out;
}

void AuditLog::Render(const std::string& members, std::string* out) {
  ++seq_;
  ++since_checkpoint_;
  // Lines go straight into the batch buffer; the hash covers them as written plus a closing
  // brace (see LineHash).
  const size_t start = out->size();
  out->append("{\"seq\":");
  out->append(std::to_string(seq_));
  out->append(",\"ts\":\"");
  out->append(Now());
  out->append("\",");
  out->append(members);
  out->append(",\"prev\":\"");
  out->append(head_);
  out->push_back('"');
  head_ = crypto::Sha256Hex(std::string_view(*out).substr(start), "}");
  out->append(kHashKey);
  out->append(head_);
  out->append("\"}\n");
}

const std::string& AuditLog::Now() {
  // Many records share a millisecond: format it once.
  const int64_t ms = clock_->NowUnixMillis();
  if (ms != now_ms_) {
    now_ms_ = ms;
    now_text_ = FormatRfc3339Millis(ms);
  }
  return now_text_;
}

void AuditLog::RenderCheckpoint(std::string* out) {
  const int64_t seq = seq_ + 1;
  const std::string ts = FormatRfc3339Millis(clock_->NowUnixMillis());
  const std::string sig = key_.Sign(CheckpointMessage(seq, head_, ts));
  ++seq_;
  std::string body = "{\"seq\":" + std::to_string(seq) + ",\"ts\":\"" + ts +
                     "\",\"type\":\"checkpoint\",\"covers\":" + std::to_string(seq - 1) +
                     ",\"key\":\"" + crypto::Sha256Hex(key_.PublicRaw()).substr(0, 16) +
                     "\",\"sig\":\"" + Base64UrlEncode(sig) + "\",\"prev\":\"" + head_ + "\"}";
  head_ = crypto::Sha256Hex(body);
  body.pop_back();
  out->append(body);
  out->append(kHashKey);
  out->append(head_);
  out->append("\"}\n");
  since_checkpoint_ = 0;
  last_checkpoint_ms_ = clock_->NowUnixMillis();
}

Status AuditLog::WriteAndSync(const std::string& data) {
  if (data.empty()) return Status::Ok();
  if (segment_size_ > 0 &&
      segment_size_ + static_cast<int64_t>(data.size()) > options_.segment_bytes) {
    RETURN_IF_ERROR(OpenSegment(LineSeq(data)));
  }
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = write(fd_, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("audit write failed");
    }
    off += static_cast<size_t>(n);
  }
  segment_size_ += static_cast<int64_t>(data.size());
  if (fdatasync(fd_) != 0) return Errno("audit sync failed");
  return Status::Ok();
}

void AuditLog::WriterLoop() {
  std::vector<Pending> batch;
  std::string buffer;
  while (true) {
    bool closing = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      const auto due = [&] {
        return since_checkpoint_ > 0 &&
               clock_->NowUnixMillis() - last_checkpoint_ms_ >= options_.checkpoint_seconds * 1000;
      };
      cv_.wait_for(lock, std::chrono::milliseconds(200),
                   [&] { return !queue_.empty() || closing_ || due(); });
      closing = closing_;
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    buffer.clear();
    Status s = broken_;
    if (s.ok()) {
      for (const Pending& p : batch) {
        Render(p.entry.members, &buffer);
        if (since_checkpoint_ >= options_.checkpoint_every) RenderCheckpoint(&buffer);
      }
      const bool timed = since_checkpoint_ > 0 && clock_->NowUnixMillis() - last_checkpoint_ms_ >=
                                                      options_.checkpoint_seconds * 1000;
      bool drained = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        drained = queue_.empty();
      }
      if (timed || (closing && drained && since_checkpoint_ > 0)) RenderCheckpoint(&buffer);
      const int64_t started = clock_->MonotonicNanos();
      s = WriteAndSync(buffer);
      if (metrics_->sync != nullptr) {
        metrics_->sync->Observe(static_cast<double>(clock_->MonotonicNanos() - started) / 1e9);
      }
      if (!s.ok()) {
        if (metrics_->failures != nullptr) metrics_->failures->Increment();
        broken_ = s;
        log::Error("audit trail write failed; refusing further requests",
                   log::Fields().Add("error", s.message()));
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (s.ok()) {
        if (metrics_->records != nullptr) {
          metrics_->records->Increment(static_cast<double>(seq_ - durable_seq_));
        }
        durable_seq_ = seq_;
      } else {
        health_ = s;
      }
    }
    for (Pending& p : batch) p.done(s);
    batch.clear();
    if (closing) {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) return;
    }
  }
}

Status AuditLog::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) return Status::Ok();  // the first Close reports
    closing_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  return broken_;
}

}  // namespace crmi::audit
