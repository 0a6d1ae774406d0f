#include "cudnn/objects.h"

#include "softgpu.h"

#include <mutex>
#include <unordered_map>

namespace cudnn {

namespace {

// Ids step by 16 from a base that no allocator hands out, so they never collide with a real
// address a caller might pass by mistake, and "below the next id" means "was created once".
constexpr uintptr_t kFirstId = uintptr_t(0x5cd000000000ull);
constexpr uintptr_t kIdStep = 16;

struct Registry {
    std::mutex mutex;
    std::unordered_map<uintptr_t, Object> live;
    uintptr_t next = kFirstId;
};

Registry& registry() {
    static Registry* r = new Registry();  // never destroyed: calls may come during exit
    return *r;
}

int counterFor(size_t index) {
    return index == 0 ? SOFTGPU_OBJECT_CUDNN_HANDLE : SOFTGPU_OBJECT_CUDNN_DESCRIPTOR;
}

// Why `id` is not a live object of the kind wanted.
Status notLive(uintptr_t id, size_t wantedIndex, const char* argument, const Registry& r,
               const std::unordered_map<uintptr_t, Object>::const_iterator& it) {
    const char* wanted = objectKindName(wantedIndex);
    if (id == 0) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s is NULL, expected a %s", argument, wanted);
    }
    if (it != r.live.end()) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s (%#lx) is a %s, expected a %s", argument, (unsigned long)id,
                       objectKindName(it->second.index()), wanted);
    }
    if (id >= kFirstId && id < r.next && (id - kFirstId) % kIdStep == 0) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s (%#lx) was already destroyed (use after destroy or double destroy)",
                       argument, (unsigned long)id);
    }
    return failure(CUDNN_STATUS_BAD_PARAM, "%s (%#lx) is not a %s created by this library", argument,
                   (unsigned long)id, wanted);
}

}  // namespace

const char* objectKindName(size_t index) {
    static const char* const names[] = {"cuDNN handle",           "tensor descriptor",     "filter descriptor",
                                        "convolution descriptor", "pooling descriptor",    "activation descriptor",
                                        "op-tensor descriptor"};
    return index < sizeof(names) / sizeof(names[0]) ? names[index] : "object";
}

uintptr_t registerObject(Object object) {
    Registry& r = registry();
    size_t index = object.index();
    uintptr_t id;
    {
        std::lock_guard<std::mutex> lock(r.mutex);
        id = r.next;
        r.next += kIdStep;
        r.live.emplace(id, std::move(object));
    }
    softgpu_object_created(counterFor(index));
    return id;
}

template <class T>
Status destroyObject(const void* p, const char* argument) {
    Registry& r = registry();
    uintptr_t id = reinterpret_cast<uintptr_t>(p);
    size_t index = Object(T{}).index();
    {
        std::lock_guard<std::mutex> lock(r.mutex);
        auto it = r.live.find(id);
        if (it == r.live.end() || it->second.index() != index) {
            return notLive(id, index, argument, r, it);
        }
        r.live.erase(it);
    }
    softgpu_object_destroyed(counterFor(index));
    return success();
}

template <class T>
Status readObject(const void* p, const char* argument, T* out, bool mustBeSet) {
    Registry& r = registry();
    uintptr_t id = reinterpret_cast<uintptr_t>(p);
    size_t index = Object(T{}).index();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.live.find(id);
    if (it == r.live.end() || it->second.index() != index) {
        return notLive(id, index, argument, r, it);
    }
    *out = std::get<T>(it->second);
    if constexpr (!std::is_same_v<T, HandleObj>) {
        if (mustBeSet && !out->set) {
            return failure(CUDNN_STATUS_BAD_PARAM, "%s (%#lx): the %s was created but never set", argument,
                           (unsigned long)id, objectKindName(index));
        }
    }
    return success();
}

template <class T>
Status writeObject(const void* p, const char* argument, const T& value) {
    Registry& r = registry();
    uintptr_t id = reinterpret_cast<uintptr_t>(p);
    size_t index = Object(T{}).index();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.live.find(id);
    if (it == r.live.end() || it->second.index() != index) {
        return notLive(id, index, argument, r, it);
    }
    it->second = value;
    return success();
}

size_t liveObjectCount() {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    return r.live.size();
}

#define CUDNN_INSTANTIATE(T)                                                   \
    template Status destroyObject<T>(const void*, const char*);                \
    template Status readObject<T>(const void*, const char*, T*, bool);         \
    template Status writeObject<T>(const void*, const char*, const T&);

CUDNN_INSTANTIATE(HandleObj)
CUDNN_INSTANTIATE(TensorObj)
CUDNN_INSTANTIATE(FilterObj)
CUDNN_INSTANTIATE(ConvObj)
CUDNN_INSTANTIATE(PoolObj)
CUDNN_INSTANTIATE(ActivationObj)
CUDNN_INSTANTIATE(OpTensorObj)

}  // namespace cudnn
