// Anonymisation of text bound for a model, and re-identification of what comes back.
//
// An Anonymizer is one request's mapping: every finding of the detector in any text it is given
// (question, retrieved context, history) is replaced by a typed, numbered placeholder —
// "<PERSON_1>", "<CARD_1>" — the same value always by the same placeholder within the request.
// The mapping lives only in this object's memory: it is never logged, audited or stored, and is
// gone when the request ends.
//
// Re-identification replaces the placeholders in the model's output by the originals when the
// principal may see them (reveal), otherwise by masked forms ("•••• •••• •••• 1111", "A. K.").
// Placeholders the request never issued (a model inventing "<PERSON_7>") are left as they are.
// StreamRestorer does the same on a stream of chunks: a placeholder split across chunks is still
// replaced, and the text held back is never more than a possible placeholder's prefix, so an
// original value is always emitted whole, never in parts.
//
// Fails closed: when the detector fails, Anonymize returns the error and no text; the caller
// must then refuse the call rather than send text in clear.
//
// Thread-safety: an Anonymizer is used by one request at a time (not thread-safe); the Detector
// and NameDictionary it reads are shared and immutable.
#ifndef CRMI_PRIVACY_ANONYMIZER_H_
#define CRMI_PRIVACY_ANONYMIZER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/privacy/detector.h"

namespace crmi::privacy {

class Anonymizer {
 public:
  // `detector` (and `names`, which may be null) must outlive the Anonymizer. Findings below
  // `min_confidence` stay in clear.
  Anonymizer(const Detector* detector, const NameDictionary* names, float min_confidence = 0.0f);

  Result<std::string> Anonymize(std::string_view text);

  // The text with this request's placeholders replaced: originals when `reveal`, else masks.
  std::string Restore(std::string_view text, bool reveal) const;

  // How many distinct values have a placeholder.
  size_t size() const { return originals_.size(); }
  // How many times a value was replaced that was written differently from the first writing
  // behind the same placeholder ("+44-20 …" after "+44 20 …"): Restore gives back the first
  // writing, so only when this is 0 does restoring reproduce the input byte for byte.
  size_t respelled() const { return respelled_; }

  // A form of `original` that shows what kind of value it was and a hint of which, not the value.
  static std::string Mask(PiiType type, std::string_view original);

 private:
  friend class StreamRestorer;
  // The replacement of a complete placeholder "<TYPE_N>", or nullptr when not issued here.
  const std::string* Lookup(std::string_view placeholder, bool reveal) const;

  const Detector* detector_;
  const NameDictionary* names_;
  float min_confidence_;
  std::map<std::string, std::string> by_value_;  // "<type>\0<normalised value>" → placeholder
  struct Original {
    std::string value;
    std::string masked;
  };
  std::map<std::string, Original, std::less<>> originals_;  // placeholder → original
  int next_[kPiiTypeCount] = {};
  size_t respelled_ = 0;
};

class StreamRestorer {
 public:
  // `anonymizer` must outlive the restorer.
  StreamRestorer(const Anonymizer* anonymizer, bool reveal)
      : anonymizer_(anonymizer), reveal_(reveal) {}
  // Takes the next chunk of model output; returns what can be emitted now.
  std::string Push(std::string_view chunk);
  // The end of the stream: whatever was held back, restored.
  std::string Finish();

 private:
  const Anonymizer* anonymizer_;
  bool reveal_;
  std::string pending_;  // a possible placeholder prefix, starting with '<'
};

}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_ANONYMIZER_H_
