package dev.fovea.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * How Fovea reads JSON it did not write itself (model files, checkpoint sidecars, case files,
 * safetensors headers, bench files): one configuration, so that every format gets the same limits
 * and the same strictness.
 *
 * <ul>
 * <li>Nesting is limited to {@link Limits#JSON_DEPTH} levels and strings to
 * {@link Limits#JSON_STRING_CHARS} characters (Jackson's {@link StreamReadConstraints}), so deep
 * nesting cannot overflow the stack of code that walks the tree.</li>
 * <li>Duplicate keys and trailing content are errors.</li>
 * <li>Binding to Java types never coerces: "2" is not a number, 2.5 not an integer, null not 0.</li>
 * </ul>
 */
public final class Json {
    private Json() {
    }

    /** A mapper builder with the limits and strictness above; a format adds its own features. */
    public static JsonMapper.Builder strict() {
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxNestingDepth(Limits.JSON_DEPTH)
                .maxStringLength(Limits.JSON_STRING_CHARS)
                .maxNameLength(Limits.JSON_NAME_CHARS)
                .build();
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(limits).build();
        JsonMapper.Builder b = JsonMapper.builder(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        b.withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail));
        return b;
    }

    /**
     * One line describing a parse error: where it is (when Jackson knows) and what is wrong, with a
     * limit named as such. Never throws, whatever the exception holds.
     */
    public static String problem(JsonProcessingException e) {
        String what = e.getOriginalMessage();
        if (what == null) {
            what = e.getClass().getSimpleName();
        }
        if (e instanceof StreamConstraintsException) {
            // Jackson names the Java method that sets the limit; the user needs the limit itself.
            what = what.replaceAll(", from `[^`]*`", "") + " (Fovea's limit for JSON input)";
        }
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
        String text = where + what;
        return text.length() > 300 ? text.substring(0, 297) + "..." : text;
    }
}
