package dev.fovea.cli;

import dev.fovea.graph.Graph;
import dev.fovea.onnx.OnnxExport;
import dev.fovea.onnx.proto.Onnx.ModelProto;
import dev.fovea.train.InferenceModel;
import dev.fovea.train.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * `fovea export CHECKPOINT --out model.onnx`: a checkpoint (or bare weights with --model, or an ONNX
 * file) as an ONNX model, opset 17, batch dimension symbolic; `--model` alone exports a zoo model or
 * model file with freshly initialised weights. The file is written atomically.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a checkpoint, or a model with fresh weights, as an ONNX model (opset 17, symbolic batch).")
public final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CHECKPOINT", description = "A checkpoint (.json or "
            + ".safetensors), a run directory (its latest checkpoint), bare weights with --model, or an ONNX file; "
            + "without it, --model's fresh weights.")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "FILE.onnx", description = "The ONNX file to write; required.")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing --out (default: refuse to).")
    boolean overwrite;

    /** Null unless given, so that a seed given beside a CHECKPOINT (whose weights it cannot change) is an error. */
    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the fresh weights when no CHECKPOINT is given (default 1).")
    Long seed;

    @Mixin
    WeightsOptions weights;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + ": is a directory; give the ONNX file to write");
        }
        if (Files.exists(out) && !overwrite) {
            throw new IllegalArgumentException("--out " + out + ": the file exists; give --overwrite to replace it");
        }
        Graph g;
        Map<String, float[]> w;
        String source;
        ModelProto m;
        if (checkpoint != null) {
            if (seed != null) {
                throw new IllegalArgumentException("--seed: seeds the fresh weights of --model alone; CHECKPOINT "
                        + checkpoint + " brings its own weights");
            }
            InferenceModel model = weights.read(checkpoint, spec.commandLine().getErr());
            g = model.graph();
            w = model.weights();
            source = model.source().toString();
            m = OnnxExport.export(g, w, model.normalization());
        } else if (weights.model != null) {
            if (weights.normalize != null) {
                throw new IllegalArgumentException("--normalize: is for bare weights given as CHECKPOINT; the fresh "
                        + "weights of --model " + weights.model + " were trained with nothing");
            }
            g = ModelSpec.parse(weights.model).graph();
            long s = seed == null ? 1 : seed;
            w = dev.fovea.graph.Parameters.initialValues(g, s);
            source = weights.model + " (fresh weights, seed " + s + ")";
            m = OnnxExport.export(g, w, null);
        } else {
            throw new IllegalArgumentException("export: give a CHECKPOINT, or --model for a zoo model or model file with "
                    + "fresh weights");
        }
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        long bytes = OnnxExport.write(out, m);
        long params = w.values().stream().mapToLong(a -> a.length).sum();
        stdout.printf(Locale.ROOT, "exported %s: %d ONNX nodes, %,d parameters, input [batch, %s], output [batch, %s], "
                        + "opset %d%n", source, m.getGraph().getNodeCount(), params, tail(g.input().shape().toArray()),
                tail(g.outputShape().toArray()), OnnxExport.OPSET);
        stdout.printf(Locale.ROOT, "wrote %s (%,d bytes)%n", out, bytes);
        stdout.flush();
        return 0;
    }

    private static String tail(int[] dims) {
        StringBuilder s = new StringBuilder();
        for (int d = 1; d < dims.length; d++) {
            s.append(d > 1 ? ", " : "").append(dims[d]);
        }
        return s.toString();
    }
}
