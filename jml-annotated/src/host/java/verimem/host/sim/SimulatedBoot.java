package verimem.host.sim;

import java.util.Locale;

import verimem.kernel.arch.Err;
import verimem.kernel.boot.Bootstrap;
import verimem.kernel.boot.HandOffCheck;
import verimem.kernel.memmap.MemoryMap;

/**
 * Runs the real bootstrap (pre-PMM, early mapper, PMM, hand-off, hand-off check) on a simulated machine built by
 * {@link BootLoaderSim} for a carved map, and returns the figures: what `./verimem map` prints. Not a model of
 * the bootstrap: the kernel code itself runs, and the figures are what its hand-off check counted.
 */
public final class SimulatedBoot {
    private SimulatedBoot() {
    }

    /**
     * The outcome. result is Err.OK or the negative code of the failed step; checkResult is the hand-off check's
     * verdict (Err.OK when every usable frame is in exactly one state). Counts are 4 KiB frames.
     */
    public record Figures(long result, long checkResult, long usableFrames, long freeFrames, long pageTableFrames,
                          long metadataFrames, long carveOutFrames, long metadataPhysical, long metadataVirtual,
                          String console) {
        public boolean ok() {
            return result == Err.OK && checkResult == Err.OK;
        }

        /** One line: "PMM manages N frames of M usable (...)" or the failure. */
        public String summary() {
            if (result != Err.OK) {
                return "bootstrap failed: error " + result;
            }
            return String.format(Locale.ROOT,
                    "PMM manages %d frames of %d usable; pre-PMM took %d page-table + %d metadata frames "
                            + "(metadata at phys 0x%x, virt 0x%x); %d frames carved out; hand-off check %s",
                    freeFrames, usableFrames, pageTableFrames, metadataFrames, metadataPhysical, metadataVirtual,
                    carveOutFrames, checkResult == Err.OK ? "passed" : "FAILED");
        }
    }

    /**
     * Boots on a fresh simulated machine. The carved map must hold a KERNEL_IMAGE carve-out of at most 2 MiB below
     * 1 GiB (see {@link BootLoaderSim}); installs that machine as the CPU (single-threaded use only).
     */
    public static Figures run(MemoryMap carved) {
        BootLoaderSim sim = BootLoaderSim.handOver(carved);
        Bootstrap boot = new Bootstrap(carved);
        long r = boot.run();
        if (r != Err.OK) {
            return new Figures(r, r, 0, 0, 0, 0, 0, -1, 0, sim.machine().console());
        }
        HandOffCheck check = new HandOffCheck();
        long c = boot.checkAndReport(check);
        return new Figures(r, c, check.usableFrames(), check.freeFrames(), check.pageTableFrames(),
                check.metadataFrames(), check.carveOutFrames(), boot.metadataPhysical(), Bootstrap.METADATA_START,
                sim.machine().console());
    }
}
