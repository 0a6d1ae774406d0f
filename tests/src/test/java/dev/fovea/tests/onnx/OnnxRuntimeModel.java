package dev.fovea.tests.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * An ONNX model loaded in ONNX Runtime's Java API on the CPU with a fixed number of intra-op threads
 * (one inter-op thread, all graph optimisations on, as ONNX Runtime runs by default), run on float
 * batches. Tests compare its outputs with Fovea's; the peer benchmark times it.
 */
public final class OnnxRuntimeModel implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public OnnxRuntimeModel(Path file, int threads) throws OrtException {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            session = env.createSession(file.toString(), opts);
        }
    }

    /** The shape ONNX Runtime reads for the input or output {@code name}; -1 marks a symbolic dimension. */
    public long[] shape(String name) throws OrtException {
        Map<String, NodeInfo> info = session.getInputNames().contains(name) ? session.getInputInfo()
                : session.getOutputInfo();
        return ((TensorInfo) info.get(name).getInfo()).getShape();
    }

    /** The first output for a batch {@code x} of {@code shape}. */
    public float[] run(float[] x, long[] shape) throws OrtException {
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), in))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] y = new float[out.remaining()];
            out.get(y);
            return y;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
