package dev.fovea.softgpu;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every function the JCuda 11.7.0 JNI libraries import from libcuda.so.1, libcublas.so.11 and
 * libcudnn.so.8 exists in the software GPU's libraries, under the version node they import it
 * with: a missing one would kill the JVM ("symbol lookup error") the first time it is called, where
 * a stub returns the library's "not supported" status. The committed symbol lists are checked
 * against the JNI libraries themselves.
 */
class SoftGpuSymbolsTest {

    /** A JNI library of the natives jars, the software GPU library it imports from, and the list. */
    private record Library(List<String> jniLibraries, String name, String dir, String versionNode) {
    }

    private static final List<Library> LIBRARIES = List.of(
            new Library(List.of("libJCudaDriver-11.7.0-linux-x86_64.so"), "libcuda.so.1", "lib", null),
            new Library(List.of("libJCublas2-11.7.0-linux-x86_64.so", "libJCublas-11.7.0-linux-x86_64.so"),
                    "libcublas.so.11", "lib", "libcublas.so.11"),
            new Library(List.of("libJCudnn-11.7.0-linux-x86_64.so"), "libcudnn.so.8", "cudnn", "libcudnn.so.8"));

    /** The dynamic symbol table as readelf prints it: one [value, type, bind, ndx, name] per line. */
    private static List<String[]> dynamicSymbols(Path elf) throws Exception {
        SoftGpuBuild.Result r = SoftGpuBuild.run(List.of("readelf", "--dyn-syms", "-W", elf.toString()), 60);
        assertEquals(0, r.exitCode(), r.output());
        List<String[]> out = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[0].endsWith(":")) {
                out.add(new String[]{f[1], f[3], f[4], f[6], f[7]});
            }
        }
        return out;
    }

    private static Path extract(String jniLibrary, Path dir) throws IOException {
        try (InputStream in = SoftGpuSymbolsTest.class.getResourceAsStream("/lib/" + jniLibrary)) {
            assertNotNull(in, jniLibrary + " is not in the JCuda natives jars on the test classpath");
            Path p = dir.resolve(jniLibrary);
            Files.copy(in, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return p;
        }
    }

    @Test
    void everyImportedFunctionIsDefinedUnderItsVersionNode(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        SoftGpuBuild.requireBuilt();
        assumeTrue(dev.fovea.kernels.Tools.onPath("readelf"), "readelf (binutils) is not installed");
        for (Library lib : LIBRARIES) {
            Set<String> imported = new TreeSet<>();
            for (String jni : lib.jniLibraries()) {
                for (String[] s : dynamicSymbols(extract(jni, tmp))) {
                    String name = s[4];
                    if (s[3].equals("UND") && name.contains(lib.name().startsWith("libcuda.") ? "" : "@" + lib.versionNode())
                            && name.matches("(cu|cublas|cudnn)[A-Za-z0-9_]*(@.*)?")) {
                        imported.add(name.replaceAll("@.*", ""));
                    }
                }
            }
            List<String> committed = Files.readAllLines(SoftGpuBuild.sources().resolve("symbols/" + lib.name() + ".txt"));
            assertEquals(new TreeSet<>(committed), imported, "symbols/" + lib.name() + ".txt differs from what "
                    + lib.jniLibraries() + " import");

            Set<String> defined = new TreeSet<>();
            for (String[] s : dynamicSymbols(SoftGpuBuild.out().resolve(lib.dir()).resolve(lib.name()))) {
                if (!s[3].equals("UND") && s[1].equals("FUNC")) {
                    String name = s[4];
                    String expected = lib.versionNode() == null ? "" : "@@" + lib.versionNode();
                    if (lib.versionNode() == null ? !name.contains("@") : name.endsWith(expected)) {
                        defined.add(name.replace(expected, ""));
                    }
                }
            }
            Set<String> missing = new TreeSet<>(imported);
            missing.removeAll(defined);
            assertEquals(Set.of(), missing, lib.name() + " lacks these imported functions"
                    + (lib.versionNode() == null ? "" : " under version node " + lib.versionNode()));
        }
    }
}
