// Floating-point semantics of PTX that C++ arithmetic does not give by itself: directed rounding
// modes (.rz/.rm/.rp), flush-to-zero (.ftz), saturation (.sat), NVIDIA's canonical NaN, min/max's
// NaN rules, float-to-integer conversion (saturating, NaN to 0) and the .approx functions.
// ptx_math.cpp is compiled with -frounding-math: it changes the rounding mode around single
// operations and the compiler must not move arithmetic across those changes.
#ifndef FOVEA_SOFTGPU_PTX_MATH_H
#define FOVEA_SOFTGPU_PTX_MATH_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace softgpu::ptx {

// IEEE rounding of a floating-point result (.rn .rz .rm .rp).
enum class Round : uint8_t { NEAREST, ZERO, DOWN, UP };

// Rounding of a float-to-integer or float-to-integral conversion (.rni .rzi .rmi .rpi).
enum class IntRound : uint8_t { NONE, NEAREST, ZERO, DOWN, UP };

inline uint32_t bitsOf(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float floatOf(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
inline uint64_t bitsOf(double d) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    return u;
}
inline double doubleOf(uint64_t u) {
    double d;
    std::memcpy(&d, &u, 8);
    return d;
}

// A NaN result of single-precision arithmetic is the canonical NaN 0x7FFFFFFF on NVIDIA GPUs,
// whatever the input NaNs were (x86 would propagate an input's payload instead).
constexpr uint32_t CANONICAL_NAN_F32 = 0x7FFFFFFFu;
inline float canon(float f) {
    return f != f ? floatOf(CANONICAL_NAN_F32) : f;
}
// Double precision: the host's quiet NaN is kept (no module computes in f64).
inline double canon(double d) {
    return d;
}

// .ftz: a subnormal operand or result becomes a zero of the same sign.
inline float flush(float f) {
    return std::fpclassify(f) == FP_SUBNORMAL ? std::copysign(0.0f, f) : f;
}
inline double flush(double d) {
    return std::fpclassify(d) == FP_SUBNORMAL ? std::copysign(0.0, d) : d;
}

// .sat on a floating-point result: clamped to [0.0, 1.0], NaN to +0.0.
template <class F>
inline F saturate(F f) {
    if (f != f) return F(0);
    if (f < F(0)) return F(0);  // -0.0 and negatives become +0.0
    if (f > F(1)) return F(1);
    return f == F(0) ? F(0) : f;
}

// Arithmetic under a rounding mode (NEAREST is the plain C++ operation, which is IEEE round to
// nearest even). The results are not canonicalised or flushed: the callers do that.
float add(float a, float b, Round r);
float sub(float a, float b, Round r);
float mul(float a, float b, Round r);
float fma(float a, float b, float c, Round r);   // fused: one rounding (std::fma)
float div(float a, float b, Round r);
float sqrt(float a, Round r);
double add(double a, double b, Round r);
double sub(double a, double b, Round r);
double mul(double a, double b, Round r);
double fma(double a, double b, double c, Round r);
double div(double a, double b, Round r);
double sqrt(double a, Round r);

// Integer to floating point, and f64 to f32, rounded as asked.
float toFloat(int64_t v, Round r);
float toFloat(uint64_t v, Round r);
double toDouble(int64_t v, Round r);
double toDouble(uint64_t v, Round r);
float narrow(double v, Round r);

// Float to integral value in floating point (cvt.rni.f32.f32 and friends).
float roundIntegral(float v, IntRound r);
double roundIntegral(double v, IntRound r);

// Float to integer: rounded as asked (.rzi when NONE is not allowed by the decoder), saturated to
// the destination's range, NaN to 0 (PTX: float-to-integer conversions saturate by default).
int64_t toSigned(double v, IntRound r, int bits);
uint64_t toUnsigned(double v, IntRound r, int bits);

// min/max.f32/.f64: a NaN operand is ignored unless both are NaN (then the canonical NaN), or
// .NaN asks for NaN propagation; -0.0 counts as less than +0.0.
float fmin(float a, float b, bool propagateNaN);
float fmax(float a, float b, bool propagateNaN);
double fmin(double a, double b, bool propagateNaN);
double fmax(double a, double b, bool propagateNaN);

// The .approx functions, within the PTX ISA's documented error (ptx_math.cpp says how).
float ex2Approx(float a);
float lg2Approx(float a);
float rcpApprox(float a);
float sqrtApprox(float a);
float rsqrtApprox(float a);
float sinApprox(float a);
float cosApprox(float a);
float tanhApprox(float a);
double rcpApprox64(double a);    // rcp.approx.ftz.f64
double rsqrtApprox64(double a);  // rsqrt.approx.f64

}  // namespace softgpu::ptx

#endif
