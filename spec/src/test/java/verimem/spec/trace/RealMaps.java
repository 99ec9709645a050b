package verimem.spec.trace;

import verimem.kernel.arch.Err;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/**
 * Firmware maps through the real memmap code (sanitiser, carve-outs) with the carve-outs jml-annotated's boot
 * tests use: the low 1 MiB, a 1 MiB kernel image at 1 MiB, and a 0x1234-byte boot-info block right after it.
 */
final class RealMaps {
    static final long MIB = 1L << 20;

    private RealMaps() {
    }

    static MemoryMap carved(MemoryMap raw) {
        MemoryMap scratch = new MemoryMap();
        MemoryMap sanitised = new MemoryMap();
        if (MapSanitiser.sanitise(raw, scratch, sanitised) != Err.OK) {
            throw new IllegalArgumentException("sanitiser refused the map");
        }
        MemoryMap list = new MemoryMap();
        if (CarveOuts.standard(list, MIB, 2 * MIB, 2 * MIB, 2 * MIB + 0x1234, new MemoryMap()) != Err.OK) {
            throw new IllegalStateException("carve-out list");
        }
        MemoryMap carved = new MemoryMap();
        if (CarveOuts.apply(sanitised, list, scratch, carved) != Err.OK) {
            throw new IllegalArgumentException("carve-outs refused");
        }
        return carved;
    }

    /** The frames of the USABLE entries, each rounded inwards to whole frames (entries sorted, disjoint). */
    static FrameSet usableFrames(MemoryMap map) {
        FrameSet s = new FrameSet();
        for (int i = 0; i < map.count(); i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                s.addRun((map.start(i) + Pmm.FRAME - 1) / Pmm.FRAME, map.end(i) / Pmm.FRAME);
            }
        }
        return s;
    }
}
