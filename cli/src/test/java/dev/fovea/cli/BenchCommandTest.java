package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.backend.cuda.CudaProbe;
import dev.fovea.graph.MemoryPlan;
import dev.fovea.nn.Zoo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** `fovea bench` on the CPU with --quick: the outputs and their fields, and bad options. No timing is asserted. */
class BenchCommandTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fovea.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertTimes(JsonNode m) {
        double median = m.get("median_ms").asDouble();
        assertTrue(median > 0, m.toString());
        assertTrue(m.get("min_ms").asDouble() <= median && median <= m.get("max_ms").asDouble(), m.toString());
    }

    @Test
    void opsQuickOnTheCpuWritesJsonCsvAndPngWithEveryMeasurement(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("ops.json");
        Path csv = dir.resolve("out/ops.csv");
        Path png = dir.resolve("ops.png");
        Run r = run("bench", "ops", "--backend", "cpu", "--quick", "--only", "mnist-conv2,min_pool2d,batch_norm,sgemm",
                "--json", json.toString(), "--csv", csv.toString(), "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("# cpu      " + Runtime.getRuntime().availableProcessors() + " threads, GEMM kernel "),
                r.out());
        assertTrue(r.out().contains("# machine  "), r.out());

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertTrue(root.get("environment").get("cpu").asText().contains("GEMM kernel"), root.toString());
        JsonNode ms = root.get("measurements");
        List<String> names = new ArrayList<>();
        for (JsonNode m : ms) {
            String name = m.get("name").asText();
            names.add(name);
            assertEquals("cpu", m.get("backend").asText());
            assertTimes(m);
            String rate = name.startsWith("conv2d") || name.startsWith("sgemm") ? "gflops" : "gb_per_s";
            assertTrue(m.get(rate).asDouble() > 0, m.toString());
            assertTrue(r.out().contains(name), "the table lacks " + name);
        }
        assertEquals(List.of("conv2d mnist-conv2 N2 32>64 26x26 fwd", "conv2d mnist-conv2 N2 32>64 26x26 fwd+bwd",
                "min_pool2d 2x2 2x64x24x24 fwd", "min_pool2d 2x2 2x64x24x24 fwd+bwd",
                "batch_norm train 2x64x56x56 fwd", "batch_norm train 2x64x56x56 fwd+bwd", "sgemm 256^3"), names);

        List<String> rows = Files.readAllLines(csv);
        assertTrue(rows.get(0).startsWith("name,backend,median_ms,min_ms,max_ms,rate,unit"), rows.get(0));
        assertEquals(names.size() + 1, rows.size());
        for (int i = 0; i < names.size(); i++) {
            assertTrue(rows.get(i + 1).startsWith(names.get(i) + ",cpu,"), rows.get(i + 1));
        }
        assertTrue(rows.get(1).contains(",gflops,") && rows.get(3).contains(",gb_per_s,"), rows.toString());

        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a PNG: " + png);
        assertTrue(image.getWidth() >= 900 && image.getHeight() >= 600);
    }

    @Test
    void modelQuickReportsTrainingAndInferenceThroughputAndThePlannedMemory(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("model.json");
        Path csv = dir.resolve("model.csv");
        Path md = dir.resolve("model.md");
        Run r = run("bench", "model", "--model", "lenet5", "--batch-size", "4", "--backend", "cpu", "--quick",
                "--json", json.toString(), "--csv", csv.toString(), "--markdown", md.toString());
        assertEquals(0, r.code(), r.err());
        MemoryPlan plan = MemoryPlan.of(Zoo.get("lenet5"), 4);
        JsonNode ms = new ObjectMapper().readTree(json.toFile()).get("measurements");
        assertEquals(2, ms.size());
        Set<String> passes = new java.util.HashSet<>();
        for (JsonNode m : ms) {
            passes.add(m.get("pass").asText());
            assertEquals("lenet5 batch 4 " + m.get("pass").asText(), m.get("name").asText());
            assertTimes(m);
            assertTrue(m.get("images_per_s").asDouble() > 0, m.toString());
            assertEquals(4, m.get("batch_size").asInt());
            assertEquals(plan.trainingBytes(), m.get("planned_training_bytes").asLong());
            assertEquals(plan.inferencePeakBytes(), m.get("planned_inference_bytes").asLong());
            assertTrue(m.get("peak_bytes") == null, "the CPU has no allocator peak: " + m);
        }
        assertEquals(Set.of("train", "infer"), passes);
        assertTrue(r.out().contains("planned at batch 4"), r.out());
        assertEquals(3, Files.readAllLines(csv).size());
        String table = Files.readString(md);
        assertTrue(table.contains("| workload | backend | median ms |"), table);
        assertTrue(table.contains("| lenet5 batch 4 train | cpu | ") && table.contains("| lenet5 batch 4 infer | cpu | "),
                table);
    }

    @Test
    void modelProfilePrintsAndWritesTheTimePerOpKind(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("profile.json");
        Run r = run("bench", "model", "--model", "lenet5", "--batch-size", "2", "--backend", "cpu", "--quick",
                "--profile-runs", "2", "--profile-json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("# profile  lenet5 batch 2 infer on cpu, median of 2 runs"), r.out());
        assertTrue(r.out().contains("# profile  lenet5 batch 2 train on cpu, median of 2 runs"), r.out());
        assertTrue(r.out().contains("# wrote " + json), r.out());
        JsonNode profiles = new ObjectMapper().readTree(json.toFile()).get("profiles");
        assertEquals(2, profiles.size());
        Set<String> inferOps = new java.util.HashSet<>();
        for (JsonNode row : profiles.get(0).get("rows")) {
            assertEquals("forward", row.get("direction").asText());
            inferOps.add(row.get("op").asText());
        }
        assertEquals(Set.of("conv2d", "tanh", "avg_pool2d", "flatten", "linear"), inferOps);
        boolean backward = false;
        for (JsonNode row : profiles.get(1).get("rows")) {
            backward |= row.get("direction").asText().equals("backward");
        }
        assertTrue(backward, profiles.get(1).toString());

        r = run("bench", "model", "--backend", "cpu", "--quick", "--profile", "--profile-runs", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--profile-runs must be >= 1, got 0"), r.err());
    }

    @Test
    void plotDrawsTheMeasurementsOfJsonFilesAndNamesABadOne(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("ops.json");
        assertEquals(0, run("bench", "ops", "--backend", "cpu", "--quick", "--only", "sgemm", "--json",
                json.toString()).code());
        // A second file in the same format with another backend, as compare-pytorch.sh writes PyTorch's.
        Path other = dir.resolve("other.json");
        Files.writeString(other, Files.readString(json).replace("\"backend\" : \"cpu\"", "\"backend\" : \"pytorch\""));
        assertTrue(Files.readString(other).contains("pytorch"), "the second file has another backend");
        Path png = dir.resolve("both.png");
        Run r = run("bench", "plot", "--out", png.toString(), "--title", "two", json.toString(), other.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(png) > 1000, "a PNG was written");
        assertTrue(r.out().contains("# wrote " + png), r.out());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"measurements\": [{\"workload\": \"x\", \"backend\": \"cpu\"}]}");
        r = run("bench", "plot", "--out", dir.resolve("bad.png").toString(), bad.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(bad + ": measurements[0]: needs workload, backend, median_ms"), r.err());
        r = run("bench", "plot", "--out", dir.resolve("bad.png").toString(), dir.resolve("missing.json").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.json"), r.err());
    }

    @Test
    void badOptionsAreOneLineAndStatusTwo() {
        Run r = run("bench", "ops", "--backend", "cpu", "--repeats", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--repeats must be >= 1, got 0"), r.err());

        r = run("bench", "ops", "--backend", "tpu", "--quick");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("backend 'tpu': expected one of cpu, cpu-ref, cuda"), r.err());

        r = run("bench", "ops", "--backend", "cpu", "--quick", "--only", "winograd");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--only winograd matches no workload; the suite has: conv2d mnist-conv2"), r.err());

        r = run("bench", "model", "--backend", "cpu", "--batch-size", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--batch-size must be >= 1, got 0"), r.err());

        r = run("bench", "model", "--backend", "cpu", "--model", "resnet99");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown model 'resnet99'"), r.err());
    }

    @Tag("no-gpu")
    @Test
    void cudaRequestedWithoutAUsableGpuIsStatusThreeWithTheReason() {
        assumeFalse(CudaProbe.status().available(), "a GPU is usable here");
        Run r = run("bench", "ops", "--backend", "cuda", "--quick", "--only", "sgemm");
        assertEquals(3, r.code());
        assertTrue(r.err().contains(CudaProbe.status().reason()), r.err());
    }
}
