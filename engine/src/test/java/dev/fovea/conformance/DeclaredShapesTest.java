package dev.fovea.conformance;

import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.ops.Attrs;
import dev.fovea.ops.Op;
import dev.fovea.ops.OpDef;
import dev.fovea.ops.Ops;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each op's declared shape rule (what graph building asks) against the shape its forward on the CPU
 * reference actually produced, on every generated case: so a rule cannot drift from the kernels.
 */
class DeclaredShapesTest {

    @Test
    void everyOpsDeclaredShapeIsTheShapeTheReferenceProduces() {
        Set<String> checked = new HashSet<>();
        for (ConformanceCase c : GeneratedCases.all(new ReferenceBackend())) {
            Map<String, Shape> inputs = new LinkedHashMap<>();
            c.inputs().forEach((name, t) -> inputs.put(name, t.shape()));
            Shape declared = Ops.get(c.op()).outputShape(Attrs.of(c.op(), c.attrs()), inputs);
            assertEquals(c.outputs().get(Op.OUTPUT).shape(), declared, c.name() + " (" + c.op() + ")");
            // The other public outputs (batch norm's running statistics) are inputs updated in place.
            c.outputs().forEach((name, t) -> {
                if (!name.equals(Op.OUTPUT)) {
                    assertEquals(inputs.get(name), t.shape(), c.name() + ": output " + name);
                }
            });
            checked.add(c.op());
        }
        assertEquals(Ops.names(), checked, "every op of the catalogue has a generated case");
    }

    /** A rule rejects what the kernels reject, with the same one-line error. */
    @Test
    void aShapeTheKernelsRefuseIsRefusedByTheRuleWithTheSameMessage() {
        ReferenceBackend ref = new ReferenceBackend();
        List<Object[]> bad = List.of(
                new Object[] {"conv2d", Map.of("stride", 1), Map.of("input", Shape.of(1, 3, 5, 5), "weight", Shape.of(4, 2, 3, 3))},
                new Object[] {"linear", Map.of(), Map.of("input", Shape.of(2, 5), "weight", Shape.of(3, 4))},
                new Object[] {"mul", Map.of(), Map.of("input", Shape.of(2, 3), "other", Shape.of(4))},
                new Object[] {"adaptive_avg_pool2d", Map.of("output_size", 2), Map.of("input", Shape.of(2, 3))},
                new Object[] {"softmax", Map.of("dim", 2), Map.of("input", Shape.of(2, 3))},
                new Object[] {"reshape", Map.of("shape", List.of(4, -1)), Map.of("input", Shape.of(2, 3))},
                new Object[] {"cross_entropy", Map.of(), Map.of("input", Shape.of(2, 3), "target", Shape.of(3))});
        for (Object[] b : bad) {
            String op = (String) b[0];
            @SuppressWarnings("unchecked") Map<String, Object> attrs = (Map<String, Object>) b[1];
            @SuppressWarnings("unchecked") Map<String, Shape> shapes = (Map<String, Shape>) b[2];
            OpDef def = Ops.get(op);
            String rule = assertThrows(IllegalArgumentException.class,
                    () -> def.outputShape(Attrs.of(op, attrs), shapes)).getMessage();
            Map<String, dev.fovea.tensor.Tensor> tensors = new LinkedHashMap<>();
            shapes.forEach((name, s) -> tensors.put(name, ref.zeros(s)));
            String kernel = assertThrows(IllegalArgumentException.class,
                    () -> def.bind(attrs).forward(ref, tensors)).getMessage();
            assertEquals(kernel, rule, op);
        }
    }
}
