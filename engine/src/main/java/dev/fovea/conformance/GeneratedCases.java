package dev.fovea.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.ops.Op;
import dev.fovea.ops.Ops;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random cases over many attribute combinations of every op, whose expected outputs and
 * gradients come from the reference backend. They check every other backend against the
 * reference; written to a file ({@code fovea conformance --write-cases}) they also pin the
 * reference itself against later changes. Each case draws its data from a seed derived from its
 * name, so a case does not change when others are added.
 */
public final class GeneratedCases {
    /** Base seed of every case's data. */
    public static final long SEED = 20_26_11_22L;

    private GeneratedCases() {
    }

    /** How one input's values are drawn. */
    enum Values { UNIFORM, POSITIVE, PROBABILITY, BINARY, CLASS_INDEX }

    record Input(String name, Shape shape, Values values, int classes) {
    }

    /** A case before its expected values are computed. */
    record Spec(String name, String op, Map<String, Object> attrs, List<Input> inputs, boolean gradients,
                Tolerance tolerance) {
    }

    /**
     * A generated case with its expected values, or, when the reference could not compute them, the
     * error (so a runner can report that case as failed and still run the others).
     */
    public record Generated(String name, String op, ConformanceCase value, RuntimeException error) {
    }

    /** Every generated case, with expected values computed on {@code reference}; throws on the first failure. */
    public static List<ConformanceCase> all(Backend reference) {
        List<ConformanceCase> cases = new ArrayList<>();
        for (Spec s : GeneratedSpecs.all()) {
            cases.add(expected(s, reference));
        }
        return cases;
    }

    /** Every generated case, each either computed on {@code reference} or carrying the reference's error. */
    public static List<Generated> tryAll(Backend reference) {
        List<Generated> out = new ArrayList<>();
        for (Spec s : GeneratedSpecs.all()) {
            try {
                out.add(new Generated(s.name(), s.op(), expected(s, reference), null));
            } catch (RuntimeException e) {
                out.add(new Generated(s.name(), s.op(), null, e));
            }
        }
        return out;
    }

    static ConformanceCase expected(Spec s, Backend reference) {
        SplittableRandom rnd = new SplittableRandom(SEED ^ s.name().hashCode());
        ConformanceCase.Builder c = ConformanceCase.builder(s.name(), s.op()).tolerance(s.tolerance());
        s.attrs().forEach(c::attr);
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        for (Input in : s.inputs()) {
            TensorData t = draw(in, rnd);
            inputs.put(in.name(), t);
            c.input(in.name(), t);
        }
        Op op = Ops.get(s.op()).bind(s.attrs());
        List<Tensor> owned = new ArrayList<>();
        try {
            Map<String, Tensor> x = new LinkedHashMap<>();
            inputs.forEach((name, t) -> {
                Tensor d = reference.upload(t.shape(), t.data().clone());
                owned.add(d);
                x.put(name, d);
            });
            Map<String, Tensor> y = op.forward(reference, x);
            owned.addAll(y.values());
            for (String name : op.def().outputs()) {
                if (y.containsKey(name)) {
                    c.output(name, download(reference, y.get(name)));
                }
            }
            if (s.gradients()) {
                Shape outShape = y.get(Op.OUTPUT).shape();
                TensorData dy = outShape.rank() == 0
                        ? TensorData.scalar((float) (0.5 + rnd.nextDouble()))
                        : draw(new Input(Op.OUTPUT, outShape, Values.UNIFORM, 0), rnd);
                c.gradOutput(Op.OUTPUT, dy);
                Tensor dyDevice = reference.upload(dy.shape(), dy.data().clone());
                owned.add(dyDevice);
                Map<String, Tensor> grads = op.backward(reference, x, y, Map.of(Op.OUTPUT, dyDevice));
                owned.addAll(grads.values());
                grads.forEach((name, g) -> c.gradInput(name, download(reference, g)));
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("generated case '" + s.name() + "': the reference backend "
                    + reference.name() + " failed: " + e.getMessage(), e);
        } finally {
            Map<Tensor, Boolean> closed = new IdentityHashMap<>();
            owned.stream().filter(t -> closed.put(t, Boolean.TRUE) == null).forEach(Tensor::close);
        }
        return c.build();
    }

    private static TensorData download(Backend b, Tensor t) {
        return new TensorData(t.shape(), b.download(t));
    }

    private static TensorData draw(Input in, SplittableRandom rnd) {
        float[] v = new float[in.shape().size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (in.values()) {
                case UNIFORM -> (float) (rnd.nextDouble() * 2 - 1);
                case POSITIVE -> (float) (0.5 + rnd.nextDouble());
                // Away from 0 and 1, where BCE's gradient 1/(p(1-p)) would magnify rounding.
                case PROBABILITY -> (float) (0.05 + 0.9 * rnd.nextDouble());
                case BINARY -> rnd.nextBoolean() ? 1f : 0f;
                case CLASS_INDEX -> rnd.nextInt(in.classes());
            };
        }
        return new TensorData(in.shape(), v);
    }
}
