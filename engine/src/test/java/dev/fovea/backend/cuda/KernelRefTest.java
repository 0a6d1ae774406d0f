package dev.fovea.backend.cuda;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.fovea.backend.cuda.PtxParam.FLOAT;
import static dev.fovea.backend.cuda.PtxParam.INT;
import static dev.fovea.backend.cuda.PtxParam.POINTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backend's kernel handles against the kernels that exist: every {@link KernelRef} constant names
 * an entry of the committed PTX in its module, every {@code extern "C"} entry of the sources is
 * launched by a handle or listed below as deliberately unused, and launches are checked against the
 * parameters the PTX declares. Needs no GPU.
 */
class KernelRefTest {
    private static final Pattern SOURCE_ENTRY = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(");

    /** Entries no handle launches, each with the reason it is kept. */
    private static final Map<String, String> UNUSED = Map.of(
            "fovea_fill", "zeros use cuMemsetD32; the fault tests launch it by hand as the smallest kernel",
            "fovea_scale", "no op needs it today; PtxPlantedEditTest plants its wrong-.param-offset edit in it",
            "fovea_axpy", "no op needs it today (gradients accumulate with fovea_add); emulated and interpreted with the rest");

    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** Every static KernelRef constant of the backend's classes, by the field that declares it. */
    static Map<String, KernelRef> handles() throws IOException, ReflectiveOperationException, URISyntaxException {
        Path classes = Path.of(KernelRef.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = classes.resolve(KernelRef.class.getPackageName().replace('.', '/'));
        Map<String, KernelRef> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String simple = f.getFileName().toString().replace(".class", "");
                Class<?> c = Class.forName(KernelRef.class.getPackageName() + "." + simple, false,
                        KernelRef.class.getClassLoader());
                for (Field field : c.getDeclaredFields()) {
                    if (field.getType() == KernelRef.class && Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        out.put(simple + "." + field.getName(), (KernelRef) field.get(null));
                    }
                }
            }
        }
        return out;
    }

    /** Entry name to module for every {@code extern "C" __global__} function of cuda-kernels/src/*.cu. */
    static Map<String, String> sourceEntries() throws IOException {
        Path src = moduleDir().resolveSibling("cuda-kernels").resolve("src");
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu")).sorted().toList()) {
                String module = f.getFileName().toString().replace(".cu", "");
                Matcher m = SOURCE_ENTRY.matcher(Files.readString(f));
                while (m.find()) {
                    out.put(m.group(1), module);
                }
            }
        }
        return out;
    }

    @Test
    void everyHandleNamesAnEntryOfTheCommittedPtx() throws Exception {
        Map<String, KernelRef> handles = handles();
        assertTrue(handles.size() >= 60, "found only " + handles.size() + " handles: " + handles.keySet());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, KernelRef> h : handles.entrySet()) {
            try {
                assertFalse(h.getValue().signature().isEmpty(), h.getKey() + " takes no parameters");
            } catch (IllegalStateException e) {
                wrong.add(h.getKey() + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), wrong);
    }

    /**
     * What is wrong with {@code handles} against the {@code sources}' entries (name to module) and the
     * {@code unused} list: a handle looking in the wrong module, an entry nothing launches and nobody
     * listed, a listed entry that is launched or does not exist.
     */
    static List<String> coverageProblems(Map<String, String> sources, Map<String, KernelRef> handles,
                                         Map<String, String> unused) {
        Map<String, String> launched = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, KernelRef> h : handles.entrySet()) {
            KernelRef k = h.getValue();
            String module = sources.get(k.entry());
            if (module != null && !module.equals(k.module())) {
                wrong.add(h.getKey() + " looks for " + k.entry() + " in " + k.module() + ", it is in " + module + ".cu");
            }
            launched.put(k.entry(), h.getKey());
        }
        for (String entry : new TreeSet<>(sources.keySet())) {
            boolean used = launched.containsKey(entry);
            if (!used && !unused.containsKey(entry)) {
                wrong.add(entry + " is launched by no KernelRef: declare one where it is launched, or list it as unused");
            } else if (used && unused.containsKey(entry)) {
                wrong.add(entry + " is listed as unused but " + launched.get(entry) + " launches it");
            }
        }
        for (String entry : new TreeSet<>(unused.keySet())) {
            if (!sources.containsKey(entry)) {
                wrong.add(entry + " is listed as unused but no source declares it");
            }
        }
        return wrong;
    }

    @Test
    void everySourceEntryIsLaunchedByAHandleOrListedAsUnused() throws Exception {
        Map<String, String> sources = sourceEntries();
        assertTrue(sources.size() >= 60, "cuda-kernels/src has only " + sources.size() + " entries");
        assertEquals(List.of(), coverageProblems(sources, handles(), UNUSED));
    }

    @Test
    void anUnlaunchedEntryAWrongModuleAndAStaleUnusedListAreReported() {
        Map<String, String> sources = Map.of("fovea_a", "spatial", "fovea_b", "spatial", "fovea_c", "loss");
        Map<String, KernelRef> handles = new TreeMap<>(Map.of("X.A", KernelRef.of("elementwise", "fovea_a"),
                "X.C", KernelRef.of("loss", "fovea_c")));
        assertEquals(List.of("X.A looks for fovea_a in elementwise, it is in spatial.cu",
                        "fovea_b is launched by no KernelRef: declare one where it is launched, or list it as unused",
                        "fovea_c is listed as unused but X.C launches it",
                        "fovea_gone is listed as unused but no source declares it"),
                coverageProblems(sources, handles, Map.of("fovea_c", "kept", "fovea_gone", "kept")));
    }

    @Test
    void ptxParametersAreReadInOrder() {
        String ptx = ".visible .entry fovea_fill(\n\t.param .u64 fovea_fill_param_0,\n\t.param .u32 fovea_fill_param_1,\n"
                + "\t.param .f32 fovea_fill_param_2\n)\n{\n}\n.visible .entry fovea_two(\n\t.param .s32 fovea_two_param_0\n)\n{\n}\n";
        Map<String, List<PtxParam>> entries = PtxEntries.parse(ptx, "test.ptx");
        assertEquals(Map.of("fovea_fill", List.of(POINTER, INT, FLOAT), "fovea_two", List.of(INT)), entries);
    }

    @Test
    void aParameterTypeNoKernelUsesIsRejected() {
        String ptx = ".visible .entry fovea_wide(\n\t.param .f64 fovea_wide_param_0\n)\n{\n}\n";
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PtxEntries.parse(ptx, "test.ptx"));
        assertTrue(e.getMessage().contains("test.ptx: kernel fovea_wide parameter fovea_wide_param_0 has type .f64"),
                e.getMessage());
    }

    @Test
    void launchArgumentsAreCheckedAgainstThePtx() {
        KernelRef fill = KernelRef.of("elementwise", "fovea_fill");
        assertEquals(List.of(POINTER, INT, FLOAT), fill.checkArguments(new CUdeviceptr(), 10, 1.5f));
        KernelConv.CONV_DIRECT_FORWARD.checkArguments(new CUdeviceptr(), new CUdeviceptr(), null, new CUdeviceptr(),
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> fill.checkArguments(new CUdeviceptr(), 10));
        assertTrue(count.getMessage().contains("fovea_fill: expects 3 arguments (pif), got 2"), count.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> fill.checkArguments(new CUdeviceptr(), 10, 1.5));
        assertTrue(type.getMessage().contains("argument 2 must be a float, got Double"), type.getMessage());
        IllegalArgumentException pointer = assertThrows(IllegalArgumentException.class,
                () -> fill.checkArguments(10, 10, 1.5f));
        assertTrue(pointer.getMessage().contains("argument 0 must be a device pointer, got Integer"), pointer.getMessage());
    }

    @Test
    void aHandleWithoutAnEntryIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelRef.of("elementwise", "fovea_no_such_kernel").checkArguments());
        assertTrue(e.getMessage().contains("fovea_no_such_kernel is not an entry point of /dev/fovea/cuda/ptx/elementwise.ptx"),
                e.getMessage());
    }

    @Test
    void missingPtxIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelRef.of("no_such_module", "fovea_fill").signature());
        assertTrue(e.getMessage().contains("no_such_module.ptx is missing from the classpath"), e.getMessage());
    }
}
