package dev.fovea.data;

import java.util.Arrays;

/**
 * Per-channel normalisation {@code x' = (x - mean[c]) / std[c]}, applied after pixels are scaled to
 * [0,1] (as torchvision's {@code Normalize} after {@code ToTensor}). A single value is used for
 * every channel. Recorded in checkpoints so that evaluation applies the same transform.
 */
public record Normalization(float[] mean, float[] std) {
    public Normalization {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalization: mean and std need the same, non-zero number of values, got mean "
                    + Arrays.toString(mean) + " and std " + Arrays.toString(std));
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || std[c] <= 0) {
                throw new IllegalArgumentException("normalization: channel " + c + " needs a finite mean and a positive finite std, got mean "
                        + mean[c] + " and std " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * Parses the command line's {@code MEAN,STD} ("0.1307,0.3081") or, per channel,
     * {@code M1,...,Mc,S1,...,Sc} ("0.49,0.48,0.45,0.25,0.24,0.26"); {@link #format()} writes the same text.
     */
    public static Normalization parse(String text) {
        String[] parts = text.trim().split("\\s*,\\s*");
        if (parts.length < 2 || parts.length % 2 != 0) {
            throw new IllegalArgumentException("--normalize: expected MEAN,STD or M1,..,Mc,S1,..,Sc (an even number of values), got \""
                    + text + "\"");
        }
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Float.parseFloat(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--normalize: value " + (i + 1) + " \"" + parts[i] + "\" of \"" + text
                        + "\" is not a number", e);
            }
        }
        int c = parts.length / 2;
        return new Normalization(Arrays.copyOfRange(values, 0, c), Arrays.copyOfRange(values, c, 2 * c));
    }

    /** The text {@link #parse} reads, as recorded in checkpoints. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        for (float v : mean) {
            sb.append(v).append(',');
        }
        for (float v : std) {
            sb.append(v).append(',');
        }
        return sb.substring(0, sb.length() - 1);
    }

    /** Normalises {@code images} ({@code [N, channels, H, W]} with {@code plane = H·W}) in place. */
    public void applyInPlace(float[] images, int channels, int plane) {
        check(channels);
        for (int base = 0; base < images.length; base += plane) {
            int c = (base / plane) % channels;
            float m = mean[mean.length == 1 ? 0 : c];
            float s = std[std.length == 1 ? 0 : c];
            for (int k = base; k < base + plane; k++) {
                images[k] = (images[k] - m) / s;
            }
        }
    }

    /** Throws unless this normalisation fits images with {@code channels} channels. */
    public void check(int channels) {
        if (mean.length != 1 && mean.length != channels) {
            throw new IllegalArgumentException("normalization: " + mean.length + " mean/std values given for images with "
                    + channels + " channels; give 1 or " + channels);
        }
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
