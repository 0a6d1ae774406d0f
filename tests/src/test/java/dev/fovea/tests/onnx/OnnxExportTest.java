package dev.fovea.tests.onnx;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.graph.Executor;
import dev.fovea.graph.ConvSpec;
import dev.fovea.graph.Graph;
import dev.fovea.graph.GraphBuilder;
import dev.fovea.graph.Node;
import dev.fovea.graph.ParamSpec;
import dev.fovea.graph.Parameters;
import dev.fovea.graph.Value;
import dev.fovea.nn.Zoo;
import dev.fovea.onnx.OnnxExport;
import dev.fovea.onnx.OnnxImport;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.UpsampleMode;
import dev.fovea.tensor.Shape;
import dev.fovea.train.ModelSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every zoo model, the example model files, a model with every exportable op and one per activation, exported with
 * {@link OnnxExport}: ONNX Runtime (2 threads) gives Fovea's cpu outputs on a batch of 2 and a batch of 3
 * (the batch is symbolic), and the file imports back into Fovea ({@link OnnxImport}'s checks) as the
 * same parameters, giving the same outputs.
 */
class OnnxExportTest {
    /**
     * Fovea and ONNX Runtime sum convolutions and GEMMs in other orders (ONNX Runtime also folds batch
     * norm into the convolutions), and evaluate the transcendental activations in float where Fovea
     * rounds double results once: float32 rounding differences, far below this bound.
     */
    static final double ABS = 1e-5;
    static final double REL = 1e-5;

    @TempDir
    Path dir;

    static Stream<String> models() {
        List<String> m = new ArrayList<>(Zoo.names());
        m.add("../examples/models/mnist-cnn.json");
        m.add("../examples/models/small-resnet.json");
        m.add("src/test/resources/onnx-export/every-op.json");
        m.add(NEW_OPS);
        for (Activation kind : Activation.values()) {
            m.add(ACTIVATION + kind.name());
        }
        return m.stream();
    }

    /** The prefix under which {@link #graph} gives {@link #activation}'s model of one activation. */
    static final String ACTIVATION = "activation:";

    /** The name under which {@link #graph} gives {@link #newOps()}, the ops model files cannot yet spell. */
    static final String NEW_OPS = "algebra-and-spatial-ops";

    static Graph graph(String model) {
        return model.equals(NEW_OPS) ? newOps() : model.startsWith(ACTIVATION)
                ? activation(Activation.valueOf(model.substring(ACTIVATION.length()))) : ModelSpec.parse(model).graph();
    }

    /**
     * One activation on a convolution's output, and where it has a number attribute the same
     * activation at 0.5 beside it (an ONNX form may depend on the value: softplus's beta), added.
     */
    static Graph activation(Activation kind) {
        GraphBuilder b = new GraphBuilder(kind.name().toLowerCase(Locale.ROOT), 3, 6, 6);
        Value c = b.conv2d("conv", b.input(), ConvSpec.of(4, 3).padding(1));
        Value y = b.activation(c, kind);
        return b.build(kind.parameter() == null ? y : b.add(y, b.activation(c, kind, 0.5)));
    }

    /**
     * Broadcasting mul/sub/div/add, mean and sum over dims, pad in each mode, upsample nearest and
     * bilinear (both align_corners, by size and by scale), adaptive pooling to 1x1 and to an even
     * divisor, transpose, permute and reshape keeping the batch.
     */
    static Graph newOps() {
        GraphBuilder b = new GraphBuilder(NEW_OPS, 3, 12, 12);
        Value c = b.conv2d("conv", b.input(), ConvSpec.of(8, 3).padding(1));
        Value m = b.op(null, "mean", Map.of("dim", List.of(2, 3), "keepdim", true), Map.of("input", c));
        Value s = binary(b, "sub", binary(b, "mul", c, m), c);
        Value gate = b.add(b.sigmoid(m), b.sigmoid(m));
        Value d = binary(b, "div", s, gate);
        Value p = b.pad(d, PadMode.CONSTANT, 0.5, 1, 2, 0, 1);
        p = b.pad(p, PadMode.REFLECT, 0, 2, 1, 1, 2);
        p = b.pad(p, PadMode.REPLICATE, 0, 1, 1, 1, 1);                         // [8, 18, 20]
        Value u = b.add(b.upsample(p, UpsampleMode.NEAREST, 2.0, 2.0, false),
                b.upsample(p, UpsampleMode.BILINEAR, 36, 40, true));
        u = b.add(u, b.upsample(p, UpsampleMode.BILINEAR, 2.0, 2.0, false));
        Value odd = b.upsample(p, UpsampleMode.NEAREST, 27, 30, false);
        u = b.add(u, b.upsample(odd, UpsampleMode.BILINEAR, 36, 40, false));     // [8, 36, 40]
        Value q = b.add(b.adaptivePool("adaptive_avg_pool2d", u, 6, 8),
                b.upsample(b.adaptivePool("adaptive_max_pool2d", u, 3, 4), UpsampleMode.NEAREST, 2.0, 2.0, false));
        Value t = b.op(null, "transpose", Map.of("dim0", 2, "dim1", -1), Map.of("input", q));
        Value back = b.op(null, "permute", Map.of("dims", List.of(0, 1, 3, 2)), Map.of("input", t));
        Value nhwc = b.op(null, "permute", Map.of("dims", List.of(0, 2, -1, 1)), Map.of("input", b.add(back, q)));
        Value r = b.op(null, "reshape", Map.of("shape", List.of(-1, 16, 24)), Map.of("input", nhwc));
        Value sum = b.op(null, "sum", Map.of("dim", List.of(2)), Map.of("input", r));
        Value mean = b.op(null, "mean", Map.of("dim", List.of(-1)), Map.of("input", r));
        Value gmax = b.op(null, "reshape", Map.of("shape", List.of(-1, 8)),
                Map.of("input", b.adaptivePool("adaptive_max_pool2d", q, 1, 1)));
        return b.build(b.concat(1, binary(b, "sub", sum, mean), gmax));
    }

    private static Value binary(GraphBuilder b, String op, Value x, Value y) {
        return b.op(null, op, Map.of(), Map.of("input", x, "other", y));
    }

    @ParameterizedTest
    @MethodSource("models")
    void onnxRuntimeGivesFoveasOutputs(String model) throws Exception {
        Graph g = graph(model);
        Map<String, float[]> w = weights(g, 7);
        Path file = dir.resolve("model.onnx");
        OnnxExport.write(file, OnnxExport.export(g, w, null));
        try (Backend cpu = Backends.open("cpu");
             OnnxRuntimeModel ort = new OnnxRuntimeModel(file, 2)) {
            assertEquals(-1, ort.shape(OnnxExport.INPUT)[0], "symbolic batch");
            assertEquals(-1, ort.shape(OnnxExport.OUTPUT)[0], "symbolic batch");
            for (int batch : new int[] {2, 3}) {
                Shape s = g.input().shape().withDim(0, batch);
                float[] x = random(s.size(), 100 + batch);
                float[] onnx = ort.run(x, Arrays.stream(s.toArray()).asLongStream().toArray());
                close(model + " batch " + batch + ": ONNX Runtime", infer(cpu, g, w, s, x), onnx, ABS, REL);
            }
        }
    }

    /** import(export(m)) is m: the same parameter names and values, and the same outputs on cpu. */
    @ParameterizedTest
    @MethodSource("models")
    void importingTheExportGivesTheSameModel(String model) throws Exception {
        Graph g = graph(model);
        Map<String, float[]> w = weights(g, 7);
        Path file = dir.resolve("model.onnx");
        OnnxExport.write(file, OnnxExport.export(g, w, null));
        OnnxImport.Result back = OnnxImport.read(file);
        assertEquals(List.copyOf(g.params().keySet()), List.copyOf(back.graph().params().keySet()),
                model + ": imported parameter names");
        for (String p : g.params().keySet()) {
            assertArrayEquals(expectedImport(g, p, w.get(p)), back.arrays().get(p), model + ": imported " + p);
        }
        try (Backend cpu = Backends.open("cpu")) {
            Shape s = g.input().shape().withDim(0, 3);
            float[] x = random(s.size(), 5);
            // The same ops on the same backend: only batch norm's epsilon, a float in ONNX, may round differently.
            close(model + ": imported", infer(cpu, g, w, s, x), infer(cpu, back.graph(), back.arrays(), s, x), 1e-6, 1e-6);
        }
    }

    /**
     * Seeded weights: the initialisation's, with batch norm's statistics and affine parameters and
     * PReLU's slopes (constants at initialisation) made random too, so the export of each is tested.
     */
    static Map<String, float[]> weights(Graph g, long seed) {
        Map<String, float[]> w = new LinkedHashMap<>(Parameters.initialValues(g, seed));
        Random r = new Random(seed);
        for (ParamSpec p : g.params().values()) {
            if (p.init() instanceof ParamSpec.Init.Constant) {
                float[] v = w.get(p.name());
                for (int i = 0; i < v.length; i++) {
                    v[i] = p.name().endsWith("running_var") ? 0.5f + r.nextFloat() : r.nextFloat() - 0.5f;
                }
            }
        }
        return w;
    }

    /**
     * A parameter as it comes back: unchanged, except the kernel of a convolution in {@code convolution}
     * mode, which ONNX (cross-correlation only) holds turned by 180 degrees, and Fovea imports as it is.
     */
    private static float[] expectedImport(Graph g, String param, float[] v) {
        for (Node n : g.nodes()) {
            if (n.op().equals("conv2d") && param.equals(n.inputs().get("weight"))
                    && n.attrs().string("mode", "cross_correlation").equals("convolution")) {
                Shape s = g.shapeOf(param);
                int k = s.dim(2) * s.dim(3);
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = v[i / k * k + (k - 1 - i % k)];
                }
                return f;
            }
        }
        return v;
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static float[] infer(Backend b, Graph g, Map<String, float[]> w, Shape s, float[] x) {
        try (Parameters p = Parameters.fromHost(g, b, w)) {
            return b.download(new Executor(g, p).infer(b.upload(s, x)));
        }
    }

    private static void close(String what, float[] want, float[] got, double abs, double rel) {
        assertEquals(want.length, got.length, what + ": output size");
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            double tol = abs + rel * Math.abs(want[i]);
            assertEquals(want[i], got[i], tol, what + ": output " + i);
            worst = Math.max(worst, Math.abs(want[i] - got[i]) / tol);
        }
        System.out.printf("%s: worst difference %.3f of the tolerance%n", what, worst);
    }
}
