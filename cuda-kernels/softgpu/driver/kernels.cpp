// Every entry point of cuda-kernels/src/*.cu, compiled unchanged as C++ (the Makefile adds
// -include ../emu/shim.h), with a launcher that runs a grid on the worker threads: blocks are
// shared out among the threads, each block's threads run one after another. That is faithful for
// Fovea's kernels, which use no shared memory, barriers or warp intrinsics and do not depend on the
// order their threads run in (KERNELS.md).
#include "kernel-sources.inc"  // generated: one #include per ../src/*.cu

#include "kernels.h"
#include "workers.h"

#include <cstring>
#include <map>
#include <tuple>
#include <type_traits>
#include <utility>

namespace softgpu {
namespace {

template <class T>
constexpr char kindOf() {
    if constexpr (std::is_pointer_v<T>) {
        return 'p';
    } else if constexpr (std::is_same_v<T, int>) {
        return 'i';
    } else if constexpr (std::is_same_v<T, float>) {
        return 'f';
    } else {
        static_assert(std::is_same_v<T, long long>, "kernel parameter of an unsupported type");
        return 'l';
    }
}

template <class T>
T unpack(const Slot& s) {
    T v;
    std::memcpy(&v, s.data(), sizeof(T));
    return v;
}

template <class... P>
struct Grid {
    void (*fn)(P...);
    std::tuple<P...> args;
    dim3 grid;
    dim3 block;

    static void runBlocks(void* self, long long begin, long long end) {
        auto* g = static_cast<Grid*>(self);
        gridDim = g->grid;
        blockDim = g->block;
        const unsigned long long threads = (unsigned long long)g->block.x * g->block.y * g->block.z;
        for (long long b = begin; b < end; b++) {
            blockIdx = {unsigned(b % g->grid.x), unsigned(b / g->grid.x % g->grid.y), unsigned(b / g->grid.x / g->grid.y)};
            for (unsigned long long t = 0; t < threads; t++) {
                threadIdx = {unsigned(t % g->block.x), unsigned(t / g->block.x % g->block.y),
                             unsigned(t / g->block.x / g->block.y)};
                std::apply(g->fn, g->args);
            }
        }
    }
};

template <class... P, size_t... I>
void runGrid(void (*fn)(P...), Dim grid, Dim block, const std::vector<Slot>& args, std::index_sequence<I...>) {
    Grid<P...> g{fn, std::tuple<P...>(unpack<P>(args[I])...), dim3(grid.x, grid.y, grid.z),
                 dim3(block.x, block.y, block.z)};
    long long blocks = (long long)grid.x * grid.y * grid.z;
    parallelFor(blocks, 1, &Grid<P...>::runBlocks, &g);
}

template <class... P>
KernelImpl describe(const char* name, void (*fn)(P...)) {
    KernelImpl k;
    k.name = name;
    k.params = std::string{kindOf<P>()...};
    k.function = reinterpret_cast<void*>(fn);
    k.run = [](const KernelImpl& self, Dim grid, Dim block, const std::vector<Slot>& args) {
        runGrid(reinterpret_cast<void (*)(P...)>(self.function), grid, block, args, std::index_sequence_for<P...>{});
    };
    return k;
}

const std::map<std::string, KernelImpl>& registry() {
    static const std::map<std::string, KernelImpl> kernels = [] {
        std::map<std::string, KernelImpl> m;
#define FOVEA_KERNEL(k) m.emplace(#k, describe(#k, k));
#include "kernel-list.inc"
#undef FOVEA_KERNEL
        return m;
    }();
    return kernels;
}

}  // namespace

const KernelImpl* findKernel(const std::string& name) {
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : &it->second;
}

}  // namespace softgpu
