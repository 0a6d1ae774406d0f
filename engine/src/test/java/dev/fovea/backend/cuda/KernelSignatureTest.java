package dev.fovea.backend.cuda;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The backend's view of each kernel (entry name, parameter kinds) against the committed PTX, so a
 * kernel whose signature changes cannot be launched with the old arguments. Needs no GPU.
 */
class KernelSignatureTest {
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(u64|u32|s32|f32|b32|b64)\\s");

    /** The signature of {@code entry} in {@code ptx}, in the letters Kernel uses; null when absent. */
    static String ptxSignature(String ptx, String entry) {
        int at = ptx.indexOf(".entry " + entry + "(");
        if (at < 0) {
            return null;
        }
        String params = ptx.substring(at, ptx.indexOf(')', at));
        StringBuilder sig = new StringBuilder();
        Matcher m = PARAM.matcher(params);
        while (m.find()) {
            sig.append(switch (m.group(1)) {
                case "u64", "b64" -> 'p';
                case "f32" -> 'f';
                default -> 'i';
            });
        }
        return sig.toString();
    }

    @Test
    void signaturesMatchTheCommittedPtx() throws IOException {
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Kernel k : Kernel.values()) {
            String ptx;
            try (InputStream in = Kernel.class.getResourceAsStream(k.resource())) {
                if (in == null) {
                    missing.add(k.resource());
                    continue;
                }
                ptx = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
            String sig = ptxSignature(ptx, k.entry());
            if (sig == null) {
                wrong.add(k.entry() + " is not an entry point of " + k.resource());
            } else if (!sig.equals(k.signature())) {
                wrong.add(k.entry() + ": PTX has " + sig + ", the backend passes " + k.signature());
            }
            checked++;
        }
        if (!wrong.isEmpty()) {
            fail(String.join("\n", wrong));
        }
        assumeTrue(checked > 0, "no PTX module is on the classpath yet (they are generated in cuda-kernels/): "
                + missing.stream().distinct().toList());
        assertTrue(missing.isEmpty(), "PTX modules missing: " + missing.stream().distinct().toList());
    }

    @Test
    void ptxParametersAreReadInOrder() {
        String ptx = ".visible .entry fovea_fill(\n\t.param .u64 fovea_fill_param_0,\n\t.param .u32 fovea_fill_param_1,\n"
                + "\t.param .f32 fovea_fill_param_2\n)\n{\n}\n";
        assertEquals("pif", ptxSignature(ptx, "fovea_fill"));
        assertEquals(null, ptxSignature(ptx, "fovea_scale"));
    }

    @Test
    void launchArgumentsAreCheckedAgainstTheSignature() {
        Kernel.FILL.checkArguments(new CUdeviceptr(), 10, 1.5f);
        Kernel.CONV_DIRECT_FORWARD.checkArguments(new CUdeviceptr(), new CUdeviceptr(), null, new CUdeviceptr(),
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> Kernel.FILL.checkArguments(new CUdeviceptr(), 10));
        assertTrue(count.getMessage().contains("fovea_fill: expects 3 arguments (pif), got 2"), count.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> Kernel.FILL.checkArguments(new CUdeviceptr(), 10, 1.5));
        assertTrue(type.getMessage().contains("argument 2 must be a float, got Double"), type.getMessage());
    }

    @Test
    void missingPtxIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Kernels.readPtx("/dev/fovea/cuda/ptx/no_such_module.ptx"));
        assertTrue(e.getMessage().contains("no_such_module.ptx is missing from the classpath"), e.getMessage());
    }
}
