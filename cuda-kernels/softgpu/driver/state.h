// The software GPU's state: devices, contexts, streams, events, modules and the lock that guards
// them. One process-wide instance (state()), created by cuInit.
#ifndef FOVEA_SOFTGPU_DRIVER_STATE_H
#define FOVEA_SOFTGPU_DRIVER_STATE_H

#include "api.h"
#include "config.h"
#include "memory.h"

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace softgpu {

struct Device;

// A queued operation: what the stream runs when the host synchronises with it.
struct Work {
    const char* call;         // the API function that queued it (for reports)
    std::string description;  // e.g. the kernel name
    std::function<void()> run;
};

struct Stream {
    Context* context;
    bool blocking;  // synchronises with the legacy default stream (CU_STREAM_DEFAULT)
    bool legacy;    // the context's legacy default stream
    std::deque<Work> queue;
};

struct Event {
    Context* context;
    unsigned flags;
    bool recorded = false;   // cuEventRecord was called at least once
    bool complete = true;    // the last record's marker has run (an unrecorded event counts as complete)
    Stream* stream = nullptr;  // where the last record's marker is queued
    unsigned long long generation = 0;  // which record the queued marker belongs to
    std::chrono::steady_clock::time_point time;
};

struct Context {
    Device* device;
    bool primary;
    bool alive = true;
    CUresult sticky = CUDA_SUCCESS;  // an illegal address or a failed kernel poisons the context
    std::unique_ptr<Stream> legacy;
    std::set<Stream*> streams;
    std::set<Event*> events;
    std::set<Module*> modules;
};

struct Device {
    int ordinal;
    int ccMajor;
    int ccMinor;
    size_t totalMemory;
    size_t usedMemory = 0;
    Context* primary = nullptr;  // created on first retain, kept (inactive) after the last release
    int primaryRefs = 0;
};

struct State {
    Config config;
    std::vector<Device> devices;
    Memory memory;
    std::set<Context*> contexts;    // every live context (primary ones while active)
    std::set<Stream*> streams;      // every live stream, for handle validation
    std::set<Event*> events;
    std::set<Module*> modules;
    std::set<Function*> functions;
    long long allocationCalls = 0;  // cuMemAlloc calls, for FOVEA_SOFTGPU_FAIL_ALLOC
    long long launchCalls = 0;      // cuLaunchKernel calls, for FOVEA_SOFTGPU_FAIL_LAUNCH
    long long libraryCalls = 0;     // library calls asking softgpu_library_allocation_fails
};

// The lock for everything above. Queued work runs without it (see streams.cpp).
std::recursive_mutex& lock();

// Null until cuInit succeeded.
State* state();

// The context current on the calling thread (may be a destroyed one: check alive).
Context* current();
void setCurrent(Context* c);
std::vector<Context*>& contextStack();

// Validates the current context for an API call: CUDA_ERROR_NOT_INITIALIZED before cuInit,
// CUDA_ERROR_INVALID_CONTEXT with none current, the context's sticky error if it has one.
CUresult requireContext(Context** out);

// Resolves a stream handle of the current context (null and the legacy handles: its legacy
// stream). CUDA_ERROR_INVALID_HANDLE for an unknown or destroyed stream or one of another context.
CUresult resolveStream(CUstream handle, Context* ctx, Stream** out);

// Marks the context failed with a sticky error and prints the report.
void poison(Context* ctx, CUresult error, const std::string& report);

// Prints "softgpu: message" on stderr.
void report(const std::string& message);

}  // namespace softgpu

#endif
