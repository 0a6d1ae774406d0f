package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.Limits;
import dev.fovea.io.SpecialFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Case files that are well formed but far too large, too deep or not files at all: refused at once, the limit named. */
class CaseFileLimitsTest {
    @TempDir
    Path dir;

    /** A case file whose one tensor holds {@code n} zeros (with a shape that matches). */
    private static String hugeData(int n) {
        StringBuilder b = new StringBuilder("{\"format\": \"fovea-cases/1\", \"cases\": [{\"name\": \"big\", \"op\": \"relu\", "
                + "\"inputs\": {\"input\": {\"shape\": [" + n + "], \"data\": [");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "0" : ",0");
        }
        return b.append("]}}, \"outputs\": {}}]}").toString();
    }

    /** The count happens before the tree is built, so refusing two million numbers takes no time and no memory to speak of. */
    @Test
    void tooManyNumbersAreRefusedBeforeParsing() {
        String json = hugeData(2_000_000);
        CaseFileException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(CaseFileException.class, () -> CaseFileReader.read("big.json", json)));
        assertEquals("big.json: holds 1048577 numbers, more than the limit for case files (1048576)", e.getMessage());
    }

    @Test
    void largerFilesThanTheLimitAreNotRead() throws Exception {
        Path p = dir.resolve("big.json");
        Files.writeString(p, hugeData(10) + " ".repeat((int) Limits.CASE_FILE_BYTES));
        CaseFileException e = assertThrows(CaseFileException.class, () -> CaseFileReader.read(p));
        assertTrue(e.getMessage().startsWith(p + ": file size: expected at most 16,777,216 bytes (the limit for case "
                + "files), the file holds "), e.getMessage());
    }

    @Test
    void deepNestingIsOneLineNotAStackOverflow() {
        String json = "{\"format\": \"fovea-cases/1\", \"cases\": [{\"name\": \"deep\", \"op\": \"relu\", \"attrs\": {\"x\": "
                + "[".repeat(50) + "]".repeat(50) + "}}]}";
        String deeper = json.replace("[".repeat(50), "[".repeat(100_000)).replace("]".repeat(50), "]".repeat(100_000));
        CaseFileException e = assertThrows(CaseFileException.class, () -> CaseFileReader.read("deep.json", deeper));
        assertTrue(e.getMessage().startsWith("deep.json: invalid JSON: ") && e.getMessage().contains("nesting depth")
                && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void onlyRegularFilesAreRead() throws Exception {
        SpecialFiles.assertRefused(dir, "cases.json", CaseFileException.class, CaseFileReader::read);
    }
}
