#include "src/trust/approvals.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "src/common/base64.h"
#include "src/common/binary_file.h"
#include "src/common/ids.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/time_format.h"

namespace crmi::trust {
namespace fs = std::filesystem;
namespace {

std::string Context(const std::string& tenant, const std::string& id) {
  return "crmi approval\n" + tenant + "\n" + id;
}

std::string Str(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

int64_t Int(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() || !it->value.IsInt64() ? 0 : it->value.GetInt64();
}

bool IsValidApprovalId(std::string_view id) {
  if (id.size() != 30 || id.substr(0, 4) != "apr_") return false;
  for (char c : id.substr(4)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

std::string FileJson(const Approval& a, const std::string& sealed) {
  std::string body = a.ToJson();
  body.pop_back();
  JsonObject extra;
  extra.Add("created_ms", a.created_ms)
      .Add("expires_ms", a.expires_ms)
      .Add("decided_ms", a.decided_ms)
      .Add("payload", Base64UrlEncode(sealed));
  return body + "," + std::string(extra.members()) + "}\n";
}

// An exclusive advisory lock on <dir>/.lock: a server and `crmi keys rotate` rewrite the same
// files (a decision; a re-sealed payload), each reading the file under the lock first.
class DirLock {
 public:
  explicit DirLock(const std::string& dir) {
    if (dir.empty()) return;
    fd_ = ::open((fs::path(dir) / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

const char* ApprovalStateName(Approval::State s) {
  switch (s) {
    case Approval::State::kPending:
      return "pending";
    case Approval::State::kApproved:
      return "approved";
    case Approval::State::kRejected:
      return "rejected";
  }
  return "pending";
}

std::string Approval::ToJson() const {
  std::string recs = "[";
  for (const auto& r : records) {
    if (recs.size() > 1) recs += ",";
    AppendJsonString(&recs, r);
  }
  recs += "]";
  JsonObject o;
  o.Add("id", id)
      .Add("tenant", tenant)
      .Add("status", ApprovalStateName(state))
      .Add("kind", kind)
      .Add("requester", requester)
      .Add("request_id", request_id)
      .Add("resource", resource)
      .Add("rule", rule)
      .Add("summary", summary)
      .Add("risk", risk)
      .AddRaw("records", recs)
      .Add("created_at", FormatRfc3339Millis(created_ms))
      .Add("expires_at", FormatRfc3339Millis(expires_ms));
  if (state != State::kPending) {
    o.Add("decided_by", decided_by).Add("decided_at", FormatRfc3339Millis(decided_ms));
    o.Add("note", note);
  }
  return o.Finish();
}

ApprovalQueue::ApprovalQueue(std::string dir, Sealer sealer, const Clock* clock,
                             std::chrono::seconds ttl, size_t max_pending)
    : dir_(std::move(dir)),
      sealer_(std::move(sealer)),
      clock_(clock),
      ttl_(ttl),
      max_pending_(max_pending) {}

ApprovalQueue::~ApprovalQueue() = default;

Result<ApprovalQueue::Entry> ApprovalQueue::ReadEntry(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + " does not exist");
  std::stringstream buf;
  buf << in.rdbuf();
  rapidjson::Document d;
  auto parsed = ParseJson(buf.str(), &d);
  if (!parsed.ok || !d.IsObject()) return DataLoss(path + " is not an approval");
  Entry e;
  Approval& a = e.meta;
  a.id = Str(d, "id");
  a.tenant = Str(d, "tenant");
  if (!IsValidApprovalId(a.id) || a.tenant.empty()) return DataLoss(path + " is not an approval");
  const std::string status = Str(d, "status");
  a.state = status == "approved"   ? Approval::State::kApproved
            : status == "rejected" ? Approval::State::kRejected
                                   : Approval::State::kPending;
  a.kind = Str(d, "kind");
  a.requester = Str(d, "requester");
  a.request_id = Str(d, "request_id");
  a.resource = Str(d, "resource");
  a.rule = Str(d, "rule");
  a.summary = Str(d, "summary");
  if (auto r = d.FindMember("risk"); r != d.MemberEnd() && r->value.IsNumber()) {
    a.risk = r->value.GetDouble();
  }
  if (auto r = d.FindMember("records"); r != d.MemberEnd() && r->value.IsArray()) {
    for (const auto& v : r->value.GetArray()) {
      if (v.IsString()) a.records.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  a.created_ms = Int(d, "created_ms");
  a.expires_ms = Int(d, "expires_ms");
  a.decided_ms = Int(d, "decided_ms");
  a.decided_by = Str(d, "decided_by");
  a.note = Str(d, "note");
  auto sealed = Base64UrlDecode(Str(d, "payload"));
  if (!sealed) return DataLoss(path + " has a malformed payload");
  e.sealed = std::move(*sealed);
  return e;
}

std::string ApprovalQueue::PathOf(const std::string& id) const {
  return (fs::path(dir_) / (id + ".json")).string();
}

void ApprovalQueue::Count(const char* event, size_t n) {
  if (events_ != nullptr && n > 0) {
    events_->Add({{"event", event}}).Increment(static_cast<double>(n));
  }
}

Result<std::unique_ptr<ApprovalQueue>> ApprovalQueue::Open(std::string dir, Sealer sealer,
                                                           const Clock* clock,
                                                           std::chrono::seconds ttl,
                                                           size_t max_pending_per_tenant,
                                                           metrics::Registry* registry) {
  std::unique_ptr<ApprovalQueue> q(
      new ApprovalQueue(dir, std::move(sealer), clock, ttl, max_pending_per_tenant));
  if (registry != nullptr) {
    q->events_ = &prometheus::BuildCounter()
                      .Name("crmi_approvals_total")
                      .Help("Answers held for approval and what became of them, by event")
                      .Register(registry->prom());
  }
  if (dir.empty()) return q;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create " + dir + ": " + ec.message());
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    const std::string name = f.path().filename().string();
    if (name.size() < 6 || name.substr(name.size() - 5) != ".json") continue;
    ASSIGN_OR_RETURN(Entry e, ReadEntry(f.path().string()));
    if (name != e.meta.id + ".json") return DataLoss(f.path().string() + " is not an approval");
    if (!q->dir_.empty()) e.sealed.clear();
    const std::string id = e.meta.id;
    q->entries_[id] = std::move(e);
  }
  if (ec) return Unavailable("cannot list " + dir + ": " + ec.message());
  std::lock_guard<std::mutex> lock(q->mu_);
  q->ExpireLocked();
  return q;
}

Status ApprovalQueue::WriteLocked(const Entry& e) {
  if (dir_.empty()) return Status::Ok();
  return WriteFileAtomically(PathOf(e.meta.id), FileJson(e.meta, e.sealed));
}

void ApprovalQueue::RemoveLocked(const std::string& id) {
  entries_.erase(id);
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove(PathOf(id), ec);
}

void ApprovalQueue::ExpireLocked() {
  const int64_t now = clock_->NowUnixMillis();
  std::vector<std::string> gone;
  for (const auto& [id, e] : entries_) {
    if (e.meta.expires_ms <= now) gone.push_back(id);
  }
  for (const auto& id : gone) RemoveLocked(id);
  Count("expired", gone.size());
}

Result<std::string> ApprovalQueue::ReadSealedLocked(const Entry& e) {
  if (dir_.empty()) return e.sealed;
  auto read = ReadEntry(PathOf(e.meta.id));
  if (!read.ok()) return DataLoss("approval " + e.meta.id + ": " + read.status().message());
  return std::move(read->sealed);
}

Result<Approval> ApprovalQueue::Submit(Approval a, std::string_view payload) {
  const int64_t now = clock_->NowUnixMillis();
  a.id = "apr_" + NewUlid(now);
  a.created_ms = now;
  a.expires_ms = now + std::chrono::duration_cast<std::chrono::milliseconds>(ttl_).count();
  a.state = Approval::State::kPending;
  Entry e;
  e.meta = std::move(a);
  ASSIGN_OR_RETURN(e.sealed, sealer_.seal(payload, Context(e.meta.tenant, e.meta.id)));
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLocked();
  size_t pending = 0;
  for (const auto& [id, other] : entries_) {
    pending += other.meta.tenant == e.meta.tenant && other.meta.state == Approval::State::kPending;
  }
  if (pending >= max_pending_) {
    return ResourceExhausted("the tenant has " + std::to_string(pending) +
                             " answers waiting for approval; decide some first");
  }
  Status s = WriteLocked(e);
  if (!s.ok()) return Unavailable("the approval could not be saved: " + s.message());
  Approval out = e.meta;
  if (!dir_.empty()) e.sealed.clear();  // read back from the file when asked for
  entries_[out.id] = std::move(e);
  Count("held");
  return out;
}

Result<Approval> ApprovalQueue::Get(const std::string& tenant, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLocked();
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.meta.tenant != tenant) {
    return NotFound("no approval '" + id + "'");
  }
  return it->second.meta;
}

Result<std::string> ApprovalQueue::Payload(const std::string& tenant, const std::string& id) {
  std::string sealed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ExpireLocked();
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.meta.tenant != tenant) {
      return NotFound("no approval '" + id + "'");
    }
    ASSIGN_OR_RETURN(sealed, ReadSealedLocked(it->second));
  }
  auto opened = sealer_.open(sealed, Context(tenant, id));
  if (!opened.ok()) {
    return DataLoss("approval " + id + " cannot be opened (" + opened.status().message() + ")");
  }
  return opened;
}

std::vector<Approval> ApprovalQueue::List(const std::string& tenant, const Approval::State* state,
                                          const std::string& requester, size_t limit) {
  std::vector<Approval> out;
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLocked();
  // Ids are ULIDs: reverse key order is newest first.
  for (auto it = entries_.rbegin(); it != entries_.rend() && out.size() < limit; ++it) {
    const Approval& a = it->second.meta;
    if (a.tenant != tenant) continue;
    if (state != nullptr && a.state != *state) continue;
    if (!requester.empty() && a.requester != requester) continue;
    out.push_back(a);
  }
  return out;
}

Result<Approval> ApprovalQueue::Decide(const std::string& tenant, const std::string& id,
                                       bool approve, const std::string& actor, std::string note) {
  if (note.size() > 2000) return InvalidArgument("note is longer than 2000 bytes");
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLocked();
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.meta.tenant != tenant) {
    return NotFound("no approval '" + id + "'");
  }
  Entry& e = it->second;
  if (e.meta.state != Approval::State::kPending) {
    return FailedPrecondition("approval " + id + " was already " + ApprovalStateName(e.meta.state) +
                              " by " + e.meta.decided_by);
  }
  if (actor == e.meta.requester) {
    return PermissionDenied("nobody may decide their own request (separation of duties)");
  }
  DirLock file_lock(dir_);
  Entry next = e;
  next.meta.state = approve ? Approval::State::kApproved : Approval::State::kRejected;
  next.meta.decided_by = actor;
  next.meta.decided_ms = clock_->NowUnixMillis();
  next.meta.note = std::move(note);
  // A rejected answer is never handed out: its payload goes now, not at expiry.
  if (approve) {
    ASSIGN_OR_RETURN(next.sealed, ReadSealedLocked(e));
  } else {
    next.sealed.clear();
  }
  Status s = WriteLocked(next);
  if (!s.ok()) return Unavailable("the decision could not be saved: " + s.message());
  if (!dir_.empty()) next.sealed.clear();
  e = std::move(next);
  Count(approve ? "approved" : "rejected");
  return e.meta;
}

std::vector<Approval> ApprovalQueue::ListByRecords(const std::string& tenant,
                                                   const std::vector<std::string>& record_ids) {
  std::vector<Approval> out;
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLocked();
  for (const auto& [id, e] : entries_) {
    if (e.meta.tenant != tenant) continue;
    for (const auto& r : e.meta.records) {
      if (std::find(record_ids.begin(), record_ids.end(), r) != record_ids.end()) {
        out.push_back(e.meta);
        break;
      }
    }
  }
  return out;
}

Result<std::string> ApprovalQueue::ExportJson(const std::string& tenant,
                                              const std::vector<std::string>& record_ids) {
  std::string out = "[";
  for (const Approval& a : ListByRecords(tenant, record_ids)) {
    std::string item = a.ToJson();
    item.pop_back();
    item += ",\"held\":";
    if (a.state == Approval::State::kRejected) {
      item += "null";
    } else {
      ASSIGN_OR_RETURN(std::string payload, Payload(tenant, a.id));
      item += payload;  // written by the submitter as a JSON object
    }
    out += (out.size() > 1 ? "," : "") + item + "}";
  }
  return out + "]";
}

size_t ApprovalQueue::ForgetRecord(const std::string& tenant, const std::string& record_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> gone;
  for (const auto& [id, e] : entries_) {
    if (e.meta.tenant == tenant && std::find(e.meta.records.begin(), e.meta.records.end(),
                                             record_id) != e.meta.records.end()) {
      gone.push_back(id);
    }
  }
  for (const auto& id : gone) RemoveLocked(id);
  Count("forgotten", gone.size());
  return gone.size();
}

Result<int64_t> ApprovalQueue::Reseal() {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (auto& [id, e] : entries_) {
    DirLock file_lock(dir_);
    Entry current = e;
    if (!dir_.empty()) {
      // The file, not this process's copy: a server may have decided it since it was loaded.
      auto read = ReadEntry(PathOf(id));
      if (read.status().code() == StatusCode::kNotFound) continue;  // removed meanwhile
      if (!read.ok()) return read.status();
      current = std::move(read).value();
    }
    if (current.sealed.empty()) continue;  // rejected: nothing kept
    const std::string context = Context(current.meta.tenant, id);
    ASSIGN_OR_RETURN(std::string plain, sealer_.open(current.sealed, context));
    ASSIGN_OR_RETURN(current.sealed, sealer_.seal(plain, context));
    RETURN_IF_ERROR(WriteLocked(current));
    if (!dir_.empty()) current.sealed.clear();
    e = std::move(current);
    ++n;
  }
  return n;
}

size_t ApprovalQueue::pending(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLocked();
  size_t n = 0;
  for (const auto& [id, e] : entries_) {
    n += e.meta.tenant == tenant && e.meta.state == Approval::State::kPending;
  }
  return n;
}

}  // namespace crmi::trust
