// The PII detector over arbitrary bytes: findings stay in bounds, ordered and disjoint, and when
// the input is valid UTF-8 no span starts or ends inside a character.
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "src/common/json_text.h"
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
  return 0;
}
