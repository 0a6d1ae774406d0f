// CPU harness for the Fovea kernels: every src/*.cu module, compiled unchanged as C++ through
// shim.h, plus a small interpreter that the Java emulation tests drive with a script file:
//
//   f32 NAME COUNT PATH|-      allocate COUNT floats, loaded from PATH (raw little-endian) or, for
//   i32 NAME COUNT PATH|-      "-", filled with a sentinel (NaN / -7777) that a kernel must overwrite
//   order forward|reverse      the order threads run in for later launches
//   launch KERNEL GRID BLOCK ARG...   ARG: a buffer name, null, i:INTEGER or f:FLOAT (strtof syntax)
//   save NAME PATH             write a buffer back
//
// `harness --list` prints the entry points it knows. Each buffer is its own exact-size malloc, so
// the -fsanitize=address build reports any read or write outside a tensor. Arguments are checked
// against the kernel's real parameter types (deduced from its definition), so a script that
// disagrees with a signature fails loudly instead of passing garbage.
//
// Generated at build time from src/*.cu (KernelEmulator; by hand, see KERNELS.md): one
// `#include "<module>.cu"` per source, and one FOVEA_KERNEL(name) per `extern "C" __global__` entry,
// so a new kernel or module needs no edit here.
#include "kernel-sources.inc"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "harness: %s\n", message.c_str());
    std::exit(2);
}

struct Buffer {
    bool isFloat;
    long long count;
    void* data;
};

struct Arg {
    std::string text;
    Buffer* buffer;  // set for buffer names, null for "null" and scalars
};

std::map<std::string, Buffer> buffers;

long long parseInteger(const std::string& s) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno != 0) {
        fail("not an integer: '" + s + "'");
    }
    return v;
}

template <class T>
T convert(const Arg& a, const std::string& kernel, size_t position) {
    std::string where = kernel + " argument " + std::to_string(position);
    using Bare = std::remove_cv_t<std::remove_pointer_t<T>>;
    if constexpr (std::is_pointer_v<T>) {
        static_assert(std::is_same_v<Bare, float> || std::is_same_v<Bare, int>, "unsupported pointer type");
        if (a.text == "null") {
            return nullptr;
        }
        if (a.buffer == nullptr) {
            fail(where + " must be a buffer or null, got '" + a.text + "'");
        }
        if (a.buffer->isFloat != std::is_same_v<Bare, float>) {
            fail(where + " must be a " + (std::is_same_v<Bare, float> ? "f32" : "i32") + " buffer, '" + a.text +
                 "' is not");
        }
        return static_cast<T>(a.buffer->data);
    } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, long long>) {
        if (a.text.rfind("i:", 0) != 0) {
            fail(where + " must be an integer i:N, got '" + a.text + "'");
        }
        long long v = parseInteger(a.text.substr(2));
        if (std::is_same_v<T, int> && (v < INT_MIN || v > INT_MAX)) {
            fail(where + " does not fit in int: " + a.text);
        }
        return static_cast<T>(v);
    } else {
        static_assert(std::is_same_v<T, float>, "unsupported parameter type");
        if (a.text.rfind("f:", 0) != 0) {
            fail(where + " must be a float f:X, got '" + a.text + "'");
        }
        char* end = nullptr;
        float v = std::strtof(a.text.c_str() + 2, &end);
        if (*end != '\0') {
            fail(where + " is not a float: '" + a.text + "'");
        }
        return v;
    }
}

using Entry = std::function<void(dim3, dim3, bool, const std::vector<Arg>&)>;

template <class... P, size_t... I>
void invoke(const std::string& name, void (*kernel)(P...), dim3 grid, dim3 block, bool reverse,
            const std::vector<Arg>& args, std::index_sequence<I...>) {
    fovea_emu_launch(grid, block, reverse, kernel, convert<P>(args[I], name, I)...);
}

template <class... P>
Entry entry(const std::string& name, void (*kernel)(P...)) {
    return [name, kernel](dim3 grid, dim3 block, bool reverse, const std::vector<Arg>& args) {
        if (args.size() != sizeof...(P)) {
            fail(name + " takes " + std::to_string(sizeof...(P)) + " arguments, got " + std::to_string(args.size()));
        }
        invoke(name, kernel, grid, block, reverse, args, std::index_sequence_for<P...>{});
    };
}

#define FOVEA_KERNEL(k) {#k, entry(#k, k)},

const std::map<std::string, Entry>& registry() {
    static const std::map<std::string, Entry> kernels = {
#include "kernel-list.inc"
    };
    return kernels;
}

void allocate(const std::string& name, bool isFloat, long long count, const std::string& path) {
    if (count < 0 || buffers.count(name) != 0) {
        fail("bad or duplicate buffer '" + name + "'");
    }
    size_t bytes = (size_t)count * 4;
    // One exact-size block per tensor: the address sanitizer then sees every out-of-bounds access.
    void* data = std::malloc(bytes == 0 ? 1 : bytes);
    if (path == "-") {
        for (long long i = 0; i < count; i++) {
            if (isFloat) {
                static_cast<float*>(data)[i] = __int_as_float(0x7fc00000);
            } else {
                static_cast<int*>(data)[i] = -7777;
            }
        }
    } else {
        std::ifstream in(path, std::ios::binary);
        in.read(static_cast<char*>(data), (std::streamsize)bytes);
        if (!in || in.peek() != EOF) {
            fail("file " + path + " does not hold exactly " + std::to_string(count) + " values for '" + name + "'");
        }
    }
    buffers[name] = Buffer{isFloat, count, data};
}

void save(const std::string& name, const std::string& path) {
    auto it = buffers.find(name);
    if (it == buffers.end()) {
        fail("no buffer '" + name + "' to save");
    }
    std::ofstream out(path, std::ios::binary);
    out.write(static_cast<const char*>(it->second.data), (std::streamsize)(it->second.count * 4));
    if (!out) {
        fail("cannot write " + path);
    }
}

void launch(std::istringstream& line, bool reverse) {
    std::string kernel;
    long long grid = 0;
    long long block = 0;
    if (!(line >> kernel >> grid >> block) || grid < 1 || block < 1) {
        fail("launch needs KERNEL GRID BLOCK with GRID, BLOCK >= 1");
    }
    auto it = registry().find(kernel);
    if (it == registry().end()) {
        fail("unknown kernel " + kernel);
    }
    std::vector<Arg> args;
    std::string token;
    while (line >> token) {
        auto b = buffers.find(token);
        args.push_back(Arg{token, b == buffers.end() ? nullptr : &b->second});
    }
    it->second(dim3((unsigned)grid), dim3((unsigned)block), reverse, args);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
        for (const auto& [name, unused] : registry()) {
            std::printf("%s\n", name.c_str());
        }
        return 0;
    }
    if (argc != 2) {
        fail("usage: harness SCRIPT | harness --list");
    }
    std::ifstream script(argv[1]);
    if (!script) {
        fail(std::string("cannot read ") + argv[1]);
    }
    bool reverse = false;
    std::string text;
    while (std::getline(script, text)) {
        std::istringstream line(text);
        std::string command;
        if (!(line >> command)) {
            continue;
        }
        if (command == "f32" || command == "i32") {
            std::string name;
            long long count = -1;
            std::string path;
            if (!(line >> name >> count >> path)) {
                fail("malformed line: " + text);
            }
            allocate(name, command == "f32", count, path);
        } else if (command == "order") {
            std::string order;
            line >> order;
            if (order != "forward" && order != "reverse") {
                fail("order must be forward or reverse: " + text);
            }
            reverse = order == "reverse";
        } else if (command == "launch") {
            launch(line, reverse);
        } else if (command == "save") {
            std::string name;
            std::string path;
            if (!(line >> name >> path)) {
                fail("malformed line: " + text);
            }
            save(name, path);
        } else {
            fail("unknown command: " + text);
        }
    }
    for (auto& [name, buffer] : buffers) {
        std::free(buffer.data);
    }
    return 0;
}
