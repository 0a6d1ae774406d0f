// Streams and events. Nothing queued runs before the host waits for it: a host read that skips a
// synchronisation sees the memory as it was, as it could on a real GPU, and a test notices.
#include "streams.h"

#include "counters.h"

#include <chrono>

namespace softgpu {

namespace {

bool runOne(Stream* s) {
    if (s->queue.empty()) {
        return false;
    }
    Work w = std::move(s->queue.front());
    s->queue.pop_front();
    Context* ctx = s->context;
    if (ctx->sticky != CUDA_SUCCESS) {
        return true;  // a faulted context runs nothing more
    }
    w.run();
    return true;
}

}  // namespace

// Work that checks red zones after it ran wraps its body (see launch.cpp); plain work just runs.
void enqueue(Stream* s, const char* call, std::string description, std::function<void()> run,
             std::vector<uintptr_t> checked) {
    Context* ctx = s->context;
    if (s->legacy) {
        for (Stream* other : ctx->streams) {
            if (other->blocking) drain(other);
        }
    } else if (s->blocking) {
        drain(ctx->legacy.get());
    }
    if (!checked.empty()) {
        std::string what = std::string(call) + " (" + description + ")";
        run = [run = std::move(run), checked = std::move(checked), ctx, what] {
            run();
            for (const std::string& r : state()->memory.checkCanaries(checked)) {
                poison(ctx, CUDA_ERROR_ILLEGAL_ADDRESS, what + ": " + r);
            }
        };
    }
    s->queue.push_back(Work{call, std::move(description), std::move(run)});
}

CUresult drain(Stream* s) {
    while (runOne(s)) {
    }
    return s->context->sticky;
}

CUresult drainContext(Context* c) {
    drain(c->legacy.get());
    for (Stream* s : c->streams) {
        drain(s);
    }
    // Writes into freed memory are found when a block leaves the quarantine and when the context is
    // destroyed; scanning the whole quarantine at every synchronisation would cost more than the work.
    return c->sticky;
}

void destroyStream(Stream* s) {
    drain(s);
    s->context->streams.erase(s);
    state()->streams.erase(s);
    count(LIVE_STREAMS, -1);
    delete s;
}

}  // namespace softgpu

using namespace softgpu;

namespace {

using Guard = std::lock_guard<std::recursive_mutex>;

CUresult eventOf(CUevent e, Event** out) {
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (e == nullptr || state()->events.count(e) == 0) return CUDA_ERROR_INVALID_HANDLE;
    *out = e;
    return CUDA_SUCCESS;
}

// Runs the work queued up to and including the event's last marker.
CUresult completeEvent(Event* e) {
    while (!e->complete && e->stream != nullptr && runOne(e->stream)) {
    }
    return e->context->sticky;
}

}  // namespace

CU_API CUresult cuStreamCreate(CUstream* out, unsigned int flags) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    if (out == nullptr || (flags & ~1u) != 0) return CUDA_ERROR_INVALID_VALUE;
    auto* s = new Stream{ctx, (flags & CU_STREAM_NON_BLOCKING) == 0, false, {}};
    ctx->streams.insert(s);
    state()->streams.insert(s);
    count(LIVE_STREAMS);
    *out = s;
    return CUDA_SUCCESS;
}

CU_API CUresult cuStreamCreateWithPriority(CUstream* out, unsigned int flags, int priority) {
    return cuStreamCreate(out, flags);
}

CU_API CUresult cuStreamDestroy_v2(CUstream handle) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (handle == nullptr || state()->streams.count(handle) == 0) return CUDA_ERROR_INVALID_HANDLE;
    destroyStream(handle);
    return CUDA_SUCCESS;
}

CU_API CUresult cuStreamSynchronize(CUstream handle) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    Stream* s = nullptr;
    if ((rc = resolveStream(handle, ctx, &s)) != CUDA_SUCCESS) return rc;
    count(SYNCHRONIZATIONS);
    if (s->legacy) {
        return drainContext(ctx);  // the legacy stream waits for every blocking stream
    }
    return drain(s);
}

CU_API CUresult cuStreamQuery(CUstream handle) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    Stream* s = nullptr;
    if ((rc = resolveStream(handle, ctx, &s)) != CUDA_SUCCESS) return rc;
    if (s->queue.empty()) return ctx->sticky;
    // Not done yet; it will be by the next query (a polling loop must terminate).
    drain(s);
    return CUDA_ERROR_NOT_READY;
}

CU_API CUresult cuStreamWaitEvent(CUstream handle, CUevent event, unsigned int flags) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    Stream* s = nullptr;
    Event* e = nullptr;
    if ((rc = resolveStream(handle, ctx, &s)) != CUDA_SUCCESS) return rc;
    if ((rc = eventOf(event, &e)) != CUDA_SUCCESS) return rc;
    // Work queued on s from now on must follow the event's work: run that work now.
    return completeEvent(e);
}

CU_API CUresult cuEventCreate(CUevent* out, unsigned int flags) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    if (out == nullptr || (flags & ~0x7u) != 0) return CUDA_ERROR_INVALID_VALUE;
    auto* e = new Event{ctx, flags};
    ctx->events.insert(e);
    state()->events.insert(e);
    count(LIVE_EVENTS);
    *out = e;
    return CUDA_SUCCESS;
}

CU_API CUresult cuEventDestroy_v2(CUevent handle) {
    Guard l(lock());
    Event* e = nullptr;
    CUresult rc = eventOf(handle, &e);
    if (rc != CUDA_SUCCESS) return rc;
    // No marker still queued (of this or an earlier record) may touch the event after it is gone.
    drainContext(e->context);
    e->context->events.erase(e);
    state()->events.erase(e);
    count(LIVE_EVENTS, -1);
    delete e;
    return CUDA_SUCCESS;
}

CU_API CUresult cuEventRecord(CUevent handle, CUstream stream) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    Event* e = nullptr;
    Stream* s = nullptr;
    if ((rc = eventOf(handle, &e)) != CUDA_SUCCESS) return rc;
    if ((rc = resolveStream(stream, ctx, &s)) != CUDA_SUCCESS) return rc;
    if (e->context != ctx) return CUDA_ERROR_INVALID_HANDLE;
    e->recorded = true;
    e->complete = false;
    e->stream = s;
    unsigned long long generation = ++e->generation;
    enqueue(s, "cuEventRecord", "event marker", [e, generation] {
        // An earlier record's marker must not complete a later record.
        if (e->generation == generation) {
            e->time = std::chrono::steady_clock::now();
            e->complete = true;
        }
    });
    return CUDA_SUCCESS;
}

CU_API CUresult cuEventRecordWithFlags(CUevent handle, CUstream stream, unsigned int flags) {
    return cuEventRecord(handle, stream);
}

CU_API CUresult cuEventSynchronize(CUevent handle) {
    Guard l(lock());
    Event* e = nullptr;
    CUresult rc = eventOf(handle, &e);
    if (rc != CUDA_SUCCESS) return rc;
    count(SYNCHRONIZATIONS);
    return completeEvent(e);
}

CU_API CUresult cuEventQuery(CUevent handle) {
    Guard l(lock());
    Event* e = nullptr;
    CUresult rc = eventOf(handle, &e);
    if (rc != CUDA_SUCCESS) return rc;
    if (e->complete) return e->context->sticky;
    completeEvent(e);  // done by the next query
    return CUDA_ERROR_NOT_READY;
}

CU_API CUresult cuEventElapsedTime(float* ms, CUevent start, CUevent end) {
    Guard l(lock());
    Event* a = nullptr;
    Event* b = nullptr;
    CUresult rc = eventOf(start, &a);
    if (rc == CUDA_SUCCESS) rc = eventOf(end, &b);
    if (rc != CUDA_SUCCESS) return rc;
    if (ms == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if ((a->flags & CU_EVENT_DISABLE_TIMING) || (b->flags & CU_EVENT_DISABLE_TIMING) || !a->recorded || !b->recorded) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (!a->complete || !b->complete) return CUDA_ERROR_NOT_READY;
    *ms = std::chrono::duration<float, std::milli>(b->time - a->time).count();
    return CUDA_SUCCESS;
}
