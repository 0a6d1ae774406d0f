package dev.fovea.tests.conformance;

import dev.fovea.backend.cuda.CudaProbe;
import dev.fovea.cli.Fovea;
import dev.fovea.conformance.CaseFileReader;
import dev.fovea.conformance.GeneratedCases;
import dev.fovea.conformance.WorkedExamples;
import dev.fovea.backend.cpu.ReferenceBackend;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** `fovea conformance` end to end, in-process, with stdout and stderr captured. */
class ConformanceCommandTest {
    private static final Pattern SUMMARY = Pattern.compile("(?m)^conformance: (\\d+) passed, (\\d+) failed$");

    record Run(int status, String out, String err) {
        int passed() {
            return summary(1);
        }

        int failed() {
            return summary(2);
        }

        private int summary(int group) {
            Matcher m = SUMMARY.matcher(out);
            assertTrue(m.find(), "no summary line in:\n" + out);
            return Integer.parseInt(m.group(group));
        }

        /** The result rows of one backend: lines "case op backend abs rel PASS|FAIL". */
        List<String> rows(String backend) {
            return out.lines().filter(l -> l.matches("\\S+\\s+\\S+\\s+" + Pattern.quote(backend) + "\\s+\\S+\\s+\\S+\\s+(PASS|FAIL)"))
                    .toList();
        }
    }

    static Run fovea(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fovea.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(ConformanceCommandTest.class.getResource("/conformance/" + name).toURI());
    }

    @Test
    void builtInSuitePassesOnCpuAndCpuRef() {
        Run r = fovea("conformance", "--backend", "cpu,cpu-ref");
        assertEquals(0, r.status(), r.out() + r.err());
        int cases = WorkedExamples.all().size() + GeneratedCases.all(new ReferenceBackend()).size();
        assertEquals(2 * cases, r.passed());
        assertEquals(0, r.failed());
        assertEquals(cases, r.rows("cpu").size());
        assertEquals(cases, r.rows("cpu-ref").size());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("ex1_conv_true_convolution_pad1\\s+conv2d\\s+cpu\\s+0\\s+0\\s+PASS")),
                r.out());
        assertTrue(r.out().contains("gen_batch_norm_training_4d"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void byDefaultEveryAvailableBackendRuns() {
        Run r = fovea("conformance", "--filter", "ex6_");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(4, r.rows("cpu").size());
        assertEquals(4, r.rows("cpu-ref").size());
        // With a GPU (the software GPU in the tests), cuda runs too.
        assertEquals(4 * dev.fovea.backend.factory.Backends.availableNames().size(), r.passed());
    }

    @Test
    void goldenCaseFilesPass() throws Exception {
        Run r = fovea("conformance", "--no-builtin", "--cases", resource("handwritten.json").toString(),
                "--cases", resource("generated-golden.json").toString());
        assertEquals(0, r.status(), r.out() + r.err());
        int cases = CaseFileReader.read(resource("handwritten.json")).size()
                + CaseFileReader.read(resource("generated-golden.json")).size();
        assertEquals(dev.fovea.backend.factory.Backends.availableNames().size() * cases, r.passed());
        assertTrue(r.out().contains("hand_max_pool2d_tie_goes_to_first"), r.out());
    }

    @Test
    void aWrongExpectedValueFailsWithExitStatus1(@TempDir Path dir) throws Exception {
        String text = Files.readString(resource("handwritten.json"))
                .replace("\"data\": [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]", "\"data\": [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4.5]");
        Path f = dir.resolve("wrong.json");
        Files.writeString(f, text);
        Run r = fovea("conformance", "--no-builtin", "--backend", "cpu-ref", "--cases", f.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertEquals(1, r.failed());
        String row = r.rows("cpu-ref").stream().filter(l -> l.startsWith("hand_avg_pool2d_exclude_pad ")).findFirst()
                .orElseThrow();
        assertTrue(row.matches("hand_avg_pool2d_exclude_pad\\s+avg_pool2d\\s+cpu-ref\\s+5\\.000e-01\\s+1\\.111e-01\\s+FAIL"),
                row);
        assertTrue(r.out().contains("output[8]: expected 4.500000, got 4.000000"), r.out());
    }

    @Test
    void aMalformedCaseFileIsOneLineNamingFileCaseAndFieldWithExitStatus2(@TempDir Path dir) throws Exception {
        String text = Files.readString(resource("handwritten.json"))
                .replace("\"inputs\": {\"input\": {\"shape\": [2], \"data\": [-2, 3]}}",
                        "\"inputs\": {\"input\": {\"shape\": [2], \"data\": [-2, 3, 4]}}");
        Path f = dir.resolve("malformed.json");
        Files.writeString(f, text);
        Run r = fovea("conformance", "--cases", f.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals("conformance: " + f + ": case 'hand_leaky_relu_default_slope' (cases[9]): inputs.input.data: shape [2] needs 2 values, got 3",
                r.err().strip());
        assertFalse(r.out().contains("PASS"), "nothing runs before the files are valid");
        Run verbose = fovea("conformance", "--verbose", "--cases", f.toString());
        assertEquals(2, verbose.status());
        assertTrue(verbose.err().contains("at dev.fovea.conformance.CaseFileReader"), verbose.err());
    }

    @Test
    void badJsonAndMissingFilesExitWith2(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"format\": \"fovea-cases/1\", \"cases\": [");
        Run bad = fovea("conformance", "--cases", f.toString());
        assertEquals(2, bad.status());
        assertTrue(bad.err().startsWith("conformance: " + f + ": invalid JSON: line 1"), bad.err());
        assertEquals(1, bad.err().lines().count(), bad.err());
        Run missing = fovea("conformance", "--cases", dir.resolve("absent.json").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("absent.json: cannot read"), missing.err());
    }

    @Test
    void badArgumentsExitWith2() {
        Run backend = fovea("conformance", "--backend", "tpu");
        assertEquals(2, backend.status());
        assertEquals("conformance: unknown backend 'tpu'; expected cpu, cpu-ref, cuda, cuda:N or all", backend.err().strip());
        Run option = fovea("conformance", "--frobnicate");
        assertEquals(2, option.status());
        assertTrue(option.err().contains("Unknown option: '--frobnicate'"), option.err());
        Run filter = fovea("conformance", "--filter", "no_such_case");
        assertEquals(2, filter.status());
        assertTrue(filter.err().contains("no cases to run match --filter no_such_case"), filter.err());
    }

    @Tag("no-gpu")
    @Test
    void cudaWithoutAGpuExitsWith3AndSaysWhy() {
        assumeFalse(CudaProbe.status().available(), "a usable GPU is present");
        Run r = fovea("conformance", "--backend", "cuda");
        assertEquals(3, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("conformance: backend cuda is not available on this machine: "), r.err());
        assertFalse(r.out().contains("PASS"));
    }

    @Test
    void writeCasesWritesTheGeneratedSuiteAsAFileThatPasses(@TempDir Path dir) {
        Path f = dir.resolve("suite.json");
        Run w = fovea("conformance", "--write-cases", f.toString());
        assertEquals(0, w.status(), w.err());
        int generated = GeneratedCases.all(new ReferenceBackend()).size();
        assertEquals("conformance: wrote " + generated + " generated cases to " + f, w.out().strip());
        assertEquals(generated, CaseFileReader.read(f).size());
        Run r = fovea("conformance", "--no-builtin", "--backend", "cpu", "--cases", f.toString());
        assertEquals(0, r.status(), r.out());
        assertEquals(generated, r.passed());
    }

    @Test
    void conformanceIsListedInTheHelp() {
        Run r = fovea("--help");
        assertTrue(r.out().contains("conformance"), r.out());
    }
}
