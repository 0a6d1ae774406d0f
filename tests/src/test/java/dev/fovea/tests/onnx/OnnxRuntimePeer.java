package dev.fovea.tests.onnx;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.graph.BatchNormFolding;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.Zoo;
import dev.fovea.onnx.OnnxExport;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The inference peer benchmark (run by scripts/compare-onnxruntime.sh on the test classpath, where
 * ONNX Runtime is): per zoo model, Fovea's cpu backend and ONNX Runtime run the same exported model
 * file, the same weights and the same batch with the same number of threads, in alternating rounds in
 * one process; each side's best median over the rounds gives the ratio Fovea/ONNX Runtime in images/s.
 * Fovea runs its inference graph as eval and predict do (batch norm folded into the convolutions);
 * ONNX Runtime applies its own default graph optimisations (which fold it too).
 *
 * <p>usage: OnnxRuntimePeer --threads N --rounds R --repeats K --warmup W --out DIR MODEL:BATCH...
 */
public final class OnnxRuntimePeer {
    private OnnxRuntimePeer() {
    }

    private record Timing(double medianMs, double minMs) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("--threads", "2", "--rounds", "3", "--repeats", "10",
                "--warmup", "10", "--out", "."));
        List<String> models = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (opt.containsKey(args[i]) && i + 1 < args.length) {
                opt.put(args[i], args[++i]);
            } else if (args[i].contains(":")) {
                models.add(args[i]);
            } else {
                throw new IllegalArgumentException("OnnxRuntimePeer: unknown argument " + args[i] + " (expected "
                        + opt.keySet() + " or MODEL:BATCH)");
            }
        }
        int threads = Integer.parseInt(opt.get("--threads"));
        int rounds = Integer.parseInt(opt.get("--rounds"));
        int repeats = Integer.parseInt(opt.get("--repeats"));
        int warmup = Integer.parseInt(opt.get("--warmup"));
        Path out = Path.of(opt.get("--out"));
        Files.createDirectories(out);
        if (!String.valueOf(threads).equals(System.getProperty("fovea.threads"))) {
            throw new IllegalArgumentException("OnnxRuntimePeer: start the JVM with -Dfovea.threads=" + threads
                    + " so that both sides use " + threads + " threads");
        }
        try (PrintWriter rows = new PrintWriter(Files.newBufferedWriter(out.resolve("rounds.csv")));
             Backend cpu = Backends.open("cpu")) {
            rows.println("round,model,batch,engine,median_ms,min_ms,images_per_s");
            StringBuilder md = new StringBuilder();
            md.append(String.format(Locale.ROOT, "Inference, %d threads each, %d alternating rounds of %d timed runs "
                    + "(after at least %d warm-up runs and 0.5 s); best median per side.%n%n", threads, rounds, repeats, warmup));
            md.append("| model | batch | Fovea images/s | ONNX Runtime images/s | Fovea/ONNX Runtime | per round |\n");
            md.append("|---|---|---|---|---|---|\n");
            for (String mb : models) {
                String name = mb.substring(0, mb.lastIndexOf(':'));
                int batch = Integer.parseInt(mb.substring(mb.lastIndexOf(':') + 1));
                md.append(compare(cpu, name, batch, threads, rounds, repeats, warmup, out, rows));
                rows.flush();
            }
            Files.writeString(out.resolve("ratios.md"), md.toString());
            System.out.print(md);
        }
    }

    private static String compare(Backend cpu, String name, int batch, int threads, int rounds, int repeats, int warmup,
                                  Path out, PrintWriter rows) throws Exception {
        Graph g = Zoo.get(name);
        Map<String, float[]> w = Parameters.initialValues(g, 1);
        Path file = out.resolve(name + ".onnx");
        OnnxExport.write(file, OnnxExport.export(g, w, null));
        Shape s = g.input().shape().withDim(0, batch);
        float[] x = new float[s.size()];
        Random r = new Random(2);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        long[] shape = Arrays.stream(s.toArray()).asLongStream().toArray();
        BatchNormFolding.Folded f = BatchNormFolding.fold(g, w);
        Timing bestFovea = null;
        Timing bestOrt = null;
        StringBuilder perRound = new StringBuilder();
        try (Parameters p = Parameters.fromHost(f.graph(), cpu, f.params());
             Tensor input = cpu.upload(s, x);
             OnnxRuntimeModel ort = new OnnxRuntimeModel(file, threads)) {
            Executor exec = new Executor(f.graph(), p);
            for (int round = 1; round <= rounds; round++) {
                Timing fovea = time(warmup, repeats, () -> exec.infer(input).close());
                Timing onnx = time(warmup, repeats, () -> ort.run(x, shape));
                for (Object[] row : new Object[][] {{"fovea", fovea}, {"onnxruntime", onnx}}) {
                    Timing t = (Timing) row[1];
                    rows.printf(Locale.ROOT, "%d,%s,%d,%s,%.3f,%.3f,%.1f%n", round, name, batch, row[0], t.medianMs(),
                            t.minMs(), batch * 1000 / t.medianMs());
                }
                System.err.printf(Locale.ROOT, "round %d %s batch %d: Fovea %.2f ms, ONNX Runtime %.2f ms%n", round, name,
                        batch, fovea.medianMs(), onnx.medianMs());
                perRound.append(perRound.length() > 0 ? ", " : "")
                        .append(String.format(Locale.ROOT, "%.2f", onnx.medianMs() / fovea.medianMs()));
                bestFovea = bestFovea == null || fovea.medianMs() < bestFovea.medianMs() ? fovea : bestFovea;
                bestOrt = bestOrt == null || onnx.medianMs() < bestOrt.medianMs() ? onnx : bestOrt;
            }
        }
        Files.delete(file);
        return String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.2f | %s |%n", name, batch,
                batch * 1000 / bestFovea.medianMs(), batch * 1000 / bestOrt.medianMs(),
                bestOrt.medianMs() / bestFovea.medianMs(), perRound);
    }

    private interface Run {
        void run() throws Exception;
    }

    private static Timing time(int warmup, int repeats, Run run) throws Exception {
        // As bench model: at least 0.5 s of warm-up, so that the JIT has compiled Fovea's kernels.
        long until = System.nanoTime() + 500_000_000L;
        for (int i = 0; i < warmup || System.nanoTime() < until; i++) {
            run.run();
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            run.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new Timing(ms[repeats / 2], ms[0]);
    }
}
