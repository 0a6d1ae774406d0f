package dev.fovea.ops;

import java.math.BigInteger;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An op's attributes as they arrive from a case file, a model file or Java code: a map from name
 * to a JSON-like value (Number, Boolean, String, or a List of those). {@link #check} holds them
 * against the op's declared {@link Attribute}s when the op is bound; typed getters convert each
 * value, an absent one to the default its op declares. Every error is an IllegalArgumentException
 * that names the op and the attribute, so a typo in a file points straight at the field to fix.
 */
public final class Attrs {
    private final String op;
    private final Map<String, Object> values;

    private Attrs(String op, Map<String, Object> values) {
        this.op = op;
        this.values = values;
    }

    /** Attributes of {@code op}; {@code values} is copied (insertion order kept) and may be null. */
    public static Attrs of(String op, Map<String, ?> values) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (values != null) {
            values.forEach((k, v) -> {
                if (v == null) {
                    throw new IllegalArgumentException(op + ": attribute '" + k + "' is null");
                }
                copy.put(k, v);
            });
        }
        return new Attrs(op, copy);
    }

    /** No attributes: every attribute takes its default. */
    public static Attrs none(String op) {
        return new Attrs(op, new LinkedHashMap<>());
    }

    public String op() {
        return op;
    }

    /** The attributes as given (unmodifiable), e.g. to write them back to a file. */
    public Map<String, Object> asMap() {
        return java.util.Collections.unmodifiableMap(values);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Rejects any attribute not in {@code valid}, naming it, a near miss if there is one, and the valid names. */
    public void requireOnly(Collection<String> valid) {
        for (String name : values.keySet()) {
            if (!valid.contains(name)) {
                String hint = Names.closest(name, valid).map(c -> " (did you mean '" + c + "'?)").orElse("");
                throw new IllegalArgumentException(op + ": unknown attribute '" + name + "'" + hint + "; valid attributes: "
                        + (valid.isEmpty() ? "none" : String.join(", ", valid)));
            }
        }
    }

    /**
     * Checks these attributes against an op's declared ones: no unknown name (with a near miss), every
     * required one given, and each given value of its declared kind (an error names op, attribute and value).
     */
    public void check(List<Attribute> declared) {
        requireOnly(declared.stream().map(Attribute::name).toList());
        for (Attribute a : declared) {
            if (!has(a.name())) {
                if (a.required()) {
                    require(a.name());
                }
                continue;
            }
            switch (a.kind()) {
                case INTEGER -> longInteger(a.name(), 0);
                case INTEGER_OR_PAIR -> toPair(a.name(), values.get(a.name()));
                case INTEGER_OR_FOUR -> quad(a.name());
                case INTEGER_OR_LIST -> integers(a.name());
                case NUMBER -> real(a.name(), 0);
                case NUMBER_OR_PAIR -> realPair(a.name());
                case BOOLEAN -> bool(a.name(), false);
                case CHOICE, STRING -> string(a.name(), "");
            }
        }
    }

    /** The value of {@code name}, or the default its op declares for it (see {@link Attribute#byDefault}). */
    private Object valueOrDefault(String name) {
        if (has(name)) {
            return values.get(name);
        }
        Attribute a = Ops.get(op).attribute(name);
        if (a.byDefault() == null) {
            throw new IllegalStateException(op + ": attribute '" + name + "' has no declared default");
        }
        return a.byDefault();
    }

    /** An integer attribute, or its declared default. */
    public int integer(String name) {
        return toInt(name, valueOrDefault(name));
    }

    /** A 64-bit integer attribute (dropout's seed), or its declared default. */
    public long longInteger(String name) {
        return toLong(name, valueOrDefault(name));
    }

    /** A number attribute, or its declared default. */
    public double real(String name) {
        return toReal(name, valueOrDefault(name));
    }

    /** A boolean attribute, or its declared default. */
    public boolean bool(String name) {
        return toBool(name, valueOrDefault(name));
    }

    /** A string (or choice) attribute, or its declared default. */
    public String string(String name) {
        return toText(name, valueOrDefault(name));
    }

    /** An integer-or-pair attribute as {h, w}, or its declared default. */
    public int[] pair(String name) {
        return toPair(name, valueOrDefault(name));
    }

    public int requireInteger(String name) {
        return toInt(name, require(name));
    }

    // The getters below take the caller's default instead of the declared one; check() reads a
    // value's kind with them.

    public long longInteger(String name, long defaultValue) {
        return has(name) ? toLong(name, values.get(name)) : defaultValue;
    }

    public double real(String name, double defaultValue) {
        return has(name) ? toReal(name, values.get(name)) : defaultValue;
    }

    public boolean bool(String name, boolean defaultValue) {
        return has(name) ? toBool(name, values.get(name)) : defaultValue;
    }

    public String string(String name, String defaultValue) {
        return has(name) ? toText(name, values.get(name)) : defaultValue;
    }

    /**
     * An attribute that is one int for both spatial axes or a pair [h, w], as PyTorch's
     * {@code stride=2} or {@code stride=(2, 1)}; returns {h, w}, or {@code defaultValue} when absent.
     */
    public int[] pair(String name, int[] defaultValue) {
        return has(name) ? toPair(name, values.get(name)) : defaultValue.clone();
    }

    public int[] requirePair(String name) {
        return toPair(name, require(name));
    }

    /**
     * An attribute that is one int for all four sides or a list of four, as F.pad's
     * {@code [left, right, top, bottom]}.
     */
    public int[] requireQuad(String name) {
        require(name);
        return quad(name);
    }

    private int[] quad(String name) {
        Object v = values.get(name);
        if (v instanceof Number) {
            int i = toInt(name, v);
            return new int[] {i, i, i, i};
        }
        if (v instanceof List<?> list && list.size() == 4 && list.stream().allMatch(e -> e instanceof Number)) {
            int[] q = new int[4];
            for (int i = 0; i < 4; i++) {
                q[i] = toInt(name, list.get(i));
            }
            return q;
        }
        throw wrongType(name, "an integer or a list of four integers [left, right, top, bottom]", v);
    }

    /** A number for both spatial axes or a pair [h, w] of numbers, as PyTorch's {@code scale_factor}; null when absent. */
    public double[] realPair(String name) {
        if (!has(name)) {
            return null;
        }
        Object v = values.get(name);
        if (v instanceof Number n) {
            return new double[] {n.doubleValue(), n.doubleValue()};
        }
        if (v instanceof List<?> list && list.size() == 2 && list.get(0) instanceof Number h && list.get(1) instanceof Number w) {
            return new double[] {h.doubleValue(), w.doubleValue()};
        }
        throw wrongType(name, "a number or a pair [h, w] of numbers", v);
    }

    private int[] toPair(String name, Object v) {
        if (v instanceof Number) {
            int i = toInt(name, v);
            return new int[] {i, i};
        }
        if (v instanceof List<?> list && list.size() == 2 && list.get(0) instanceof Number && list.get(1) instanceof Number) {
            return new int[] {toInt(name, list.get(0)), toInt(name, list.get(1))};
        }
        throw wrongType(name, "an integer or a pair [h, w] of integers", v);
    }

    /**
     * An attribute that is one int or a list of ints, as PyTorch's {@code dim=1} or {@code dim=(1, 2)}:
     * the ints in order, or null when absent.
     */
    public int[] integers(String name) {
        if (!has(name)) {
            return null;
        }
        Object v = values.get(name);
        if (v instanceof Number) {
            return new int[] {toInt(name, v)};
        }
        if (v instanceof List<?> list && list.stream().allMatch(e -> e instanceof Number)) {
            return list.stream().mapToInt(e -> toInt(name, e)).toArray();
        }
        throw wrongType(name, "an integer or a list of integers", v);
    }

    public int[] requireIntegers(String name) {
        require(name);
        return integers(name);
    }

    private Object require(String name) {
        if (!has(name)) {
            throw new IllegalArgumentException(op + ": attribute '" + name + "' is required");
        }
        return values.get(name);
    }

    private long toLong(String name, Object v) {
        if (v instanceof Number n && isIntegral(n) && BigInteger.valueOf(n.longValue()).equals(toBig(n))) {
            return n.longValue();
        }
        throw wrongType(name, "an integer", v);
    }

    private double toReal(String name, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(name, "a number", v);
    }

    private boolean toBool(String name, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(name, "true or false", v);
    }

    private String toText(String name, Object v) {
        if (v instanceof String t) {
            return t;
        }
        throw wrongType(name, "a string", v);
    }

    private int toInt(String name, Object v) {
        if (v instanceof Number n && isIntegral(n) && toBig(n).equals(BigInteger.valueOf(n.intValue()))) {
            return n.intValue();
        }
        throw wrongType(name, "an integer", v);
    }

    /**
     * Integers are integer types only: 2.0 read from a file is a float where an integer belongs, and
     * is refused as PyTorch refuses {@code stride=2.0}, rather than coerced.
     */
    private static boolean isIntegral(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger;
    }

    private static BigInteger toBig(Number n) {
        return n instanceof BigInteger b ? b : BigInteger.valueOf(n.longValue());
    }

    private IllegalArgumentException wrongType(String name, String expected, Object v) {
        String shown = v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
        return new IllegalArgumentException(op + ": attribute '" + name + "' must be " + expected + ", got " + shown);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
