package dev.fovea.softgpu.ptx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The committed PTX modules (engine/src/main/resources/dev/fovea/cuda/ptx/*.ptx) as the tests see
 * them, read independently of the interpreter: their text, their entry points, and the instruction
 * forms they use (opcode with modifiers, "@p " in front of a predicated instruction, as the
 * interpreter's coverage report names them).
 */
final class Modules {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_$][\\w$]*)");
    private static Map<String, String> texts;

    private Modules() {
    }

    /** Module name (file name without .ptx) to PTX text. */
    static synchronized Map<String, String> texts() {
        if (texts == null) {
            Map<String, String> m = new TreeMap<>();
            try (Stream<Path> files = Files.list(Fork.ptxDirectory())) {
                for (Path f : files.filter(p -> p.toString().endsWith(".ptx")).sorted().toList()) {
                    m.put(f.getFileName().toString().replace(".ptx", ""), Files.readString(f, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (m.isEmpty()) {
                throw new AssertionError("no PTX modules in " + Fork.ptxDirectory());
            }
            texts = m;
        }
        return texts;
    }

    /** Entry point to its module. */
    static Map<String, String> entries() {
        Map<String, String> out = new LinkedHashMap<>();
        texts().forEach((module, text) -> {
            Matcher m = ENTRY.matcher(text);
            while (m.find()) {
                out.put(m.group(1), module);
            }
        });
        return out;
    }

    static String moduleOf(String entry) {
        String m = entries().get(entry);
        if (m == null) {
            throw new IllegalArgumentException("no committed module has the entry point " + entry);
        }
        return m;
    }

    /** Instruction forms of one module's text. */
    static TreeSet<String> forms(String text) {
        TreeSet<String> forms = new TreeSet<>();
        for (String raw : text.split("\n")) {
            String line = raw.replaceAll("//.*", "").trim();
            if (line.isEmpty() || line.startsWith(".") || line.endsWith(":") || line.startsWith("{")
                    || line.startsWith("}") || line.startsWith(")")) {
                continue;
            }
            String prefix = "";
            if (line.startsWith("@")) {
                prefix = "@p ";
                line = line.substring(line.indexOf(' ')).trim();
            }
            forms.add(prefix + line.split("[\\s;]+")[0]);
        }
        return forms;
    }

    /** Every form of every committed module. */
    static TreeSet<String> allForms() {
        TreeSet<String> all = new TreeSet<>();
        texts().values().forEach(t -> all.addAll(forms(t)));
        return all;
    }
}
