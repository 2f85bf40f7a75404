// ChunkIndex::SaveSnapshot / LoadSnapshot.
//
//   <dir>/CURRENT     "chunks-N\n": the generation to open
//   <dir>/chunks-N    binary_file.h framing, magic "CRMICHK1": format version, model, dim, label
//                     count, live count, the vectors file's name, then per label a live flag and
//                     the chunk (source, text, metadata), then the BM25 postings
//   <dir>/vectors-N   HnswIndex::Save (absent when dim is 0)
//
// Labels are kept as they were (both indexes refer to them), so the columns, label lists and the
// record map are rebuilt from the chunk table rather than stored.
#include <charconv>
#include <filesystem>
#include <fstream>

#include "src/common/binary_file.h"
#include "src/retrieval/chunk_index.h"

namespace crmi::retrieval {
namespace {

constexpr std::string_view kMagic = "CRMICHK1";
constexpr uint32_t kFormat = 1;

void PutChunk(BinaryWriter& w, const Chunk& c) {
  w.Str(c.field);
  w.U32(c.start);
  w.U32(c.end);
  w.Str(c.title);
  w.Str(c.text);
  w.Str(c.content_hash);
  const ChunkMetadata& m = c.meta;
  for (const std::string* s : {&m.tenant, &m.collection, &m.record_id, &m.contact_id, &m.account_id,
                               &m.owner_id, &m.region}) {
    w.Str(*s);
  }
  w.U8(static_cast<uint8_t>(m.sensitivity));
  w.I64(m.time_ms);
  w.I64(m.record_version);
  w.I64(m.record_seq);
}

bool GetChunk(BinaryReader& r, Chunk* c) {
  ChunkMetadata& m = c->meta;
  uint8_t sensitivity = 0;
  bool ok = r.Str(&c->field) && r.U32(&c->start) && r.U32(&c->end) && r.Str(&c->title) &&
            r.Str(&c->text) && r.Str(&c->content_hash);
  for (std::string* s : {&m.tenant, &m.collection, &m.record_id, &m.contact_id, &m.account_id,
                         &m.owner_id, &m.region}) {
    ok = ok && r.Str(s);
  }
  ok = ok && r.U8(&sensitivity) && r.I64(&m.time_ms) && r.I64(&m.record_version) &&
       r.I64(&m.record_seq);
  if (!ok || sensitivity > static_cast<uint8_t>(crm::Sensitivity::kRestricted) ||
      m.collection.empty() || m.record_id.empty()) {
    return false;
  }
  m.sensitivity = static_cast<crm::Sensitivity>(sensitivity);
  return true;
}

// The generation CURRENT names; 0 when there is none.
uint64_t CurrentGeneration(const std::string& dir) {
  std::ifstream in(dir + "/CURRENT");
  std::string line;
  if (!std::getline(in, line) || !line.starts_with("chunks-")) return 0;
  uint64_t gen = 0;
  const char* begin = line.data() + 7;
  const char* end = line.data() + line.size();
  auto [p, ec] = std::from_chars(begin, end, gen);
  return ec == std::errc() && p == end ? gen : 0;
}

}  // namespace

Status ChunkIndex::SaveSnapshot(const std::string& dir, std::string_view model) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create " + dir + ": " + ec.message());
  std::lock_guard write(write_mu_);  // the table and both indexes stay as they are
  const uint64_t gen = CurrentGeneration(dir) + 1;
  const std::string chunks_name = "chunks-" + std::to_string(gen);
  const std::string vectors_name = vectors_ ? "vectors-" + std::to_string(gen) : "";
  if (vectors_) RETURN_IF_ERROR(vectors_->Save(dir + "/" + vectors_name));
  ASSIGN_OR_RETURN(auto w, BinaryWriter::Create(dir + "/" + chunks_name, kMagic));
  {
    std::shared_lock lock(mu_);
    w->U32(kFormat);
    w->Str(model);
    w->U64(dim_);
    w->U64(chunks_.size());
    w->U64(live_);
    w->Str(vectors_name);
    for (const auto& ic : chunks_) {
      w->U8(ic != nullptr);
      if (ic != nullptr) PutChunk(*w, ic->chunk);
    }
  }
  lexical_.Save(*w);
  RETURN_IF_ERROR(w->Commit());
  RETURN_IF_ERROR(WriteFileAtomically(dir + "/CURRENT", chunks_name + "\n"));
  // Older generations (and temporary files a crash left) go only once CURRENT names the new one.
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "CURRENT" || name == chunks_name || name == vectors_name) continue;
    if (name.starts_with("chunks-") || name.starts_with("vectors-") || name.ends_with(".tmp")) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
  return Status::Ok();
}

Result<ChunkIndex::Snapshot> ChunkIndex::LoadSnapshot(const std::string& dir) {
  const uint64_t gen = CurrentGeneration(dir);
  if (gen == 0) {
    std::error_code ec;
    if (!std::filesystem::exists(dir + "/CURRENT", ec)) return NotFound("no snapshot in " + dir);
    return DataLoss(dir + "/CURRENT is damaged");
  }
  const std::string chunks_path = dir + "/chunks-" + std::to_string(gen);
  auto opened = BinaryReader::Open(chunks_path, kMagic);
  if (!opened.ok()) {
    // CURRENT names a generation that must exist: a missing one is damage, not absence.
    if (opened.status().code() == StatusCode::kNotFound)
      return DataLoss(chunks_path + " is missing");
    return opened.status();
  }
  BinaryReader& r = **opened;
  const Status corrupt = DataLoss(chunks_path + " is truncated or inconsistent");
  uint32_t format = 0;
  Snapshot out;
  uint64_t dim = 0, slots = 0, live = 0;
  std::string vectors_name;
  if (!r.U32(&format) || !r.Str(&out.model) || !r.U64(&dim) || !r.U64(&slots) || !r.U64(&live) ||
      !r.Str(&vectors_name)) {
    return corrupt;
  }
  if (format != kFormat)
    return DataLoss(chunks_path + ": unknown format " + std::to_string(format));
  // Each label takes at least its flag byte: a count beyond the file is damage.
  if (slots > r.remaining() || live > slots || slots >= UINT32_MAX ||
      (dim == 0) != vectors_name.empty() || vectors_name.find('/') != std::string::npos) {
    return corrupt;
  }
  std::unique_ptr<HnswIndex> vectors;
  if (dim > 0) {
    auto loaded = HnswIndex::Load(dir + "/" + vectors_name);
    if (!loaded.ok()) {
      if (loaded.status().code() == StatusCode::kNotFound) {
        return DataLoss(dir + "/" + vectors_name + " is missing");
      }
      return loaded.status();
    }
    vectors = std::move(*loaded);
    if (vectors->dim() != dim || vectors->size() != live) return corrupt;
  }
  std::unique_ptr<ChunkIndex> index(new ChunkIndex(dim, std::move(vectors)));
  ChunkIndex& x = *index;
  {
    std::unique_lock lock(x.mu_);
    x.chunks_.resize(slots);
    x.columns_.Resize(slots);
    for (uint64_t l = 0; l < slots; ++l) {
      uint8_t flag = 0;
      if (!r.U8(&flag) || flag > 1) return corrupt;
      if (flag == 0) continue;
      auto ic = std::make_shared<IndexedChunk>();
      ic->label = l;
      if (!GetChunk(r, &ic->chunk)) return corrupt;
      x.by_record_[RecordKey(ic->chunk.meta.collection, ic->chunk.meta.record_id)].push_back(l);
      ++x.live_;
      x.Register(std::move(ic));
    }
    if (x.live_ != live) return corrupt;
  }
  RETURN_IF_ERROR(x.lexical_.Load(r));
  RETURN_IF_ERROR(r.Finish());
  if (x.lexical_.size() != live) return corrupt;
  out.index = std::move(index);
  return out;
}

}  // namespace crmi::retrieval
