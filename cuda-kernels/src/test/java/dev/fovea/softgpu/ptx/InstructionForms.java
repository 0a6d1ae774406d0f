package dev.fovea.softgpu.ptx;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Instruction forms one at a time: for a form such as "setp.ltu.f32" or "fma.rm.f32", a probe kernel
 * that applies exactly that instruction to operands read from memory, one case per thread, and a
 * model of what the PTX ISA says the result is, written here in Java independently of the
 * interpreter. The inputs are the type's edge values (zeros of both signs, +-1, extremes,
 * subnormals, infinities, NaNs with different payloads, values at rounding ties, shift amounts at
 * and past the width, 32-bit boundaries of 64-bit values) crossed with each other, plus random ones.
 *
 * <p>Rules the model encodes: integer arithmetic wraps; shifts clamp the amount to the width;
 * division by zero is unspecified by the ISA and not probed; a NaN result of f32 arithmetic is the
 * canonical 0x7FFFFFFF; neg/abs/copysign/mov/selp only move bits; min/max return the non-NaN
 * operand (canonical NaN when both are NaN) and order -0 below +0; ordered comparisons are false
 * with a NaN operand, unordered ones true; float-to-integer conversions round as asked, saturate,
 * and give 0 for NaN; cvt.sat clamps to [0, 1] with NaN to +0; directed roundings (.rz, .rm) are
 * exact roundings of the exact result (computed with BigDecimal); .ftz flushes subnormal operands
 * and results to zero of the same sign. The .approx functions are held to the ISA's documented
 * bound instead of one value: ex2.approx 2 ulp of the exact 2^a, rcp.approx 1 ulp of 1/a.
 */
final class InstructionForms {
    private InstructionForms() {
    }

    /** A PTX scalar type: kind b/u/s/f/p and width. */
    record Type(char kind, int bits) {
        static Type parse(String m) {
            if (m.equals("pred")) {
                return new Type('p', 1);
            }
            if (!m.matches("[bsuf](8|16|32|64)")) {
                return null;
            }
            return new Type(m.charAt(0), Integer.parseInt(m.substring(1)));
        }

        String ptx() {
            return kind == 'p' ? ".pred" : "." + kind + bits;
        }

        long mask() {
            return bits == 64 ? -1L : kind == 'p' ? 1L : (1L << bits) - 1;
        }
    }

    /** The result of a case: exact bits, within `ulps` of an f32 value, or (ulps -1) any f32 NaN. */
    record Expect(long bits, int ulps) {
        static Expect exact(long bits) {
            return new Expect(bits, 0);
        }
    }

    /** A parsed form: opcode, modifiers, the types of destination and operands. */
    static final class Form {
        final String text;
        final String op;
        final List<String> mods = new ArrayList<>();
        final List<Type> types = new ArrayList<>();
        Type d;
        Type[] src;

        Form(String text) {
            this.text = text;
            String[] parts = text.split("\\.");
            op = parts[0];
            for (int i = 1; i < parts.length; i++) {
                Type t = Type.parse(parts[i]);
                if (t != null) {
                    types.add(t);
                } else {
                    mods.add(parts[i]);
                }
            }
        }

        boolean has(String m) {
            return mods.contains(m);
        }
    }

    /** Why a form has no probe here (it is exercised by every kernel run), or null if it has one. */
    static String notProbed(String form) {
        if (form.startsWith("@p ") || form.startsWith("bra") || form.equals("ret")) {
            return "control flow: every kernel branches and returns";
        }
        if (form.startsWith("ld.param.")) {
            return "every kernel loads its parameters";
        }
        return null;
    }

    /** Sets the form's operand types; false when the model does not know the form. */
    static boolean shape(Form f) {
        if (f.types.isEmpty()) {
            return false;
        }
        Type t = f.types.get(0);
        switch (f.op) {
            case "setp" -> {
                f.d = new Type('p', 1);
                f.src = new Type[] {t, t};
            }
            case "selp" -> {
                f.d = t;
                f.src = new Type[] {t, t, new Type('p', 1)};
            }
            case "cvt" -> {
                if (f.types.size() != 2) {
                    return false;
                }
                f.d = t;
                f.src = new Type[] {f.types.get(1)};
            }
            case "mov", "neg", "abs", "not", "ex2", "rcp", "sqrt", "cvta" -> {
                f.d = t;
                f.src = new Type[] {t};
            }
            case "shl", "shr" -> {
                f.d = t;
                f.src = new Type[] {t, new Type('u', 32)};
            }
            case "mul" -> {
                f.d = f.has("wide") ? new Type(t.kind, t.bits * 2) : t;
                f.src = new Type[] {t, t};
            }
            case "mad", "fma" -> {
                Type wide = f.has("wide") ? new Type(t.kind, t.bits * 2) : t;
                f.d = wide;
                f.src = new Type[] {t, t, wide};
            }
            case "add", "sub", "div", "rem", "min", "max", "and", "or", "xor", "copysign" -> {
                f.d = t;
                f.src = new Type[] {t, t};
            }
            case "ld" -> {
                if (!f.has("global")) {
                    return false;
                }
                f.d = t;
                f.src = new Type[] {new Type('b', 64)};
            }
            case "st" -> {
                if (!f.has("global")) {
                    return false;
                }
                f.d = t;
                f.src = new Type[] {t};
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---- the probe kernel -----------------------------------------------------------------------

    private static String reg(Type t, int i) {
        if (t.kind == 'p') {
            return "%p" + i;
        }
        if (t.kind == 'f') {
            return (t.bits == 32 ? "%f" : "%fd") + i;
        }
        return switch (t.bits) {
            case 16 -> "%rs" + i;
            case 32 -> "%r" + (10 + i);
            default -> "%rd" + (11 + i);
        };
    }

    /** Moves the 64-bit operand word %rdK into the register of operand i of type t. */
    private static String load(Type t, int i, String word) {
        String r = reg(t, i);
        if (t.kind == 'p') {
            return "\tsetp.ne.u64 " + r + ", " + word + ", 0;\n";
        }
        if (t.kind == 'f' && t.bits == 32) {
            return "\tcvt.u32.u64 %r" + (20 + i) + ", " + word + ";\n\tmov.b32 " + r + ", %r" + (20 + i) + ";\n";
        }
        return switch (t.bits) {
            case 16 -> "\tcvt.u16.u64 " + r + ", " + word + ";\n";
            case 32 -> "\tcvt.u32.u64 " + r + ", " + word + ";\n";
            default -> "\tmov.b64 " + r + ", " + word + ";\n";
        };
    }

    /** Moves the destination register (index 0) into %rd10, zero-extended. */
    private static String store(Type t) {
        String r = reg(t, 0);
        if (t.kind == 'p') {
            return "\tselp.u64 %rd10, 1, 0, " + r + ";\n";
        }
        if (t.kind == 'f' && t.bits == 32) {
            return "\tmov.b32 %r30, " + r + ";\n\tcvt.u64.u32 %rd10, %r30;\n";
        }
        return switch (t.bits) {
            case 16 -> "\tcvt.u64.u16 %rd10, " + r + ";\n";
            case 32 -> "\tcvt.u64.u32 %rd10, " + r + ";\n";
            default -> "\tmov.b64 %rd10, " + r + ";\n";
        };
    }

    /**
     * A kernel applying form f once per thread: thread i reads operand words in[4i..4i+2] (8 bytes
     * each), writes the result word out[i].
     */
    static String kernel(String name, Form f) {
        StringBuilder k = new StringBuilder();
        k.append(".visible .entry ").append(name).append("(.param .u64 p_in, .param .u64 p_out, .param .u32 p_n)\n{\n");
        k.append("\t.reg .pred %p<8>;\n\t.reg .b16 %rs<8>;\n\t.reg .b32 %r<32>;\n\t.reg .f32 %f<8>;\n");
        k.append("\t.reg .b64 %rd<24>;\n\t.reg .f64 %fd<8>;\n");
        k.append("\tld.param.u64 %rd1, [p_in];\n\tld.param.u64 %rd2, [p_out];\n\tld.param.u32 %r1, [p_n];\n");
        k.append("\tcvta.to.global.u64 %rd1, %rd1;\n\tcvta.to.global.u64 %rd2, %rd2;\n");
        k.append("\tmov.u32 %r2, %tid.x;\n\tmov.u32 %r3, %ctaid.x;\n\tmov.u32 %r4, %ntid.x;\n");
        k.append("\tmad.lo.s32 %r5, %r3, %r4, %r2;\n\tsetp.ge.s32 %p7, %r5, %r1;\n\t@%p7 bra DONE;\n");
        k.append("\tmul.wide.s32 %rd3, %r5, 32;\n\tadd.s64 %rd4, %rd1, %rd3;\n");
        k.append("\tmul.wide.s32 %rd5, %r5, 8;\n\tadd.s64 %rd6, %rd2, %rd5;\n");
        k.append("\tld.global.u64 %rd7, [%rd4];\n\tld.global.u64 %rd8, [%rd4+8];\n\tld.global.u64 %rd9, [%rd4+16];\n");
        String[] words = {"%rd7", "%rd8", "%rd9"};
        switch (f.op) {
            case "ld" -> {
                k.append("\t").append(f.text).append(" ").append(reg(f.d, 0)).append(", [%rd4];\n");
                k.append(store(f.d));
                k.append("\tst.global.u64 [%rd6], %rd10;\n");
            }
            case "st" -> {
                k.append(load(f.src[0], 1, words[0]));
                k.append("\t").append(f.text).append(" [%rd6], ").append(reg(f.src[0], 1)).append(";\n");
            }
            default -> {
                for (int i = 0; i < f.src.length; i++) {
                    k.append(load(f.src[i], i + 1, words[i]));
                }
                k.append("\t").append(f.text).append(" ").append(reg(f.d, 0));
                for (int i = 0; i < f.src.length; i++) {
                    k.append(", ").append(reg(f.src[i], i + 1));
                }
                k.append(";\n").append(store(f.d));
                k.append("\tst.global.u64 [%rd6], %rd10;\n");
            }
        }
        k.append("DONE:\n\tret;\n}\n");
        return k.toString();
    }

    // ---- inputs ---------------------------------------------------------------------------------

    static long[] edges(Type t) {
        if (t.kind == 'p') {
            return new long[] {0, 1};
        }
        if (t.kind == 'f' && t.bits == 32) {
            float[] v = {0f, -0f, 1f, -1f, 0.5f, 1.5f, 2.5f, -2.5f, 3f, 1e-30f, -1e-30f, 3e9f, -3e9f, 126f, -126f,
                    -130f, 0.3f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, Float.MIN_VALUE,
                    Float.intBitsToFloat(0x007FFFFF), -Float.MIN_VALUE, Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x3F800001), Float.intBitsToFloat(0x33800001)};
            long[] out = new long[v.length + 3];
            for (int i = 0; i < v.length; i++) {
                out[i] = Float.floatToRawIntBits(v[i]) & 0xFFFFFFFFL;
            }
            out[v.length] = 0x7FC0DEADL;      // the driver's fresh-memory NaN
            out[v.length + 1] = 0xFFC0F8EEL;  // its freed-memory NaN (negative)
            out[v.length + 2] = 0x7FA00000L;  // a signalling NaN
            return out;
        }
        if (t.bits == 16) {
            return new long[] {0, 1, 0xFFFF, 0x7FFF, 0x8000, 2, 100};
        }
        if (t.bits == 32) {
            return new long[] {0, 1, 2, 7, 31, 32, 33, 64, 0xFFFFFFFFL, 0xFFFFFFF9L, 0x7FFFFFFFL, 0x80000000L, 12345};
        }
        return new long[] {0, 1, 2, 7, 63, 64, 70, -1, -7, Long.MAX_VALUE, Long.MIN_VALUE, 0xFFFFFFFFL, 0x100000000L,
                -0x100000000L, 0x7FFFFFFFL, 0x80000000L, 123456789012345L};
    }

    /** Operand tuples: edge values crossed (capped) plus random ones. */
    static List<long[]> cases(Form f, long seed) {
        List<long[]> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        int n = f.src.length;
        long[][] e = new long[3][];
        for (int i = 0; i < 3; i++) {
            e[i] = i < n ? edges(f.src[i]) : new long[] {0};
        }
        for (long a : e[0]) {
            for (long b : e[1]) {
                for (int k = 0; k < Math.min(e[2].length, n > 2 ? 6 : 1); k++) {
                    long c = e[2][(k * 5) % e[2].length];
                    add(out, seen, f, new long[] {a, b, c});
                }
            }
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            long[] t = new long[3];
            for (int j = 0; j < n; j++) {
                Type ty = f.src[j];
                if (ty.kind == 'f' && ty.bits == 32) {
                    t[j] = Float.floatToRawIntBits((float) ((r.nextDouble() * 2 - 1) * Math.pow(2, r.nextInt(-20, 21))))
                            & 0xFFFFFFFFL;
                } else if (ty.kind == 'p') {
                    t[j] = r.nextInt(2);
                } else if (j == 1 && (f.op.equals("shl") || f.op.equals("shr"))) {
                    t[j] = r.nextInt(80);
                } else {
                    t[j] = r.nextLong() & ty.mask();
                }
            }
            add(out, seen, f, t);
        }
        return out;
    }

    private static void add(List<long[]> out, Set<String> seen, Form f, long[] t) {
        // Division by zero is unspecified by the ISA: no expectation to check.
        if ((f.op.equals("div") || f.op.equals("rem")) && f.d.kind != 'f' && (t[1] & f.src[1].mask()) == 0) {
            return;
        }
        if (seen.add(t[0] + "," + t[1] + "," + t[2])) {
            out.add(t);
        }
    }

    // ---- the model ------------------------------------------------------------------------------

    private static final int CANONICAL_NAN = 0x7FFFFFFF;

    private static float f32(long w) {
        return Float.intBitsToFloat((int) w);
    }

    private static long bits(float v) {
        return Float.floatToRawIntBits(v) & 0xFFFFFFFFL;
    }

    private static long arith(float v) {
        return Float.isNaN(v) ? CANONICAL_NAN : bits(v);
    }

    private static float flush(float v) {
        return Math.abs(v) < Float.MIN_NORMAL && v != 0 ? Math.copySign(0f, v) : v;
    }

    /** The signed value of an integer operand word of type t. */
    private static long signed(long w, Type t) {
        return switch (t.bits) {
            case 16 -> (short) w;
            case 32 -> (int) w;
            default -> w;
        };
    }

    private static long unsigned(long w, Type t) {
        return w & t.mask();
    }

    private static long value(long w, Type t) {
        return t.kind == 's' ? signed(w, t) : unsigned(w, t);
    }

    static Expect expect(Form f, long[] in) {
        Type t = f.src[0];
        long a = in[0];
        long b = in[1];
        long c = in[2];
        Type d = f.d;
        if (t.kind == 'f' || (f.op.equals("cvt") && d.kind == 'f') || (f.op.equals("setp") && t.kind == 'f')) {
            return floatExpect(f, a, b, c);
        }
        long m = d.mask();
        long r;
        switch (f.op) {
            case "add" -> r = value(a, t) + value(b, t);
            case "sub" -> r = value(a, t) - value(b, t);
            case "mul" -> {
                if (f.has("wide")) {
                    r = value(a, t) * value(b, t);
                } else if (f.has("hi")) {
                    r = mulHi(a, b, t);
                } else {
                    r = value(a, t) * value(b, t);
                }
            }
            case "mad" -> r = (f.has("hi") ? mulHi(a, b, t) : value(a, t) * value(b, t))
                    + (f.has("wide") ? value(c, d) : value(c, t));
            case "div" -> r = t.kind == 's' ? (t.bits == 64 ? (a == Long.MIN_VALUE && b == -1 ? a : a / b)
                    : signed(a, t) / signed(b, t)) : Long.divideUnsigned(unsigned(a, t), unsigned(b, t));
            case "rem" -> r = t.kind == 's' ? (t.bits == 64 ? (b == -1 ? 0 : a % b) : signed(a, t) % signed(b, t))
                    : Long.remainderUnsigned(unsigned(a, t), unsigned(b, t));
            case "min" -> r = t.kind == 's' ? Math.min(signed(a, t), signed(b, t))
                    : (Long.compareUnsigned(unsigned(a, t), unsigned(b, t)) <= 0 ? a : b);
            case "max" -> r = t.kind == 's' ? Math.max(signed(a, t), signed(b, t))
                    : (Long.compareUnsigned(unsigned(a, t), unsigned(b, t)) >= 0 ? a : b);
            case "and" -> r = t.kind == 'p' ? (a != 0 && b != 0 ? 1 : 0) : a & b;
            case "or" -> r = t.kind == 'p' ? (a != 0 || b != 0 ? 1 : 0) : a | b;
            case "xor" -> r = t.kind == 'p' ? ((a != 0) != (b != 0) ? 1 : 0) : a ^ b;
            case "not" -> r = t.kind == 'p' ? (a != 0 ? 0 : 1) : ~a;
            case "neg" -> r = -value(a, t);
            case "abs" -> r = Math.abs(value(a, t));
            case "shl" -> {
                long n = b & 0xFFFFFFFFL;
                r = n >= t.bits ? 0 : a << n;
            }
            case "shr" -> {
                long n = b & 0xFFFFFFFFL;
                if (t.kind == 's') {
                    r = signed(a, t) >> Math.min(n, 63);
                } else {
                    r = n >= t.bits ? 0 : unsigned(a, t) >>> n;
                }
            }
            case "setp" -> r = compare(f.mods.get(0), t, a, b) ? 1 : 0;
            case "selp" -> r = c != 0 ? a : b;
            case "mov", "cvta", "ld", "st" -> r = t.kind == 'p' ? (a != 0 ? 1 : 0) : a;
            case "cvt" -> {
                if (t.kind == 'f') {
                    return floatExpect(f, a, b, c);
                }
                long v = value(a, t);
                if (f.has("sat")) {
                    return null;
                }
                r = v;
            }
            default -> {
                return null;
            }
        }
        return Expect.exact(r & m);
    }

    /** The upper half of the double-width product. */
    private static long mulHi(long a, long b, Type t) {
        if (t.bits < 64) {
            long p = value(a, t) * value(b, t);  // exact in 64 bits (unsigned for .u32)
            return t.kind == 's' ? p >> t.bits : p >>> t.bits;
        }
        java.math.BigInteger x = t.kind == 's' ? java.math.BigInteger.valueOf(a)
                : new java.math.BigInteger(Long.toUnsignedString(a));
        java.math.BigInteger y = t.kind == 's' ? java.math.BigInteger.valueOf(b)
                : new java.math.BigInteger(Long.toUnsignedString(b));
        return x.multiply(y).shiftRight(64).longValue();
    }

    private static boolean compare(String cmp, Type t, long a, long b) {
        if (t.kind == 'u' || cmp.equals("lo") || cmp.equals("ls") || cmp.equals("hi") || cmp.equals("hs")) {
            int c = Long.compareUnsigned(unsigned(a, t), unsigned(b, t));
            return switch (cmp) {
                case "eq" -> c == 0;
                case "ne" -> c != 0;
                case "lt", "lo" -> c < 0;
                case "le", "ls" -> c <= 0;
                case "gt", "hi" -> c > 0;
                default -> c >= 0;
            };
        }
        long x = t.kind == 'b' ? unsigned(a, t) : signed(a, t);
        long y = t.kind == 'b' ? unsigned(b, t) : signed(b, t);
        return switch (cmp) {
            case "eq" -> x == y;
            case "ne" -> x != y;
            case "lt" -> x < y;
            case "le" -> x <= y;
            case "gt" -> x > y;
            default -> x >= y;
        };
    }

    private static Expect floatExpect(Form f, long aw, long bw, long cw) {
        Type t = f.src[0];
        if (t.kind == 'f' && t.bits != 32 || f.d.kind == 'f' && f.d.bits != 32) {
            return null;  // no f64 in the modules
        }
        boolean ftz = f.has("ftz");
        float a = t.kind == 'f' ? f32(aw) : 0;
        float b = f32(bw);
        float c = f32(cw);
        if (ftz) {
            a = flush(a);
            b = flush(b);
            c = flush(c);
        }
        String rnd = f.mods.stream().filter(m -> m.matches("rn|rz|rm|rp")).findFirst().orElse("rn");
        switch (f.op) {
            case "add", "sub" -> {
                float bb = f.op.equals("sub") ? -b : b;
                if (rnd.equals("rn")) {
                    return Expect.exact(arith(out(a + bb, ftz)));
                }
                return Expect.exact(arith(out(round(new float[] {a, bb}, null, rnd), ftz)));
            }
            case "mul" -> {
                return Expect.exact(arith(out(a * b, ftz)));
            }
            case "div" -> {
                return Expect.exact(arith(out(a / b, ftz)));
            }
            case "fma", "mad" -> {
                if (rnd.equals("rn")) {
                    return Expect.exact(arith(out(Math.fma(a, b, c), ftz)));
                }
                return Expect.exact(arith(out(round(new float[] {c}, new float[] {a, b}, rnd), ftz)));
            }
            case "sqrt" -> {
                return Expect.exact(arith(out((float) Math.sqrt(a), ftz)));
            }
            case "rcp" -> {
                float exact = out(1.0f / a, ftz);
                return new Expect(arith(exact), f.has("approx") ? 1 : 0);
            }
            case "ex2" -> {
                double e = Math.pow(2, a);
                if (ftz && e < Float.MIN_NORMAL) {
                    return Expect.exact(0);  // a subnormal or zero result is flushed to +0
                }
                return new Expect(arith((float) e), 2);
            }
            case "neg", "abs" -> {
                // Only the sign bit changes; for a NaN operand any NaN is accepted (neither the model
                // nor the ISA needs its payload).
                long r = f.op.equals("neg") ? bits(a) ^ 0x80000000L : bits(a) & 0x7FFFFFFFL;
                return Float.isNaN(a) ? new Expect(CANONICAL_NAN, -1) : Expect.exact(r);
            }
            case "copysign" -> {
                return Expect.exact(bits(Math.copySign(b, a)));
            }
            case "min", "max" -> {
                boolean na = Float.isNaN(a);
                boolean nb = Float.isNaN(b);
                if (na && nb) {
                    return Expect.exact(CANONICAL_NAN);
                }
                if (na || nb) {
                    return Expect.exact(bits(na ? b : a));
                }
                boolean max = f.op.equals("max");
                if (a == b) {  // -0 < +0
                    boolean aNeg = Float.floatToRawIntBits(a) < 0;
                    return Expect.exact(bits(max == aNeg ? b : a));
                }
                return Expect.exact(bits(max ? Math.max(a, b) : Math.min(a, b)));
            }
            case "setp" -> {
                String cmp = f.mods.get(0);
                boolean unordered = Float.isNaN(a) || Float.isNaN(b);
                boolean r = switch (cmp) {
                    case "eq", "equ" -> a == b;
                    case "ne", "neu" -> a != b;
                    case "lt", "ltu" -> a < b;
                    case "le", "leu" -> a <= b;
                    case "gt", "gtu" -> a > b;
                    case "ge", "geu" -> a >= b;
                    case "num" -> !unordered;
                    default -> unordered;  // nan
                };
                if (unordered && !cmp.equals("num") && !cmp.equals("nan")) {
                    r = cmp.endsWith("u");
                }
                return Expect.exact(r ? 1 : 0);
            }
            case "selp" -> {
                return Expect.exact((cw != 0 ? aw : bw) & 0xFFFFFFFFL);
            }
            case "mov", "ld", "st" -> {
                return Expect.exact(aw & 0xFFFFFFFFL);
            }
            case "cvt" -> {
                return cvt(f, aw);
            }
            default -> {
                return null;
            }
        }
    }

    private static float out(float v, boolean ftz) {
        return ftz ? flush(v) : v;
    }

    private static Expect cvt(Form f, long aw) {
        Type d = f.d;
        Type s = f.src[0];
        String irnd = f.mods.stream().filter(m -> m.matches("rni|rzi|rmi|rpi")).findFirst().orElse(null);
        if (s.kind == 'f' && d.kind == 'f') {
            float a = f32(aw);
            if (f.has("ftz")) {
                a = flush(a);
            }
            if (irnd != null) {
                a = switch (irnd) {
                    case "rni" -> (float) Math.rint(a);
                    case "rzi" -> (float) (a < 0 ? Math.ceil(a) : Math.floor(a));
                    case "rmi" -> (float) Math.floor(a);
                    default -> (float) Math.ceil(a);
                };
            }
            if (Float.isNaN(a)) {
                return Expect.exact(f.has("sat") ? 0 : CANONICAL_NAN);
            }
            if (f.has("sat")) {
                a = a < 0 || a == 0 ? 0f : Math.min(a, 1f);
            }
            return Expect.exact(bits(a));
        }
        if (d.kind == 'f') {  // integer to f32, round to nearest
            long v = value(aw, s);
            float r = s.kind == 'u' && s.bits == 64 ? unsignedToFloat(v) : (float) v;
            return Expect.exact(bits(r));
        }
        // f32 to integer: round, saturate, NaN to 0.
        float a = f32(aw);
        if (Float.isNaN(a)) {
            return Expect.exact(0);
        }
        double x = switch (irnd == null ? "rzi" : irnd) {
            case "rni" -> Math.rint(a);
            case "rmi" -> Math.floor(a);
            case "rpi" -> Math.ceil(a);
            default -> a < 0 ? Math.ceil(a) : Math.floor(a);
        };
        double lo = d.kind == 's' ? -Math.pow(2, d.bits - 1) : 0;
        double hi = d.kind == 's' ? Math.pow(2, d.bits - 1) - 1 : Math.pow(2, d.bits) - 1;
        x = Math.max(lo, Math.min(hi, x));
        long r = d.bits == 64 && d.kind == 'u' && x >= 0x1p63 ? (long) (x - 0x1p63) + Long.MIN_VALUE : (long) x;
        return Expect.exact(r & d.mask());
    }

    private static float unsignedToFloat(long v) {
        return new BigDecimal(Long.toUnsignedString(v)).floatValue();
    }

    /**
     * Rounds the exact value sum(terms) + product(factors) (factors may be null) to float with the
     * directed rounding rz, rm or rp.
     */
    static float round(float[] terms, float[] factors, String rnd) {
        double inexact = 0;
        List<Float> all = new ArrayList<>();
        for (float t : terms) {
            all.add(t);
            inexact += t;
        }
        if (factors != null) {
            all.add(factors[0]);
            all.add(factors[1]);
            inexact += (double) factors[0] * factors[1];
        }
        for (float v : all) {
            if (Float.isNaN(v) || Float.isInfinite(v)) {
                return (float) inexact;  // IEEE special-value arithmetic (NaN or infinity)
            }
        }
        BigDecimal exact = BigDecimal.ZERO;
        for (float t : terms) {
            exact = exact.add(new BigDecimal(t));
        }
        if (factors != null) {
            exact = exact.add(new BigDecimal(factors[0]).multiply(new BigDecimal(factors[1])));
        }
        if (exact.signum() == 0) {
            // An exact zero (IEEE 754, 6.3): zeros of one sign keep it; otherwise +0, or -0 rounding down.
            List<Float> addends = new ArrayList<>();
            for (float t : terms) {
                addends.add(t);
            }
            if (factors != null) {
                addends.add(factors[0] * factors[1]);
            }
            boolean allZero = addends.stream().allMatch(v -> v == 0);
            boolean allNegative = addends.stream().allMatch(v -> Float.floatToRawIntBits(v) < 0);
            boolean allPositive = addends.stream().allMatch(v -> Float.floatToRawIntBits(v) >= 0);
            if (allZero && (allNegative || allPositive)) {
                return allNegative ? -0f : 0f;
            }
            return rnd.equals("rm") ? -0f : 0f;
        }
        // The two adjacent floats around the exact value (hi may be infinite past MAX_VALUE).
        float lo = exact.floatValue();
        if (Float.isInfinite(lo)) {
            lo = Math.copySign(Float.MAX_VALUE, lo);
        }
        while (lo != Float.NEGATIVE_INFINITY && Float.isFinite(lo) && new BigDecimal(lo).compareTo(exact) > 0) {
            lo = Math.nextDown(lo);
        }
        if (Float.isInfinite(lo)) {  // below -MAX_VALUE
            return rnd.equals("rm") ? Float.NEGATIVE_INFINITY : -Float.MAX_VALUE;
        }
        float hi = Math.nextUp(lo);
        while (Float.isFinite(hi) && new BigDecimal(hi).compareTo(exact) < 0) {
            lo = hi;
            hi = Math.nextUp(hi);
        }
        if (new BigDecimal(lo).compareTo(exact) == 0) {
            return lo;
        }
        if (Float.isFinite(hi) && new BigDecimal(hi).compareTo(exact) == 0) {
            return hi;
        }
        return switch (rnd) {
            case "rz" -> exact.signum() > 0 ? lo : hi;
            case "rm" -> lo;
            default -> hi;
        };
    }

    /** |actual - expected| within `ulps` ulps of expected (f32 bits); NaN must meet NaN. */
    static boolean matches(Expect e, long actual) {
        if (e.ulps() < 0) {
            return Float.isNaN(f32(actual)) && actual == (actual & 0xFFFFFFFFL);  // any f32 NaN
        }
        if (e.ulps() == 0) {
            return e.bits() == actual;
        }
        float x = f32(e.bits());
        float y = f32(actual);
        if (Float.isNaN(x) || Float.isInfinite(x) || x == 0) {
            return e.bits() == actual;
        }
        return Math.abs((double) x - y) <= e.ulps() * (double) Math.ulp(x);
    }
}
