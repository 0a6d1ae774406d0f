package dev.fovea.api;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PredictionTest {

    @Test
    void theBestClassIsTopKsFirstIncludingTies() {
        Random r = new Random(7);
        List<String> labels = List.of("a", "b", "c", "d", "e", "f");
        for (int trial = 0; trial < 200; trial++) {
            float[] p = new float[labels.size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = r.nextInt(4) / 4f; // few distinct values: ties are common
            }
            Prediction pr = new Prediction(p, labels);
            Prediction.Entry first = pr.topK(1).get(0);
            assertEquals(first.classIndex(), pr.classIndex(), "trial " + trial);
            assertEquals(first.label(), pr.label());
            assertEquals(first.probability(), pr.probability());
        }
    }

    @Test
    void equalMaximaResolveToTheLowerIndexAndTopKIsOrdered() {
        Prediction p = new Prediction(new float[] {0.1f, 0.4f, 0.1f, 0.4f}, List.of("w", "x", "y", "z"));
        assertEquals(1, p.classIndex());
        assertEquals(List.of(1, 3, 0, 2), p.topK(9).stream().map(Prediction.Entry::classIndex).toList());
        assertEquals("x 40.00%, z 40.00%, w 10.00%", p.toString());
        assertThrows(IllegalArgumentException.class, () -> p.topK(0));
    }
}
