package dev.fovea.softgpu.ptx;

import dev.fovea.softgpu.ptx.InstructionForms.Expect;
import dev.fovea.softgpu.ptx.InstructionForms.Form;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each instruction form the committed modules use, alone in a probe kernel run by the interpreter
 * over edge-value and random operands, against the independent model of {@link InstructionForms}
 * (the PTX ISA's rules written in Java). Control flow and parameter loads, which have no operands
 * to vary, are exercised by every kernel of {@link PtxKernelsTest} instead.
 */
class PtxInstructionFormsTest {

    @TestFactory
    Stream<DynamicTest> everyFormOfTheModulesMatchesTheModel() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String text : Modules.allForms()) {
            String skip = InstructionForms.notProbed(text);
            if (skip != null) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(text, () -> {
                Form shape = new Form(text);
                if (!InstructionForms.shape(shape)) {
                    fail("no probe model for the form " + text + ": add it to InstructionForms");
                }
                PtxRuns.Probes p = PtxRuns.probes();
                PtxRuns.Probe probe = p.probes().get(text);
                assertNotNull(probe, text);
                assertEquals(0, p.results().loads.get(probe.module()), "the probe of " + text + " did not load:\n"
                        + p.results().output);
                long[] out = p.results().longs(probe.output());
                List<String> wrong = new ArrayList<>();
                for (int i = 0; i < probe.cases().size(); i++) {
                    long[] in = probe.cases().get(i);
                    Expect e = InstructionForms.expect(probe.form(), in);
                    if (e == null) {
                        fail("the model has no rule for " + text);
                    }
                    if (!InstructionForms.matches(e, out[i])) {
                        wrong.add(String.format("operands %s: expected 0x%x%s, got 0x%x", operands(in, probe.form()),
                                e.bits(), e.ulps() > 0 ? " (within " + e.ulps() + " ulp)" : "", out[i]));
                    }
                }
                if (!wrong.isEmpty()) {
                    fail(text + ": " + wrong.size() + " of " + probe.cases().size() + " cases differ, e.g.\n  "
                            + String.join("\n  ", wrong.subList(0, Math.min(8, wrong.size()))));
                }
            }));
        }
        return tests.stream();
    }

    private static String operands(long[] in, Form f) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < f.src.length; i++) {
            if (i > 0) {
                s.append(", ");
            }
            InstructionForms.Type t = f.src[i];
            if (t.kind() == 'f' && t.bits() == 32) {
                s.append(String.format("0x%08x (%s)", in[i], Float.intBitsToFloat((int) in[i])));
            } else {
                s.append(String.format("0x%x", in[i]));
            }
        }
        return s.toString();
    }
}
