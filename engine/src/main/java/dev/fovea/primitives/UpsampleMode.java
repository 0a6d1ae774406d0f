package dev.fovea.primitives;

import java.util.Locale;

/** How upsample computes an output pixel: copy the nearest input pixel, or interpolate the four around it. */
public enum UpsampleMode {
    NEAREST, BILINEAR;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UpsampleMode parse(String text) {
        return switch (text) {
            case "nearest" -> NEAREST;
            case "bilinear" -> BILINEAR;
            default -> throw new IllegalArgumentException("upsample: mode '" + text + "' is not one of nearest, bilinear");
        };
    }
}
