// Context lifetime: activation, destruction (with the leak report) and the driver's own teardown.
#ifndef FOVEA_SOFTGPU_DRIVER_CONTEXT_H
#define FOVEA_SOFTGPU_DRIVER_CONTEXT_H

#include "state.h"

namespace softgpu {

// Makes a context usable (fresh legacy stream, no sticky error) and counts it.
void activate(Context* c);

// Runs the context's queued work, reports and frees everything still alive in it (device memory,
// streams, events, modules: counted as LEAKED), and marks it dead. `why` names the call.
void destroyContext(Context* c, const char* why);

// Removes a module and its functions (modules.cpp).
void destroyModule(Module* m);

// Whether cuInit ran: every other call fails with CUDA_ERROR_NOT_INITIALIZED before.
bool initialised();

}  // namespace softgpu

#endif
