// The execution engine: work queued on streams runs only when the host synchronises with it
// (or with work ordered after it), all of it under the driver lock, one operation at a time.
#ifndef FOVEA_SOFTGPU_DRIVER_STREAMS_H
#define FOVEA_SOFTGPU_DRIVER_STREAMS_H

#include "state.h"

#include <cstdint>
#include <vector>

namespace softgpu {

// Appends work to a stream, after ordering it with the legacy default stream as CUDA does (work
// on the legacy stream waits for every blocking stream of the context, and the other way round).
// `checked` lists device addresses whose blocks' red zones are checked after the work ran.
void enqueue(Stream* s, const char* call, std::string description, std::function<void()> run,
             std::vector<uintptr_t> checked = {});

// Runs everything queued on the stream; returns the context's sticky error (CUDA_SUCCESS if none).
CUresult drain(Stream* s);

// Runs everything queued on every stream of the context.
CUresult drainContext(Context* c);

// Destroys a stream after running its work.
void destroyStream(Stream* s);

}  // namespace softgpu

#endif
