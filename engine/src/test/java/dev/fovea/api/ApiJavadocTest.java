package dev.fovea.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DocumentationTool;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public API's Javadoc builds with every doclint check on and warnings as errors, offline (no
 * links to fetch), as part of {@code mvn verify}: a public type or member without documentation, a
 * broken {@code @link} or malformed HTML fails the build.
 */
class ApiJavadocTest {
    private static final Path SOURCES = Path.of("src", "main", "java", "dev", "fovea", "api");

    @Test
    void theApiJavadocBuildsWithoutWarnings(@TempDir Path out) throws Exception {
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        List<String> args = new ArrayList<>(List.of("-Xdoclint:all", "-Werror", "-quiet", "-d", out.toString(),
                "-cp", System.getProperty("java.class.path")));
        try (var files = Files.list(SOURCES)) {
            files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(f -> args.add(f.toString()));
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int status = javadoc.run(null, log, log, args.toArray(String[]::new));
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.isBlank(), "no warnings: " + text);
        assertTrue(Files.isRegularFile(out.resolve("dev/fovea/api/Model.html")), "the pages were written");
    }
}
