package dev.fovea.jmh;

import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** The fast CPU SGEMM (packing, blocking, the Vector API micro-kernel, threads) on square matrices. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Benchmark)
public class GemmBenchmark {
    @Param({"256", "512", "1024", "2048"})
    int size;

    CpuBackend cpu;
    Tensor a;
    Tensor b;
    Tensor c;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = new CpuBackend();
        SplittableRandom rnd = new SplittableRandom(1);
        a = CpuState.random(cpu, rnd, Shape.of(size, size));
        b = CpuState.random(cpu, rnd, Shape.of(size, size));
        c = cpu.zeros(Shape.of(size, size));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }

    @Benchmark
    public Tensor sgemm() {
        cpu.gemm(false, false, size, size, size, 1f, a, b, 0f, c);
        return c;
    }
}
