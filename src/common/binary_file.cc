#include "src/common/binary_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace crmi {
namespace {

constexpr size_t kBufferBytes = 1 << 20;

Status Errno(const std::string& what) { return Unavailable(what + ": " + std::strerror(errno)); }

Status SyncDirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir);
  const int rc = fsync(fd);
  close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync " + dir);
}

}  // namespace

Status WriteFully(int fd, const void* data, size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("write");
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status SyncAndRename(int fd, const std::string& tmp, const std::string& path) {
  if (fsync(fd) != 0) return Errno("fsync " + tmp);
  if (rename(tmp.c_str(), path.c_str()) != 0) return Errno("rename " + tmp);
  return SyncDirectoryOf(path);
}

void StreamChecksum::Add(const void* data, size_t n) {
  if (n == 0) return;  // an empty vector's data() may be null, which memcpy must not see
  const auto* p = static_cast<const unsigned char*>(data);
  if (npending_ > 0) {
    const size_t take = std::min(n, 8 - npending_);
    std::memcpy(pending_ + npending_, p, take);
    npending_ += take;
    p += take;
    n -= take;
    if (npending_ < 8) return;
    uint64_t w;
    std::memcpy(&w, pending_, 8);
    Mix(w);
    npending_ = 0;
  }
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    Mix(w);
  }
  std::memcpy(pending_, p, n);
  npending_ = n;
}

uint64_t StreamChecksum::Finish() const {
  if (npending_ == 0) return h_;
  StreamChecksum copy = *this;
  uint64_t w = 0;
  std::memcpy(&w, pending_, npending_);
  copy.Mix(w);
  return copy.h_;
}

Result<std::unique_ptr<BinaryWriter>> BinaryWriter::Create(std::string path,
                                                           std::string_view magic) {
  if (magic.size() != 8) return InvalidArgument("a file magic is 8 bytes");
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("open " + tmp);
  std::unique_ptr<BinaryWriter> w(new BinaryWriter(std::move(path), fd));
  w->buffer_.reserve(kBufferBytes);
  w->Put(magic.data(), magic.size());
  return w;
}

BinaryWriter::~BinaryWriter() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink((path_ + ".tmp").c_str());
}

void BinaryWriter::Put(const void* data, size_t n) {
  if (n == 0) return;
  const auto* p = static_cast<const char*>(data);
  sum_.Add(p, n);
  if (buffer_.size() + n > kBufferBytes) Flush();
  if (n >= kBufferBytes) {  // large arrays go straight to the file
    if (status_.ok()) status_ = WriteFully(fd_, p, n);
    return;
  }
  buffer_.append(p, n);
}

void BinaryWriter::Str(std::string_view s) {
  U32(static_cast<uint32_t>(s.size()));
  Put(s.data(), s.size());
}

void BinaryWriter::Flush() {
  if (status_.ok() && !buffer_.empty()) status_ = WriteFully(fd_, buffer_.data(), buffer_.size());
  buffer_.clear();
}

Status BinaryWriter::Commit() {
  const uint64_t sum = sum_.Finish();
  buffer_.append(reinterpret_cast<const char*>(&sum), 8);
  Flush();
  RETURN_IF_ERROR(status_);
  const std::string tmp = path_ + ".tmp";
  RETURN_IF_ERROR(SyncAndRename(fd_, tmp, path_));
  close(fd_);
  fd_ = -1;
  committed_ = true;
  return Status::Ok();
}

Result<std::unique_ptr<BinaryReader>> BinaryReader::Open(const std::string& path,
                                                         std::string_view magic) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + " does not exist");
    return Errno("open " + path);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const Status s = Errno("stat " + path);
    close(fd);
    return s;
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size < 16) {
    close(fd);
    return DataLoss(path + " is truncated");
  }
  std::unique_ptr<BinaryReader> r(new BinaryReader(path, fd, size - 16));
  char got[8];
  ssize_t n;
  do {
    n = read(fd, got, 8);
  } while (n < 0 && errno == EINTR);
  if (magic.size() != 8 || n != 8 || std::memcmp(got, magic.data(), 8) != 0) {
    return DataLoss(path + " is not a file of the expected format");
  }
  r->sum_.Add(got, 8);  // the magic is checksummed but is not part of the body
  return r;
}

BinaryReader::~BinaryReader() {
  if (fd_ >= 0) close(fd_);
}

bool BinaryReader::Fill() {
  const uint64_t left = body_end_ - read_;
  if (left == 0) return false;
  buffer_.resize(static_cast<size_t>(std::min<uint64_t>(left, kBufferBytes)));
  size_t got = 0;
  while (got < buffer_.size()) {
    const ssize_t n = read(fd_, buffer_.data() + got, buffer_.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  sum_.Add(buffer_.data(), buffer_.size());
  read_ += buffer_.size();
  pos_ = 0;
  return true;
}

bool BinaryReader::Get(void* data, size_t n) {
  if (failed_ || n > remaining()) return Fail();
  auto* out = static_cast<unsigned char*>(data);
  while (n > 0) {
    if (pos_ == buffer_.size() && !Fill()) return Fail();
    const size_t take = std::min(n, buffer_.size() - pos_);
    std::memcpy(out, buffer_.data() + pos_, take);
    out += take;
    pos_ += take;
    n -= take;
    consumed_ += take;
  }
  return true;
}

bool BinaryReader::Str(std::string* s) {
  uint32_t n = 0;
  if (!U32(&n) || n > remaining()) return Fail();
  s->resize(n);
  return Get(s->data(), n);
}

Status BinaryReader::Finish() {
  if (failed_) return DataLoss(path_ + " is truncated or corrupt");
  if (consumed_ != body_end_) return DataLoss(path_ + " has trailing bytes");
  uint64_t want = 0;
  ssize_t n;
  do {
    n = pread(fd_, &want, 8, static_cast<off_t>(8 + body_end_));
  } while (n < 0 && errno == EINTR);
  if (n != 8) return DataLoss(path_ + " is truncated");
  if (want != sum_.Finish()) return DataLoss(path_ + ": checksum mismatch");
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("open " + tmp);
  Status s = WriteFully(fd, data.data(), data.size());
  if (s.ok()) s = SyncAndRename(fd, tmp, path);
  close(fd);
  if (!s.ok()) unlink(tmp.c_str());
  return s;
}

}  // namespace crmi
