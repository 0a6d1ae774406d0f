package dev.fovea.backend;

/**
 * Counts of the work a device has been asked to do since it started: kernel launches, library
 * (cuBLAS/cuDNN) calls, host-device copies and their bytes, device-to-device copies, host
 * synchronisations and device allocations. Only a device that keeps such counters has them (the
 * software GPU's driver does); the difference of two readings is the activity between them.
 */
public record DeviceActivity(long launches, long libraryCalls, long uploads, long uploadBytes, long downloads,
                             long downloadBytes, long deviceCopies, long synchronizations, long allocations) {

    /** The activity between {@code earlier} and this reading. */
    public DeviceActivity since(DeviceActivity earlier) {
        return new DeviceActivity(launches - earlier.launches, libraryCalls - earlier.libraryCalls,
                uploads - earlier.uploads, uploadBytes - earlier.uploadBytes, downloads - earlier.downloads,
                downloadBytes - earlier.downloadBytes, deviceCopies - earlier.deviceCopies,
                synchronizations - earlier.synchronizations, allocations - earlier.allocations);
    }
}
