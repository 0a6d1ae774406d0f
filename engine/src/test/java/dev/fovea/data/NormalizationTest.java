package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NormalizationTest {
    @Test
    void parsesOneValuePairOrOnePerChannelAndFormatsBack() {
        Normalization mnist = Normalization.parse("0.1307, 0.3081");
        assertArrayEquals(new float[] {0.1307f}, mnist.mean());
        assertArrayEquals(new float[] {0.3081f}, mnist.std());
        Normalization cifar = Normalization.parse("0.49,0.48,0.45,0.25,0.24,0.26");
        assertArrayEquals(new float[] {0.49f, 0.48f, 0.45f}, cifar.mean());
        assertArrayEquals(new float[] {0.25f, 0.24f, 0.26f}, cifar.std());
        assertEquals(cifar, Normalization.parse(cifar.format()));
        assertEquals(mnist, Normalization.parse(mnist.format()));
    }

    @Test
    void badTextNamesTheOptionAndTheValue() {
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> Normalization.parse("0.1,0.2,0.3"));
        assertTrue(odd.getMessage().contains("--normalize") && odd.getMessage().contains("even number"), odd.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> Normalization.parse("0.1,abc"));
        assertTrue(nan.getMessage().contains("value 2 \"abc\""), nan.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> Normalization.parse("0.1,0"));
        assertTrue(zero.getMessage().contains("positive finite std"), zero.getMessage());
    }

    @Test
    void datasetNormalisesEachChannelWithItsOwnStatistics() {
        // One 2-channel 1x2 image: channel 0 = [0.5, 1], channel 1 = [0, 0.25].
        Dataset d = new Dataset("t", 2, 1, 2, new float[] {0.5f, 1f, 0f, 0.25f}, new int[] {0}, Dataset.numberedClasses(1));
        Dataset n = d.normalized(new Normalization(new float[] {0.5f, 0.25f}, new float[] {0.5f, 0.25f}));
        assertArrayEquals(new float[] {0f, 1f, -1f, 0f}, n.images(), 0f);
        assertArrayEquals(new float[] {0.5f, 1f, 0f, 0.25f}, d.images(), 0f, "the original is untouched");
        assertThrows(IllegalArgumentException.class,
                () -> d.normalized(new Normalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})));
    }
}
