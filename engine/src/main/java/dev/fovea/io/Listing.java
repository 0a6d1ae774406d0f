package dev.fovea.io;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Lists in error messages, capped: a hostile file can name a million tensors, and a message that
 * lists them all is a million lines nobody reads. The first {@link Limits#LISTED} items are shown,
 * then "... and 999,990 more".
 */
public final class Listing {
    private Listing() {
    }

    /** The items joined by {@code separator}, at most {@link Limits#LISTED} of them. */
    public static String of(Collection<?> items, String separator) {
        return of(items, separator, Limits.LISTED);
    }

    /** The items joined by {@code separator}, at most {@code max} of them. */
    public static String of(Collection<?> items, String separator, int max) {
        List<String> shown = new ArrayList<>();
        for (Object item : items) {
            if (shown.size() == max) {
                break;
            }
            shown.add(String.valueOf(item));
        }
        String text = String.join(separator, shown);
        int more = items.size() - shown.size();
        return more > 0 ? text + separator + more(more) : text;
    }

    /** "... and 1,234 more". */
    public static String more(long count) {
        return String.format(Locale.ROOT, "... and %,d more", count);
    }
}
