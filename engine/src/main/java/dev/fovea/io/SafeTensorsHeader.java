package dev.fovea.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file, parsed and checked against the size of the data buffer:
 * every tensor's dtype is known, its shape times the dtype's size equals its byte span, and the spans
 * lie inside the buffer, do not overlap and cover it entirely. Duplicate names are rejected.
 */
record SafeTensorsHeader(List<Entry> entries, Map<String, String> metadata) {
    static final String METADATA = "__metadata__";
    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");
    private static final ObjectMapper JSON = Json.strict().build();

    /** One tensor's header entry; {@code begin} and {@code end} are byte offsets into the data buffer. */
    record Entry(String name, SafeDType dtype, Shape shape, long begin, long end) {
    }

    static SafeTensorsHeader parse(String file, byte[] json, long bufferBytes) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String duplicate = duplicate(e);
            if (duplicate != null) {
                throw new FormatException(file, "header", "expected unique names, " + duplicate + " appears twice", e);
            }
            throw new FormatException(file, "header", "expected a JSON object: " + Json.problem(e), e);
        } catch (java.io.IOException e) {
            throw new FormatException(file, "header", "expected a JSON object: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FormatException(file, "header", "expected a JSON object, found " + (root == null ? "nothing" : root.getNodeType()));
        }
        int tensors = root.size() - (root.has(METADATA) ? 1 : 0);
        if (tensors > Limits.SAFETENSORS_TENSORS) {
            throw new FormatException(file, "header", String.format(java.util.Locale.ROOT, "expected at most %,d tensors "
                    + "(the limit for safetensors files), the header names %,d", Limits.SAFETENSORS_TENSORS, tensors));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA)) {
                metadata = metadata(file, field.getValue());
            } else {
                entries.add(entry(file, field.getKey(), field.getValue(), bufferBytes));
            }
        }
        checkLayout(file, entries, bufferBytes);
        return new SafeTensorsHeader(entries, metadata);
    }

    /**
     * Describes the repeated key when Jackson's strict duplicate detection fired ("tensor name 'a'",
     * "key 'dtype' of 'a'"), else null.
     */
    private static String duplicate(JsonProcessingException e) {
        if (!(e instanceof com.fasterxml.jackson.core.JsonParseException p) || !e.getOriginalMessage().startsWith("Duplicate field")
                || p.getProcessor() == null) {
            return null;
        }
        com.fasterxml.jackson.core.JsonStreamContext ctx = p.getProcessor().getParsingContext();
        String key = ctx.getCurrentName();
        com.fasterxml.jackson.core.JsonStreamContext parent = ctx.getParent();
        return parent == null || parent.inRoot() ? "tensor name '" + key + "'" : "key '" + key + "' of '" + parent.getCurrentName() + "'";
    }

    private static Map<String, String> metadata(String file, JsonNode node) {
        if (!node.isObject()) {
            throw new FormatException(file, METADATA, "expected an object of strings, found " + node.getNodeType());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new FormatException(file, METADATA + "." + e.getKey(), "expected a string, found " + e.getValue().getNodeType());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static Entry entry(String file, String name, JsonNode node, long bufferBytes) {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new FormatException(file, where, "expected an object with dtype, shape and data_offsets, found " + node.getNodeType());
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!ENTRY_FIELDS.contains(key)) {
                throw new FormatException(file, where + "." + key, "unknown field; expected only dtype, shape and data_offsets");
            }
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new FormatException(file, where + ".dtype", "expected a string such as \"F32\", found " + kind(dtypeNode));
        }
        SafeDType dtype = SafeDType.parse(dtypeNode.textValue());
        if (dtype == null) {
            throw new FormatException(file, where + ".dtype", "expected one of " + java.util.Arrays.toString(SafeDType.values())
                    + ", found \"" + dtypeNode.textValue() + "\"");
        }
        int[] dims = ints(file, where + ".shape", node.get("shape"), -1, Integer.MAX_VALUE);
        long[] offsets = longs(file, where + ".data_offsets", node.get("data_offsets"), 2, bufferBytes);
        long elements = 1;
        for (int d : dims) {
            elements *= d;
            if (elements > Limits.JAVA_ARRAY) {
                throw new FormatException(file, where + ".shape", "expected at most " + Limits.JAVA_ARRAY
                        + " elements, the shape " + java.util.Arrays.toString(dims) + " holds more");
            }
        }
        long span = offsets[1] - offsets[0];
        if (span < 0) {
            throw new FormatException(file, where + ".data_offsets", "expected begin <= end, found [" + offsets[0] + ", " + offsets[1] + "]");
        }
        if (elements * dtype.bytes() != span) {
            throw new FormatException(file, where + ".data_offsets", "shape " + java.util.Arrays.toString(dims) + " of " + dtype
                    + " needs " + elements * dtype.bytes() + " bytes, the offsets [" + offsets[0] + ", " + offsets[1] + "] span " + span);
        }
        return new Entry(name, dtype, Shape.of(dims), offsets[0], offsets[1]);
    }

    /** The entries in the order of their data in the file. */
    List<Entry> entriesByOffset() {
        return byOffset(entries);
    }

    private static List<Entry> byOffset(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        return sorted;
    }

    /** Spans sorted by offset must tile the buffer exactly: no overlap, no gap, nothing after the last. */
    private static void checkLayout(String file, List<Entry> entries, long bufferBytes) {
        List<Entry> sorted = byOffset(entries);
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < covered) {
                throw new FormatException(file, "tensor '" + e.name() + "'.data_offsets", "bytes [" + e.begin() + ", " + e.end()
                        + ") overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + ")");
            }
            if (e.begin() > covered) {
                throw new FormatException(file, "tensor '" + e.name() + "'.data_offsets", "expected to begin at byte " + covered
                        + ", found " + e.begin() + " (bytes [" + covered + ", " + e.begin() + ") belong to no tensor)");
            }
            covered = e.end();
            previous = e;
        }
        if (covered != bufferBytes) {
            throw new FormatException(file, "data buffer", "expected the tensors to cover all " + bufferBytes
                    + " bytes after the header, they end at byte " + covered + " (trailing garbage or a lying header)");
        }
    }

    private static int[] ints(String file, String field, JsonNode node, int count, long max) {
        long[] values = longs(file, field, node, count, max);
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    /** An array of non-negative integers, each at most {@code max}; {@code count} < 0 allows any length. */
    private static long[] longs(String file, String field, JsonNode node, int count, long max) {
        if (node == null || !node.isArray() || (count >= 0 && node.size() != count)) {
            throw new FormatException(file, field, "expected an array of " + (count >= 0 ? count + " " : "")
                    + "non-negative integers, found " + kind(node));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() > max) {
                throw new FormatException(file, field + "[" + i + "]", "expected an integer in 0.." + max + ", found " + kind(v));
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static String kind(JsonNode node) {
        if (node == null) {
            return "nothing (the field is missing)";
        }
        String text = node.isContainerNode() ? node.getNodeType() + " of " + node.size() : node.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
