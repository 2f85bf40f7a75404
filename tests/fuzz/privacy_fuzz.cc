// The PII detector over arbitrary bytes: findings stay in bounds, ordered and disjoint, and when
// the input is valid UTF-8 no span starts or ends inside a character. The anonymiser over the
// same bytes: restoring with reveal gives the input back (when it holds no '<', which could look
// like a placeholder, and no value was written two ways), and a stream split anywhere restores
// as the whole text does.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "src/common/json_text.h"
#include "src/privacy/anonymizer.h"
#include "src/privacy/detector.h"
#include "tests/fuzz/fuzz.h"

CRMI_FUZZ_TARGET(privacy) {
  using crmi::privacy::Detector;
  using crmi::privacy::NameDictionary;
  static const std::unique_ptr<Detector> kDetector = [] {
    auto d = Detector::Create({{{"loan", "LN-[0-9]{8}"}}});
    if (!d.ok()) std::abort();
    return std::move(d).value();
  }();
  static const auto kNames =
      NameDictionary::Build({{"Anna", "Kowalski"}, {"José", "Müller"}, {"Will", "Turner"}});
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<crmi::privacy::Finding> findings;
  if (!kDetector->Scan(in, kNames.get(), &findings).ok()) std::abort();
  const bool utf8 = crmi::IsValidUtf8(in);
  uint32_t last = 0;
  for (const auto& f : findings) {
    if (f.start < last || f.end <= f.start || f.end > size) std::abort();
    if (!(f.confidence > 0 && f.confidence <= 1)) std::abort();
    if (utf8 &&
        ((data[f.start] & 0xC0) == 0x80 || (f.end < size && (data[f.end] & 0xC0) == 0x80))) {
      std::abort();
    }
    last = f.end;
  }
  crmi::privacy::Anonymizer anonymizer(kDetector.get(), kNames.get());
  auto anonymized = anonymizer.Anonymize(in);
  if (!anonymized.ok()) std::abort();
  if (in.find('<') == std::string_view::npos && anonymizer.respelled() == 0 &&
      anonymizer.Restore(*anonymized, true) != in) {
    std::abort();
  }
  for (bool reveal : {true, false}) {
    // The input itself as model output, cut at three points derived from its length.
    const std::string whole = anonymizer.Restore(in, reveal);
    crmi::privacy::StreamRestorer stream(&anonymizer, reveal);
    std::string joined;
    size_t prev = 0;
    for (size_t cut : {size / 3, size / 2, size - size / 5}) {
      cut = std::max(cut, prev);
      joined += stream.Push(in.substr(prev, cut - prev));
      prev = cut;
    }
    joined += stream.Push(in.substr(prev));
    joined += stream.Finish();
    if (joined != whole) std::abort();
  }
  return 0;
}
