// The PTX interpreter (FOVEA_SOFTGPU_KERNELS=ptx) on hand-written modules: what Fovea's kernels do
// not exercise but the interpreter implements (shared and local memory, bar.sync, atomics), the
// exact floating-point rules (directed rounding, canonical NaN, min/max and setp with NaN,
// saturating conversions, .ftz), load-time errors that name the module, kernel, line and
// instruction, and faults found while a kernel runs (out of bounds, misaligned).
// Every form the committed modules use is also checked against an independent model, and the
// modules themselves against the reference backend, by the Java tests (dev.fovea.softgpu.ptx).
#include "driver_api.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" CUresult cuModuleLoadDataEx(CUmodule*, const void*, unsigned int, int*, void**);

namespace {

const char* HEADER = ".version 7.0\n.target sm_75\n.address_size 64\n";

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
float fromBits(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// Loads a module; returns the status and the JIT error log.
CUresult load(const std::string& body, CUmodule* m, std::string* log) {
    std::string text = std::string(HEADER) + body;
    static char buffer[4096];
    buffer[0] = '\0';
    int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void* values[] = {buffer, (void*)(uintptr_t)sizeof buffer};
    CUresult rc = cuModuleLoadDataEx(m, text.c_str(), 2, options, values);
    *log = buffer;
    return rc;
}

// Expects the module to be rejected with a log that contains every one of `parts`.
void expectRejected(const char* what, const std::string& body, std::vector<std::string> parts) {
    CUmodule m = nullptr;
    std::string log;
    CUresult rc = load(body, &m, &log);
    if (rc != CUDA_ERROR_INVALID_PTX) {
        std::fprintf(stderr, "%s: load returned %d, expected CUDA_ERROR_INVALID_PTX\n", what, rc);
        failures++;
        if (rc == CUDA_SUCCESS) cuModuleUnload(m);
        return;
    }
    for (const std::string& p : parts) {
        if (log.find(p) == std::string::npos) {
            std::fprintf(stderr, "%s: the log lacks \"%s\": %s\n", what, p.c_str(), log.c_str());
            failures++;
        }
    }
}

// A kernel "k" that reads `in` (floats) and writes `out` (u32 words) with one thread per item.
struct Device {
    CUdeviceptr in = 0;
    CUdeviceptr out = 0;
    size_t words = 0;
};

Device buffers(const std::vector<uint32_t>& input, size_t outWords) {
    Device d;
    d.words = outWords;
    CHECK_RC(CUDA_SUCCESS, cuMemAlloc_v2(&d.in, std::max<size_t>(1, input.size()) * 4));
    CHECK_RC(CUDA_SUCCESS, cuMemAlloc_v2(&d.out, outWords * 4));
    if (!input.empty()) CHECK_RC(CUDA_SUCCESS, cuMemcpyHtoD_v2(d.in, input.data(), input.size() * 4));
    return d;
}

std::vector<uint32_t> result(const Device& d) {
    std::vector<uint32_t> out(d.words);
    CHECK_RC(CUDA_SUCCESS, cuMemcpyDtoH_v2(out.data(), d.out, d.words * 4));
    cuMemFree_v2(d.in);
    cuMemFree_v2(d.out);
    return out;
}

CUresult launch(CUmodule m, const char* name, unsigned grid, unsigned block, std::vector<void*> args,
                unsigned shared = 0) {
    CUfunction f = nullptr;
    CUresult rc = cuModuleGetFunction(&f, m, name);
    if (rc != CUDA_SUCCESS) return rc;
    rc = cuLaunchKernel(f, grid, 1, 1, block, 1, 1, shared, nullptr, args.data(), nullptr);
    if (rc != CUDA_SUCCESS) return rc;
    return cuCtxSynchronize();
}

// The prologue of a one-thread-per-item kernel: %rd1 = in + 4*i, %rd2 = out + 4*i, exits past n.
const char* PROLOGUE = R"(
    ld.param.u64 %rd1, [p_in];
    ld.param.u64 %rd2, [p_out];
    ld.param.u32 %r1, [p_n];
    cvta.to.global.u64 %rd1, %rd1;
    cvta.to.global.u64 %rd2, %rd2;
    mov.u32 %r2, %ctaid.x;
    mov.u32 %r3, %ntid.x;
    mov.u32 %r4, %tid.x;
    mad.lo.s32 %r5, %r2, %r3, %r4;
    setp.ge.s32 %p1, %r5, %r1;
    @%p1 bra DONE;
    mul.wide.s32 %rd3, %r5, 4;
    add.s64 %rd1, %rd1, %rd3;
    add.s64 %rd2, %rd2, %rd3;
)";

std::string kernel(const std::string& name, const std::string& body) {
    return ".visible .entry " + name + "(.param .u64 p_in, .param .u64 p_out, .param .u32 p_n)\n{\n" +
           "    .reg .pred %p<8>;\n    .reg .b32 %r<16>;\n    .reg .f32 %f<16>;\n    .reg .b64 %rd<16>;\n" + PROLOGUE +
           body + "DONE:\n    ret;\n}\n";
}

// Runs kernel `name` of `module` on `input` (one item per input word) and returns `outPerItem`
// words per item (the kernel writes at out + 4*i, and + 4*n*j for its further results).
std::vector<uint32_t> run(CUmodule m, const char* name, const std::vector<uint32_t>& input, size_t outPerItem = 1) {
    Device d = buffers(input, input.size() * outPerItem);
    int n = int(input.size());
    CHECK_RC(CUDA_SUCCESS, launch(m, name, unsigned(n + 2) / 3, 3, {&d.in, &d.out, &n}));
    return result(d);
}

void directedRounding() {
    // fma.rn/rz/rm/rp of +-(1 + 2^-23)^2 = +-(1 + 2^-22 + 2^-46); fma is fused:
    // (1 + 2^-23)^2 - (1 + 2^-22) is exactly 2^-46. add.rz of 1 + (2^-24 + 2^-47) is 1, add.rn
    // rounds up.
    std::string body = R"(
    ld.global.f32 %f1, [%rd1];
    fma.rn.f32 %f2, %f1, 0f3F800001, 0f00000000;
    fma.rz.f32 %f3, %f1, 0f3F800001, 0f00000000;
    fma.rm.f32 %f4, %f1, 0f3F800001, 0f00000000;
    fma.rp.f32 %f5, %f1, 0f3F800001, 0f00000000;
    st.global.f32 [%rd2], %f2;
    mul.wide.s32 %rd4, %r1, 4;
    add.s64 %rd5, %rd2, %rd4;
    st.global.f32 [%rd5], %f3;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f4;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f5;
    fma.rn.f32 %f6, %f1, 0f3F800001, 0fBF800002;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f6;
    add.rz.f32 %f7, 0f3F800000, 0f33800001;
    add.rn.f32 %f8, 0f3F800000, 0f33800001;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f7;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f8;
)";
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(kernel("k", body), &m, &log));
    const float one = fromBits(0x3F800001u);  // 1 + 2^-23
    std::vector<uint32_t> out = run(m, "k", {bits(one), bits(-one)}, 7);
    // item 0: positive, item 1: negative; results are out[2*j + item].
    CHECK(out[0] == 0x3F800002u && out[2] == 0x3F800002u && out[4] == 0x3F800002u && out[6] == 0x3F800003u);
    CHECK(out[1] == 0xBF800002u && out[3] == 0xBF800002u && out[5] == 0xBF800003u && out[7] == 0xBF800002u);
    CHECK(fromBits(out[8]) == std::ldexp(1.0f, -46));  // (1 + 2^-23)^2 - (1 + 2^-22), unrounded
    CHECK(out[10] == 0x3F800000u && out[12] == 0x3F800001u);
    cuModuleUnload(m);
}

void nanAndSaturation() {
    // NaN results of arithmetic are the canonical 0x7FFFFFFF; min/max ignore one NaN; the ordered
    // comparisons are false and the unordered ones true with a NaN; cvt.sat clamps to [0, 1] and
    // takes NaN to 0; float-to-int saturates and takes NaN to 0.
    std::string body = R"(
    ld.global.f32 %f1, [%rd1];
    mul.wide.s32 %rd4, %r1, 4;
    mov.u64 %rd5, %rd2;
    add.f32 %f2, %f1, 0f3F800000;
    st.global.f32 [%rd5], %f2;
    max.f32 %f3, %f1, 0f3F800000;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f3;
    min.f32 %f4, %f1, 0fBF800000;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f4;
    setp.lt.f32 %p2, %f1, 0f3F800000;
    selp.u32 %r6, 1, 0, %p2;
    setp.ltu.f32 %p3, %f1, 0f3F800000;
    selp.u32 %r7, 2, 0, %p3;
    or.b32 %r6, %r6, %r7;
    setp.nan.f32 %p4, %f1, %f1;
    selp.u32 %r7, 4, 0, %p4;
    or.b32 %r6, %r6, %r7;
    setp.neu.f32 %p5, %f1, %f1;
    selp.u32 %r7, 8, 0, %p5;
    or.b32 %r6, %r6, %r7;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r6;
    cvt.sat.f32.f32 %f5, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f5;
    cvt.rzi.s32.f32 %r8, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r8;
    cvt.rni.s32.f32 %r9, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r9;
    cvt.rmi.s32.f32 %r9, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r9;
    cvt.rpi.u32.f32 %r9, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r9;
)";
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(kernel("k", body), &m, &log));
    std::vector<uint32_t> in = {0x7FC0DEADu, bits(-2.5f), bits(2.5f), bits(3e9f), bits(-3e9f), bits(0.25f),
                                0xFFC0F8EEu};
    size_t n = in.size();
    std::vector<uint32_t> out = run(m, "k", in, 9);
    auto at = [&](size_t j, size_t i) { return out[j * n + i]; };
    // NaN inputs (two payloads, both signs).
    for (size_t i : {size_t(0), size_t(6)}) {
        CHECK(at(0, i) == 0x7FFFFFFFu);         // add: canonical NaN
        CHECK(at(1, i) == bits(1.0f));          // max(NaN, 1) = 1
        CHECK(at(2, i) == bits(-1.0f));         // min(NaN, -1) = -1
        CHECK(at(3, i) == (2u | 4u | 8u));      // lt false, ltu true, nan true, neu true
        CHECK(at(4, i) == bits(0.0f));          // cvt.sat: NaN -> +0
        CHECK(at(5, i) == 0u && at(6, i) == 0u && at(7, i) == 0u && at(8, i) == 0u);  // float -> int: NaN -> 0
    }
    CHECK(at(3, 1) == (1u | 2u));                 // -2.5 < 1, ordered and unordered
    CHECK(at(4, 1) == bits(0.0f) && at(4, 2) == bits(1.0f) && at(4, 5) == bits(0.25f));
    CHECK(int32_t(at(5, 1)) == -2 && int32_t(at(6, 1)) == -2 && int32_t(at(7, 1)) == -3);  // rzi, rni (even), rmi
    CHECK(int32_t(at(6, 2)) == 2 && at(8, 2) == 3u && at(8, 1) == 0u);  // rni(2.5) = 2; rpi.u32: 3, negative -> 0
    CHECK(int32_t(at(5, 3)) == INT32_MAX && int32_t(at(5, 4)) == INT32_MIN);  // saturation
    CHECK(at(8, 3) == 3000000000u);
    cuModuleUnload(m);
}

void approximationsAndFtz() {
    // ex2.approx.ftz: 2^-130 is subnormal, flushed to +0; without .ftz it is kept. rcp.approx.ftz of
    // a subnormal is +inf (the operand is flushed); rcp.rn keeps it finite.
    std::string body = R"(
    ld.global.f32 %f1, [%rd1];
    mul.wide.s32 %rd4, %r1, 4;
    mov.u64 %rd5, %rd2;
    ex2.approx.ftz.f32 %f2, %f1;
    st.global.f32 [%rd5], %f2;
    ex2.approx.f32 %f3, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f3;
    rcp.approx.ftz.f32 %f4, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f4;
    rcp.rn.f32 %f5, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f5;
    lg2.approx.f32 %f6, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f6;
    rsqrt.approx.f32 %f7, %f1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.f32 [%rd5], %f7;
)";
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(kernel("k", body), &m, &log));
    std::vector<uint32_t> in = {bits(-130.0f), bits(0.5f), 0x00000001u, bits(4.0f)};
    size_t n = in.size();
    std::vector<uint32_t> out = run(m, "k", in, 6);
    auto at = [&](size_t j, size_t i) { return fromBits(out[j * n + i]); };
    CHECK(out[0] == 0u);                                      // ex2.ftz(-130) = +0
    CHECK(at(1, 0) == std::ldexp(1.0f, -130));                // ex2(-130) subnormal
    // ex2(0.5): the ISA allows 2 ulp; the interpreter is within 1.
    CHECK(std::fabs(at(0, 1) - 1.41421356f) <= 2 * std::ldexp(1.0f, -23));
    CHECK(std::isinf(at(2, 2)) && at(2, 2) > 0);              // rcp.approx.ftz(subnormal) = +inf
    CHECK(std::isinf(at(3, 2)));                              // 1 / 2^-149 overflows anyway
    CHECK(at(2, 3) == 0.25f && at(3, 3) == 0.25f && at(4, 3) == 2.0f && at(5, 3) == 0.5f);
    cuModuleUnload(m);
}

void integerEdges() {
    // Division by zero must not stop the process (the result is unspecified on a GPU); the most
    // negative value divided by -1 wraps; shifts clamp their amount; mul.wide is exact.
    std::string body = R"(
    ld.global.u32 %r6, [%rd1];
    mul.wide.s32 %rd4, %r1, 4;
    mov.u64 %rd5, %rd2;
    div.s32 %r7, %r6, 0;
    st.global.u32 [%rd5], %r7;
    div.s32 %r8, %r6, -1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r8;
    rem.s32 %r9, %r6, -1;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r9;
    shl.b32 %r10, %r6, 40;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r10;
    cvt.s64.s32 %rd6, %r6;
    shr.s64 %rd7, %rd6, 70;
    cvt.u32.u64 %r11, %rd7;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r11;
    mul.wide.s32 %rd8, %r6, 65536;
    shr.s64 %rd9, %rd8, 32;
    cvt.u32.u64 %r12, %rd9;
    add.s64 %rd5, %rd5, %rd4;
    st.global.u32 [%rd5], %r12;
)";
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(kernel("k", body), &m, &log));
    std::vector<uint32_t> in = {0x80000000u, 7u, uint32_t(-7)};
    size_t n = in.size();
    std::vector<uint32_t> out = run(m, "k", in, 6);
    auto at = [&](size_t j, size_t i) { return int32_t(out[j * n + i]); };
    CHECK(at(1, 0) == INT32_MIN && at(2, 0) == 0);   // INT_MIN / -1, INT_MIN % -1
    CHECK(at(1, 1) == -7 && at(1, 2) == 7);
    CHECK(at(3, 0) == 0 && at(3, 1) == 0);            // shl by 40 >= 32
    CHECK(at(4, 0) == -1 && at(4, 1) == 0 && at(4, 2) == -1);  // shr.s by 70: sign fill
    CHECK(at(5, 0) == -32768 && at(5, 2) == -1);      // (INT_MIN * 65536) >> 32, (-7 * 65536) >> 32
    cuModuleUnload(m);
}

// Each block reverses its slice through shared memory: every thread writes its element, waits at
// bar.sync, then reads its mirror's. Without the barrier phases a thread would read an element not
// yet written (the NaN pattern). The generic path (cvta.shared, ld without a state space) and local
// memory round-trip too; dynamic shared memory starts after the static variables.
const char* REVERSE = R"(
.visible .entry rev(.param .u64 p_in, .param .u64 p_out)
{
    .reg .pred %p<2>;
    .reg .b32 %r<8>;
    .reg .f32 %f<4>;
    .reg .b64 %rd<16>;
    .shared .align 4 .f32 buf[64];
    .extern .shared .align 4 .b8 dyn[];
    .local .align 4 .b8 depot[8];
    ld.param.u64 %rd1, [p_in];
    ld.param.u64 %rd2, [p_out];
    cvta.to.global.u64 %rd1, %rd1;
    cvta.to.global.u64 %rd2, %rd2;
    mov.u32 %r1, %tid.x;
    mov.u32 %r2, %ntid.x;
    mov.u32 %r3, %ctaid.x;
    mad.lo.s32 %r4, %r3, %r2, %r1;
    mul.wide.u32 %rd3, %r4, 4;
    add.s64 %rd4, %rd1, %rd3;
    ld.global.f32 %f1, [%rd4];
    mov.u64 %rd5, buf;
    mul.wide.u32 %rd6, %r1, 4;
    add.s64 %rd7, %rd5, %rd6;
    st.shared.f32 [%rd7], %f1;
    mov.u64 %rd12, dyn;
    add.s64 %rd13, %rd12, %rd6;
    cvta.shared.u64 %rd14, %rd13;
    st.f32 [%rd14], %f1;
    bar.sync 0;
    sub.s32 %r5, %r2, %r1;
    sub.s32 %r5, %r5, 1;
    mul.wide.u32 %rd8, %r5, 4;
    add.s64 %rd9, %rd5, %rd8;
    cvta.shared.u64 %rd10, %rd9;
    ld.f32 %f2, [%rd10];
    add.s64 %rd13, %rd12, %rd8;
    ld.shared.f32 %f3, [%rd13];
    add.f32 %f2, %f2, %f3;
    mov.u64 %rd11, depot;
    cvta.local.u64 %rd11, %rd11;
    st.f32 [%rd11+4], %f2;
    mov.u64 %rd11, depot;
    ld.local.f32 %f2, [%rd11+4];
    add.s64 %rd4, %rd2, %rd3;
    st.global.f32 [%rd4], %f2;
    ret;
}
)";

void sharedMemoryAndBarriers() {
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(REVERSE, &m, &log));
    const int block = 32;
    const int blocks = 5;
    std::vector<uint32_t> in(block * blocks);
    for (size_t i = 0; i < in.size(); i++) in[i] = bits(float(i));
    Device d = buffers(in, in.size());
    CHECK_RC(CUDA_SUCCESS, launch(m, "rev", blocks, block, {&d.in, &d.out}, block * 4));
    std::vector<uint32_t> out = result(d);
    for (int b = 0; b < blocks; b++) {
        for (int t = 0; t < block; t++) {
            CHECK(fromBits(out[b * block + t]) == 2.0f * float(b * block + block - 1 - t));
        }
    }
    cuModuleUnload(m);
}

void sharedOutOfRange() {
    // Launched without dynamic shared memory, the accesses to dyn[] fall outside the block's.
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(REVERSE, &m, &log));
    std::vector<uint32_t> in(64, 0);
    Device e = buffers(in, in.size());
    std::fprintf(stderr, "(the next report, an access outside shared memory, is expected)\n");
    CHECK_RC(CUDA_ERROR_ILLEGAL_ADDRESS, launch(m, "rev", 2, 32, {&e.in, &e.out}, 0));
}

void atomics() {
    // 40 blocks of 96 threads add to one counter (integer and float) while running on several
    // worker threads: atomics must be real atomics. max and cas on per-block words.
    std::string text = R"(
.visible .entry count(.param .u64 p_out)
{
    .reg .b32 %r<8>;
    .reg .f32 %f<2>;
    .reg .b64 %rd<8>;
    ld.param.u64 %rd1, [p_out];
    cvta.to.global.u64 %rd1, %rd1;
    atom.global.add.u32 %r1, [%rd1], 1;
    red.global.add.u32 [%rd1+4], 2;
    atom.global.add.f32 %f1, [%rd1+8], 0f3F800000;
    mov.u32 %r2, %tid.x;
    atom.global.max.s32 %r3, [%rd1+12], %r2;
    atom.global.exch.b32 %r4, [%rd1+16], 7;
    atom.global.cas.b32 %r5, [%rd1+20], 0, %r2;
    ret;
}
)";
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(text, &m, &log));
    Device d = buffers({}, 6);
    std::vector<uint32_t> zero(6, 0);
    CHECK_RC(CUDA_SUCCESS, cuMemcpyHtoD_v2(d.out, zero.data(), 24));
    CHECK_RC(CUDA_SUCCESS, launch(m, "count", 40, 96, {&d.out}));
    std::vector<uint32_t> out = result(d);
    CHECK(out[0] == 40u * 96u && out[1] == 2u * 40u * 96u);
    CHECK(fromBits(out[2]) == 3840.0f);
    CHECK(out[3] == 95u && out[4] == 7u);
    CHECK(out[5] < 96u);  // the first thread to get there swapped 0 for its index
    cuModuleUnload(m);
}

void faults() {
    // A read one element past the end of a block: the grid stops and the context is poisoned with
    // CUDA_ERROR_ILLEGAL_ADDRESS, naming the module, kernel, PTX line and instruction.
    std::string body = R"(
    ld.global.f32 %f1, [%rd1+4];
    st.global.f32 [%rd2], %f1;
)";
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(kernel("past_end", body), &m, &log));
    Device d = buffers({1, 2, 3, 4}, 4);
    int n = 4;
    std::fprintf(stderr, "(the next report, an out-of-bounds read, is expected)\n");
    CHECK_RC(CUDA_ERROR_ILLEGAL_ADDRESS, launch(m, "past_end", 1, 4, {&d.in, &d.out, &n}));
}

void misaligned() {
    std::string body = R"(
    ld.global.f32 %f1, [%rd1+2];
    st.global.f32 [%rd2], %f1;
)";
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(kernel("odd", body), &m, &log));
    Device d = buffers({1, 2, 3, 4}, 4);
    int n = 4;
    std::fprintf(stderr, "(the next report, a misaligned read, is expected)\n");
    CHECK_RC(716, launch(m, "odd", 1, 4, {&d.in, &d.out, &n}));  // CUDA_ERROR_MISALIGNED_ADDRESS
}

void loadErrors() {
    std::string ok = kernel("k", "    ld.global.f32 %f1, [%rd1];\n    st.global.f32 [%rd2], %f1;\n");
    auto replace = [&](const std::string& from, const std::string& to) {
        std::string s = ok;
        size_t at = s.find(from);
        CHECK(at != std::string::npos);
        return s.replace(at, from.size(), to);
    };
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(ok, &m, &log));
    cuModuleUnload(m);
    // Lines count from the module's first: the 3 header lines, the kernel's declarations, the
    // prologue (line 12 loads p_out, line 21 branches to DONE); its body starts at line 25.
    expectRejected("unknown instruction", replace("ld.global.f32 %f1, [%rd1];", "frob.f32 %f1, %f2;"),
                   {"module k", "kernel k", "line 25", "`frob.f32 %f1, %f2;`", "unknown instruction frob.f32"});
    expectRejected("unsupported modifier", replace("ld.global.f32 %f1, [%rd1];", "add.rn.sat.ftz.NaN.f32 %f1, %f1, %f1;"),
                   {"kernel k", "line 25", "add.rn.sat.ftz.NaN.f32", ".NaN is only for min/max"});
    expectRejected("register size", replace("ld.global.f32 %f1, [%rd1];", "add.s64 %rd3, %r1, %rd3;"),
                   {"line 25", "%r1 is a .b32 register"});
    expectRejected("integer instruction on a float register", replace("ld.global.f32 %f1, [%rd1];", "add.s32 %r1, %r1, %f1;"),
                   {"line 25", "%f1 is a .f32 register"});
    expectRejected("undeclared register", replace("ld.global.f32 %f1, [%rd1];", "ld.global.f32 %f99, [%rd1];"),
                   {"line 25", "register %f99 is not declared"});
    expectRejected("unknown label", replace("@%p1 bra DONE;", "@%p1 bra NOWHERE;"),
                   {"line 21", "NOWHERE is not a label of k"});
    expectRejected("parameter of another kernel", replace("[p_out]", "[p_other]"),
                   {"line 12", "unknown variable or parameter p_other"});
    expectRejected("parameter outside the state space", replace("ld.param.u64 %rd2, [p_out];", "ld.global.u64 %rd2, [p_out];"),
                   {"line 12", "p_out is not in the state space of ld.global.u64"});
    expectRejected("falls off the end", replace("DONE:\n    ret;\n", "DONE:\n    add.s32 %r1, %r1, 1;\n"),
                   {"kernel k", "does not end with an unconditional ret"});
    expectRejected("device function", ".visible .func f()\n{\n    ret;\n}\n", {".func", "not supported"});
    expectRejected("mad.f32 without rounding", replace("ld.global.f32 %f1, [%rd1];", "mad.f32 %f1, %f1, %f1, %f1;"),
                   {"line 25", "needs a rounding modifier"});
}

void pointerArgumentsChecked() {
    // A .u64 parameter converted with cvta.to.global is a pointer: a freed one fails the launch
    // at once, as in source mode.
    std::string body = "    ld.global.f32 %f1, [%rd1];\n    st.global.f32 [%rd2], %f1;\n";
    CUmodule m = nullptr;
    std::string log;
    CHECK_RC(CUDA_SUCCESS, load(kernel("k", body), &m, &log));
    Device d = buffers({1, 2}, 2);
    CHECK_RC(CUDA_SUCCESS, cuMemFree_v2(d.in));
    int n = 2;
    CUfunction f = nullptr;
    CHECK_RC(CUDA_SUCCESS, cuModuleGetFunction(&f, m, "k"));
    void* args[] = {&d.in, &d.out, &n};
    std::fprintf(stderr, "(the next report, a freed pointer argument, is expected)\n");
    CHECK_RC(CUDA_ERROR_ILLEGAL_ADDRESS, cuLaunchKernel(f, 1, 1, 1, 2, 1, 1, 0, nullptr, args, nullptr));
}

}  // namespace

int main() {
    setenv("FOVEA_SOFTGPU_KERNELS", "ptx", 1);
    CHECK_RC(CUDA_SUCCESS, cuInit(0));
    CUcontext ctx = nullptr;
    CHECK_RC(CUDA_SUCCESS, cuDevicePrimaryCtxRetain(&ctx, 0));
    CHECK_RC(CUDA_SUCCESS, cuCtxSetCurrent(ctx));
    loadErrors();
    directedRounding();
    nanAndSaturation();
    approximationsAndFtz();
    integerEdges();
    sharedMemoryAndBarriers();
    atomics();
    // Faults poison the context: each on a fresh primary context.
    for (void (*f)() : {faults, misaligned, pointerArgumentsChecked, sharedOutOfRange}) {
        CHECK_RC(CUDA_SUCCESS, cuDevicePrimaryCtxRelease_v2(0));
        CHECK_RC(CUDA_SUCCESS, cuDevicePrimaryCtxRetain(&ctx, 0));
        CHECK_RC(CUDA_SUCCESS, cuCtxSetCurrent(ctx));
        f();
    }
    CHECK_RC(CUDA_SUCCESS, cuDevicePrimaryCtxRelease_v2(0));
    std::printf("ptx_interpreter: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
