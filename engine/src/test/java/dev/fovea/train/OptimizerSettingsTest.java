package dev.fovea.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.optim.Adam;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.optim.RmsProp;
import dev.fovea.optim.Sgd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optimiser and schedule words of the command line: PyTorch's defaults, and no setting ignored. */
class OptimizerSettingsTest {

    @Test
    void eachOptimizerGetsPyTorchsDefaultLearningRate() {
        assertEquals(0.05, OptimizerSettings.of("sgd", null, null, false, null).lr());
        assertEquals(1e-3, OptimizerSettings.of("adam", null, null, false, null).lr());
        assertEquals(1e-3, OptimizerSettings.of("adamw", null, null, false, null).lr());
        assertEquals(1e-3, OptimizerSettings.of("rmsprop", null, null, false, null).lr());
        assertEquals(1e-2, OptimizerSettings.of("adagrad", null, null, false, null).lr());
        assertEquals(1.0, OptimizerSettings.of("adadelta", null, null, false, null).lr());
        assertEquals(0.3, OptimizerSettings.of("adam", 0.3, null, false, null).lr());
    }

    @Test
    void momentumIsSgdsUnlessGivenAndRefusedWhereItMeansNothing() {
        assertEquals(0.9, ((Sgd) OptimizerSettings.of("sgd", null, null, false, null)).momentum());
        assertEquals(0.0, ((RmsProp) OptimizerSettings.of("rmsprop", null, null, false, null)).momentum(),
                "RMSProp's momentum is 0 in PyTorch, not SGD's 0.9");
        assertEquals(0.5, ((RmsProp) OptimizerSettings.of("rmsprop", null, 0.5, false, null)).momentum());
        var e = assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.of("adam", null, 0.9, false, null));
        assertTrue(e.getMessage().startsWith("--momentum: adam has no momentum setting"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.of("adagrad", null, null, true, null));
        assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.of("lion", null, null, false, null));
    }

    @Test
    void schedulesAreCheckedAgainstTheRun() {
        assertInstanceOf(LrSchedule.Cosine.class, OptimizerSettings.schedule("cosine", 6));
        assertEquals(6, ((LrSchedule.Cosine) OptimizerSettings.schedule("cosine", 6)).tMax());
        var late = assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.schedule("cosine:4", 6));
        assertTrue(late.getMessage().contains("epochs 5-6 would train at 0; give cosine:6"), late.getMessage());
        var gamma = assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.schedule("step:2:1.5", 4));
        assertTrue(gamma.getMessage().contains("at most 1"), gamma.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.schedule("step:0:0.5", 4));
        assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.schedule("step:2", 4));
        assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.schedule("constant:3", 4));
    }

    @Test
    void aResumedRunChangesWhatIsGivenAndRefusesWhatItsStateCannotFollow() {
        OptimizerConfig sgd = new Sgd(0.05, 0.9, 0, false, 0);
        JsonNode recorded = OptimizerSettings.toJson(sgd, new LrSchedule.Constant());
        Sgd lower = (Sgd) OptimizerSettings.override(recorded, 0.01, null, null, 1e-4);
        assertEquals(new Sgd(0.01, 0.9, 0, false, 1e-4), lower);
        var noBuffer = assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.override(
                OptimizerSettings.toJson(Sgd.plain(0.1), new LrSchedule.Constant()), null, 0.9, null, null));
        assertTrue(noBuffer.getMessage().contains("--init-from"), noBuffer.getMessage());
        JsonNode adam = OptimizerSettings.toJson(new Adam(1e-3, 0.9, 0.999, 1e-8, 0, false), new LrSchedule.Constant());
        assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.override(adam, null, 0.9, null, null));
        assertEquals(2e-3, OptimizerSettings.override(adam, 2e-3, null, null, null).lr());
    }
}
