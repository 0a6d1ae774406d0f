package dev.fovea.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fovea.io.Json;
import dev.fovea.optim.AdaDelta;
import dev.fovea.optim.AdaGrad;
import dev.fovea.optim.Adam;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.optim.RmsProp;
import dev.fovea.optim.Sgd;

import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Optimiser and schedule settings by name, as the command line gives them and the checkpoint records them. */
public final class OptimizerSettings {
    private static final ObjectMapper JSON = Json.strict().build();

    private OptimizerSettings() {
    }

    /**
     * Builds an optimiser from the command line's words: {@code momentum} applies to sgd and rmsprop,
     * {@code weightDecay} to all; other hyper-parameters take PyTorch's defaults.
     */
    public static OptimizerConfig of(String name, double lr, double momentum, boolean nesterov, double weightDecay) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd" -> new Sgd(lr, momentum, 0, nesterov, weightDecay);
            case "adagrad" -> new AdaGrad(lr, 0, weightDecay, 1e-10);
            case "adadelta" -> new AdaDelta(lr, 0.9, 1e-6, weightDecay);
            case "rmsprop" -> new RmsProp(lr, 0.99, 1e-8, weightDecay, momentum, false);
            case "adam" -> new Adam(lr, 0.9, 0.999, 1e-8, weightDecay, false);
            case "adamw" -> new Adam(lr, 0.9, 0.999, 1e-8, weightDecay, true);
            default -> throw new IllegalArgumentException("--optimizer '" + name
                    + "': expected one of sgd, adagrad, adadelta, rmsprop, adam, adamw");
        };
    }

    /** "constant", "step:SIZE:GAMMA" or "cosine[:T_MAX]" (T_MAX defaults to the number of epochs). */
    public static LrSchedule schedule(String text, int epochs) {
        String[] p = text.toLowerCase(Locale.ROOT).split(":");
        try {
            return switch (p[0]) {
                case "constant" -> new LrSchedule.Constant();
                case "step" -> new LrSchedule.Step(Integer.parseInt(p[1]), Double.parseDouble(p[2]));
                case "cosine" -> new LrSchedule.Cosine(p.length > 1 ? Integer.parseInt(p[1]) : Math.max(1, epochs), 0);
                default -> throw new IllegalArgumentException("unknown");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--schedule '" + text + "': expected constant, step:SIZE:GAMMA or cosine[:T_MAX]");
        }
    }

    /** The optimiser's settings as JSON (name plus every hyper-parameter), for the checkpoint sidecar. */
    public static ObjectNode toJson(OptimizerConfig c, LrSchedule s) {
        ObjectNode n = JSON.valueToTree(c);
        n.put("name", c.name());
        n.set("schedule", JSON.valueToTree(s));
        n.put("schedule_kind", s.getClass().getSimpleName());
        return n;
    }

    /**
     * The optimiser a checkpoint records. Its settings are checked field by field against the
     * optimiser's parameters (each present, a number or a boolean as the parameter is, nothing else)
     * and then by the optimiser itself (lr >= 0, betas in [0, 1), ...); nothing is coerced.
     */
    public static OptimizerConfig fromJson(JsonNode n) {
        String name = n.path("name").isTextual() ? n.get("name").textValue() : "";
        Class<? extends OptimizerConfig> type = switch (name) {
            case "sgd" -> Sgd.class;
            case "adagrad" -> AdaGrad.class;
            case "adadelta" -> AdaDelta.class;
            case "rmsprop" -> RmsProp.class;
            case "adam", "adamw" -> Adam.class;
            default -> throw new IllegalArgumentException("unknown optimizer " + n.path("name")
                    + "; expected one of sgd, adagrad, adadelta, rmsprop, adam, adamw");
        };
        OptimizerConfig c = bind(strip(n), type, name);
        if (!c.name().equals(name)) {
            throw new IllegalArgumentException(name + ": its settings describe " + c.name());
        }
        return c;
    }

    public static LrSchedule scheduleFromJson(JsonNode n) {
        JsonNode kind = n.get("schedule_kind");
        JsonNode s = n.path("schedule");
        if (kind == null) {
            return new LrSchedule.Constant();
        }
        Class<? extends LrSchedule> type = switch (kind.isTextual() ? kind.textValue() : "") {
            case "Constant" -> LrSchedule.Constant.class;
            case "Step" -> LrSchedule.Step.class;
            case "Cosine" -> LrSchedule.Cosine.class;
            default -> throw new IllegalArgumentException("schedule_kind: expected \"Constant\", \"Step\" or \"Cosine\", got "
                    + kind);
        };
        if (!s.isObject()) {
            throw new IllegalArgumentException("schedule: expected an object of the schedule's settings");
        }
        return bind((ObjectNode) s, type, "schedule");
    }

    /** Binds {@code n} to the record {@code type} after checking every field's JSON type against its component. */
    private static <T> T bind(ObjectNode n, Class<T> type, String what) {
        Map<String, Class<?>> components = new LinkedHashMap<>();
        for (RecordComponent rc : type.getRecordComponents()) {
            components.put(rc.getName(), rc.getType());
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!components.containsKey(field)) {
                throw new IllegalArgumentException(what + ": unknown field '" + field + "'; expected "
                        + String.join(", ", components.keySet()));
            }
        }
        components.forEach((field, javaType) -> {
            JsonNode v = n.get(field);
            boolean ok = v != null && (javaType == boolean.class ? v.isBoolean()
                    : javaType == int.class ? v.isIntegralNumber() && v.canConvertToInt()
                    : v.isNumber() && Double.isFinite(v.doubleValue()));
            if (!ok) {
                throw new IllegalArgumentException(what + ": field '" + field + "' must be " + (javaType == boolean.class
                        ? "true or false" : javaType == int.class ? "an integer" : "a finite number") + ", got "
                        + (v == null ? "nothing" : v.toString()));
            }
        });
        try {
            return JSON.treeToValue(n, type);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw invalid; // the record's own check, which names the optimiser and the value
            }
            throw new IllegalArgumentException(what + ": " + Json.problem(e), e);
        }
    }

    private static ObjectNode strip(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("expected an object with the optimiser's name and settings");
        }
        ObjectNode copy = ((ObjectNode) n).deepCopy();
        copy.remove(java.util.List.of("name", "schedule", "schedule_kind"));
        return copy;
    }
}
