package dev.fovea.io;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seeded structural mutants of a valid JSON file, for the fuzz tests of the JSON formats (model
 * files, checkpoint sidecars, case files): each takes one value of the file and replaces it with
 * something a hostile or careless writer produces. Every kind but {@link Kind#FRACTION} must be
 * refused by a strict reader, whatever the value was.
 */
public final class JsonMutations {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEEP = "@@deep@@";
    private static final String LONG = "@@long@@";
    private static final List<String> PATHS = List.of("../../etc/passwd", "/etc/passwd", "sub/w.safetensors", "..",
            "../epoch-001.safetensors", "/dev/zero");

    /** What a mutant does to the value it picks. */
    public enum Kind {
        /** A number or boolean written as a string: "2", "true". */
        COERCED,
        /** An integer made a float: 2.5, or 2.0. */
        FRACTION,
        /** The value nested 10,000 arrays deep. */
        DEEP,
        /** A string of more than a million characters. */
        LONG_STRING,
        /** A file name replaced by a path that leaves its folder (only for the fields named as paths). */
        PATH
    }

    /** One mutant: what was done, where (a JSON pointer) and the resulting text. */
    public record Mutant(Kind kind, String at, String json) {
        @Override
        public String toString() {
            return kind + " at " + at;
        }
    }

    private JsonMutations() {
    }

    /**
     * {@code count} mutants of {@code valid}, from {@code seed}; {@code pathFields} are the object keys
     * whose string values name files (PATH mutants replace only those).
     */
    public static List<Mutant> of(String valid, long seed, int count, Set<String> pathFields) throws Exception {
        JsonNode root = JSON.readTree(valid);
        List<String> scalars = new ArrayList<>();
        List<String> integers = new ArrayList<>();
        List<String> all = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        collect(root, "", scalars, integers, all, paths, pathFields);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Mutant> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Kind kind = Kind.values()[rnd.nextInt(paths.isEmpty() ? 4 : 5)];
            List<String> from = switch (kind) {
                case COERCED -> scalars;
                case FRACTION -> integers;
                case DEEP, LONG_STRING -> all;
                case PATH -> paths;
            };
            String at = from.get(rnd.nextInt(from.size()));
            JsonNode copy = root.deepCopy();
            JsonNode old = copy.at(at);
            JsonNode value = switch (kind) {
                case COERCED -> TextNode.valueOf(old.asText());
                case FRACTION -> DoubleNode.valueOf(old.longValue() + (rnd.nextBoolean() ? 0.5 : 0.0));
                case DEEP -> TextNode.valueOf(DEEP);
                case LONG_STRING -> TextNode.valueOf(LONG);
                case PATH -> TextNode.valueOf(PATHS.get(rnd.nextInt(PATHS.size())));
            };
            set(copy, at, value);
            String text = copy.toString().replace("\"" + DEEP + "\"", "[".repeat(10_000) + "]".repeat(10_000))
                    .replace(LONG, "x".repeat(Limits.JSON_STRING_CHARS + 1000));
            out.add(new Mutant(kind, at, text));
        }
        return out;
    }

    private static void collect(JsonNode n, String at, List<String> scalars, List<String> integers, List<String> all,
                                List<String> paths, Set<String> pathFields) {
        if (!at.isEmpty()) {
            all.add(at);
        }
        if (n.isNumber() || n.isBoolean()) {
            scalars.add(at);
        }
        if (n.isIntegralNumber()) {
            integers.add(at);
        }
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = at + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (pathFields.contains(e.getKey()) && e.getValue().isTextual()) {
                    paths.add(child);
                }
                collect(e.getValue(), child, scalars, integers, all, paths, pathFields);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                collect(n.get(i), at + "/" + i, scalars, integers, all, paths, pathFields);
            }
        }
    }

    private static void set(JsonNode root, String at, JsonNode value) {
        JsonPointer p = JsonPointer.compile(at);
        JsonNode parent = root.at(p.head());
        String last = p.last().getMatchingProperty();
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else {
            ((ArrayNode) parent).set(p.last().getMatchingIndex(), value);
        }
    }
}
