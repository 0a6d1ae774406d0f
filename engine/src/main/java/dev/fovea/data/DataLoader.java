package dev.fovea.data;

import dev.fovea.tensor.Shape;
import java.util.SplittableRandom;

/**
 * Turns a {@link Dataset} into epochs of mini-batches: seeded shuffling, optional augmentation, then
 * optional normalisation, built in a background thread. The order and the augmentation of epoch
 * {@code e} depend only on (seed, e), never on earlier epochs or on thread timing, so a run resumed
 * at epoch {@code e} sees exactly the batches the uninterrupted run saw.
 */
public final class DataLoader {
    private final Dataset data;
    private final Options options;

    /**
     * @param batchSize     images per batch
     * @param shuffle       permute the samples each epoch (seeded); otherwise file order
     * @param seed          seed of the permutation and the augmentation
     * @param dropLast      drop a last batch smaller than {@code batchSize}; otherwise keep it
     * @param augmentation  random crop/flip per image; {@link Augmentation#NONE} for evaluation
     * @param normalization applied after augmentation; null for none
     * @param prefetch      batches built ahead in a background thread; 0 builds them on the caller's thread
     */
    public record Options(int batchSize, boolean shuffle, long seed, boolean dropLast, Augmentation augmentation,
                          Normalization normalization, int prefetch) {
        public Options {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("data loader: batch size must be positive, got " + batchSize);
            }
            if (prefetch < 0) {
                throw new IllegalArgumentException("data loader: prefetch must be >= 0, got " + prefetch);
            }
            if (augmentation == null) {
                augmentation = Augmentation.NONE;
            }
        }

        /** Training: a new seeded order each epoch, every sample (last batch partial), two batches prefetched. */
        public static Options training(int batchSize, long seed, Augmentation augmentation, Normalization normalization) {
            return new Options(batchSize, true, seed, false, augmentation, normalization, 2);
        }

        /** Evaluation: file order, every sample, no augmentation. */
        public static Options evaluation(int batchSize, Normalization normalization) {
            return new Options(batchSize, false, 0, false, Augmentation.NONE, normalization, 2);
        }
    }

    public DataLoader(Dataset data, Options options) {
        if (options.normalization() != null) {
            // Fails now, on the caller's thread, rather than inside the prefetch thread.
            options.normalization().check(data.channels());
        }
        this.data = data;
        this.options = options;
    }

    public Options options() {
        return options;
    }

    public Dataset data() {
        return data;
    }

    public int batchesPerEpoch() {
        int full = data.size() / options.batchSize();
        return options.dropLast() || data.size() % options.batchSize() == 0 ? full : full + 1;
    }

    /** The sample order of {@code epoch}: a seeded permutation, or 0..N-1 without shuffling. */
    public int[] order(int epoch) {
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (options.shuffle()) {
            SplittableRandom rng = new SplittableRandom(streamSeed(epoch, -1));
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** The batches of {@code epoch} (0-based); close the iterator when done. */
    public BatchIterator epoch(int epoch) {
        int[] order = order(epoch);
        return new BatchIterator(batchesPerEpoch(), b -> batch(order, epoch, b), options.prefetch());
    }

    private Batch batch(int[] order, int epoch, int b) {
        int from = b * options.batchSize();
        int n = Math.min(options.batchSize(), order.length - from);
        int per = data.imageSize();
        float[] images = new float[n * per];
        int[] labels = new int[n];
        Augmentation aug = options.augmentation();
        SplittableRandom rng = aug.isNone() ? null : new SplittableRandom(streamSeed(epoch, b));
        for (int i = 0; i < n; i++) {
            int s = order[from + i];
            labels[i] = data.labels()[s];
            if (rng == null) {
                System.arraycopy(data.images(), s * per, images, i * per, per);
            } else {
                aug.apply(data.images(), s * per, images, i * per, data.channels(), data.height(), data.width(), rng);
            }
        }
        if (options.normalization() != null) {
            options.normalization().applyInPlace(images, data.channels(), data.height() * data.width());
        }
        return new Batch(Shape.of(n, data.channels(), data.height(), data.width()), images, labels);
    }

    /** Independent random streams per (seed, epoch, batch); batch -1 is the shuffle. */
    private long streamSeed(int epoch, int batch) {
        return mix(mix(mix(options.seed()) + epoch) + batch);
    }

    /** SplitMix64's finaliser: nearby inputs give unrelated outputs. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
