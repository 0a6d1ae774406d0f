package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.FormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** {@code n} single-channel 3x3 images; every pixel of image i equals i/100, label i % 10. */
    static Dataset numbered(int n) {
        float[] px = new float[n * 9];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(px, i * 9, i * 9 + 9, i / 100f);
            labels[i] = i % 10;
        }
        return new Dataset("numbered", 1, 3, 3, px, labels, Dataset.numberedClasses(10));
    }

    private static DataLoader.Options options(int batch, boolean shuffle, long seed, boolean dropLast, Augmentation aug, int prefetch) {
        return new DataLoader.Options(batch, shuffle, seed, dropLast, aug, null, prefetch);
    }

    /** The sample index of each image, recovered from its pixel value. */
    private static List<Integer> samples(DataLoader loader, int epoch) {
        List<Integer> out = new ArrayList<>();
        try (BatchIterator it = loader.epoch(epoch)) {
            while (it.hasNext()) {
                Batch b = it.next();
                for (int i = 0; i < b.size(); i++) {
                    int s = Math.round(b.images()[i * 9] * 100);
                    assertEquals(s % 10, b.labels()[i], "label travels with its image");
                    out.add(s);
                }
            }
        }
        return out;
    }

    @Test
    void batchesCoverEverySampleWithAPartialLastBatch() {
        DataLoader loader = new DataLoader(numbered(10), options(4, false, 0, false, null, 0));
        assertEquals(3, loader.batchesPerEpoch());
        List<Integer> sizes = new ArrayList<>();
        try (BatchIterator it = loader.epoch(0)) {
            it.forEachRemaining(b -> sizes.add(b.size()));
            assertThrows(java.util.NoSuchElementException.class, it::next);
        }
        assertEquals(List.of(4, 4, 2), sizes);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), samples(loader, 0));
    }

    @Test
    void dropLastSkipsThePartialBatch() {
        DataLoader loader = new DataLoader(numbered(10), options(4, true, 1, true, null, 2));
        assertEquals(2, loader.batchesPerEpoch());
        assertEquals(8, samples(loader, 0).size());
    }

    @Test
    void shuffleIsAPermutationFixedBySeedAndEpoch() {
        DataLoader a = new DataLoader(numbered(50), options(8, true, 42, false, null, 2));
        DataLoader b = new DataLoader(numbered(50), options(8, true, 42, false, null, 0));
        DataLoader c = new DataLoader(numbered(50), options(8, true, 43, false, null, 2));
        List<Integer> epoch0 = samples(a, 0);
        assertEquals(epoch0, samples(b, 0), "same seed, same order, with or without prefetch");
        assertEquals(epoch0, samples(a, 0), "an epoch can be replayed, as --resume does");
        assertNotEquals(epoch0, samples(a, 1), "each epoch has its own order");
        assertNotEquals(epoch0, samples(c, 0), "another seed, another order");
        List<Integer> sorted = new ArrayList<>(epoch0);
        sorted.sort(null);
        assertEquals(java.util.stream.IntStream.range(0, 50).boxed().toList(), sorted, "a permutation");
    }

    @Test
    void cropShiftsTheImageAndPadsWithZeros() {
        // One 1x3x3 image with distinct pixels 1..9.
        float[] px = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] out = new float[9];
        new Augmentation(1, false).apply(px, 0, out, 0, 1, 3, 3, new java.util.SplittableRandom(5));
        // Whatever offset was drawn, the result is the image shifted by at most one pixel with zeros coming in.
        boolean matched = false;
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                float[] expect = new float[9];
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 3; x++) {
                        int sy = y + dy;
                        int sx = x + dx;
                        expect[y * 3 + x] = sy >= 0 && sy < 3 && sx >= 0 && sx < 3 ? px[sy * 3 + sx] : 0;
                    }
                }
                matched |= Arrays.equals(expect, out);
            }
        }
        assertTrue(matched, Arrays.toString(out));
    }

    @Test
    void flipMirrorsRowsAboutHalfTheTime() {
        float[] px = {1, 2, 3, 4, 5, 6};
        java.util.SplittableRandom rng = new java.util.SplittableRandom(9);
        int flipped = 0;
        for (int i = 0; i < 1000; i++) {
            float[] out = new float[6];
            new Augmentation(0, true).apply(px, 0, out, 0, 1, 2, 3, rng);
            if (Arrays.equals(out, new float[] {3, 2, 1, 6, 5, 4})) {
                flipped++;
            } else {
                assertArrayEquals(px, out);
            }
        }
        // Binomial(1000, 0.5): 6 standard deviations is ±95.
        assertTrue(flipped > 405 && flipped < 595, "flipped " + flipped + " of 1000");
    }

    @Test
    void augmentationIsSeededAndIndependentOfPrefetch() {
        Dataset data = EmbeddedDatasets.mnistDigits().test();
        Augmentation aug = new Augmentation(4, true);
        float[] first = concat(new DataLoader(data, options(64, true, 7, false, aug, 3)), 2);
        float[] again = concat(new DataLoader(data, options(64, true, 7, false, aug, 0)), 2);
        float[] plain = concat(new DataLoader(data, options(64, true, 7, false, null, 0)), 2);
        assertArrayEquals(first, again, 0f);
        assertFalse(Arrays.equals(first, plain), "augmentation changed the images");
    }

    private static float[] concat(DataLoader loader, int epoch) {
        try (BatchIterator it = loader.epoch(epoch)) {
            List<float[]> parts = new ArrayList<>();
            it.forEachRemaining(b -> parts.add(b.images()));
            float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        }
    }

    @Test
    void normalizationIsAppliedPerChannelAfterAugmentation() {
        DataLoader loader = new DataLoader(numbered(3), new DataLoader.Options(3, false, 0, false, Augmentation.NONE,
                new Normalization(new float[] {0.01f}, new float[] {0.5f}), 0));
        try (BatchIterator it = loader.epoch(0)) {
            Batch b = it.next();
            assertEquals((0.02f - 0.01f) / 0.5f, b.images()[2 * 9 + 4], 1e-7f);
        }
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(numbered(3), new DataLoader.Options(3, false, 0, false,
                Augmentation.NONE, new Normalization(new float[] {0, 0, 0}, new float[] {1, 1, 1}), 0)),
                "three channels of statistics for one-channel images");
    }

    @Test
    void prefetchRunsAheadOnAnotherThreadWithinItsBound() throws InterruptedException {
        AtomicInteger built = new AtomicInteger();
        CountDownLatch threeBuilt = new CountDownLatch(3);
        Batch one = new Batch(dev.fovea.tensor.Shape.of(1, 1, 1, 1), new float[1], new int[1]);
        try (BatchIterator it = new BatchIterator(100, i -> {
            assertNotEquals("main", Thread.currentThread().getName());
            built.incrementAndGet();
            threeBuilt.countDown();
            return one;
        }, 2)) {
            assertTrue(threeBuilt.await(5, TimeUnit.SECONDS), "the producer builds ahead before anything is consumed");
            Thread.sleep(50);
            // Two in the queue plus one waiting to be put: the queue bounds the work done ahead.
            assertEquals(3, built.get());
            assertSame(one, it.next());
        }
    }

    @Test
    void closeStopsTheProducerThread() {
        Batch one = new Batch(dev.fovea.tensor.Shape.of(1, 1, 1, 1), new float[1], new int[1]);
        BatchIterator it = new BatchIterator(1_000_000, i -> one, 4);
        it.next();
        it.close();
        assertFalse(it.prefetchThreadAlive());
        assertFalse(it.hasNext(), "a closed iterator yields nothing more");
    }

    @Test
    void producerExceptionsReachTheConsumerAtTheirBatch() {
        Batch one = new Batch(dev.fovea.tensor.Shape.of(1, 1, 1, 1), new float[1], new int[1]);
        FormatException boom = new FormatException("data.bin", "record 2", "injected");
        for (int prefetch : new int[] {0, 3}) {
            try (BatchIterator it = new BatchIterator(5, i -> {
                if (i == 2) {
                    throw boom;
                }
                return one;
            }, prefetch)) {
                it.next();
                it.next();
                assertSame(boom, assertThrows(FormatException.class, it::next), "prefetch " + prefetch);
                assertFalse(prefetch > 0 && it.hasNext(), "the epoch ends at the failure");
            }
        }
    }
}
