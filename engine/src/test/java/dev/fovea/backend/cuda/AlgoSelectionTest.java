package dev.fovea.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlgoSelectionTest {
    private static final AlgoSelection.Candidate FFT = new AlgoSelection.Candidate(4, "FFT", true, 0.5f, 600L << 20, true);
    private static final AlgoSelection.Candidate WINOGRAD =
            new AlgoSelection.Candidate(6, "WINOGRAD_NONFUSED", true, 0.7f, 64L << 20, false);
    private static final AlgoSelection.Candidate GEMM = new AlgoSelection.Candidate(1, "IMPLICIT_PRECOMP_GEMM", true, 1.2f,
            4096, true);
    private static final AlgoSelection.Candidate UNSUPPORTED =
            new AlgoSelection.Candidate(7, "WINOGRAD", false, -1, 0, true);

    @Test
    void takesTheFirstRankedCandidateThatQualifies() {
        AlgoSelection.Choice c = AlgoSelection.pick(List.of(UNSUPPORTED, FFT, WINOGRAD, GEMM), false, 1L << 30, false);
        assertEquals(FFT, c.chosen());
        assertTrue(c.how().startsWith("cuDNN heuristic"), c.how());
        assertNull(c.refusal());
    }

    @Test
    void theWorkspaceCapAndDeterminismNarrowTheChoice() {
        assertEquals(WINOGRAD, AlgoSelection.pick(List.of(FFT, WINOGRAD, GEMM), false, 100L << 20, true).chosen());
        AlgoSelection.Choice det = AlgoSelection.pick(List.of(FFT, WINOGRAD, GEMM), true, 100L << 20, true);
        assertEquals(GEMM, det.chosen());
        assertTrue(det.how().contains("timed search") && det.how().contains("deterministic only"), det.how());
    }

    @Test
    void noQualifyingAlgorithmSaysWhyEachWasRefused() {
        AlgoSelection.Choice c = AlgoSelection.pick(List.of(UNSUPPORTED, FFT, WINOGRAD), true, 1L << 20, false);
        assertNull(c.chosen());
        assertEquals("WINOGRAD not supported for this shape; FFT needs a workspace of 629145600 bytes, above the cap"
                + " of 1048576; WINOGRAD_NONFUSED is not deterministic", c.refusal());
        assertEquals("cuDNN offered no algorithm", AlgoSelection.pick(List.of(), false, 0, false).refusal());
    }

    @Test
    void directSummationRefusesFftAndWinogradWithTheReason() {
        AlgoSelection.Choice c = AlgoSelection.pick(List.of(FFT, WINOGRAD, GEMM), false, true, 1L << 30, false);
        assertEquals(GEMM, c.chosen());
        assertTrue(c.how().contains("direct summation only"), c.how());
        AlgoSelection.Choice none = AlgoSelection.pick(List.of(FFT, WINOGRAD), false, true, 1L << 30, false);
        assertEquals(null, none.chosen());
        assertTrue(none.refusal().contains("FFT transforms its operands")
                && none.refusal().contains("WINOGRAD_NONFUSED transforms its operands"), none.refusal());
    }
}
