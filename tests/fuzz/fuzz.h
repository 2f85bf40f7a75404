// One source per fuzz target. Built with clang -fsanitize=fuzzer (make fuzz), each target is a
// libFuzzer binary; built normally (CRMI_FUZZ_REPLAY), all targets link into crmi_fuzz_replay,
// which runs every seed corpus plus random inputs as part of `make test`.
#ifndef CRMI_TESTS_FUZZ_FUZZ_H_
#define CRMI_TESTS_FUZZ_FUZZ_H_

#include <cstddef>
#include <cstdint>

namespace crmi::fuzz {
using TargetFn = int (*)(const uint8_t* data, size_t size);
bool Register(const char* name, TargetFn fn);
}  // namespace crmi::fuzz

#ifdef CRMI_FUZZ_REPLAY
#define CRMI_FUZZ_TARGET(name)                             \
  static int Fuzz##name(const uint8_t* data, size_t size); \
  [[maybe_unused]] static const bool kRegistered##name =   \
      ::crmi::fuzz::Register(#name, &Fuzz##name);          \
  static int Fuzz##name(const uint8_t* data, size_t size)
#else
#define CRMI_FUZZ_TARGET(name) \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
#endif

#endif  // CRMI_TESTS_FUZZ_FUZZ_H_
