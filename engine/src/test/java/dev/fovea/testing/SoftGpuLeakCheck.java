package dev.fovea.testing;

import dev.fovea.backend.cuda.SoftGpuCounters;
import dev.fovea.backend.cuda.SoftGpuCounters.Counter;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * After every test class (registered for all of them through the JUnit extension service, with
 * autodetection on in junit-platform.properties): on the software GPU, every kind of device object
 * the class created — memory, pinned memory, streams, events, modules, contexts, cuBLAS and cuDNN
 * handles and descriptors — must be gone again, and nothing may have leaked into a destroyed
 * context. A backend or tensor a test forgets to close fails the class that forgot it. Elsewhere
 * (no software GPU) it checks nothing.
 */
public final class SoftGpuLeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final List<Counter> LIVE = List.of(Counter.LIVE_DEVICE_ALLOCATIONS, Counter.LIVE_HOST_ALLOCATIONS,
            Counter.LIVE_STREAMS, Counter.LIVE_EVENTS, Counter.LIVE_MODULES, Counter.LIVE_CONTEXTS,
            Counter.LIVE_CUBLAS_HANDLES, Counter.LIVE_CUDNN_HANDLES, Counter.LIVE_CUDNN_DESCRIPTORS, Counter.LEAKED);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SoftGpuLeakCheck.class);

    private static Map<Counter, Long> live() {
        Map<Counter, Long> m = new EnumMap<>(Counter.class);
        SoftGpuCounters.attach().ifPresentOrElse(c -> LIVE.forEach(k -> m.put(k, c.get(k))),
                () -> LIVE.forEach(k -> m.put(k, 0L)));
        return m;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", live());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterAll(ExtensionContext context) {
        Map<Counter, Long> before = (Map<Counter, Long>) context.getStore(NAMESPACE).get("before");
        if (before == null || SoftGpuCounters.attach().isEmpty()) {
            return;
        }
        Map<Counter, Long> after = live();
        List<String> grown = new ArrayList<>();
        for (Counter k : LIVE) {
            if (after.get(k) > before.get(k)) {
                grown.add(k + " " + before.get(k) + " -> " + after.get(k));
            }
        }
        if (!grown.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left software GPU objects alive (a backend or "
                    + "tensor not closed): " + String.join(", ", grown));
        }
    }
}
