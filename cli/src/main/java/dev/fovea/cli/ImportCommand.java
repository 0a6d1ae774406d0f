package dev.fovea.cli;

import dev.fovea.io.AtomicFile;
import dev.fovea.io.SafeTensors;
import dev.fovea.onnx.OnnxImport;
import picocli.CommandLine.Command;
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
 * `fovea import model.onnx --out DIR|FILE.json`: an ONNX model as a fovea-model file and its weights
 * (FILE.json and FILE.weights.safetensors beside it; in a directory model.json and weights.safetensors), so that
 * `fovea eval FILE.safetensors --model FILE.json` and the other commands use it. Nothing is written
 * unless the whole model imports.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import an ONNX model (opsets 11-17) as a fovea-model file plus safetensors weights.")
public final class ImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX file (weights inside it).")
    Path onnx;

    @Option(names = "--out", required = true, paramLabel = "DIR|FILE.json",
            description = "A directory (model.json and weights.safetensors are written in it) or the model file to "
                    + "write (its weights beside it, .json replaced by .weights.safetensors); required.")
    Path out;

    @Option(names = "--overwrite", description = "Replace existing files (default: refuse to).")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        Path json;
        if (Files.isDirectory(out) || !out.getFileName().toString().endsWith(".json")) {
            json = out.resolve("model.json");
        } else {
            json = out;
        }
        // Not FILE.safetensors: a .json beside a .safetensors of the same name is read as its checkpoint sidecar.
        Path weights = json.getFileName().toString().equals("model.json") ? json.resolveSibling("weights.safetensors")
                : json.resolveSibling(json.getFileName().toString().replaceAll("\\.json$", "") + ".weights.safetensors");
        for (Path p : new Path[] {json, weights}) {
            if (Files.exists(p) && !overwrite) {
                throw new IllegalArgumentException("--out " + out + ": " + p + " exists; give --overwrite to replace it");
            }
        }
        OnnxImport.Result r = OnnxImport.read(onnx);
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        SafeTensors.write(weights, r.weights(), Map.of("source", onnx.getFileName().toString()));
        AtomicFile.writeString(json, r.modelJson());
        long params = r.weights().values().stream().mapToLong(t -> t.values().length).sum();
        stdout.printf(Locale.ROOT, "imported %s: %d ops, %,d parameters, input %s, output %s%n", onnx,
                r.graph().nodes().size(), params, r.graph().input().shape(), r.graph().outputShape());
        stdout.printf(Locale.ROOT, "wrote %s and %s (use: fovea eval %s --model %s)%n", json, weights, weights, json);
        stdout.flush();
        return 0;
    }
}
