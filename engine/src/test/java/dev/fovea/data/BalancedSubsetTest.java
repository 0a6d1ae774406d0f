package dev.fovea.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --limit takes a seeded, class-balanced subset, not the first N samples (which folders sort by class). */
class BalancedSubsetTest {

    /** 3 classes of 10, 10 and 4 samples, sorted by class as an image folder is; pixel value = sample index. */
    private static Dataset sortedByClass() {
        int[] labels = new int[24];
        float[] images = new float[24];
        for (int i = 0; i < 24; i++) {
            labels[i] = i < 10 ? 0 : i < 20 ? 1 : 2;
            images[i] = i;
        }
        return new Dataset("sorted", 1, 1, 1, images, labels, List.of("a", "b", "c"));
    }

    @Test
    void everyClassIsRepresentedAsEvenlyAsTheDataAllow() {
        Dataset d = sortedByClass();
        assertArrayEquals(new int[] {2, 2, 2}, d.balancedSubset(6, 1).classCounts());
        assertArrayEquals(new int[] {4, 4, 4}, d.balancedSubset(12, 1).classCounts());
        assertArrayEquals(new int[] {8, 8, 4}, d.balancedSubset(20, 1).classCounts(), "class c has only 4");
        int[] seven = d.balancedSubset(7, 1).classCounts();
        assertEquals(7, Arrays.stream(seven).sum());
        assertTrue(Arrays.stream(seven).allMatch(n -> n == 2 || n == 3), Arrays.toString(seven));
    }

    @Test
    void theSameSeedGivesTheSameSubsetAndSamplesKeepTheirOrder() {
        Dataset d = sortedByClass();
        assertArrayEquals(d.balancedSubset(9, 4).images(), d.balancedSubset(9, 4).images());
        assertFalse(Arrays.equals(d.balancedSubset(9, 4).images(), d.balancedSubset(9, 5).images()),
                "another seed, another subset");
        float[] picked = d.balancedSubset(9, 4).images();
        float[] sorted = picked.clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, picked, "in data-set order");
        Dataset s = d.balancedSubset(9, 4);
        for (int i = 0; i < s.size(); i++) {
            assertEquals(d.labels()[(int) s.images()[i]], s.labels()[i], "each image keeps its label");
        }
    }

    @Test
    void aLimitOfTheWholeSetIsTheSetAndZeroIsRefused() {
        Dataset d = sortedByClass();
        assertSame(d, d.balancedSubset(24, 1));
        assertSame(d, d.balancedSubset(100, 1));
        assertThrows(IllegalArgumentException.class, () -> d.balancedSubset(0, 1));
    }

    @Test
    void theBorderMeanIsTheBackgroundOfTheImages() {
        // Two 3x3 images: a bright centre on a black border, then a grey border.
        float[] images = {0, 0, 0, 0, 1, 0, 0, 0, 0, .5f, .5f, .5f, .5f, 1, .5f, .5f, .5f, .5f};
        Dataset d = new Dataset("two", 1, 3, 3, images, new int[] {0, 0}, List.of("x"));
        assertArrayEquals(new float[] {0.25f}, d.borderMean(), 1e-6f);
    }
}
