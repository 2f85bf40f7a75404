// Checksummed binary files for derived state (index snapshots): written whole and atomically,
// read back sequentially with every length checked against what is left.
//
//   file  =  magic (8 bytes) | body | checksum of magic and body (8 bytes, little-endian)
//
// A writer fills `<path>.tmp`; Commit() appends the checksum, fsyncs, renames it over `path` and
// fsyncs the directory, so a crash leaves the old file or the new one, never a torn one. A reader
// refuses a file whose magic, length or checksum is wrong (kDataLoss). The checksum catches torn
// and corrupted files, not tampering: these files hold state that can always be rebuilt.
//
// Values are little-endian, as on every machine crmi runs on. Strings are a u32 length then the
// bytes.
//
// Thread-compatible: one thread per writer or reader.
#ifndef CRMI_COMMON_BINARY_FILE_H_
#define CRMI_COMMON_BINARY_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"

namespace crmi {

// A 64-bit multiply-xorshift over the stream's 8-byte words (a short tail padded with zeros),
// fed in pieces of any size.
class StreamChecksum {
 public:
  void Add(const void* data, size_t n);
  uint64_t Finish() const;

 private:
  void Mix(uint64_t w) {
    h_ = (h_ ^ w) * 0x9E3779B97F4A7C15ull;
    h_ ^= h_ >> 29;
  }
  uint64_t h_ = 0x243F6A8885A308D3ull;
  unsigned char pending_[8] = {};
  size_t npending_ = 0;
};

class BinaryWriter {
 public:
  // Creates `<path>.tmp` (truncating a leftover one) and writes the 8-byte magic.
  // kUnavailable on I/O errors.
  static Result<std::unique_ptr<BinaryWriter>> Create(std::string path, std::string_view magic);
  ~BinaryWriter();  // removes the temporary file unless committed

  BinaryWriter(const BinaryWriter&) = delete;
  BinaryWriter& operator=(const BinaryWriter&) = delete;

  void Put(const void* data, size_t n);
  void U8(uint8_t v) { Put(&v, 1); }
  void U32(uint32_t v) { Put(&v, 4); }
  void U64(uint64_t v) { Put(&v, 8); }
  void I64(int64_t v) { Put(&v, 8); }
  void F32(float v) { Put(&v, 4); }
  void Str(std::string_view s);
  template <typename T>
  void Array(const std::vector<T>& v) {
    U64(v.size());
    Put(v.data(), v.size() * sizeof(T));
  }

  // Flushes, appends the checksum, fsyncs and renames over the final path, then fsyncs the
  // directory. The first I/O error of any earlier Put is reported here (kUnavailable).
  Status Commit();

 private:
  BinaryWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  void Flush();

  const std::string path_;
  int fd_;
  std::string buffer_;
  StreamChecksum sum_;
  Status status_;
  bool committed_ = false;
};

class BinaryReader {
 public:
  // kNotFound when the file does not exist; kDataLoss when it is shorter than a magic and a
  // checksum or its magic differs; kUnavailable on other I/O errors.
  static Result<std::unique_ptr<BinaryReader>> Open(const std::string& path,
                                                    std::string_view magic);
  ~BinaryReader();

  BinaryReader(const BinaryReader&) = delete;
  BinaryReader& operator=(const BinaryReader&) = delete;

  // Each returns false (and the reader stays failed) when the body has fewer bytes left.
  bool Get(void* data, size_t n);
  bool U8(uint8_t* v) { return Get(v, 1); }
  bool U32(uint32_t* v) { return Get(v, 4); }
  bool U64(uint64_t* v) { return Get(v, 8); }
  bool I64(int64_t* v) { return Get(v, 8); }
  bool F32(float* v) { return Get(v, 4); }
  bool Str(std::string* s);
  template <typename T>
  bool Array(std::vector<T>* v) {
    uint64_t n = 0;
    if (!U64(&n) || n > remaining() / sizeof(T)) return Fail();
    v->resize(n);
    return Get(v->data(), n * sizeof(T));
  }
  // Bytes of the body not yet read: lengths read from the file are checked against it before
  // anything is allocated.
  uint64_t remaining() const { return body_end_ - consumed_; }

  // kDataLoss unless every read succeeded, the whole body was read and the checksum matches.
  Status Finish();

 private:
  BinaryReader(std::string path, int fd, uint64_t body_end)
      : path_(std::move(path)), fd_(fd), body_end_(body_end) {}
  bool Fail() {
    failed_ = true;
    return false;
  }
  bool Fill();

  const std::string path_;
  int fd_;
  const uint64_t body_end_;  // offset of the checksum
  uint64_t consumed_ = 0;    // body bytes handed out (the magic excluded)
  uint64_t read_ = 0;        // body bytes read from the file
  std::vector<unsigned char> buffer_;
  size_t pos_ = 0;
  StreamChecksum sum_;
  bool failed_ = false;
};

// Writes `data` to `path` atomically (temporary file, fsync, rename, directory fsync).
Status WriteFileAtomically(const std::string& path, std::string_view data);

// Writes all of [data, data + n) to `fd`, retrying short writes and EINTR. kUnavailable on errors.
Status WriteFully(int fd, const void* data, size_t n);
// Makes a completely written temporary file durable under its final name: fsync of `fd`, rename
// of `tmp` over `path`, fsync of the directory. kUnavailable on errors (the caller removes tmp).
Status SyncAndRename(int fd, const std::string& tmp, const std::string& path);

}  // namespace crmi

#endif  // CRMI_COMMON_BINARY_FILE_H_
