/**
 * The CUDA backend: cuDNN and cuBLAS through JCuda 11.7.0, plus Fovea's own kernels shipped as PTX.
 *
 * <h2>What a GPU machine needs</h2>
 * <ul>
 *   <li>An NVIDIA GPU of compute capability 7.5 (Turing) or newer, and an NVIDIA driver that
 *       supports CUDA 11.x (every current driver does). The CUDA runtime itself is linked into
 *       JCuda's native library, and the PTX kernels are compiled by the driver, so no CUDA toolkit
 *       is needed.</li>
 *   <li>cuBLAS for CUDA 11: {@code libcublas.so.11} and {@code libcublasLt.so.11} (CUDA 11.8's
 *       supports Hopper), from NVIDIA's {@code libcublas-11-8} package or
 *       {@code pip install nvidia-cublas-cu11} with its {@code site-packages/nvidia/cublas/lib} on
 *       {@code LD_LIBRARY_PATH}.</li>
 *   <li>Optionally cuDNN 8 for CUDA 11: {@code libcudnn.so.8} (8.9 for Hopper), from NVIDIA's
 *       {@code libcudnn8} package or {@code pip install nvidia-cudnn-cu11} with
 *       {@code site-packages/nvidia/cudnn/lib} on {@code LD_LIBRARY_PATH}. Without it, convolution
 *       runs on the direct kernels and im2col + cuBLAS, pooling, batch norm, activations and
 *       softmax on Fovea's kernels.</li>
 * </ul>
 * {@code fovea devices} prints what was found, or exactly which piece is missing.
 *
 * <h2>Structure</h2>
 * {@link dev.fovea.backend.cuda.CudaProbe} decides once whether CUDA is usable and is the only
 * code that touches JCuda before that; {@link dev.fovea.backend.cuda.CudaBackend} implements the
 * backend SPI, asking the {@link dev.fovea.backend.cuda.Router} per op and shape whether cuDNN,
 * im2col + cuBLAS or a Fovea kernel runs it. Memory comes from a caching
 * {@link dev.fovea.backend.cuda.DeviceAllocator}; cuDNN shares one grow-only, capped
 * {@link dev.fovea.backend.cuda.Workspace}; algorithms are chosen once per
 * {@link dev.fovea.backend.cuda.AlgoKey}. The value types (geometry, modes, keys, launch
 * configuration, selection rules) hold no native state and are tested without a GPU.
 */
package dev.fovea.backend.cuda;
