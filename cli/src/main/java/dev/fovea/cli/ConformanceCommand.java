package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.conformance.CaseFileException;
import dev.fovea.conformance.CaseFileReader;
import dev.fovea.conformance.CaseFileWriter;
import dev.fovea.conformance.CaseResult;
import dev.fovea.conformance.ConformanceCase;
import dev.fovea.conformance.ConformanceRunner;
import dev.fovea.conformance.GeneratedCases;
import dev.fovea.conformance.WorkedExamples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code fovea conformance}: runs every op on every available backend against the exact worked
 * examples, against cases generated from the reference backend, and against case files, printing
 * one row per case and backend.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {
            "Checks every op on every available backend: the worked examples (exact values), seeded random "
                    + "cases whose expected outputs and gradients come from the reference backend cpu-ref, and any "
                    + "--cases files. Prints one row per case and backend with the worst absolute and relative error.",
            "",
            "Exit status: 0 all cases pass; 1 a case fails; 2 a malformed case file or bad arguments; "
                    + "3 a requested backend is not available on this machine."})
public final class ConformanceCommand implements Callable<Integer> {
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;
    static final int UNAVAILABLE = 3;

    @Option(names = {"--backend", "--device"}, split = ",", paramLabel = "NAME",
            description = "cpu, cpu-ref, cuda, cuda:N or all (default: all available); repeat or separate with commas.")
    List<String> backendNames = new ArrayList<>(List.of("all"));

    @Option(names = "--cases", paramLabel = "FILE", description = "A case file (format fovea-cases/1) to run too; "
            + "repeatable (default: none).")
    List<Path> caseFiles = new ArrayList<>();

    @Option(names = "--no-builtin", description = "Run only the --cases files, not the built-in suite (default off).")
    boolean noBuiltin;

    @Option(names = "--filter", paramLabel = "TEXT", description = "Run only cases whose name or op contains TEXT "
            + "(default: all).")
    String filter;

    @Option(names = "--write-cases", paramLabel = "FILE",
            description = "Write the built-in generated suite (expected values from cpu-ref) to FILE and exit "
                    + "(default: run the cases).")
    Path writeCases;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces of errors (default off).")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return writeCases != null ? write(out) : run(out);
        } catch (CaseFileException e) {
            return error(err, BAD_INPUT, e.getMessage(), e);
        } catch (Unavailable e) {
            return error(err, UNAVAILABLE, e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            return error(err, BAD_INPUT, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            return error(err, FAILED, e.getMessage(), e);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int write(PrintWriter out) throws IOException {
        List<ConformanceCase> cases;
        try (Backend reference = Backends.reference()) {
            cases = GeneratedCases.all(reference);
        }
        CaseFileWriter.write(writeCases, cases);
        out.println("conformance: wrote " + cases.size() + " generated cases to " + writeCases);
        return 0;
    }

    private int run(PrintWriter out) {
        // Files first: a malformed file is reported before any work is done.
        List<ConformanceCase> fromFiles = new ArrayList<>();
        for (Path f : caseFiles) {
            fromFiles.addAll(CaseFileReader.read(f));
        }
        List<Backend> backends = openBackends();
        try {
            List<ConformanceCase> cases = new ArrayList<>();
            // Generated cases whose expected values the reference could not compute fail on every backend.
            List<GeneratedCases.Generated> broken = new ArrayList<>();
            if (!noBuiltin) {
                cases.addAll(WorkedExamples.all());
                try (Backend reference = Backends.reference()) {
                    for (GeneratedCases.Generated g : GeneratedCases.tryAll(reference)) {
                        if (g.error() == null) {
                            cases.add(g.value());
                        } else {
                            broken.add(g);
                        }
                    }
                }
            }
            cases.addAll(fromFiles);
            if (filter != null) {
                cases.removeIf(c -> !matches(c.name(), c.op()));
                broken.removeIf(g -> !matches(g.name(), g.op()));
            }
            if (cases.isEmpty() && broken.isEmpty()) {
                throw new IllegalArgumentException("no cases to run" + (filter != null ? " match --filter " + filter : ""));
            }
            out.printf("conformance: %d cases on %s%n", cases.size() + broken.size(),
                    String.join(", ", backends.stream().map(Backend::name).toList()));
            List<CaseResult> results = new ArrayList<>();
            List<String[]> names = new ArrayList<>();
            cases.forEach(c -> names.add(new String[] {c.name(), c.op()}));
            broken.forEach(g -> names.add(new String[] {g.name(), g.op()}));
            ResultTable table = new ResultTable(out, names);
            table.header();
            for (ConformanceCase c : cases) {
                for (Backend b : backends) {
                    CaseResult r = ConformanceRunner.run(c, b);
                    table.row(r);
                    results.add(r);
                }
            }
            for (GeneratedCases.Generated g : broken) {
                for (Backend b : backends) {
                    CaseResult r = new CaseResult(g.name(), g.op(), b.name(), Double.NaN, Double.NaN, false,
                            "expected values could not be computed: " + g.error().getMessage());
                    table.row(r);
                    results.add(r);
                }
            }
            long failed = results.stream().filter(r -> !r.passed()).count();
            out.println("conformance: " + (results.size() - failed) + " passed, " + failed + " failed");
            return failed == 0 ? 0 : FAILED;
        } finally {
            backends.forEach(Backend::close);
        }
    }

    private boolean matches(String name, String op) {
        return name.contains(filter) || op.contains(filter);
    }

    /** Opens the named backends once each, in the order given; "all" means every available one. */
    private List<Backend> openBackends() {
        Map<String, Backend> opened = new LinkedHashMap<>();
        try {
            for (String raw : backendNames) {
                String name = raw.trim().toLowerCase(Locale.ROOT);
                if (name.equals("all")) {
                    for (String n : Backends.availableNames()) {
                        if (!opened.containsKey(n)) {
                            opened.put(n, open(n));
                        }
                    }
                } else if (!opened.containsKey(name)) {
                    opened.put(name, open(name));
                }
            }
        } catch (RuntimeException e) {
            opened.values().forEach(Backend::close);
            throw e;
        }
        return new ArrayList<>(opened.values());
    }

    private static Backend open(String name) {
        if (name.equals("cpu") || name.equals("cpu-ref")) {
            return Backends.open(name);
        }
        if (name.equals("cuda") || name.matches("cuda:\\d+")) {
            try {
                return Backends.open(name, Backends.conformanceCuda());
            } catch (RuntimeException | LinkageError e) {
                throw new Unavailable("backend " + name + " is not available on this machine: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; expected cpu, cpu-ref, cuda, cuda:N or all");
    }

    private int error(PrintWriter err, int status, String message, Throwable e) {
        err.println("conformance: " + message);
        if (verbose) {
            e.printStackTrace(err);
        }
        return status;
    }

    /** A backend that was asked for by name but cannot run here (exit status 3). */
    private static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
