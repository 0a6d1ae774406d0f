package dev.fovea.tensor;

/**
 * The memory behind one or more tensors (a reshape shares it). Reference-counted so that device
 * memory returns to its allocator when the last tensor using it is closed.
 */
public abstract class Storage {
    private int references = 1;

    public abstract Device device();

    public abstract DType dtype();

    /** Capacity in elements. */
    public abstract int length();

    /** Gives the memory back; called once, when the last reference is dropped. */
    protected abstract void free();

    final synchronized void retain() {
        if (references <= 0) {
            throw new IllegalStateException("storage on " + device() + " used after it was freed");
        }
        references++;
    }

    final synchronized void release() {
        if (references <= 0) {
            return;
        }
        if (--references == 0) {
            free();
        }
    }

    public final synchronized boolean isFreed() {
        return references <= 0;
    }
}
