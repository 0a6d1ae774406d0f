package dev.fovea.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A model's answer for one input: the probability of every class (the softmax of its outputs), the
 * most probable class, and the k most probable. Ties rank the lower class index first.
 */
public final class Prediction {

    /**
     * One class and its probability.
     *
     * @param classIndex  the class's index among the model's outputs
     * @param label       the class's name (its index as text when the model records no names)
     * @param probability in [0, 1]
     */
    public record Entry(int classIndex, String label, float probability) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %.2f%%", label, probability * 100);
        }
    }

    private final float[] probabilities;
    private final List<String> labels;
    private final int best;

    /** {@code labels} is shared by every prediction of a batch, so it is taken as given (immutable). */
    Prediction(float[] probabilities, List<String> labels) {
        this.probabilities = probabilities;
        this.labels = labels;
        int b = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[b]) {
                b = i; // the first of equal maxima, as topK's stable sort orders them
            }
        }
        best = b;
    }

    /** {@return the most probable class's index} */
    public int classIndex() {
        return best;
    }

    /** {@return the most probable class's name} */
    public String label() {
        return labels.get(best);
    }

    /** {@return the most probable class's probability} */
    public float probability() {
        return probabilities[best];
    }

    /** {@return every class's probability, by class index (a copy)} */
    public float[] probabilities() {
        return probabilities.clone();
    }

    /** {@return the class names, by class index} */
    public List<String> labels() {
        return labels;
    }

    /**
     * {@return the {@code k} most probable classes, most probable first (all of them when there are fewer)}
     *
     * @param k how many, at least 1
     */
    public List<Entry> topK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("topK(" + k + "): k must be at least 1");
        }
        // Sorted on demand: a batch of predictions read only for their best class sorts nothing.
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probabilities[b], probabilities[a]));
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            out.add(new Entry(order[i], labels.get(order[i]), probabilities[order[i]]));
        }
        return out;
    }

    /** {@return the three most probable classes as "label 97.12%, ...", as {@code fovea predict} prints them} */
    @Override
    public String toString() {
        return String.join(", ", topK(3).stream().map(Entry::toString).toList());
    }
}
