package dev.fovea.softgpu.ptx;

import dev.fovea.testing.Arrays2;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Edits planted in copies of the committed elementwise module are caught in ptx mode, because ptx
 * mode runs the text cuModuleLoadData received: an add turned into a sub, a dropped predicate, a
 * wrong .param offset give wrong results or a fault naming the PTX line; an unknown instruction, a
 * register of the wrong type, a header that was not rewritten fail the load. The same plan on the
 * source route shows why this matters: there the runtime edits go unnoticed (it runs the kernels'
 * CUDA C, whatever the PTX says), and only the header and parameter-list checks can fail.
 */
class PtxPlantedEditTest {
    private static final int N = 300;
    private static final float[] X = Arrays2.random(N, 5);
    private static final float[] Y = Arrays2.random(N, 6);
    private static final float A = 1.75f;

    /** One edit: its name, the module text, and the launch of the kernel it affects. */
    private record Edit(String name, String text, String kernel) {
    }

    private static final List<Edit> EDITS = new ArrayList<>();
    private static final List<String[]> OUTPUTS = new ArrayList<>();  // per edit: output buffer, or null
    private static Plan.Results ptx;
    private static Plan.Results source;
    private static String original;

    @BeforeAll
    static void run() {
        Fork.requireSoftGpu();
        original = Modules.texts().get("elementwise");
        EDITS.add(new Edit("unmodified", original, "fovea_add"));
        // 1. add.f32 -> sub.f32 in fovea_add.
        EDITS.add(new Edit("add turned into sub", inEntry(original, "fovea_add", b -> b.replace("add.f32", "sub.f32")),
                "fovea_add"));
        // 2. The predicate of fovea_fill's loop back-edge dropped: the loop runs on past n.
        EDITS.add(new Edit("dropped predicate", inEntry(original, "fovea_fill", PtxPlantedEditTest::dropBackEdgePredicate),
                "fovea_fill"));
        // 3. fovea_scale reads its factor from the parameter before it (n, as a float).
        EDITS.add(new Edit("wrong .param offset", inEntry(original, "fovea_scale",
                b -> b.replace("[fovea_scale_param_3]", "[fovea_scale_param_2]")), "fovea_scale"));
        // 4. ... or from past the end of the parameter space.
        EDITS.add(new Edit(".param offset past the parameters", inEntry(original, "fovea_scale",
                b -> b.replace("[fovea_scale_param_3]", "[fovea_scale_param_3+4]")), "fovea_scale"));
        // 5. An instruction the ISA does not have.
        EDITS.add(new Edit("unknown instruction", inEntry(original, "fovea_scale",
                b -> b.replaceFirst("(ld\\.param\\.f32[^\\n]*\\n)", "$1\tfrob.f32 \t%f1, %f1;\n")), "fovea_scale"));
        // 6. A float loaded into a 64-bit integer register.
        EDITS.add(new Edit("register of the wrong type", inEntry(original, "fovea_scale",
                b -> b.replaceFirst("ld\\.param\\.f32 \t%f1,", "ld.param.f32 \t%rd7,")), "fovea_scale"));
        // 7. nvcc 13's header, not rewritten to 7.0 by build-ptx.sh.
        EDITS.add(new Edit("header not rewritten", original.replace(".version 7.0", ".version 9.0"), "fovea_scale"));

        Plan plan = new Plan(PtxRuns.work().resolve("planted"));
        for (int i = 0; i < EDITS.size(); i++) {
            Edit e = EDITS.get(i);
            assertNotEquals(i == 0 ? null : original, e.text(), e.name() + ": the edit changed nothing");
            String id = "m" + i;
            plan.module(id, e.text());
            String x = plan.floats(X);
            String out;
            switch (e.kernel()) {
                case "fovea_add" -> {
                    String y = plan.floats(Y);
                    out = plan.output(N);
                    plan.launch(id, "fovea_add", 3, 32, x, y, out, N);
                }
                case "fovea_fill" -> {
                    out = plan.output(N);
                    plan.launch(id, "fovea_fill", 2, 32, out, N, A);
                }
                default -> {
                    out = plan.output(N);
                    plan.launch(id, "fovea_scale", 2, 32, x, out, N, A);
                }
            }
            OUTPUTS.add(new String[] {out});
            plan.reset();
        }
        ptx = plan.run("planted-ptx", Map.of("FOVEA_SOFTGPU_KERNELS", "ptx"), 120);
        source = plan.run("planted-source", Map.of("FOVEA_SOFTGPU_KERNELS", "source"), 120);
    }

    private static float[] expected(String kernel) {
        float[] e = new float[N];
        for (int i = 0; i < N; i++) {
            e[i] = switch (kernel) {
                case "fovea_add" -> X[i] + Y[i];
                case "fovea_fill" -> A;
                default -> A * X[i];
            };
        }
        return e;
    }

    private static boolean correct(Plan.Results r, int edit) {
        String out = OUTPUTS.get(edit)[0];
        if (!r.buffers.containsKey(out)) {
            return false;  // the context faulted: nothing could be read back
        }
        float[] got = r.floats(out);
        float[] want = expected(EDITS.get(edit).kernel());
        for (int i = 0; i < N; i++) {
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                return false;
            }
        }
        return true;
    }

    private static int index(String name) {
        for (int i = 0; i < EDITS.size(); i++) {
            if (EDITS.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @Test
    void theUnmodifiedModuleGivesTheExactResultOnBothRoutes() {
        assertEquals(0, ptx.loads.get("m0"), ptx.output);
        assertTrue(correct(ptx, 0), "ptx route:\n" + ptx.output);
        assertTrue(correct(source, 0), "source route:\n" + source.output);
    }

    @Test
    void anAddTurnedIntoASubGivesWrongResults() {
        int i = index("add turned into sub");
        assertEquals(0, ptx.loads.get("m" + i), ptx.output);
        assertEquals(0, ptx.syncs.get(i), ptx.output);
        assertTrue(!correct(ptx, i), "the interpreter ran the planted sub and must give x - y");
        float[] got = ptx.floats(OUTPUTS.get(i)[0]);
        for (int k = 0; k < N; k++) {
            assertEquals(X[k] - Y[k], got[k], 0f, "element " + k);
        }
        assertTrue(correct(source, i), "the source route runs the CUDA C, not the PTX: it cannot see the edit");
    }

    @Test
    void aDroppedPredicateRunsTheLoopPastItsBufferAndFaultsNamingTheLine() {
        int i = index("dropped predicate");
        assertEquals(0, ptx.loads.get("m" + i), ptx.output);
        assertEquals(700, ptx.syncs.get(i), "CUDA_ERROR_ILLEGAL_ADDRESS expected:\n" + ptx.output);
        String line = faultLine(ptx.output, "fovea_fill");
        assertTrue(line.contains("st.global.f32") && line.contains("bytes past the end of allocation"), line);
        assertTrue(correct(source, i), "the source route cannot see the edit");
    }

    @Test
    void aWrongParamOffsetGivesWrongResults() {
        int i = index("wrong .param offset");
        assertEquals(0, ptx.syncs.get(i), ptx.output);
        assertTrue(!correct(ptx, i), "fovea_scale read n as its factor and must not give a * x");
        assertTrue(correct(source, i), "the source route cannot see the edit");
        int past = index(".param offset past the parameters");
        assertEquals(700, ptx.syncs.get(past), ptx.output);
        String line = faultLine(ptx.output, "fovea_scale");
        assertTrue(line.contains("[fovea_scale_param_3+4]") && line.contains("outside the 24 bytes of param memory"),
                line);
    }

    @Test
    void anUnknownInstructionOrAWrongRegisterFailsTheLoadNamingModuleKernelLineAndInstruction() {
        int i = index("unknown instruction");
        assertEquals(218, ptx.loads.get("m" + i), "CUDA_ERROR_INVALID_PTX expected:\n" + ptx.output);
        String edited = EDITS.get(i).text();
        int line = edited.substring(0, edited.indexOf("frob.f32")).split("\n", -1).length;
        assertTrue(ptx.output.contains("module fovea_fill, kernel fovea_scale, line " + line
                + ": `frob.f32 %f1, %f1;`: unknown instruction frob.f32"), ptx.output);
        int w = index("register of the wrong type");
        assertEquals(218, ptx.loads.get("m" + w), ptx.output);
        assertTrue(ptx.output.contains("`ld.param.f32 %rd7, [fovea_scale_param_3];`: destination %rd7 is a .b64 register"),
                ptx.output);
        // The source route does not look at instructions.
        assertEquals(0, source.loads.get("m" + i));
        assertEquals(0, source.loads.get("m" + w));
    }

    @Test
    void aHeaderThatWasNotRewrittenFailsOnBothRoutes() {
        int i = index("header not rewritten");
        assertEquals(222, ptx.loads.get("m" + i), "CUDA_ERROR_UNSUPPORTED_PTX_VERSION expected:\n" + ptx.output);
        assertEquals(222, source.loads.get("m" + i));
    }

    /** The driver's report of a fault in `kernel`. */
    private static String faultLine(String output, String kernel) {
        for (String line : output.split("\n")) {
            if (line.startsWith("softgpu: cuLaunchKernel (" + kernel) && line.contains("kernel " + kernel + ", line ")) {
                return line;
            }
        }
        fail("no fault report for " + kernel + " in:\n" + output);
        return null;
    }

    /** Applies `edit` to the body of one entry point only. */
    private static String inEntry(String text, String entry, java.util.function.UnaryOperator<String> edit) {
        int start = text.indexOf(".entry " + entry + "(");
        int end = text.indexOf("\n}\n", start) + 3;
        assertTrue(start >= 0 && end > start, entry);
        return text.substring(0, start) + edit.apply(text.substring(start, end)) + text.substring(end);
    }

    /** Removes the guard of the last backward conditional branch (a loop's back-edge). */
    private static String dropBackEdgePredicate(String body) {
        Matcher m = Pattern.compile("\\t@%p\\d+ bra \\t(\\$L__BB\\d+_\\d+);").matcher(body);
        int at = -1;
        String label = null;
        while (m.find()) {
            int def = body.indexOf(m.group(1) + ":");
            if (def >= 0 && def < m.start()) {
                at = m.start();
                label = m.group(1);
            }
        }
        assertTrue(at >= 0, "no loop back-edge found");
        return body.substring(0, at) + "\tbra.uni \t" + label + ";" + body.substring(body.indexOf(";", at) + 1);
    }
}
