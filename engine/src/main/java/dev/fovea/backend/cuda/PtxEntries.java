package dev.fovea.backend.cuda;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The entry points of a PTX module and their parameter lists, read from the module's text: the one
 * statement of each kernel's signature that the backend trusts (nvcc writes it from the {@code .cu}
 * source), so no signature is copied by hand into Java.
 */
final class PtxEntries {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(\\w+)\\s+(\\w+)");
    private static final Map<String, Map<String, List<PtxParam>>> BY_RESOURCE = new ConcurrentHashMap<>();

    private PtxEntries() {
    }

    /** The entries of the classpath PTX module {@code resource}, read once. */
    static Map<String, List<PtxParam>> of(String resource) {
        return BY_RESOURCE.computeIfAbsent(resource, r -> {
            byte[] text = Kernels.readPtx(r);
            // readPtx NUL-terminates the text for the driver; the parser wants the text alone.
            return parse(new String(text, 0, text.length - 1, StandardCharsets.US_ASCII), r);
        });
    }

    /** Each {@code .entry} of {@code ptx} in order, with its {@code .param} kinds in order. */
    static Map<String, List<PtxParam>> parse(String ptx, String where) {
        Map<String, List<PtxParam>> entries = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(ptx);
        while (e.find()) {
            List<PtxParam> params = new ArrayList<>();
            Matcher p = PARAM.matcher(e.group(2));
            while (p.find()) {
                PtxParam kind = PtxParam.ofPtxType(p.group(1));
                if (kind == null) {
                    throw new IllegalStateException(where + ": kernel " + e.group(1) + " parameter " + p.group(2)
                            + " has type ." + p.group(1) + "; Fovea's kernels take only pointers, ints and floats");
                }
                params.add(kind);
            }
            entries.put(e.group(1), List.copyOf(params));
        }
        return Collections.unmodifiableMap(entries);
    }
}
