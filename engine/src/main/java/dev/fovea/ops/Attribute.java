package dev.fovea.ops;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One attribute of an op, declared with the op ({@link OpDef.Builder#attribute}): its name, its
 * {@link Kind}, its default (or that it is required, or that its absence means something the doc
 * says), the range a value read from an untrusted file must lie in, and a one-line doc. {@link Attrs}
 * checks given values against it, model files derive their layer fields from it, and summaries of
 * the layer types print it; the op's parameter record still states the op's own rule (stride at
 * least 1) and its error.
 *
 * @param name      the attribute's name, PyTorch's where PyTorch has one
 * @param kind      the JSON-like shape of its value
 * @param byDefault the value an absent attribute takes, or null (required, or absence has a meaning)
 * @param required  whether every use must give it
 * @param choices   for {@link Kind#CHOICE}: the texts of the primitives enum it names (empty otherwise)
 * @param min       the least value a file may give (each element, for a pair or list); numbers only
 * @param max       the greatest value a file may give
 * @param runtime   set by the executor per pass (batch norm's and dropout's training, dropout's seed), not by a model
 * @param doc       one line for summaries of the layer types
 */
public record Attribute(String name, Kind kind, Object byDefault, boolean required, List<String> choices,
                        double min, double max, boolean runtime, String doc) {
    /** The most entries of a list attribute (dims of a sum, a reshape's shape): more than any tensor's rank. */
    public static final int LIST_LENGTH = 8;

    /** What an attribute's value looks like; {@link #what} says it in an error message. */
    public enum Kind {
        INTEGER("an integer"),
        /** One integer for both spatial axes or a pair [h, w], as PyTorch's {@code stride=2} or {@code (2, 1)}. */
        INTEGER_OR_PAIR("an integer or a pair [h, w] of integers"),
        /** One integer for all four sides or F.pad's [left, right, top, bottom]. */
        INTEGER_OR_FOUR("an integer or a list of four integers [left, right, top, bottom]"),
        /** One integer or a list of them, as PyTorch's {@code dim=1} or {@code dim=(1, 2)}. */
        INTEGER_OR_LIST("an integer or a list of integers"),
        NUMBER("a number"),
        NUMBER_OR_PAIR("a number or a pair [h, w] of numbers"),
        BOOLEAN("true or false"),
        /** The text of a constant of a primitives enum, which parses it (and names the valid texts when it cannot). */
        CHOICE("a string"),
        STRING("a string");

        private final String what;

        Kind(String what) {
            this.what = what;
        }

        public String what() {
            return what;
        }

        /** Whether the value is integral (its range is printed as integers). */
        public boolean integral() {
            return switch (this) {
                case INTEGER, INTEGER_OR_PAIR, INTEGER_OR_FOUR, INTEGER_OR_LIST -> true;
                case NUMBER, NUMBER_OR_PAIR, BOOLEAN, CHOICE, STRING -> false;
            };
        }
    }

    public Attribute {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        choices = List.copyOf(choices);
        Objects.requireNonNull(doc, "doc");
        if (required && byDefault != null) {
            throw new IllegalArgumentException(name + ": a required attribute has no default");
        }
    }

    /** An optional attribute of {@code kind} with no default and no range (any value of the kind). */
    public static Attribute of(String name, Kind kind, String doc) {
        return new Attribute(name, kind, null, false, List.of(), -Double.MAX_VALUE, Double.MAX_VALUE, false, doc);
    }

    /** One of {@code constants}, written as {@code text} writes them. */
    @SafeVarargs
    public static <E extends Enum<E>> Attribute choice(String name, Function<E, String> text, String doc, E... constants) {
        return new Attribute(name, Kind.CHOICE, null, false, Arrays.stream(constants).map(text).toList(),
                -Double.MAX_VALUE, Double.MAX_VALUE, false, doc);
    }

    /** One of the given texts (for a choice that is not an enum's constants, as gelu's forms). */
    public static Attribute choice(String name, List<String> texts, String doc) {
        return new Attribute(name, Kind.CHOICE, null, false, texts, -Double.MAX_VALUE, Double.MAX_VALUE, false, doc);
    }

    /** This attribute with default {@code value} (an Integer, a Double, a Boolean or a String, as a file would give). */
    public Attribute byDefault(Object value) {
        return new Attribute(name, kind, Objects.requireNonNull(value), false, choices, min, max, runtime, doc);
    }

    public Attribute asRequired() {
        return new Attribute(name, kind, null, true, choices, min, max, runtime, doc);
    }

    /** Values from an untrusted file must lie in [min, max] (each element of a pair or list). */
    public Attribute range(double min, double max) {
        return new Attribute(name, kind, byDefault, required, choices, min, max, runtime, doc);
    }

    /** A dim of a tensor of any rank Fovea holds, negative counting from the end: -8..7. */
    public Attribute dimRange() {
        return range(-LIST_LENGTH, LIST_LENGTH - 1);
    }

    /** Set by the executor for each pass, not by a model. */
    public Attribute perPass() {
        return new Attribute(name, kind, byDefault, required, choices, min, max, true, doc);
    }

    /** The attribute for a caller that takes only {@code narrower} values of it (model files' one-int conv stride). */
    public Attribute as(Kind narrower) {
        return new Attribute(name, narrower, byDefault, required, choices, min, max, runtime, doc);
    }

    /** "an integer in 1..4096", "a number > 0 and <= 1.0", "a finite number": what a file must give. */
    public String expected() {
        String range = kind.integral() && (min != -Double.MAX_VALUE || max != Double.MAX_VALUE)
                ? " in " + (long) min + ".." + (long) max : "";
        String number = min > 0 ? "a number > 0 and <= " + max
                : max == Double.MAX_VALUE ? "a finite number" : "a number in " + min + ".." + max;
        return switch (kind) {
            case INTEGER -> "an integer" + range;
            case INTEGER_OR_PAIR -> "an integer" + range + " or a pair [h, w] of them";
            case INTEGER_OR_FOUR -> "an integer" + range + " or a list of four [left, right, top, bottom]";
            case INTEGER_OR_LIST -> "an integer" + range + " or a list of at most " + LIST_LENGTH + " of them";
            case NUMBER -> number;
            case NUMBER_OR_PAIR -> number + " or a pair [h, w] of them";
            case BOOLEAN -> "true or false";
            case CHOICE, STRING -> "a string";
        };
    }

    /** "stride (an integer in 1..4096 or a pair [h, w] of them, default 1): the window's step". */
    public String describe() {
        String when = required ? "required" : byDefault != null ? "default " + byDefault : "optional";
        String of = choices.isEmpty() ? expected() : String.join("|", choices);
        return name + " (" + of + ", " + when + ")" + (doc.isEmpty() ? "" : ": " + doc);
    }
}
