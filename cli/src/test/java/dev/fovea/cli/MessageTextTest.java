package dev.fovea.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The text of messages: no Java class names or Jackson internals, and CUDA's reason in a few words. */
class MessageTextTest {

    @Test
    void javaClassNamesAndJacksonDetailsAreLeftOut() {
        assertEquals("x.png: png image data: cannot decode: Error reading PNG image data",
                Errors.withoutClassNames("x.png: png image data: cannot decode: javax.imageio.IIOException: Error reading "
                        + "PNG image data"));
        assertEquals("optimizer settings unreadable: Unrecognized field \"betas\", not marked as ignorable",
                Errors.withoutClassNames("optimizer settings unreadable: Unrecognized field \"betas\" (class "
                        + "dev.fovea.optim.Sgd), not marked as ignorable at [Source: UNKNOWN; byte offset: #UNKNOWN]"));
        assertEquals("ckpt.json was trained on classes a, b (class 0 is 'a' in the checkpoint)",
                Errors.withoutClassNames("ckpt.json was trained on classes a, b (class 0 is 'a' in the checkpoint)"),
                "a message's own parentheses stay");
        assertEquals("an error without a message", Errors.withoutClassNames("java.lang.NullPointerException"));
    }

    @Test
    void cudasReasonLosesItsAdvice() {
        assertEquals("CUDA unavailable: the NVIDIA driver library libcuda.so.1 could not be loaded",
                DeviceOptions.shortReason("CUDA unavailable: the NVIDIA driver library libcuda.so.1 could not be loaded "
                        + "(libcuda.so.1: cannot open shared object file: No such file or directory); install an NVIDIA "
                        + "driver that supports CUDA 11.x or newer"));
        assertEquals("CUDA unavailable: cublasCreate returned status 3",
                DeviceOptions.shortReason("CUDA unavailable: cublasCreate returned status 3; is the GPU out of memory"));
    }
}
