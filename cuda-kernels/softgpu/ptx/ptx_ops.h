// The instruction handlers: what each PTX instruction does to a thread, as templates over its
// operand types, instantiated by the decoder (ptx_decode.cpp) for the forms a module uses. The
// semantics are the PTX ISA's (7.0): integer arithmetic wraps, shifts clamp their amount to the
// operand width, float-to-integer conversions saturate (NaN gives 0), float results that are NaN
// are the canonical NaN, .ftz flushes subnormal operands and results, .sat clamps to [0, 1].
// Operand slots: op[0] is the destination, op[1..3] the sources, unless a handler says otherwise.
#ifndef FOVEA_SOFTGPU_PTX_OPS_H
#define FOVEA_SOFTGPU_PTX_OPS_H

#include "ptx_exec.h"
#include "ptx_math.h"

#include <atomic>
#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace softgpu::ptx::ops {

template <class T>
using U = std::make_unsigned_t<T>;

// ---- control ----------------------------------------------------------------------------------

inline void branch(Thread& t, const Instr& in) {
    t.pc = in.target;
}
inline void exit(Thread& t, const Instr&) {
    t.status = EXITED;
}
inline void barrier(Thread& t, const Instr&) {
    t.status = AT_BARRIER;
}
inline void trap(Thread& t, const Instr& in) {
    fault(t, in, 719, "trap");
}
inline void fence(Thread&, const Instr&) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
}

// ---- moves ------------------------------------------------------------------------------------

// mov, and cvta to/from the global window (a generic global address is the device address).
inline void move(Thread& t, const Instr& in) {
    t.R[in.op[0]] = t.R[in.op[1]];
}
inline void select(Thread& t, const Instr& in) {
    t.R[in.op[0]] = t.R[in.op[3]] != 0 ? t.R[in.op[1]] : t.R[in.op[2]];
}

// cvta.shared / cvta.local: window address -> generic (the host address of the buffer); cvta.to.*:
// the reverse. width 4 or 8: the size of the address operands.
template <bool SHARED, bool TO_WINDOW>
inline void cvtaWindow(Thread& t, const Instr& in) {
    uint64_t base = reinterpret_cast<uint64_t>(SHARED ? t.shared : t.local);
    uint64_t a = t.R[in.op[1]];
    if (in.width == 4) a = uint32_t(a);
    uint64_t v = TO_WINDOW ? a - base : a + base;
    t.R[in.op[0]] = in.width == 4 ? uint32_t(v) : v;
}

// ---- integer arithmetic -----------------------------------------------------------------------

// 64-bit arithmetic then truncation: exact modulo 2^N for N <= 64, no signed overflow.
template <class T>
inline T wrap(uint64_t v) {
    return T(U<T>(v));
}

template <class T> struct Add { static T f(T a, T b) { return wrap<T>(uint64_t(a) + uint64_t(b)); } };
template <class T> struct Sub { static T f(T a, T b) { return wrap<T>(uint64_t(a) - uint64_t(b)); } };
template <class T> struct MulLo { static T f(T a, T b) { return wrap<T>(uint64_t(a) * uint64_t(b)); } };
template <class T> struct MulHi {
    static T f(T a, T b) {
        if constexpr (sizeof(T) == 8) {
            using W = std::conditional_t<std::is_signed_v<T>, __int128, unsigned __int128>;
            return T((W(a) * W(b)) >> 64);
        } else {
            using W = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
            return T((W(a) * W(b)) >> (8 * sizeof(T)));
        }
    }
};
// Division by zero has no defined result in PTX ("unspecified, machine-specific"); the interpreter
// gives all ones (what NVIDIA GPUs return for unsigned division) and for the remainder the
// dividend. The most negative value divided by -1 wraps to itself (remainder 0).
template <class T> struct Div {
    static T f(T a, T b) {
        if (b == 0) return T(~U<T>(0));
        if constexpr (std::is_signed_v<T>) {
            if (b == T(-1)) return wrap<T>(uint64_t(0) - uint64_t(a));
        }
        return T(a / b);
    }
};
template <class T> struct Rem {
    static T f(T a, T b) {
        if (b == 0) return a;
        if constexpr (std::is_signed_v<T>) {
            if (b == T(-1)) return T(0);
        }
        return T(a % b);
    }
};
template <class T> struct Min { static T f(T a, T b) { return a < b ? a : b; } };
template <class T> struct Max { static T f(T a, T b) { return a > b ? a : b; } };
template <class T> struct And { static T f(T a, T b) { return T(a & b); } };
template <class T> struct Or { static T f(T a, T b) { return T(a | b); } };
template <class T> struct Xor { static T f(T a, T b) { return T(a ^ b); } };

template <class T, class Op>
inline void binary(Thread& t, const Instr& in) {
    put<T>(t, in.op[0], Op::f(get<T>(t, in.op[1]), get<T>(t, in.op[2])));
}

template <class T> struct Neg { static T f(T a) { return wrap<T>(uint64_t(0) - uint64_t(a)); } };
template <class T> struct Abs { static T f(T a) { return a < 0 ? Neg<T>::f(a) : a; } };
template <class T> struct Not { static T f(T a) { return T(~a); } };
template <class T> struct CNot { static T f(T a) { return T(a == 0 ? 1 : 0); } };

template <class T, class Op>
inline void unary(Thread& t, const Instr& in) {
    put<T>(t, in.op[0], Op::f(get<T>(t, in.op[1])));
}

// Predicates: slots hold 0 or 1.
inline void predAnd(Thread& t, const Instr& in) { t.R[in.op[0]] = (t.R[in.op[1]] & t.R[in.op[2]]) & 1; }
inline void predOr(Thread& t, const Instr& in) { t.R[in.op[0]] = (t.R[in.op[1]] | t.R[in.op[2]]) & 1; }
inline void predXor(Thread& t, const Instr& in) { t.R[in.op[0]] = (t.R[in.op[1]] ^ t.R[in.op[2]]) & 1; }
inline void predNot(Thread& t, const Instr& in) { t.R[in.op[0]] = (t.R[in.op[1]] ^ 1) & 1; }
inline void predCopy(Thread& t, const Instr& in) { t.R[in.op[0]] = t.R[in.op[1]] != 0; }

// mul.wide / mad.wide: the full product in a register twice as wide.
template <class T>
using Wide = std::conditional_t<std::is_signed_v<T>, std::conditional_t<sizeof(T) == 2, int32_t, int64_t>,
                                std::conditional_t<sizeof(T) == 2, uint32_t, uint64_t>>;

template <class T>
inline void mulWide(Thread& t, const Instr& in) {
    put<Wide<T>>(t, in.op[0], Wide<T>(get<T>(t, in.op[1])) * Wide<T>(get<T>(t, in.op[2])));
}
template <class T>
inline void madWide(Thread& t, const Instr& in) {
    using W = Wide<T>;
    W p = W(get<T>(t, in.op[1])) * W(get<T>(t, in.op[2]));
    put<W>(t, in.op[0], wrap<W>(uint64_t(p) + uint64_t(get<W>(t, in.op[3]))));
}
template <class T>
inline void madLo(Thread& t, const Instr& in) {
    T p = MulLo<T>::f(get<T>(t, in.op[1]), get<T>(t, in.op[2]));
    put<T>(t, in.op[0], Add<T>::f(p, get<T>(t, in.op[3])));
}
template <class T>
inline void madHi(Thread& t, const Instr& in) {
    T p = MulHi<T>::f(get<T>(t, in.op[1]), get<T>(t, in.op[2]));
    put<T>(t, in.op[0], Add<T>::f(p, get<T>(t, in.op[3])));
}

// Shifts: the amount is a .u32 operand; amounts at or above the width clamp to the width.
template <class T>
inline void shl(Thread& t, const Instr& in) {
    uint32_t n = get<uint32_t>(t, in.op[2]);
    T a = get<T>(t, in.op[1]);
    put<T>(t, in.op[0], n >= 8 * sizeof(T) ? T(0) : T(U<T>(a) << n));
}
template <class T>
inline void shr(Thread& t, const Instr& in) {
    uint32_t n = get<uint32_t>(t, in.op[2]);
    T a = get<T>(t, in.op[1]);
    if constexpr (std::is_signed_v<T>) {
        put<T>(t, in.op[0], n >= 8 * sizeof(T) ? T(a < 0 ? -1 : 0) : T(a >> n));
    } else {
        put<T>(t, in.op[0], n >= 8 * sizeof(T) ? T(0) : T(a >> n));
    }
}

template <class T>
inline void popc(Thread& t, const Instr& in) {
    put<uint32_t>(t, in.op[0], uint32_t(std::popcount(U<T>(get<T>(t, in.op[1])))));
}
template <class T>
inline void clz(Thread& t, const Instr& in) {
    put<uint32_t>(t, in.op[0], uint32_t(std::countl_zero(U<T>(get<T>(t, in.op[1])))));
}
template <class T>
inline void brev(Thread& t, const Instr& in) {
    T a = get<T>(t, in.op[1]);
    T r = 0;
    for (unsigned i = 0; i < 8 * sizeof(T); i++) r = T(r | (((a >> i) & 1) << (8 * sizeof(T) - 1 - i)));
    put<T>(t, in.op[0], r);
}

// ---- floating point ---------------------------------------------------------------------------

template <class F, bool FTZ>
inline F in(F v) {
    if constexpr (FTZ) return flush(v);
    return v;
}
template <class F, bool FTZ, bool SAT>
inline F out(F v) {
    v = canon(v);
    if constexpr (FTZ) v = flush(v);
    if constexpr (SAT) v = saturate(v);
    return v;
}

template <class F> struct FAdd {
    static F f(F a, F b, Round r) { return r == Round::NEAREST ? a + b : add(a, b, r); }
};
template <class F> struct FSub {
    static F f(F a, F b, Round r) { return r == Round::NEAREST ? a - b : sub(a, b, r); }
};
template <class F> struct FMul {
    static F f(F a, F b, Round r) { return r == Round::NEAREST ? a * b : mul(a, b, r); }
};
template <class F> struct FDiv {
    static F f(F a, F b, Round r) { return r == Round::NEAREST ? a / b : div(a, b, r); }
};

template <class F, class Op, bool FTZ, bool SAT>
inline void fbinary(Thread& t, const Instr& i) {
    F a = in<F, FTZ>(get<F>(t, i.op[1]));
    F b = in<F, FTZ>(get<F>(t, i.op[2]));
    put<F>(t, i.op[0], out<F, FTZ, SAT>(Op::f(a, b, Round(i.mode))));
}

// fma.rnd and mad.rnd (mad.f32 with a rounding modifier is fused): one rounding.
template <class F, bool FTZ, bool SAT>
inline void ffma(Thread& t, const Instr& i) {
    F a = in<F, FTZ>(get<F>(t, i.op[1]));
    F b = in<F, FTZ>(get<F>(t, i.op[2]));
    F c = in<F, FTZ>(get<F>(t, i.op[3]));
    Round r = Round(i.mode);
    put<F>(t, i.op[0], out<F, FTZ, SAT>(r == Round::NEAREST ? std::fma(a, b, c) : fma(a, b, c, r)));
}

// min/max.f32: NaN rules in ptx_math.h; mode 1 is .NaN.
template <class F, bool FTZ, bool MAX>
inline void fminmax(Thread& t, const Instr& i) {
    F a = in<F, FTZ>(get<F>(t, i.op[1]));
    F b = in<F, FTZ>(get<F>(t, i.op[2]));
    F r = MAX ? fmax(a, b, i.mode != 0) : fmin(a, b, i.mode != 0);
    if constexpr (FTZ) r = flush(r);
    put<F>(t, i.op[0], r);
}

// neg/abs flip or clear the sign bit (also of a NaN: no arithmetic happens).
template <class F, bool FTZ>
inline void fneg(Thread& t, const Instr& i) {
    put<F>(t, i.op[0], -in<F, FTZ>(get<F>(t, i.op[1])));
}
template <class F, bool FTZ>
inline void fabs_(Thread& t, const Instr& i) {
    put<F>(t, i.op[0], std::fabs(in<F, FTZ>(get<F>(t, i.op[1]))));
}
// copysign d, a, b: the sign of a with the magnitude of b.
template <class F>
inline void fcopysign(Thread& t, const Instr& i) {
    put<F>(t, i.op[0], std::copysign(get<F>(t, i.op[2]), get<F>(t, i.op[1])));
}

template <class F, bool FTZ>
inline void fsqrt(Thread& t, const Instr& i) {
    F a = in<F, FTZ>(get<F>(t, i.op[1]));
    Round r = Round(i.mode);
    put<F>(t, i.op[0], out<F, FTZ, false>(r == Round::NEAREST ? std::sqrt(a) : sqrt(a, r)));
}
// rcp.rnd: 1/a rounded as asked (IEEE).
template <class F, bool FTZ>
inline void frcp(Thread& t, const Instr& i) {
    F a = in<F, FTZ>(get<F>(t, i.op[1]));
    Round r = Round(i.mode);
    put<F>(t, i.op[0], out<F, FTZ, false>(r == Round::NEAREST ? F(1) / a : div(F(1), a, r)));
}

// The .approx functions (ptx_math.cpp).
template <float (*FN)(float), bool FTZ>
inline void approx(Thread& t, const Instr& i) {
    float a = in<float, FTZ>(get<float>(t, i.op[1]));
    put<float>(t, i.op[0], out<float, FTZ, false>(FN(a)));
}
template <double (*FN)(double)>
inline void approx64(Thread& t, const Instr& i) {
    put<double>(t, i.op[0], flush(FN(flush(get<double>(t, i.op[1])))));
}
// div.approx.f32 and div.full.f32: a * (1/b) and a correctly rounded quotient; both within the
// documented 2 ulp of the exact quotient (div.full), and exactly what div.approx computes.
template <bool FTZ>
inline void divApprox(Thread& t, const Instr& i) {
    float a = in<float, FTZ>(get<float>(t, i.op[1]));
    float b = in<float, FTZ>(get<float>(t, i.op[2]));
    put<float>(t, i.op[0], out<float, FTZ, false>(a * (1.0f / b)));
}
template <bool FTZ>
inline void divFull(Thread& t, const Instr& i) {
    float a = in<float, FTZ>(get<float>(t, i.op[1]));
    float b = in<float, FTZ>(get<float>(t, i.op[2]));
    put<float>(t, i.op[0], out<float, FTZ, false>(a / b));
}

// ---- comparisons ------------------------------------------------------------------------------

enum Cmp : uint8_t { EQ, NE, LT, LE, GT, GE, LO, LS, HI, HS, EQU, NEU, LTU, LEU, GTU, GEU, NUM, NAN_ };

template <class T, int C>
inline bool compare(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
        bool unordered = a != a || b != b;
        switch (C) {
            case EQ: return !unordered && a == b;
            case NE: return !unordered && a != b;
            case LT: return !unordered && a < b;
            case LE: return !unordered && a <= b;
            case GT: return !unordered && a > b;
            case GE: return !unordered && a >= b;
            case EQU: return unordered || a == b;
            case NEU: return unordered || a != b;
            case LTU: return unordered || a < b;
            case LEU: return unordered || a <= b;
            case GTU: return unordered || a > b;
            case GEU: return unordered || a >= b;
            case NUM: return !unordered;
            case NAN_: return unordered;
            default: return false;
        }
    } else {
        switch (C) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: case LO: return a < b;
            case LE: case LS: return a <= b;
            case GT: case HI: return a > b;
            case GE: case HS: return a >= b;
            default: return false;
        }
    }
}

// setp.CMP.T p[|q], a, b: op[0] = p, op[3] = q or NO_SLOT (q = !p). FTZ flushes the operands.
template <class T, int C, bool FTZ>
inline void setp(Thread& t, const Instr& i) {
    T a = get<T>(t, i.op[1]);
    T b = get<T>(t, i.op[2]);
    if constexpr (std::is_floating_point_v<T> && FTZ) {
        a = flush(a);
        b = flush(b);
    }
    bool r = compare<T, C>(a, b);
    t.R[i.op[0]] = r;
    if (i.vec[0] != NO_SLOT) t.R[i.vec[0]] = !r;
}

// setp.CMP.BOOL.T p[|q], a, b, [!]c: p = r BOOL c, q = !r BOOL c; mode holds BOOL (0 and, 1 or,
// 2 xor); vec[0] is q.
template <class T, int C, bool FTZ>
inline void setpBool(Thread& t, const Instr& i) {
    T a = get<T>(t, i.op[1]);
    T b = get<T>(t, i.op[2]);
    if constexpr (std::is_floating_point_v<T> && FTZ) {
        a = flush(a);
        b = flush(b);
    }
    bool r = compare<T, C>(a, b);
    bool c = (t.R[i.op[3]] != 0) != ((i.flags & FLAG_NEGATE_C) != 0);
    auto combine = [&](bool x) { return i.mode == 0 ? (x && c) : i.mode == 1 ? (x || c) : (x != c); };
    t.R[i.op[0]] = combine(r);
    if (i.vec[0] != NO_SLOT) t.R[i.vec[0]] = combine(!r);
}

// ---- conversions ------------------------------------------------------------------------------

// Integer to integer: the source is sign- or zero-extended by its type, then (with .sat) clamped
// to the destination's range, then truncated.
template <class D, class A, bool SAT>
inline void cvtInt(Thread& t, const Instr& i) {
    A a = get<A>(t, i.op[1]);
    if constexpr (SAT) {
        using L = std::numeric_limits<D>;
        if constexpr (std::is_signed_v<A>) {
            int64_t v = a;
            int64_t lo = int64_t(L::min());
            if (v < lo) { put<D>(t, i.op[0], L::min()); return; }
            if (v >= 0 && uint64_t(v) > uint64_t(L::max())) { put<D>(t, i.op[0], L::max()); return; }
        } else {
            uint64_t v = a;
            if (v > uint64_t(L::max())) { put<D>(t, i.op[0], L::max()); return; }
        }
    }
    put<D>(t, i.op[0], D(a));
}

// Integer to float, rounded by mode.
template <class F, class A>
inline void cvtIntToFloat(Thread& t, const Instr& i) {
    A a = get<A>(t, i.op[1]);
    F r;
    if constexpr (std::is_same_v<F, float>) {
        r = std::is_signed_v<A> ? toFloat(int64_t(a), Round(i.mode)) : toFloat(uint64_t(a), Round(i.mode));
    } else {
        r = std::is_signed_v<A> ? toDouble(int64_t(a), Round(i.mode)) : toDouble(uint64_t(a), Round(i.mode));
    }
    if (i.flags & FLAG_SAT) r = saturate(r);
    put<F>(t, i.op[0], r);
}

// Float to integer: rounded by mode (an IntRound), saturated, NaN to 0.
template <class D, class F>
inline void cvtFloatToInt(Thread& t, const Instr& i) {
    F a = get<F>(t, i.op[1]);
    if (i.flags & FLAG_FTZ) a = flush(a);
    if constexpr (std::is_signed_v<D>) {
        put<D>(t, i.op[0], D(toSigned(double(a), IntRound(i.mode), 8 * sizeof(D))));
    } else {
        put<D>(t, i.op[0], D(toUnsigned(double(a), IntRound(i.mode), 8 * sizeof(D))));
    }
}

// Float to float: widening is exact; narrowing rounds by mode (a Round); same size with an
// integer rounding (mode as IntRound + 16) rounds to an integral value; .ftz, .sat as usual.
template <class D, class A>
inline void cvtFloat(Thread& t, const Instr& i) {
    A a = get<A>(t, i.op[1]);
    bool ftz = (i.flags & FLAG_FTZ) != 0;
    if (ftz) a = flush(a);
    D r;
    if constexpr (std::is_same_v<D, float> && std::is_same_v<A, double>) {
        r = narrow(a, Round(i.mode));
    } else {
        r = D(a);
        if (i.mode >= 16) r = roundIntegral(r, IntRound(i.mode - 16));
    }
    r = canon(r);
    if (ftz) r = flush(r);
    if (i.flags & FLAG_SAT) r = saturate(r);
    put<D>(t, i.op[0], r);
}

// ---- memory -----------------------------------------------------------------------------------

enum class Space : uint8_t { GENERIC, GLOBAL, SHARED, LOCAL, PARAM };

template <Space S>
inline uint8_t* address(Thread& t, const Instr& i, uint64_t a, size_t bytes, size_t align, bool write) {
    switch (S) {
        case Space::GLOBAL: return globalAccess(t, i, a, bytes, align, write);
        case Space::SHARED: return windowAccess(t, i, "shared", t.shared, t.sharedBytes, a, bytes, align, write);
        case Space::LOCAL: return windowAccess(t, i, "local", t.local, t.localBytes, a, bytes, align, write);
        case Space::PARAM:
            return windowAccess(t, i, "param", const_cast<uint8_t*>(t.params), t.paramBytes, a, bytes, align, write);
        default: return genericAccess(t, i, a, bytes, align, write);
    }
}

// The 64-bit slot value of a loaded T: sign-extended for signed types, else zero-extended (PTX:
// a destination register wider than the type is extended that way).
template <class T>
inline uint64_t extend(T v) {
    if constexpr (std::is_floating_point_v<T>) {
        uint64_t x = 0;
        std::memcpy(&x, &v, sizeof(T));
        return x;
    } else if constexpr (std::is_signed_v<T>) {
        return uint64_t(int64_t(v));
    } else {
        return uint64_t(v);
    }
}

// ld.S.T d, [a + offset]: op[0] = d, op[1] = address base slot.
template <Space S, class T>
inline void load(Thread& t, const Instr& i) {
    uint64_t a = t.R[i.op[1]] + uint64_t(i.offset);
    const uint8_t* p = address<S>(t, i, a, sizeof(T), sizeof(T), false);
    if (p == nullptr) return;
    T v;
    std::memcpy(&v, p, sizeof(T));
    t.R[i.op[0]] = extend(v);
}

// st.S.T [a + offset], b: op[1] = address base slot, op[2] = value (a wider register is truncated).
template <Space S, class T>
inline void store(Thread& t, const Instr& i) {
    uint64_t a = t.R[i.op[1]] + uint64_t(i.offset);
    uint8_t* p = address<S>(t, i, a, sizeof(T), sizeof(T), true);
    if (p == nullptr) return;
    T v = get<T>(t, i.op[2]);
    std::memcpy(p, &v, sizeof(T));
}

// ld/st .v2/.v4: vec[0..count) are the element slots (NO_SLOT for a sink), aligned to the whole.
template <Space S, class T>
inline void loadVector(Thread& t, const Instr& i) {
    uint64_t a = t.R[i.op[1]] + uint64_t(i.offset);
    const uint8_t* p = address<S>(t, i, a, sizeof(T) * i.count, sizeof(T) * i.count, false);
    if (p == nullptr) return;
    for (unsigned k = 0; k < i.count; k++) {
        T v;
        std::memcpy(&v, p + k * sizeof(T), sizeof(T));
        if (i.vec[k] != NO_SLOT) t.R[i.vec[k]] = extend(v);
    }
}
template <Space S, class T>
inline void storeVector(Thread& t, const Instr& i) {
    uint64_t a = t.R[i.op[1]] + uint64_t(i.offset);
    uint8_t* p = address<S>(t, i, a, sizeof(T) * i.count, sizeof(T) * i.count, true);
    if (p == nullptr) return;
    for (unsigned k = 0; k < i.count; k++) {
        T v = get<T>(t, i.vec[k]);
        std::memcpy(p + k * sizeof(T), &v, sizeof(T));
    }
}

// ---- atomics ----------------------------------------------------------------------------------

enum AtomOp : uint8_t { A_ADD, A_MIN, A_MAX, A_EXCH, A_CAS, A_AND, A_OR, A_XOR, A_INC, A_DEC };

// atom.S.OP.T d, [a + offset], b[, c]: op[0] = d (NO_SLOT for red), op[1] = base, op[2] = b,
// op[3] = c (cas); mode = AtomOp. Blocks run on several host threads at once, so global
// atomics are real host atomics.
template <Space S, class T>
inline void atomic(Thread& t, const Instr& i) {
    uint64_t a = t.R[i.op[1]] + uint64_t(i.offset);
    uint8_t* p = address<S>(t, i, a, sizeof(T), sizeof(T), true);
    if (p == nullptr) return;
    std::atomic_ref<T> ref(*reinterpret_cast<T*>(p));
    T b = get<T>(t, i.op[2]);
    T old{};
    switch (AtomOp(i.mode)) {
        case A_ADD:
            if constexpr (!std::is_floating_point_v<T>) {
                old = ref.fetch_add(b);
                break;
            } else {
                // atom.add.f32 rounds to nearest and flushes subnormal inputs and results.
                old = ref.load();
                T next;
                do {
                    next = canon(flush(T(flush(old) + flush(b))));
                } while (!ref.compare_exchange_weak(old, next));
                break;
            }
        case A_EXCH: old = ref.exchange(b); break;
        case A_CAS: {
            old = get<T>(t, i.op[2]);
            T desired = get<T>(t, i.op[3]);
            ref.compare_exchange_strong(old, desired);
            break;
        }
        default: {
            old = ref.load();
            T next;
            do {
                if constexpr (std::is_floating_point_v<T>) {
                    next = old;
                } else {
                    switch (AtomOp(i.mode)) {
                        case A_MIN: next = old < b ? old : b; break;
                        case A_MAX: next = old > b ? old : b; break;
                        case A_AND: next = T(old & b); break;
                        case A_OR: next = T(old | b); break;
                        case A_XOR: next = T(old ^ b); break;
                        case A_INC: next = old >= b ? T(0) : T(old + 1); break;
                        case A_DEC: next = (old == 0 || old > b) ? b : T(old - 1); break;
                        default: next = old; break;
                    }
                }
            } while (!ref.compare_exchange_weak(old, next));
            break;
        }
    }
    if (i.op[0] != NO_SLOT) t.R[i.op[0]] = extend(old);
}

}  // namespace softgpu::ptx::ops

#endif
