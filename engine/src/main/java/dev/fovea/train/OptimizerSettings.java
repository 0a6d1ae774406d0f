package dev.fovea.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.optim.AdaDelta;
import dev.fovea.optim.AdaGrad;
import dev.fovea.optim.Adam;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.optim.RmsProp;
import dev.fovea.optim.Sgd;

import java.util.Locale;

/** Optimiser and schedule settings by name, as the command line gives them and the checkpoint records them. */
public final class OptimizerSettings {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    public static OptimizerConfig fromJson(JsonNode n) {
        try {
            return switch (n.path("name").asText()) {
                case "sgd" -> JSON.treeToValue(strip(n), Sgd.class);
                case "adagrad" -> JSON.treeToValue(strip(n), AdaGrad.class);
                case "adadelta" -> JSON.treeToValue(strip(n), AdaDelta.class);
                case "rmsprop" -> JSON.treeToValue(strip(n), RmsProp.class);
                case "adam", "adamw" -> JSON.treeToValue(strip(n), Adam.class);
                default -> throw new IllegalArgumentException("checkpoint: unknown optimizer '" + n.path("name").asText() + "'");
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("checkpoint: optimizer settings unreadable: " + e.getOriginalMessage(), e);
        }
    }

    public static LrSchedule scheduleFromJson(JsonNode n) {
        JsonNode s = n.path("schedule");
        try {
            return switch (n.path("schedule_kind").asText("Constant")) {
                case "Step" -> JSON.treeToValue(s, LrSchedule.Step.class);
                case "Cosine" -> JSON.treeToValue(s, LrSchedule.Cosine.class);
                default -> new LrSchedule.Constant();
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("checkpoint: schedule unreadable: " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectNode strip(JsonNode n) {
        ObjectNode copy = ((ObjectNode) n).deepCopy();
        copy.remove(java.util.List.of("name", "schedule", "schedule_kind"));
        return copy;
    }
}
