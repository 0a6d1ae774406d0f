#include "workers.h"

#include "../softgpu.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace softgpu {
namespace {

thread_local bool insideBody = false;

// Every worker takes part in every job and checks in when it is done, so a job's fields are never
// rewritten while a late worker still reads them.
struct Pool {
    std::mutex mutex;
    std::condition_variable wake;
    std::condition_variable done;
    int workers = 0;  // besides the calling thread
    unsigned long long generation = 0;
    int finished = 0;
    std::mutex jobMutex;  // one job at a time, whichever host thread asks
    // the current job
    void (*body)(void*, long long, long long) = nullptr;
    void* state = nullptr;
    long long n = 0;
    long long chunk = 1;
    std::atomic<long long> next{0};

    void work() {
        for (;;) {
            long long b = next.fetch_add(chunk);
            if (b >= n) {
                return;
            }
            body(state, b, std::min(n, b + chunk));
        }
    }

    void loop() {
        insideBody = true;
        unsigned long long seen = 0;
        for (;;) {
            {
                std::unique_lock<std::mutex> l(mutex);
                wake.wait(l, [&] { return generation != seen; });
                seen = generation;
            }
            work();
            std::lock_guard<std::mutex> l(mutex);
            if (++finished == workers) {
                done.notify_all();
            }
        }
    }
};

Pool& pool() {
    // Never destroyed: the workers are detached and may outlive static destruction at exit.
    static Pool* p = [] {
        auto* pool = new Pool();
        int threads = int(std::max(1u, std::thread::hardware_concurrency()));
        if (const char* e = std::getenv("FOVEA_SOFTGPU_THREADS")) {
            int v = std::atoi(e);  // validated by Config at cuInit
            if (v >= 1) threads = v;
        }
        pool->workers = threads - 1;
        for (int i = 0; i < pool->workers; i++) {
            std::thread([pool] { pool->loop(); }).detach();
        }
        return pool;
    }();
    return *p;
}

}  // namespace

void parallelFor(long long n, long long grain, void (*body)(void*, long long, long long), void* state) {
    if (n <= 0) {
        return;
    }
    grain = std::max(1LL, grain);
    Pool& p = pool();
    if (insideBody || p.workers == 0 || n <= grain) {
        body(state, 0, n);
        return;
    }
    std::lock_guard<std::mutex> job(p.jobMutex);
    long long threads = p.workers + 1;
    // A few chunks per thread balance uneven work without much scheduling.
    long long chunks = std::min((n + grain - 1) / grain, threads * 4);
    {
        std::lock_guard<std::mutex> l(p.mutex);
        p.body = body;
        p.state = state;
        p.n = n;
        p.chunk = (n + chunks - 1) / chunks;
        p.next.store(0);
        p.finished = 0;
        p.generation++;
    }
    p.wake.notify_all();
    insideBody = true;
    p.work();
    insideBody = false;
    std::unique_lock<std::mutex> l(p.mutex);
    p.done.wait(l, [&] { return p.finished == p.workers; });
}

}  // namespace softgpu

SOFTGPU_API void softgpu_parallel_for(long long n, long long grain, void (*body)(void*, long long, long long),
                                      void* state) {
    softgpu::parallelFor(n, grain, body, state);
}
