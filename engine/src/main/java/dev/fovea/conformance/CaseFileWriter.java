package dev.fovea.conformance;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Writes cases in the {@value CaseFileReader#FORMAT} format that {@link CaseFileReader} reads:
 * objects indented, each array on one line, floats in their shortest exact text.
 */
public final class CaseFileWriter {
    private static final ObjectMapper ATTRS = new ObjectMapper();

    private CaseFileWriter() {
    }

    /** Writes atomically: a temporary file next to {@code file}, then a rename. */
    public static void write(Path file, List<ConformanceCase> cases) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: its owner-only permissions would carry over to the result.
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(out, cases);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static String toJson(List<ConformanceCase> cases) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(bytes, cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void write(OutputStream out, List<ConformanceCase> cases) throws IOException {
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter()
                .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance)
                .withObjectIndenter(new DefaultIndenter("  ", "\n"));
        try (JsonGenerator g = new JsonFactory(ATTRS).createGenerator(out, JsonEncoding.UTF8)) {
            g.setPrettyPrinter(pretty);
            g.writeStartObject();
            g.writeStringField("format", CaseFileReader.FORMAT);
            g.writeArrayFieldStart("cases");
            for (ConformanceCase c : cases) {
                writeCase(g, c);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    private static void writeCase(JsonGenerator g, ConformanceCase c) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", c.name());
        g.writeStringField("op", c.op());
        if (!c.attrs().isEmpty()) {
            g.writeFieldName("attrs");
            g.writeObject(c.attrs());
        }
        tensors(g, "inputs", c.inputs());
        tensors(g, "outputs", c.outputs());
        if (c.checksGradients()) {
            tensors(g, "grad_outputs", c.gradOutputs());
            tensors(g, "grad_inputs", c.gradInputs());
        }
        g.writeObjectFieldStart("tolerance");
        g.writeNumberField("abs", c.tolerance().abs());
        g.writeNumberField("rel", c.tolerance().rel());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void tensors(JsonGenerator g, String field, Map<String, TensorData> tensors) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            g.writeFieldName("shape");
            g.writeArray(e.getValue().shape().toArray(), 0, e.getValue().shape().rank());
            g.writeArrayFieldStart("data");
            for (float v : e.getValue().data()) {
                g.writeNumber(v);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndObject();
    }
}
