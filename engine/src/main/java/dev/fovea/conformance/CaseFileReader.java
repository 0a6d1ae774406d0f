package dev.fovea.conformance;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import dev.fovea.io.Json;
import dev.fovea.io.Limits;
import dev.fovea.tensor.Shape;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads conformance case files ({@value #FORMAT}, described in the package documentation). Everything is checked
 * before a case runs: JSON syntax, required and unknown fields, data length against shape, the op,
 * its attributes and input names (through the op registry). Any problem is a
 * {@link CaseFileException} naming the file, the case and the field.
 */
public final class CaseFileReader {
    public static final String FORMAT = "fovea-cases/1";

    private static final List<String> CASE_FIELDS =
            List.of("name", "op", "attrs", "inputs", "outputs", "grad_outputs", "grad_inputs", "tolerance");
    // NaN and infinities are legitimate expected values; BigDecimal keeps each float's text exact.
    private static final ObjectMapper JSON = Json.strict()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private CaseFileReader() {
    }

    /**
     * Reads a case file: a regular file of at most {@link Limits#CASE_FILE_BYTES}, whose tensors hold
     * at most {@link Limits#CASE_FILE_ELEMENTS} values in all (checked before any is allocated).
     */
    public static List<ConformanceCase> read(Path file) {
        String label = file.toString();
        String text;
        try {
            text = FileBytes.readText(file, Limits.CASE_FILE_BYTES, "the limit for case files");
        } catch (IOException e) {
            throw new CaseFileException(label, null, null, "cannot read: " + e.getMessage(), e);
        } catch (FormatException e) {
            throw new CaseFileException(label, null, e.field(), e.problem(), e);
        }
        return read(label, text);
    }

    /** Parses {@code json}; {@code label} names the file in error messages. */
    public static List<ConformanceCase> read(String label, String json) {
        JsonNode root;
        try {
            long numbers = countNumbers(json);
            if (numbers > Limits.CASE_FILE_ELEMENTS) {
                throw new CaseFileException(label, null, null, "holds " + numbers + " numbers, more than the limit for "
                        + "case files (" + Limits.CASE_FILE_ELEMENTS + ")");
            }
            // A parsed tree takes several times its text; refuse rather than run out of memory.
            FileBytes.checkHeap(label, "file size", json.length() * 16L);
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CaseFileException(label, null, null, "invalid JSON: " + Json.problem(e), e);
        } catch (IOException e) {
            throw new CaseFileException(label, null, null, "invalid JSON: " + e.getMessage(), e);
        } catch (FormatException e) {
            throw new CaseFileException(label, null, e.field(), e.problem(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CaseFileException(label, null, null, "expected a JSON object {\"format\": \"" + FORMAT
                    + "\", \"cases\": [...]}");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual() || !format.asText().equals(FORMAT)) {
            throw new CaseFileException(label, null, "format", "expected \"" + FORMAT + "\", got "
                    + (format == null ? "nothing" : format.toString()));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("format") && !f.equals("cases")) {
                throw new CaseFileException(label, null, f, "unknown field; a case file has only format and cases");
            }
        }
        JsonNode cases = root.get("cases");
        if (cases == null || !cases.isArray()) {
            throw new CaseFileException(label, null, "cases", "expected an array of cases");
        }
        List<ConformanceCase> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long[] elements = {0};
        for (int i = 0; i < cases.size(); i++) {
            ConformanceCase c = readCase(label, i, cases.get(i), elements);
            if (!names.add(c.name())) {
                throw new CaseFileException(label, caseLabel(c.name(), i), "name", "another case has the same name");
            }
            out.add(c);
        }
        return out;
    }

    /** Numbers in the JSON text, counted by streaming through it (no tree, no values kept). */
    private static long countNumbers(String json) throws IOException {
        long n = 0;
        try (JsonParser p = JSON.createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t.isNumeric()) {
                    n++;
                    if (n > Limits.CASE_FILE_ELEMENTS) {
                        return n;
                    }
                }
            }
        }
        return n;
    }

    private static ConformanceCase readCase(String file, int index, JsonNode node, long[] elements) {
        String id = "cases[" + index + "]";
        if (!node.isObject()) {
            throw new CaseFileException(file, id, null, "expected an object");
        }
        JsonNode nameNode = node.get("name");
        String name = nameNode != null && nameNode.isTextual() ? nameNode.asText() : null;
        Fields f = new Fields(file, name == null ? id : caseLabel(name, index), elements);
        if (name == null || name.isBlank()) {
            throw f.error("name", nameNode == null ? "missing" : "must be a non-empty string");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!CASE_FIELDS.contains(field)) {
                throw f.error(field, "unknown field; a case has " + String.join(", ", CASE_FIELDS));
            }
        }
        JsonNode op = node.get("op");
        if (op == null || !op.isTextual()) {
            throw f.error("op", op == null ? "missing" : "must be a string");
        }
        ConformanceCase c = new ConformanceCase(name, op.asText(), attrs(f, node.get("attrs")),
                tensors(f, "inputs", node.get("inputs"), true), tensors(f, "outputs", node.get("outputs"), true),
                tensors(f, "grad_outputs", node.get("grad_outputs"), false),
                tensors(f, "grad_inputs", node.get("grad_inputs"), false), tolerance(f, node.get("tolerance")));
        try {
            CaseValidator.check(c);
        } catch (CaseValidator.Invalid e) {
            throw f.error(e.field(), e.getMessage());
        }
        return c;
    }

    private static Map<String, Object> attrs(Fields f, JsonNode node) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (node == null) {
            return attrs;
        }
        if (!node.isObject()) {
            throw f.error("attrs", "must be an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            attrs.put(e.getKey(), value(f, "attrs." + e.getKey(), e.getValue()));
        }
        return attrs;
    }

    private static Object value(Fields f, String field, JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.canConvertToInt() ? (Object) v.intValue() : (Object) v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                list.add(value(f, field + "[" + i + "]", v.get(i)));
            }
            return list;
        }
        throw f.error(field, "must be a number, boolean, string or list, got " + v.getNodeType().name().toLowerCase());
    }

    private static Map<String, TensorData> tensors(Fields f, String field, JsonNode node, boolean required) {
        Map<String, TensorData> map = new LinkedHashMap<>();
        if (node == null) {
            if (required) {
                throw f.error(field, "missing");
            }
            return map;
        }
        if (!node.isObject()) {
            throw f.error(field, "must be an object of named tensors {\"shape\": [...], \"data\": [...]}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            map.put(e.getKey(), tensor(f, field + "." + e.getKey(), e.getValue()));
        }
        return map;
    }

    private static TensorData tensor(Fields f, String field, JsonNode node) {
        if (!node.isObject()) {
            throw f.error(field, "must be an object {\"shape\": [...], \"data\": [...]}");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("shape") && !k.equals("data")) {
                throw f.error(field + "." + k, "unknown field; a tensor has shape and data");
            }
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw f.error(field + ".shape", shapeNode == null ? "missing" : "must be an array of sizes");
        }
        int[] dims = new int[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw f.error(field + ".shape[" + i + "]", "must be a non-negative integer, got " + d);
            }
            dims[i] = d.intValue();
            elements *= dims[i];
            if (elements > Limits.CASE_FILE_ELEMENTS) {
                throw f.error(field + ".shape", "has more than " + Limits.CASE_FILE_ELEMENTS + " elements (the limit for case files)");
            }
        }
        JsonNode dataNode = node.get("data");
        if (dataNode == null || !dataNode.isArray()) {
            throw f.error(field + ".data", dataNode == null ? "missing" : "must be an array of numbers");
        }
        Shape shape = Shape.of(dims);
        if (dataNode.size() != elements) {
            throw f.error(field + ".data", "shape " + shape + " needs " + elements + " values, got " + dataNode.size());
        }
        f.elements()[0] += elements;
        if (f.elements()[0] > Limits.CASE_FILE_ELEMENTS) {
            throw f.error(field + ".data", "the file's tensors hold more than " + Limits.CASE_FILE_ELEMENTS
                    + " values in all (the limit for case files)");
        }
        float[] data = new float[dataNode.size()];
        for (int i = 0; i < data.length; i++) {
            JsonNode v = dataNode.get(i);
            if (!v.isNumber()) {
                throw f.error(field + ".data[" + i + "]", "must be a number, got " + v);
            }
            // BigDecimal -> float rounds once, so a value written as the shortest float text reads back exactly.
            data[i] = v.isBigDecimal() ? v.decimalValue().floatValue() : v.floatValue();
        }
        return new TensorData(shape, data);
    }

    private static Tolerance tolerance(Fields f, JsonNode node) {
        if (node == null) {
            return Tolerance.DEFAULT;
        }
        if (!node.isObject()) {
            throw f.error("tolerance", "must be an object {\"abs\": ..., \"rel\": ...}");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("abs") && !k.equals("rel")) {
                throw f.error("tolerance." + k, "unknown field; a tolerance has abs and rel");
            }
        }
        return new Tolerance(bound(f, node, "abs"), bound(f, node, "rel"));
    }

    private static double bound(Fields f, JsonNode tolerance, String key) {
        JsonNode v = tolerance.get(key);
        if (v == null) {
            return key.equals("abs") ? Tolerance.DEFAULT.abs() : Tolerance.DEFAULT.rel();
        }
        if (!v.isNumber() || !(v.doubleValue() >= 0) || Double.isInfinite(v.doubleValue())) {
            throw f.error("tolerance." + key, "must be a finite number >= 0, got " + v);
        }
        return v.doubleValue();
    }

    private static String caseLabel(String name, int index) {
        return "'" + name + "' (cases[" + index + "])";
    }

    /** Builds field errors for one case; {@code elements} counts the file's tensor values so far. */
    private record Fields(String file, String caseLabel, long[] elements) {
        CaseFileException error(String field, String message) {
            return new CaseFileException(file, caseLabel, field, message);
        }
    }
}
