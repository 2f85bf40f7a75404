// Vector distance kernels, chosen once at run time for the CPU (AVX-512, AVX2+FMA, or portable
// scalar code): the shipped binary is built without -march flags and still uses the widest
// instructions the machine has.
//
// Distances are "smaller is closer": squared L2, or 1 - dot product for inner-product search
// (vectors normalised by the caller make that the cosine distance).
//
// Thread-safety: pure functions; the dispatch table is set up before main.
#ifndef CRMI_RETRIEVAL_DISTANCE_H_
#define CRMI_RETRIEVAL_DISTANCE_H_

#include <cstddef>
#include <string_view>

namespace crmi::retrieval {

enum class Metric { kL2, kInnerProduct };

using DistanceFn = float (*)(const float* a, const float* b, size_t dim);

// The fastest implementation of `metric` on this CPU.
DistanceFn GetDistance(Metric metric);
// "avx512", "avx2" or "scalar": what GetDistance picked.
std::string_view DistanceIsa();

// A specific implementation ("avx512", "avx2", "scalar"), or null when this CPU lacks it: lets
// tests check every kernel the machine can run, not only the one dispatch picks.
DistanceFn GetDistanceForIsa(Metric metric, std::string_view isa);

// Portable references (tests compare the dispatched kernels against these).
float L2SqrScalar(const float* a, const float* b, size_t dim);
float InnerProductDistanceScalar(const float* a, const float* b, size_t dim);

}  // namespace crmi::retrieval

#endif  // CRMI_RETRIEVAL_DISTANCE_H_
