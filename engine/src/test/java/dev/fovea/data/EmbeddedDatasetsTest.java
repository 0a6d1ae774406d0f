package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EmbeddedDatasetsTest {
    private static final Splits DIGITS = EmbeddedDatasets.mnistDigits();

    @Test
    void splitsHoldEightThousandAndTwoThousandDigits() {
        assertEquals(8000, DIGITS.train().size());
        assertEquals(2000, DIGITS.test().size());
        assertEquals(dev.fovea.tensor.Shape.of(8000, 1, 28, 28), DIGITS.train().shape());
        assertEquals(10, DIGITS.test().numClasses());
    }

    @Test
    void testSplitClassCountsMatchTheProvenanceNote() {
        assertArrayEquals(new int[] {207, 227, 198, 198, 186, 172, 202, 216, 182, 212}, DIGITS.test().classCounts());
        int[] train = DIGITS.train().classCounts();
        for (int c = 0; c < 10; c++) {
            // About 1,000 samples per class in all, 80% of them in training.
            assertTrue(train[c] > 600 && train[c] < 1000, "class " + c + ": " + train[c]);
        }
    }

    @Test
    void pixelsSpanZeroToOneLikeMnist() {
        for (Dataset d : new Dataset[] {DIGITS.train(), DIGITS.test()}) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            double sum = 0;
            for (float v : d.images()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
            }
            assertEquals(0f, min, d.name());
            assertEquals(1f, max, d.name());
            // MNIST's mean pixel is 0.1307; this subset is the same kind of data.
            double mean = sum / d.images().length;
            assertTrue(mean > 0.10 && mean < 0.16, d.name() + " mean " + mean);
        }
    }

    @Test
    void provenanceNoteShipsWithTheData() throws IOException {
        try (InputStream in = EmbeddedDatasets.class.getResourceAsStream("/dev/fovea/data/mnist-digits/README.md")) {
            assertNotNull(in, "README.md next to the embedded digits");
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(text.contains("LeCun") && text.contains("seed 20261122"), text);
        }
    }
}
