package dev.fovea.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.ops.Op;
import dev.fovea.ops.Ops;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a case on a backend through the op registry and compares every expected output and, when
 * the case has them, every expected input gradient. Inputs are uploaded afresh for each run, since
 * some ops (batch norm in training) update an input in place.
 */
public final class ConformanceRunner {
    private ConformanceRunner() {
    }

    public static CaseResult run(ConformanceCase c, Backend backend) {
        Errors errors = new Errors(c.tolerance());
        List<Tensor> owned = new ArrayList<>();
        try {
            Op op = Ops.get(c.op()).bind(c.attrs());
            Map<String, Tensor> inputs = upload(backend, c.inputs(), owned);
            Map<String, Tensor> outputs = op.forward(backend, inputs);
            owned.addAll(outputs.values());
            for (Map.Entry<String, TensorData> e : c.outputs().entrySet()) {
                errors.compare(e.getKey(), e.getValue(), outputs.get(e.getKey()), backend);
            }
            if (c.checksGradients()) {
                Map<String, Tensor> gradOutputs = upload(backend, c.gradOutputs(), owned);
                Map<String, Tensor> grads = op.backward(backend, inputs, outputs, gradOutputs,
                        Set.copyOf(c.gradInputs().keySet()));
                owned.addAll(grads.values());
                for (Map.Entry<String, TensorData> e : c.gradInputs().entrySet()) {
                    errors.compare("grad " + e.getKey(), e.getValue(), grads.get(e.getKey()), backend);
                }
            }
        } catch (RuntimeException e) {
            // The errors measured before the exception do not describe the case: report none.
            errors.maxAbs = Double.NaN;
            errors.maxRel = Double.NaN;
            errors.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            closeAll(owned);
        }
        return new CaseResult(c.name(), c.op(), backend.name(), errors.maxAbs, errors.maxRel,
                errors.failure == null, errors.failure);
    }

    /** Runs each case on each backend, case-major, so rows for one case sit together. */
    public static List<CaseResult> runAll(List<ConformanceCase> cases, List<Backend> backends) {
        List<CaseResult> results = new ArrayList<>();
        for (ConformanceCase c : cases) {
            for (Backend b : backends) {
                results.add(run(c, b));
            }
        }
        return results;
    }

    private static Map<String, Tensor> upload(Backend backend, Map<String, TensorData> data, List<Tensor> owned) {
        Map<String, Tensor> map = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : data.entrySet()) {
            Tensor t = backend.upload(e.getValue().shape(), e.getValue().data().clone());
            owned.add(t);
            map.put(e.getKey(), t);
        }
        return map;
    }

    private static void closeAll(List<Tensor> tensors) {
        // Outputs may repeat an input (batch norm's running statistics): close each tensor once.
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (Tensor t : tensors) {
            if (t != null && seen.put(t, Boolean.TRUE) == null) {
                t.close();
            }
        }
    }

    /** Accumulates the worst errors and the first failure of one run. */
    private static final class Errors {
        private final Tolerance tolerance;
        double maxAbs;
        double maxRel;
        String failure;

        Errors(Tolerance tolerance) {
            this.tolerance = tolerance;
        }

        void compare(String what, TensorData expected, Tensor actual, Backend backend) {
            if (actual == null) {
                fail(what + ": the op returned no such tensor");
                return;
            }
            if (!actual.shape().equals(expected.shape())) {
                fail(what + ": shape " + actual.shape() + ", expected " + expected.shape());
                return;
            }
            float[] got = backend.download(actual);
            float[] want = expected.data();
            for (int i = 0; i < want.length; i++) {
                double e = want[i];
                double a = got[i];
                boolean ok = tolerance.accepts(e, a);
                // Identical values (infinities and NaN included) have no error; Math.max keeps a NaN error.
                double abs = Double.compare(e, a) == 0 ? 0 : Math.abs(a - e);
                maxAbs = Math.max(maxAbs, abs);
                if (e != 0) {
                    maxRel = Math.max(maxRel, abs / Math.abs(e));
                }
                if (!ok) {
                    fail(String.format("%s[%d]: expected %.7g, got %.7g (|err| %.3g > abs %.3g + rel %.3g * |expected|)",
                            what, i, e, a, abs, tolerance.abs(), tolerance.rel()));
                }
            }
        }

        void fail(String reason) {
            if (failure == null) {
                failure = reason;
            }
        }
    }
}
