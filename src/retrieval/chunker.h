// Chunking: CRM records (knowledge articles, activities — emails, chats, call transcripts —
// cases, opportunity notes, product descriptions) cut into passages that are searched, embedded
// and cited one by one.
//
// Each text field of a record is cut into windows of at most `max_words` words, ending at a
// sentence boundary when one lies in the last quarter of the window, overlapping the previous
// window by `overlap_words`. A window carries its source (collection, record id, field, byte
// offsets into that field's value) and the record's metadata the access policy and filters use.
// The record's title (subject, name) is prepended to every window's indexed text so that a
// passage deep in a transcript still matches what the conversation was about; the title alone is
// a chunk only when the record has no body.
//
// Pure functions; safe to call concurrently.
#ifndef CRMI_RETRIEVAL_CHUNKER_H_
#define CRMI_RETRIEVAL_CHUNKER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/crm/schema.h"
#include "src/store/store.h"

namespace crmi::retrieval {

struct ChunkOptions {
  size_t max_words = 200;
  size_t overlap_words = 30;
};

// What the policy and the request filters look at. Empty strings are null (absent).
struct ChunkMetadata {
  std::string tenant;
  std::string collection;
  std::string record_id;
  std::string contact_id;
  std::string account_id;
  std::string owner_id;
  std::string region;
  crm::Sensitivity sensitivity = crm::Sensitivity::kPublic;  // highest of the fields it holds
  int64_t time_ms = 0;  // occurred_at for activities, else updated_at (epoch milliseconds)
  int64_t record_version = 0;
  int64_t record_seq = 0;  // the store's seq: tells a re-created record from the old one
};

struct Chunk {
  std::string field;   // the field the passage comes from ("body")
  uint32_t start = 0;  // byte offsets into that field's value, end exclusive
  uint32_t end = 0;
  std::string title;  // the record's title (may be empty)
  std::string text;   // the passage itself
  ChunkMetadata meta;
  // SHA-256 (hex) of IndexedText(): the embedding cache's key; unchanged passages are not
  // re-embedded when a record changes elsewhere.
  std::string content_hash;

  // What is indexed and embedded: title and passage.
  std::string IndexedText() const;
};

// "title", "subject", "name": a string field of one of these names is the record's title,
// prepended to its passages (and masking it hides those passages).
bool IsTitleFieldName(std::string_view name);

// True when records of `collection` carry searchable text.
bool IsSearchable(const crm::Collection& collection);
// Collections of `schema` that carry searchable text.
std::vector<std::string> SearchableCollections(const crm::Schema& schema);

// The chunks of one stored record (its doc as the store holds it). kInvalidArgument when the doc
// is not a JSON object. A record without text yields no chunks.
Result<std::vector<Chunk>> ChunkRecord(const crm::Collection& collection, std::string_view tenant,
                                       const store::StoredRecord& record,
                                       const ChunkOptions& options = {});

// Windows of `text`: [start, end) byte ranges cut at word boundaries as described above.
std::vector<std::pair<uint32_t, uint32_t>> SplitText(std::string_view text,
                                                     const ChunkOptions& options);

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_CHUNKER_H_
