package dev.fovea.primitives;

import java.util.Locale;

/** What pad puts outside the input: a constant, the input mirrored about its edge cell, or the edge cell repeated. */
public enum PadMode {
    CONSTANT, REFLECT, REPLICATE;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PadMode parse(String text) {
        return switch (text) {
            case "constant" -> CONSTANT;
            case "reflect" -> REFLECT;
            case "replicate" -> REPLICATE;
            default -> throw new IllegalArgumentException("pad: mode '" + text
                    + "' is not one of constant, reflect, replicate");
        };
    }
}
