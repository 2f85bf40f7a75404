#include "src/privacy/redaction.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "src/privacy/contact_names.h"

namespace crmi::privacy {

Result<size_t> Redact(const Detector& detector, const NameDictionary* names, std::string* text,
                      float min_confidence) {
  std::vector<Finding> findings;
  RETURN_IF_ERROR(detector.Scan(*text, names, &findings));
  if (findings.empty()) return size_t{0};
  std::string out;
  out.reserve(text->size());
  size_t at = 0;
  size_t replaced = 0;
  for (const Finding& f : findings) {
    if (f.confidence < min_confidence) continue;
    out.append(*text, at, f.start - at);
    out += '<';
    out += PiiTypeName(f.type);
    out += '>';
    at = f.end;
    ++replaced;
  }
  out.append(*text, at);
  *text = std::move(out);
  return replaced;
}

std::function<Status(const std::string&, std::vector<std::string>*)> EmbeddingRedactor(
    const Detector* detector, const ContactNames* names, metrics::Registry* registry) {
  prometheus::Counter* counter = nullptr;
  if (registry != nullptr) {
    counter = &prometheus::BuildCounter()
                   .Name("crmi_privacy_redactions_total")
                   .Help("Personal values replaced by a placeholder before text left for a model")
                   .Register(registry->prom())
                   .Add({{"endpoint", "embeddings"}});
  }
  return [detector, names, counter](const std::string& tenant,
                                    std::vector<std::string>* texts) -> Status {
    // Current, not For: a contact created a moment ago may already be named in the passage.
    ASSIGN_OR_RETURN(std::shared_ptr<const NameDictionary> dictionary,
                     names->Current(tenant, std::chrono::seconds(5)));
    size_t replaced = 0;
    for (std::string& text : *texts) {
      ASSIGN_OR_RETURN(size_t n, Redact(*detector, dictionary.get(), &text));
      replaced += n;
    }
    if (counter != nullptr && replaced > 0) counter->Increment(static_cast<double>(replaced));
    return Status::Ok();
  };
}

}  // namespace crmi::privacy
