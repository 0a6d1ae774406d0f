package dev.fovea.kernels;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether an external tool (nvcc, ptxas, g++) is installed, so tests can skip with a reason. */
public final class Tools {
    private Tools() {
    }

    public static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }
}
