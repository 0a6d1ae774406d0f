package dev.fovea.cli;

import dev.fovea.nn.ModelFile;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayersCommandTest {

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Fovea.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void listsEveryLayerTypeWithItsFields() {
        Run r = run("layers");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(ModelFile.describeLayerTypes(List.of()), lines);
        List<String> types = lines.stream().filter(l -> !l.startsWith(" ")).toList();
        for (String t : List.of("conv2d", "linear", "batch_norm", "relu", "softplus", "adaptive_avg_pool2d", "pad",
                "mul", "permute", "concat", "flatten")) {
            assertTrue(types.contains(t), t + " in " + types);
        }
        assertTrue(r.out().contains("conv2d\n  out_channels (an integer in 1..1048576, required): output channels\n"),
                r.out());
    }

    @Test
    void describesOnlyTheNamedTypesInTheOrderGiven() {
        Run r = run("layers", "dropout", "leaky_relu");
        assertEquals(0, r.status(), r.err());
        assertEquals("dropout\n  p (a number in 0.0..1.0, default 0.5): the probability of zeroing an element\n"
                + "leaky_relu\n  negative_slope (a finite number, default 0.01)\n", r.out());
    }

    @Test
    void anUnknownTypeIsBadInputWithANearMiss() {
        Run r = run("layers", "conv2");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().startsWith("fovea: unknown layer type 'conv2' (did you mean 'conv2d'?); valid types: conv2d, "),
                r.err());
    }
}
