// The inner loops that gather activation values into GEMM operand rows, shared by the forward and
// backward convolution kernels. Everything they need arrives as plain arguments (kept in
// registers; reading it through the shape inside the loop costs as much as the copy itself), and
// the TF32 rounding is a template parameter so that the plain FP32 loop carries no test.
#ifndef FOVEA_SOFTGPU_CUDNN_GATHER_H
#define FOVEA_SOFTGPU_CUDNN_GATHER_H

#include "cudnn/conv_geometry.h"

namespace cudnn {

template <bool TF32>
inline float load(const float* p) {
    return TF32 ? roundTf32(*p) : *p;
}

inline bool inRange(long long i, int extent) { return (unsigned long long)i < (unsigned long long)extent; }

// row[j] = src[base[j]] for j < count, 0 up to nb: every element is known to be in range.
template <bool TF32>
inline void copyRow(float* row, const float* src, const long long* base, int count, int nb) {
    for (int j = 0; j < count; j++) row[j] = load<TF32>(src + base[j]);
    for (int j = count; j < nb; j++) row[j] = 0.0f;
}

// row[j] = src[base[j]] where a[j] + da lies in [0, A) and b[j] + db in [0, B), else 0.
template <bool TF32>
inline void maskedRow(float* row, const float* src, const long long* base, const long long* a, long long da, int A,
                      const long long* b, long long db, int B, int nb) {
    for (int j = 0; j < nb; j++) {
        row[j] = inRange(a[j] + da, A) && inRange(b[j] + db, B) ? load<TF32>(src + base[j]) : 0.0f;
    }
}

inline void copyRow(bool tf32, float* row, const float* src, const long long* base, int count, int nb) {
    tf32 ? copyRow<true>(row, src, base, count, nb) : copyRow<false>(row, src, base, count, nb);
}

inline void maskedRow(bool tf32, float* row, const float* src, const long long* base, const long long* a, long long da,
                      int A, const long long* b, long long db, int B, int nb) {
    tf32 ? maskedRow<true>(row, src, base, a, da, A, b, db, B, nb)
         : maskedRow<false>(row, src, base, a, da, A, b, db, B, nb);
}

}  // namespace cudnn

#endif
