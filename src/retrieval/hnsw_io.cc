// HnswIndex::Save / Load: one file, a fixed header then the arrays as they are in memory.
//
//   header   "CRMIHNS1", format version, metric, dim, m, ef_construction, seed, nodes, entry,
//            max level, body length, body checksum
//   body     ids (8 B each) | levels (1 B each, padded to 8) | tombstone words (8 B each) |
//            node blocks (level-0 links then the vector, as in memory) | upper links, node by
//            node (4·(m+1) B per level above 0)
//
// Little-endian, as the machines crmi runs on; the checksum is a 64-bit multiply-xorshift over
// the body's words: it catches torn and corrupted files, not tampering.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "src/common/binary_file.h"
#include "src/retrieval/hnsw_index.h"

namespace crmi::retrieval {
namespace {

constexpr char kMagic[8] = {'C', 'R', 'M', 'I', 'H', 'N', 'S', '1'};
constexpr uint32_t kVersion = 2;  // 2: links and vector in one block per node

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t metric;
  uint64_t dim, m, ef_construction, seed, nodes, entry;
  int64_t max_level;
  uint64_t body_bytes;
  uint64_t checksum;
};

class Checksum {
 public:
  void Add(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    // Whole words; a short tail is padded with zeros (every section is written the same way).
    for (; n >= 8; n -= 8, p += 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      Mix(w);
    }
    if (n > 0) {
      uint64_t w = 0;
      std::memcpy(&w, p, n);
      Mix(w);
    }
  }
  uint64_t value() const { return h_; }

 private:
  void Mix(uint64_t w) {
    h_ = (h_ ^ w) * 0x9E3779B97F4A7C15ull;
    h_ ^= h_ >> 29;
  }
  uint64_t h_ = 0x243F6A8885A308D3ull;
};

Status Errno(const std::string& what) { return Unavailable(what + ": " + std::strerror(errno)); }

bool ReadAll(int fd, void* data, size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

size_t Padded8(size_t n) { return (n + 7) / 8 * 8; }

}  // namespace

Status HnswIndex::Save(const std::string& path) const {
  std::shared_lock lock(mu_);
  struct Section {
    const void* data;
    size_t bytes;
  };
  const size_t n = ids_.size();
  std::vector<Section> sections = {
      {ids_.data(), n * 8},
      {levels_.data(), n},
      {deleted_.data(), deleted_.size() * 8},
      {blocks_.data(), blocks_.size()},
  };
  for (const auto& u : upper_) {
    if (!u.empty()) sections.push_back({u.data(), u.size() * sizeof(uint32_t)});
  }
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kVersion;
  h.metric = metric_ == Metric::kL2 ? 0 : 1;
  h.dim = dim_;
  h.m = options_.m;
  h.ef_construction = options_.ef_construction;
  h.seed = options_.seed;
  h.nodes = n;
  h.entry = entry_;
  h.max_level = max_level_;
  Checksum sum;
  for (const auto& s : sections) {
    sum.Add(s.data, s.bytes);
    h.body_bytes += Padded8(s.bytes);
  }
  h.checksum = sum.value();

  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create " + tmp);
  Status s = WriteFully(fd, &h, sizeof(h));
  static const char kZeros[8] = {};
  for (const auto& sec : sections) {
    if (!s.ok()) break;
    s = WriteFully(fd, sec.data, sec.bytes);
    if (s.ok()) s = WriteFully(fd, kZeros, Padded8(sec.bytes) - sec.bytes);
  }
  if (s.ok()) s = SyncAndRename(fd, tmp, path);
  close(fd);
  if (!s.ok()) unlink(tmp.c_str());
  return s;
}

Result<std::unique_ptr<HnswIndex>> HnswIndex::Load(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("no index file " + path);
    return Errno("cannot open " + path);
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  auto corrupt = [&](const std::string& why) { return DataLoss(path + ": " + why); };
  struct stat st;
  if (fstat(fd, &st) != 0) return Errno("stat " + path);
  Header h;
  if (!ReadAll(fd, &h, sizeof(h))) return corrupt("truncated header");
  if (std::memcmp(h.magic, kMagic, 8) != 0) return corrupt("not an HNSW index file");
  if (h.version != kVersion) return corrupt("format version " + std::to_string(h.version));
  if (h.metric > 1 || h.dim == 0 || h.dim > 65536 || h.m < 2 || h.m > 256 ||
      h.nodes >= std::numeric_limits<uint32_t>::max() || h.max_level > 30 || h.max_level < -1 ||
      (h.nodes > 0 && h.entry >= h.nodes) ||
      h.body_bytes != static_cast<uint64_t>(st.st_size) - sizeof(h)) {
    return corrupt("impossible header (or the file was cut short)");
  }
  HnswOptions options;
  options.m = h.m;
  options.ef_construction = h.ef_construction;
  options.seed = h.seed;
  auto index = std::make_unique<HnswIndex>(
      h.dim, h.metric == 0 ? Metric::kL2 : Metric::kInnerProduct, options);
  HnswIndex& x = *index;
  const size_t n = h.nodes;
  Checksum sum;
  auto section = [&](void* data, size_t bytes) {
    char pad[8] = {};
    const size_t pad_bytes = Padded8(bytes) - bytes;
    if (!ReadAll(fd, data, bytes) || !ReadAll(fd, pad, pad_bytes)) return false;
    for (size_t i = 0; i < pad_bytes; ++i) {
      if (pad[i] != 0) return false;  // padding is zeros: anything else is damage
    }
    sum.Add(data, bytes);
    return true;
  };
  // Nothing is allocated before the sizes the header implies are known to fit in the file (whose
  // length the header's body length was checked against): a damaged count cannot ask for 32 GB.
  const size_t words = (n + 63) / 64;
  const size_t expected_min = n * 8 + Padded8(n) + words * 8 + n * x.stride_;
  if (expected_min > h.body_bytes) return corrupt("sizes do not add up");
  x.ids_.resize(n);
  x.levels_.resize(n);
  x.deleted_.resize(words);
  x.blocks_.reserve(n * x.stride_);
  AdviseHugePages(x.blocks_.data(), x.blocks_.capacity());  // before the read faults them in
  x.blocks_.resize(n * x.stride_);
  if (!section(x.ids_.data(), n * 8) || !section(x.levels_.data(), n) ||
      !section(x.deleted_.data(), x.deleted_.size() * 8) ||
      !section(x.blocks_.data(), x.blocks_.size())) {
    return corrupt("truncated or damaged body");
  }
  x.upper_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (x.levels_[i] > h.max_level) return corrupt("node above the top level");
    if (x.levels_[i] == 0) continue;
    x.upper_[i].resize(size_t{x.levels_[i]} * (h.m + 1));
    if (!section(x.upper_[i].data(), x.upper_[i].size() * 4))
      return corrupt("truncated or damaged links");
  }
  if (sum.value() != h.checksum) return corrupt("checksum mismatch");
  // Links must stay inside the index: a bad one would read out of bounds during a search.
  for (size_t i = 0; i < n; ++i) {
    for (int level = 0; level <= x.levels_[i]; ++level) {
      const uint32_t* links = x.Links(static_cast<uint32_t>(i), level);
      const size_t cap = level == 0 ? x.m0_ : h.m;
      if (links[0] > cap) return corrupt("too many links");
      for (uint32_t j = 1; j <= links[0]; ++j) {
        if (links[j] >= n || x.levels_[links[j]] < level) return corrupt("link out of range");
      }
    }
  }
  x.entry_ = static_cast<uint32_t>(h.entry);
  x.max_level_ = static_cast<int>(h.max_level);
  if (n > 0 && x.levels_[x.entry_] != x.max_level_) return corrupt("bad entry point");
  for (size_t i = 0; i < n; ++i) {
    if (!x.Dead(static_cast<uint32_t>(i))) {
      if (!x.slot_of_.Insert(x.ids_[i], static_cast<uint32_t>(i))) {
        return corrupt("an id is live twice");
      }
    }
  }
  // New levels continue from a generator that depends on the seed and the node count.
  x.rng_.seed(h.seed ^ (0x9E3779B97F4A7C15ull * (n + 1)));
  return index;
}

}  // namespace crmi::retrieval
