package dev.fovea.tests;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.Zoo;
import dev.fovea.onnx.OnnxExport;
import dev.fovea.onnx.OnnxImport;
import dev.fovea.onnx.proto.Onnx.ModelProto;
import dev.fovea.tensor.Shape;
import dev.fovea.tests.onnx.OnnxRuntimeModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `fovea export`: a trained run or a zoo model's fresh weights as an ONNX file that ONNX Runtime runs. */
class ExportCliTest {

    @Test
    void aTrainedRunExportsWithItsNormalisationAndRunsInOnnxRuntime(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Fixtures.trainTiny(dir, run, "--normalize", "0.1307,0.3081");
        Path onnx = dir.resolve("tiny.onnx");
        Cli c = Cli.run("export", run.toString(), "--out", onnx.toString());
        assertEquals(0, c.status(), c.toString());
        assertTrue(c.out().contains("input [batch, 1, 28, 28], output [batch, 10], opset 17"), c.out());
        ModelProto m = OnnxImport.parse(Files.readAllBytes(onnx), onnx.toString());
        assertEquals(OnnxExport.NORMALIZATION_KEY, m.getMetadataProps(0).getKey());
        assertEquals("0.1307,0.3081", m.getMetadataProps(0).getValue());
        OnnxImport.Result back = OnnxImport.read(onnx);
        float[] x = new float[4 * 28 * 28];
        Random r = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] fovea;
        try (Backend cpu = Backends.open("cpu"); Parameters p = Parameters.fromHost(back.graph(), cpu, back.arrays())) {
            fovea = cpu.download(new Executor(back.graph(), p).infer(cpu.upload(Shape.of(4, 1, 28, 28), x)));
        }
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(onnx, 2)) {
            float[] y = ort.run(x, new long[] {4, 1, 28, 28});
            for (int i = 0; i < y.length; i++) {
                assertEquals(fovea[i], y[i], 1e-4 + 1e-4 * Math.abs(fovea[i]), "output " + i);
            }
        }
        Cli again = Cli.run("export", run.toString(), "--out", onnx.toString());
        assertEquals(2, again.status(), again.toString());
        assertTrue(again.err().contains("exists; give --overwrite"), again.err());
        assertEquals(0, Cli.run("export", run.toString(), "--out", onnx.toString(), "--overwrite").status());
        Cli seeded = Cli.run("export", run.toString(), "--seed", "3", "--out", onnx.toString(), "--overwrite");
        assertEquals(2, seeded.status(), seeded.toString());
        assertTrue(seeded.err().contains("--seed: seeds the fresh weights of --model alone"), seeded.err());
    }

    @Test
    void modelAloneExportsFreshWeights(@TempDir Path dir) throws Exception {
        Path onnx = dir.resolve("lenet5.onnx");
        Cli c = Cli.run("export", "--model", "lenet5", "--seed", "5", "--out", onnx.toString());
        assertEquals(0, c.status(), c.toString());
        Map<String, float[]> want = Parameters.initialValues(Zoo.get("lenet5"), 5);
        Map<String, float[]> got = OnnxImport.read(onnx).arrays();
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
        assertTrue(Files.size(onnx) > 4 * 61_706, "the weights are inside the file");

        Cli none = Cli.run("export", "--out", dir.resolve("none.onnx").toString());
        assertEquals(2, none.status(), none.toString());
        assertTrue(none.err().contains("give a CHECKPOINT, or --model"), none.err());
        assertFalse(Files.exists(dir.resolve("none.onnx")));
    }
}
