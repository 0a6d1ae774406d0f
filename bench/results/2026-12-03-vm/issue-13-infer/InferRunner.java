import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.bench.Inputs;
import dev.fovea.graph.BatchNormFolding;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.Zoo;
import dev.fovea.tensor.Tensor;

/** One side of an in-process A/B: a zoo model's folded inference (as predict runs it), one pass per call. */
public class InferRunner implements java.util.function.DoubleSupplier {
    final Executor exec; final Tensor x;
    public InferRunner(String spec) {
        String[] a = spec.split(":");
        Graph g = Zoo.get(a[0]);
        int batch = Integer.parseInt(a[1]);
        CpuBackend b = new CpuBackend(Integer.parseInt(a[2]));
        BatchNormFolding.Folded f = BatchNormFolding.fold(g, Parameters.initialValues(g, 1));
        exec = new Executor(f.graph(), Parameters.fromHost(f.graph(), b, f.params()));
        x = new Inputs(b, 2).random(g.input().shape().withDim(0, batch));
    }
    public double getAsDouble() {
        long t0 = System.nanoTime();
        exec.infer(x).close();
        return (System.nanoTime() - t0) / 1e6;
    }
}
