package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cuda.CudaProbe;
import dev.fovea.backend.cuda.CudaStatus;
import dev.fovea.backend.factory.Backends;
import dev.fovea.bench.BenchReport;
import dev.fovea.bench.Environment;
import dev.fovea.bench.Measurement;
import dev.fovea.bench.ModelBench;
import dev.fovea.bench.OpBench;
import dev.fovea.bench.OpProfile;
import dev.fovea.bench.OpSuite;
import dev.fovea.bench.OpTimer;
import dev.fovea.graph.Graph;
import dev.fovea.graph.MemoryPlan;
import dev.fovea.train.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * `fovea bench ops` and `fovea bench model`: timed op suites and whole-model throughput per backend,
 * as a table and optionally JSON, CSV and a PNG chart. Speed is measured here, never in unit tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the op suite (bench ops) or a model's training and inference throughput (bench model).",
        subcommands = {BenchCommand.Ops.class, BenchCommand.Model.class, BenchCommand.Plot.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options both benchmarks share. */
    static final class Common {
        @Option(names = {"--backend", "--device"}, defaultValue = "auto", split = ",",
                paramLabel = "auto|all|cpu|cpu-ref|cuda[:N]",
                description = "Backends to measure, comma separated. auto (default): cuda when usable, and cpu; "
                        + "all: every available backend, the single-threaded reference cpu-ref too.")
        List<String> backends;

        @Option(names = "--repeats", paramLabel = "N", description = "Timed repetitions per measurement (default 10; 2 with --quick).")
        Integer repeats;

        @Option(names = "--warmup", paramLabel = "N", description = "Untimed runs first (default 10, and at least 0.5 s; 1 with --quick).")
        Integer warmup;

        @Option(names = "--quick", description = "Few repetitions (and, for ops, batch 2 and sgemm 256 only): "
                + "checks the harness in seconds; not a measurement (default off).")
        boolean quick;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (default: none).")
        Path json;

        @Option(names = "--csv", paramLabel = "FILE", description = "Also write the results as CSV (default: none).")
        Path csv;

        @Option(names = "--markdown", paramLabel = "FILE",
                description = "Also write the results as a Markdown table (default: none).")
        Path markdown;

        @Option(names = "--plot", paramLabel = "FILE.png",
                description = "Also draw grouped bars per workload and backend (default: none).")
        Path plot;

        OpTimer timer() {
            int r = repeats != null ? repeats : quick ? 2 : 10;
            int w = warmup != null ? warmup : quick ? 1 : 10;
            if (r < 1) {
                throw new IllegalArgumentException("bench: --repeats must be >= 1, got " + r);
            }
            if (w < 0) {
                throw new IllegalArgumentException("bench: --warmup must be >= 0, got " + w);
            }
            // Besides the warm-up runs, half a second per workload lets the JIT compile what it meets first.
            return new OpTimer(w, r, quick || w == 0 ? 0 : 500);
        }

        /** Opens the requested backends; for auto, says why CUDA is skipped when it is. */
        List<Backend> open(PrintWriter out) {
            Set<String> names = new LinkedHashSet<>();
            for (String b : backends) {
                String n = b.trim().toLowerCase(Locale.ROOT);
                CudaStatus cuda = CudaProbe.status();
                if (n.equals("auto") || n.equals("all")) {
                    if (cuda.available()) {
                        names.add("cuda");
                    } else {
                        out.println("# cuda skipped: " + cuda.reason());
                    }
                    names.add("cpu");
                    if (n.equals("all")) {
                        names.add("cpu-ref");
                    }
                } else {
                    names.add(n);
                }
            }
            List<Backend> opened = new ArrayList<>();
            try {
                for (String n : names) {
                    opened.add(Backends.open(n));
                }
            } catch (RuntimeException e) {
                opened.forEach(Backend::close);
                if (e instanceof IllegalStateException && !String.valueOf(e.getMessage()).startsWith("device ")) {
                    throw new IllegalStateException("device " + names + ": " + e.getMessage(), e);
                }
                throw e;
            }
            return opened;
        }

        void write(PrintWriter out, Map<String, String> env, String title, List<Measurement> results) throws IOException {
            if (json != null) {
                BenchReport.json(json, env, results);
                out.println("# wrote " + json);
            }
            if (csv != null) {
                BenchReport.csv(csv, results);
                out.println("# wrote " + csv);
            }
            if (markdown != null) {
                BenchReport.markdown(markdown, env, results);
                out.println("# wrote " + markdown);
            }
            if (plot != null) {
                BenchReport.plot(plot, title, results);
                out.println("# wrote " + plot);
            }
            out.flush();
        }
    }

    static void printEnvironment(PrintWriter out, Map<String, String> env, OpTimer timer) {
        env.forEach((k, v) -> out.printf(Locale.ROOT, "# %-8s %s%n", k, v));
        out.printf(Locale.ROOT, "# timing   %d warm-up runs, median/min/max of %d repetitions%n", timer.warmup(),
                timer.repetitions());
    }

    @Command(name = "ops", mixinStandardHelpOptions = true,
            description = "Time the fixed op suite (convolutions, pooling, batch norm, sgemm), forward and forward+backward.")
    static final class Ops implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--only", split = ",", paramLabel = "TEXT",
                description = "Only the workloads whose name contains one of these (e.g. --only conv2d,sgemm 1024; "
                        + "default: all).")
        List<String> only = List.of();

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            OpTimer timer = common.timer();
            var workloads = OpSuite.select(OpSuite.standard(common.quick), only);
            List<Backend> backends = common.open(out);
            try {
                Map<String, String> env = Environment.describe(backends);
                printEnvironment(out, env, timer);
                BenchReport.header(out);
                List<Measurement> results = new ArrayList<>();
                for (Backend b : backends) {
                    results.addAll(OpBench.run(workloads, b, timer, m -> BenchReport.row(out, m)));
                }
                common.write(out, env, "fovea bench ops", results);
            } finally {
                backends.forEach(Backend::close);
            }
            return 0;
        }
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Training-step and inference throughput (images/s) of a model per backend, and its memory.")
    static final class Model implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--model", defaultValue = "mnist-cnn", description = "Zoo model name or model file (default ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--batch-size", defaultValue = "64", description = "Images per step (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--profile", description = "Afterwards, time every node of --profile-runs inference passes "
                + "and training steps and print the time per op kind, forward and backward (default off).")
        boolean profile;

        @Option(names = "--profile-runs", defaultValue = "10", paramLabel = "N",
                description = "Runs per profile; each op kind's median is shown (default ${DEFAULT-VALUE}).")
        int profileRuns;

        @Option(names = "--profile-json", paramLabel = "FILE",
                description = "Also write the profiles as JSON; implies --profile (default: none).")
        Path profileJson;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            OpTimer timer = common.timer();
            if (batchSize < 1) {
                throw new IllegalArgumentException("bench model: --batch-size must be >= 1, got " + batchSize);
            }
            boolean profiling = profile || profileJson != null;
            if (profiling && profileRuns < 1) {
                throw new IllegalArgumentException("bench model: --profile-runs must be >= 1, got " + profileRuns);
            }
            Graph g = ModelSpec.parse(model).graph();
            List<Backend> backends = common.open(out);
            try {
                Map<String, String> env = Environment.describe(backends);
                printEnvironment(out, env, timer);
                MemoryPlan plan = MemoryPlan.of(g, batchSize);
                out.printf(Locale.ROOT, "# memory   planned at batch %d: parameters %s, training activations %s, "
                                + "inference peak %s%n", batchSize, SummaryCommand.mib(plan.parameterBytes()),
                        SummaryCommand.mib(plan.trainingBytes()), SummaryCommand.mib(plan.inferencePeakBytes()));
                BenchReport.header(out);
                List<Measurement> results = new ArrayList<>();
                List<OpProfile> profiles = new ArrayList<>();
                for (Backend b : backends) {
                    for (Measurement m : ModelBench.run(g, b, batchSize, timer, profiling ? profileRuns : 0,
                            profiles::add)) {
                        BenchReport.row(out, m);
                        results.add(m);
                        if (m.memory().peakBytes() >= 0 && m.pass().equals("infer")) {
                            out.printf(Locale.ROOT, "# memory   %s allocator peak %s%n", b.name(),
                                    SummaryCommand.mib(m.memory().peakBytes()));
                        }
                        if (m.activity() != null) {
                            out.printf(Locale.ROOT, "# gpu      %s per training step (software GPU counters): %s%n",
                                    b.name(), m.activity().describe());
                        }
                    }
                }
                profiles.forEach(p -> p.print(out));
                if (profileJson != null) {
                    OpProfile.json(profileJson, profiles);
                    out.println("# wrote " + profileJson);
                }
                common.write(out, env, "fovea bench model " + g.name() + " batch " + batchSize, results);
            } finally {
                backends.forEach(Backend::close);
            }
            return 0;
        }
    }

    @Command(name = "plot", mixinStandardHelpOptions = true,
            description = "Draw the measurements of `bench --json` files (or files in their format, such as "
                    + "compare-pytorch.sh's) as grouped bars per workload and backend.")
    static final class Plot implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE.json", description = "Measurement files; later ones add bars.")
        List<Path> files;

        @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "The chart to write (required).")
        Path out;

        @Option(names = "--title", defaultValue = "fovea bench", description = "Chart title (default ${DEFAULT-VALUE}).")
        String title;

        @Option(names = "--baseline", defaultValue = "cpu", paramLabel = "BACKEND", description = "Each workload's label "
                + "gives the other backends' rate over this one's, so above 1 is faster (default ${DEFAULT-VALUE}).")
        String baseline;

        @Override
        public Integer call() throws IOException {
            List<Measurement> all = new ArrayList<>();
            for (Path f : files) {
                all.addAll(BenchReport.read(f));
            }
            if (all.isEmpty()) {
                throw new IllegalArgumentException("bench plot: no measurements in " + files);
            }
            if (spec.commandLine().getParseResult().hasMatchedOption("--baseline")
                    && all.stream().noneMatch(m -> m.backend().equals(baseline))) {
                throw new IllegalArgumentException("bench plot: --baseline " + baseline + ": no measurement of that backend "
                        + "in " + files);
            }
            BenchReport.plot(out, title, all, baseline);
            spec.commandLine().getOut().println("# wrote " + out);
            return 0;
        }
    }
}
