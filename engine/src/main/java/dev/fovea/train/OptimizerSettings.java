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

    /** Optimiser names, as the command line and checkpoints write them. */
    public static final java.util.List<String> NAMES = java.util.List.of("sgd", "adagrad", "adadelta", "rmsprop", "adam",
            "adamw");

    /**
     * The learning rate an optimiser gets when none is given: PyTorch's default for each (1e-3 for
     * Adam, AdamW and RMSProp, 1e-2 for AdaGrad, 1.0 for AdaDelta); PyTorch's SGD has none, and
     * Fovea's 0.05 (with momentum 0.9) trains its zoo on the digits in a few epochs.
     */
    public static double defaultLr(String name) {
        return switch (checkName(name)) {
            case "sgd" -> 0.05;
            case "adagrad" -> 1e-2;
            case "adadelta" -> 1.0;
            default -> 1e-3;
        };
    }

    /**
     * Builds an optimiser from the command line's words; null means "not given" and takes the
     * optimiser's default: {@link #defaultLr}, momentum 0.9 for SGD and 0 for RMSProp (PyTorch's),
     * weight decay 0. Momentum applies to sgd and rmsprop, Nesterov to sgd: given to another
     * optimiser they are refused rather than ignored.
     */
    public static OptimizerConfig of(String name, Double lr, Double momentum, boolean nesterov, Double weightDecay) {
        String n = checkName(name);
        if (momentum != null && !n.equals("sgd") && !n.equals("rmsprop")) {
            throw new IllegalArgumentException("--momentum: " + n + " has no momentum setting (it applies to sgd and "
                    + "rmsprop" + (n.startsWith("adam") ? "; adam's betas are PyTorch's 0.9 and 0.999" : "") + ")");
        }
        if (nesterov && !n.equals("sgd")) {
            throw new IllegalArgumentException("--nesterov: applies to sgd only, not " + n);
        }
        double rate = lr != null ? lr : defaultLr(n);
        double wd = weightDecay != null ? weightDecay : 0;
        return switch (n) {
            case "sgd" -> new Sgd(rate, momentum != null ? momentum : 0.9, 0, nesterov, wd);
            case "adagrad" -> new AdaGrad(rate, 0, wd, 1e-10);
            case "adadelta" -> new AdaDelta(rate, 0.9, 1e-6, wd);
            case "rmsprop" -> new RmsProp(rate, 0.99, 1e-8, wd, momentum != null ? momentum : 0, false);
            case "adam" -> new Adam(rate, 0.9, 0.999, 1e-8, wd, false);
            default -> new Adam(rate, 0.9, 0.999, 1e-8, wd, true);
        };
    }

    private static String checkName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("--optimizer '" + name + "': expected one of " + String.join(", ", NAMES));
        }
        return n;
    }

    /**
     * The recorded optimiser with the settings given on the command line changed (null: keep the
     * recorded value). A setting the optimiser does not have is refused, as is a change that would
     * need optimiser state the checkpoint does not hold (SGD's momentum buffer when it had none).
     */
    public static OptimizerConfig override(JsonNode recorded, Double lr, Double momentum, Boolean nesterov,
                                           Double weightDecay) {
        OptimizerConfig before = fromJson(recorded);
        ObjectNode n = ((ObjectNode) recorded).deepCopy();
        String name = before.name();
        if (momentum != null && !n.has("momentum")) {
            throw new IllegalArgumentException("--momentum: the run's optimizer " + name + " has no momentum setting");
        }
        if (nesterov != null && !n.has("nesterov")) {
            throw new IllegalArgumentException("--nesterov: applies to sgd only, and the run's optimizer is " + name);
        }
        if (lr != null) {
            n.put("lr", lr);
        }
        if (momentum != null) {
            n.put("momentum", momentum);
        }
        if (nesterov != null) {
            n.put("nesterov", nesterov);
        }
        if (weightDecay != null) {
            n.put("weightDecay", weightDecay);
        }
        OptimizerConfig after = fromJson(n);
        if (!after.stateNames().equals(before.stateNames())) {
            throw new IllegalArgumentException("--momentum " + momentum + ": " + name + " would then keep state "
                    + after.stateNames() + " but the checkpoint holds " + before.stateNames() + "; start a new run from "
                    + "its weights with --init-from to change that");
        }
        return after;
    }

    /**
     * "constant", "step:SIZE:GAMMA" (0 < GAMMA <= 1) or "cosine[:T_MAX]" (T_MAX defaults to the number
     * of epochs). A cosine that reaches 0 before the last epoch is refused: its remaining epochs
     * would train at learning rate 0.
     */
    public static LrSchedule schedule(String text, int epochs) {
        String[] p = text.toLowerCase(Locale.ROOT).split(":", -1);
        LrSchedule s;
        try {
            s = switch (p[0]) {
                case "constant" -> p.length == 1 ? new LrSchedule.Constant() : null;
                case "step" -> p.length == 3 ? new LrSchedule.Step(Integer.parseInt(p[1]), Double.parseDouble(p[2])) : null;
                case "cosine" -> p.length <= 2
                        ? new LrSchedule.Cosine(p.length > 1 ? Integer.parseInt(p[1]) : Math.max(1, epochs), 0) : null;
                default -> null;
            };
        } catch (RuntimeException e) {
            s = null;
        }
        if (s == null) {
            throw new IllegalArgumentException("--schedule '" + text + "': expected constant, step:SIZE:GAMMA (e.g. "
                    + "step:2:0.5) or cosine[:T_MAX]");
        }
        if (s instanceof LrSchedule.Step st && !(st.gamma() > 0 && st.gamma() <= 1)) {
            throw new IllegalArgumentException("--schedule '" + text + "': GAMMA multiplies the learning rate every SIZE "
                    + "epochs and must be greater than 0 and at most 1, got " + st.gamma());
        }
        if (s instanceof LrSchedule.Cosine c && c.tMax() < epochs) {
            throw new IllegalArgumentException("--schedule '" + text + "': the cosine reaches learning rate 0 after epoch "
                    + c.tMax() + ", so epochs " + (c.tMax() + 1) + "-" + epochs + " would train at 0; give cosine:" + epochs
                    + ", or cosine alone (its length follows --epochs)");
        }
        return s;
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
