// Directed rounding: the host's own IEEE arithmetic under fesetround, one operation at a time.
// x86-64 SSE arithmetic, cvtsi2ss and glibc's fmaf/fma honour the current rounding mode (glibc's
// fma is correctly rounded in every mode), so an operation done between two fesetround calls is
// the exactly rounded result PTX specifies. Operands and results pass through volatile variables
// so that the compiler, even with -frounding-math, cannot evaluate them outside the window.
#include "ptx_math.h"

#include <cfenv>
#include <cmath>
#include <limits>

namespace softgpu::ptx {
namespace {

int hostMode(Round r) {
    switch (r) {
        case Round::ZERO: return FE_TOWARDZERO;
        case Round::DOWN: return FE_DOWNWARD;
        case Round::UP: return FE_UPWARD;
        default: return FE_TONEAREST;
    }
}

// Runs op() with the host rounding mode set to r.
template <class Op>
auto rounded(Round r, Op op) -> decltype(op()) {
    if (r == Round::NEAREST) return op();
    int old = std::fegetround();
    std::fesetround(hostMode(r));
    volatile auto v = op();
    std::fesetround(old);
    return v;
}

}  // namespace

float add(float a, float b, Round r) {
    volatile float x = a, y = b;
    return rounded(r, [&] { return x + y; });
}
float sub(float a, float b, Round r) {
    volatile float x = a, y = b;
    return rounded(r, [&] { return x - y; });
}
float mul(float a, float b, Round r) {
    volatile float x = a, y = b;
    return rounded(r, [&] { return x * y; });
}
float fma(float a, float b, float c, Round r) {
    volatile float x = a, y = b, z = c;
    return rounded(r, [&] { return std::fma((float)x, (float)y, (float)z); });
}
float div(float a, float b, Round r) {
    volatile float x = a, y = b;
    return rounded(r, [&] { return x / y; });
}
float sqrt(float a, Round r) {
    volatile float x = a;
    return rounded(r, [&] { return std::sqrt((float)x); });
}
double add(double a, double b, Round r) {
    volatile double x = a, y = b;
    return rounded(r, [&] { return x + y; });
}
double sub(double a, double b, Round r) {
    volatile double x = a, y = b;
    return rounded(r, [&] { return x - y; });
}
double mul(double a, double b, Round r) {
    volatile double x = a, y = b;
    return rounded(r, [&] { return x * y; });
}
double fma(double a, double b, double c, Round r) {
    volatile double x = a, y = b, z = c;
    return rounded(r, [&] { return std::fma((double)x, (double)y, (double)z); });
}
double div(double a, double b, Round r) {
    volatile double x = a, y = b;
    return rounded(r, [&] { return x / y; });
}
double sqrt(double a, Round r) {
    volatile double x = a;
    return rounded(r, [&] { return std::sqrt((double)x); });
}

float toFloat(int64_t v, Round r) {
    volatile int64_t x = v;
    return rounded(r, [&] { return (float)x; });
}
float toFloat(uint64_t v, Round r) {
    volatile uint64_t x = v;
    return rounded(r, [&] { return (float)x; });
}
double toDouble(int64_t v, Round r) {
    volatile int64_t x = v;
    return rounded(r, [&] { return (double)x; });
}
double toDouble(uint64_t v, Round r) {
    volatile uint64_t x = v;
    return rounded(r, [&] { return (double)x; });
}
float narrow(double v, Round r) {
    volatile double x = v;
    return rounded(r, [&] { return (float)x; });
}

float roundIntegral(float v, IntRound r) {
    switch (r) {
        case IntRound::NEAREST: return std::nearbyint(v);  // ties to even (the mode is always nearest here)
        case IntRound::ZERO: return std::trunc(v);
        case IntRound::DOWN: return std::floor(v);
        case IntRound::UP: return std::ceil(v);
        default: return v;
    }
}
double roundIntegral(double v, IntRound r) {
    switch (r) {
        case IntRound::NEAREST: return std::nearbyint(v);
        case IntRound::ZERO: return std::trunc(v);
        case IntRound::DOWN: return std::floor(v);
        case IntRound::UP: return std::ceil(v);
        default: return v;
    }
}

int64_t toSigned(double v, IntRound r, int bits) {
    if (v != v) return 0;
    double x = roundIntegral(v, r == IntRound::NONE ? IntRound::ZERO : r);
    double lo = -std::ldexp(1.0, bits - 1);
    double hi = std::ldexp(1.0, bits - 1);  // exclusive
    if (x < lo) return bits == 64 ? std::numeric_limits<int64_t>::min() : -(int64_t(1) << (bits - 1));
    if (x >= hi) return bits == 64 ? std::numeric_limits<int64_t>::max() : (int64_t(1) << (bits - 1)) - 1;
    return (int64_t)x;
}

uint64_t toUnsigned(double v, IntRound r, int bits) {
    if (v != v) return 0;
    double x = roundIntegral(v, r == IntRound::NONE ? IntRound::ZERO : r);
    if (x <= 0) return 0;
    double hi = std::ldexp(1.0, bits);
    if (x >= hi) return bits == 64 ? std::numeric_limits<uint64_t>::max() : (uint64_t(1) << bits) - 1;
    return (uint64_t)x;
}

template <class F>
static F minOf(F a, F b, bool propagate) {
    bool na = a != a, nb = b != b;
    if (na || nb) {
        if (propagate || (na && nb)) return canon(std::numeric_limits<F>::quiet_NaN());
        return na ? b : a;
    }
    if (a == b) return std::signbit(a) ? a : b;  // min(-0, +0) = -0
    return a < b ? a : b;
}

template <class F>
static F maxOf(F a, F b, bool propagate) {
    bool na = a != a, nb = b != b;
    if (na || nb) {
        if (propagate || (na && nb)) return canon(std::numeric_limits<F>::quiet_NaN());
        return na ? b : a;
    }
    if (a == b) return std::signbit(a) ? b : a;  // max(-0, +0) = +0
    return a > b ? a : b;
}

float fmin(float a, float b, bool p) { return minOf(a, b, p); }
float fmax(float a, float b, bool p) { return maxOf(a, b, p); }
double fmin(double a, double b, bool p) { return minOf(a, b, p); }
double fmax(double a, double b, bool p) { return maxOf(a, b, p); }

// The approximations. The ISA bounds each .approx function's error instead of defining its value:
// ex2.approx.f32 within 2 ulp of the correctly rounded 2^a, rcp.approx.f32 within 1 ulp of 1/a (the
// two the modules use; CUDA's expf is built on ex2.approx.ftz). The interpreter returns the host's
// glibc exp2f (within 0.502 ulp since glibc 2.28) and the IEEE quotient 1/a, so its results
// lie inside those bounds and are deterministic; a GPU's may differ from them by up to the bound.
// lg2/sqrt/rsqrt/sin/cos/tanh.approx, which no module uses, are likewise the host's libm (within 1
// ulp of the exact value). Special values follow the ISA's tables: ex2(-inf) = +0, lg2(+0) = -inf,
// lg2 of a negative = NaN, rcp(+-0) = +-inf, rsqrt(+-0) = +-inf.
float ex2Approx(float a) { return canon(std::exp2(a)); }
float lg2Approx(float a) { return canon(std::log2(a)); }
float rcpApprox(float a) { return canon(1.0f / a); }
float sqrtApprox(float a) { return canon(std::sqrt(a)); }
float rsqrtApprox(float a) {
    if (a == 0) return std::copysign(std::numeric_limits<float>::infinity(), a);
    return canon((float)(1.0 / std::sqrt((double)a)));
}
float sinApprox(float a) { return canon(std::sin(a)); }
float cosApprox(float a) { return canon(std::cos(a)); }
float tanhApprox(float a) { return canon(std::tanh(a)); }
double rcpApprox64(double a) { return 1.0 / a; }
double rsqrtApprox64(double a) {
    if (a == 0) return std::copysign(std::numeric_limits<double>::infinity(), a);
    return 1.0 / std::sqrt(a);
}

}  // namespace softgpu::ptx
