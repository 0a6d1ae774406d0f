package dev.fovea.bench;

import dev.fovea.io.FormatException;
import dev.fovea.io.SpecialFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The arithmetic of the benchmark reports: medians, rates, speed-up labels. No timing is asserted. */
class BenchReportTest {

    @Test
    void medianMinAndMaxComeFromTheClockAfterTheWarmUp() {
        double[] times = {7, 1, 5, 3};
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger timed = new AtomicInteger();
        Clock fake = body -> {
            body.run();
            return times[timed.getAndIncrement()];
        };
        OpTimer.Timing t = new OpTimer(2, 4).time("op", 1e9, runs::incrementAndGet, fake);
        assertEquals(6, runs.get());
        assertEquals(4.0, t.medianMs());
        assertEquals(1.0, t.minMs());
        assertEquals(7.0, t.maxMs());
        assertEquals(2e9 / 4e-3 / 1e9, t.gflops(), 1e-9);
    }

    /** Bench files may come from other tools: special files, deep nesting and strings for numbers are one-line errors. */
    @Test
    void measurementFilesAreReadAsUntrustedInput(@TempDir Path dir) throws Exception {
        SpecialFiles.assertRefused(dir, "bench.json", FormatException.class, BenchReport::read);
        Path p = dir.resolve("b.json");
        Files.writeString(p, "{\"measurements\": [{\"workload\": \"w\", \"backend\": \"cpu\", \"median_ms\": \"2\", "
                + "\"gflops\": 1}]}");
        assertEquals(p + ": measurements[0]: needs workload, backend, median_ms and one of gflops, gb_per_s or images_per_s "
                + "(the first two strings, the others numbers)", assertThrows(FormatException.class, () -> BenchReport.read(p))
                .getMessage());
        Files.writeString(p, "{\"measurements\": " + "[".repeat(100_000));
        FormatException deep = assertThrows(FormatException.class, () -> BenchReport.read(p));
        assertTrue(deep.getMessage().startsWith(p + ": JSON: ") && deep.getMessage().contains("nesting depth"), deep.getMessage());
    }

    @Test
    void ratesAreAmountsPerSecond() {
        assertEquals(500.0, Rate.GFLOPS.of(1e12, 2000), 1e-9);
        assertEquals(0.5, Rate.GB_PER_S.of(1e6, 2), 1e-12);
        assertEquals(32_000.0, Rate.IMAGES_PER_S.of(64, 2), 1e-9);
    }

    @Test
    void speedUpsAreStatedAgainstTheCpuBackendWhereBothRan() {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("cuda", new double[] {1200, 0});
        series.put("cpu", new double[] {100, 50});
        series.put("cpu-ref", new double[] {2, 1});
        assertEquals(" (cuda 12x, cpu-ref 0.02x)", BenchReport.speedUps(series, 0));
        assertEquals(" (cpu-ref 0.02x)", BenchReport.speedUps(series, 1));
        assertEquals("", BenchReport.speedUps(Map.of("cuda", new double[] {3}), 0));
    }

    @Test
    void againstAnotherBaselineTheLabelsReadLikeTheReadmesRatios() {
        // Fovea (cpu) against PyTorch: the README's table gives Fovea's speed over PyTorch's, above 1 faster.
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("cpu", new double[] {51.5, 17.0});
        series.put("pytorch", new double[] {55.1, 2.26});
        assertEquals(" (cpu 0.93x)", BenchReport.speedUps(series, 0, "pytorch"));
        assertEquals(" (cpu 7.52x)", BenchReport.speedUps(series, 1, "pytorch"));
        assertEquals(" (pytorch 1.07x)", BenchReport.speedUps(series, 0));
    }

    @Test
    void barValuesKeepThreeSignificantDigits() {
        assertEquals(12300.0, BenchReport.threeDigits(12345.6));
        assertEquals(0.0457, BenchReport.threeDigits(0.045678));
        assertEquals(0.0, BenchReport.threeDigits(0.0));
    }
}
