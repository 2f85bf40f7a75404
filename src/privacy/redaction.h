// Redaction of text that leaves crmi for a model that only reads it — an embeddings endpoint —
// as opposed to an LLM conversation, whose output must be re-identified (anonymizer.h).
//
// Every finding of the detector is replaced by its type's placeholder, "<EMAIL>", "<PERSON>":
// unnumbered, because nothing comes back to restore and a number would only make two passages
// about different people look less alike to the model than they are. Nothing is kept.
//
// Fails closed: when the detector fails, the text is left untouched and the error returned; the
// caller must then not send it.
//
// Thread-safety: the functions are reentrant; the returned hook may be called from any thread.
#ifndef CRMI_PRIVACY_REDACTION_H_
#define CRMI_PRIVACY_REDACTION_H_

#include <functional>
#include <string>
#include <vector>

#include "src/common/metrics.h"
#include "src/common/status.h"
#include "src/privacy/detector.h"

namespace crmi::privacy {

class ContactNames;

// Replaces the findings in *text (at or above `min_confidence`); returns how many.
Result<size_t> Redact(const Detector& detector, const NameDictionary* names, std::string* text,
                      float min_confidence = 0.0f);

// A hook for retrieval::RetrievalOptions::before_embedding: redacts every text with the
// tenant's contact names, current with every change announced before the call
// (ContactNames::Current; kUnavailable when they cannot be had within 5 s), and counts the values
// replaced in crmi_privacy_redactions_total{endpoint="embeddings"} (`registry` may be null).
// `detector` and `names` must outlive the hook.
std::function<Status(const std::string& tenant, std::vector<std::string>* texts)> EmbeddingRedactor(
    const Detector* detector, const ContactNames* names, metrics::Registry* registry);

}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_REDACTION_H_
