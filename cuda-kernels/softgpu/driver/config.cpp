#include "config.h"

#include <cerrno>
#include <cstdlib>
#include <string>

namespace softgpu {
namespace {

bool parseInt(const char* name, const char* text, long long min, long long max, long long* out, std::string* error) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
        *error = std::string(name) + "=" + text + " is not an integer in [" + std::to_string(min) + ", " +
                 std::to_string(max) + "]";
        return false;
    }
    *out = v;
    return true;
}

// "4G", "512M", "65536" (bytes).
bool parseBytes(const char* name, const char* text, size_t* out, std::string* error) {
    std::string s(text);
    size_t scale = 1;
    if (!s.empty()) {
        char unit = s.back();
        if (unit == 'K' || unit == 'k') scale = size_t(1) << 10;
        if (unit == 'M' || unit == 'm') scale = size_t(1) << 20;
        if (unit == 'G' || unit == 'g') scale = size_t(1) << 30;
        if (scale != 1) s.pop_back();
    }
    long long v = 0;
    if (!parseInt(name, s.c_str(), 1, (1LL << 50), &v, error)) {
        *error = std::string(name) + "=" + text + " is not a size such as 512M or 4G";
        return false;
    }
    *out = size_t(v) * scale;
    return true;
}

}  // namespace

bool Config::fromEnvironment(Config* c, std::string* error) {
    long long v = 0;
    if (const char* e = std::getenv("FOVEA_SOFTGPU_DEVICES")) {
        if (!parseInt("FOVEA_SOFTGPU_DEVICES", e, 0, 16, &v, error)) return false;
        c->devices = int(v);
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_MEMORY")) {
        if (!parseBytes("FOVEA_SOFTGPU_MEMORY", e, &c->memoryBytes, error)) return false;
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_CC")) {
        std::string s(e);
        size_t dot = s.find('.');
        long long major = 0;
        long long minor = 0;
        if (dot == std::string::npos || !parseInt("FOVEA_SOFTGPU_CC", s.substr(0, dot).c_str(), 1, 99, &major, error) ||
            !parseInt("FOVEA_SOFTGPU_CC", s.substr(dot + 1).c_str(), 0, 9, &minor, error)) {
            *error = std::string("FOVEA_SOFTGPU_CC=") + e + " is not a compute capability such as 7.5 or 8.6";
            return false;
        }
        c->ccMajor = int(major);
        c->ccMinor = int(minor);
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_SMS")) {
        if (!parseInt("FOVEA_SOFTGPU_SMS", e, 1, 1024, &v, error)) return false;
        c->multiprocessors = int(v);
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_THREADS")) {
        if (!parseInt("FOVEA_SOFTGPU_THREADS", e, 1, 256, &v, error)) return false;
        c->threads = int(v);
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_FAIL_ALLOC")) {
        std::string s(e);
        c->failAllocationOnward = !s.empty() && s.back() == '+';
        if (c->failAllocationOnward) s.pop_back();
        if (!parseInt("FOVEA_SOFTGPU_FAIL_ALLOC", s.c_str(), 1, 1LL << 50, &c->failAllocation, error)) return false;
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_FAIL_LIBRARY")) {
        std::string s(e);
        c->failLibraryOnward = !s.empty() && s.back() == '+';
        if (c->failLibraryOnward) s.pop_back();
        if (!parseInt("FOVEA_SOFTGPU_FAIL_LIBRARY", s.c_str(), 1, 1LL << 50, &c->failLibrary, error)) return false;
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_FAIL_LAUNCH")) {
        std::string s(e);
        if (!s.empty() && (s[0] < '0' || s[0] > '9')) {
            c->failLaunchKernel = s;
        } else if (!parseInt("FOVEA_SOFTGPU_FAIL_LAUNCH", e, 1, 1LL << 50, &c->failLaunch, error)) {
            return false;
        }
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_KERNELS")) {
        std::string s(e);
        if (s != "source") {
            *error = "FOVEA_SOFTGPU_KERNELS=" + s + " is not supported; use source";
            return false;
        }
        c->kernels = s;
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_QUARANTINE")) {
        if (!parseBytes("FOVEA_SOFTGPU_QUARANTINE", e, &c->quarantineBytes, error)) return false;
    }
    if (const char* e = std::getenv("FOVEA_SOFTGPU_LEAKS")) {
        std::string s(e);
        if (s != "report" && s != "quiet") {
            *error = "FOVEA_SOFTGPU_LEAKS=" + s + " must be report or quiet";
            return false;
        }
        c->leakReport = s == "report";
    }
    return true;
}

}  // namespace softgpu
