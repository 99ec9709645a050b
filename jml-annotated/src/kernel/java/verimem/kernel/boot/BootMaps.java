package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.memmap.Multiboot1;
import verimem.kernel.memmap.Multiboot2;

/**
 * Stage 1 of the kernel's boot, on the loader's information: read the firmware map (multiboot2 from GRUB,
 * multiboot1 from QEMU's -kernel), sanitise it, carve out low memory, the kernel image, the boot info and the
 * modules. Prints the raw map (one "mmap:" line per entry, the format ci/boot-matrix.sh reads) and the result.
 * All maps are allocated here, at construction, before the PMM exists.
 */
public final class BootMaps {
    public static final long MB1_MAGIC = 0x2BADB002L;
    public static final long MB2_MAGIC = 0x36D76289L;
    /** Multiboot1 gives no size for its info block: carve out the page that holds the fixed 88-byte part. */
    public static final long MB1_INFO_BYTES = 88;

    private final MemoryMap raw = new MemoryMap();
    private final MemoryMap modules = new MemoryMap();
    private final MemoryMap scratch = new MemoryMap();
    private final MemoryMap sanitised = new MemoryMap();
    private final MemoryMap carveList = new MemoryMap();
    private final MemoryMap carved = new MemoryMap();
    private final MemoryMap crafted = new MemoryMap();
    private long infoEnd;

    /** Parses the loader's map into raw (and modules); panics on a bad magic or a malformed structure. */
    public void read(long magic, long info) {
        if (magic == MB2_MAGIC) {
            long total = Multiboot2.parse(info, raw, modules);
            if (total < 0) {
                throw new KernelPanic("bad multiboot2 information");
            }
            infoEnd = info + total;
            Cpu.print("boot-info: multiboot2 [");
        } else if (magic == MB1_MAGIC) {
            if (Multiboot1.parse(info, 0, raw) != Err.OK) {
                throw new KernelPanic("bad multiboot1 information");
            }
            infoEnd = info + MB1_INFO_BYTES;
            Cpu.print("boot-info: multiboot1 [");
        } else {
            throw new KernelPanic("bad multiboot magic");
        }
        Cpu.printHex(info);
        Cpu.print(", ");
        Cpu.printHex(infoEnd);
        Cpu.print(")\n");
        for (int i = 0; i < raw.count(); i++) {
            Cpu.print("mmap: base=");
            Cpu.printHex(raw.start(i));
            Cpu.print(" len=");
            Cpu.printHex(raw.end(i) - raw.start(i));
            Cpu.print(" type=");
            Cpu.printDec(raw.type(i));
            Cpu.print("\n");
        }
    }

    /**
     * Deliberate-failure case no-ram-above-1m: QEMU cannot produce such a map (the kernel itself sits at 1 MiB),
     * so the raw map is cut at `limit` before it goes through the same sanitiser and checks as a real one.
     */
    public void clipRawBelow(long limit) {
        scratch.clear();
        for (int i = 0; i < raw.count(); i++) {
            long end = raw.end(i) < limit ? raw.end(i) : limit;
            if (raw.start(i) < end) {
                scratch.add(raw.start(i), end, raw.type(i));
            }
        }
        raw.clear();
        for (int i = 0; i < scratch.count(); i++) {
            raw.add(scratch.start(i), scratch.end(i), scratch.type(i));
        }
        Cpu.print("boot-info: raw map clipped below ");
        Cpu.printHex(limit);
        Cpu.print(" (deliberate failure case)\n");
    }

    /** The map CraftedMap.parse fills from the command line (the test hook verimem.mmap). */
    public MemoryMap crafted() {
        return crafted;
    }

    /**
     * Test hook: the crafted map replaces the firmware's raw map. For machine safety every crafted usable entry
     * the sanitiser would keep is cut to its intersection with the firmware's sanitised usable RAM (one piece per
     * firmware range it meets); entries the sanitiser drops anyway (zero-length, wrapped, beyond MAX_PHYS) and
     * non-usable entries go in unchanged, so the hostile shapes still reach the sanitiser.
     */
    public void useCrafted() {
        if (MapSanitiser.sanitise(raw, scratch, sanitised) != Err.OK) {
            throw new KernelPanic("memory map rejected by the sanitiser");
        }
        raw.clear();
        for (int i = 0; i < crafted.count(); i++) {
            long s = crafted.start(i);
            long e = crafted.end(i);
            if (crafted.type(i) != MemoryMap.USABLE || !MapSanitiser.isKept(s, e)) {
                addRaw(s, e, crafted.type(i));
                continue;
            }
            long end = MapSanitiser.clippedEnd(e);
            for (int j = 0; j < sanitised.count(); j++) {
                if (sanitised.type(j) != MemoryMap.USABLE) {
                    continue;
                }
                long lo = s > sanitised.start(j) ? s : sanitised.start(j);
                long hi = end < sanitised.end(j) ? end : sanitised.end(j);
                if (lo < hi) {
                    addRaw(lo, hi, MemoryMap.USABLE);
                }
            }
        }
        Cpu.print("boot-info: crafted map from verimem.mmap (usable parts cut to the firmware's usable RAM):\n");
        for (int i = 0; i < raw.count(); i++) {
            Cpu.print("crafted: base=");
            Cpu.printHex(raw.start(i));
            Cpu.print(" end=");
            Cpu.printHex(raw.end(i));
            Cpu.print(" type=");
            Cpu.printDec(raw.type(i));
            Cpu.print("\n");
        }
    }

    private void addRaw(long start, long end, int type) {
        if (raw.add(start, end, type) != Err.OK) {
            throw new KernelPanic("crafted memory map: more entries than the map holds");
        }
    }

    /** Sanitises raw and applies the standard carve-outs; panics when either step refuses the map. */
    public void sanitiseAndCarve(long info, long kernelStart, long kernelEnd) {
        if (MapSanitiser.sanitise(raw, scratch, sanitised) != Err.OK) {
            throw new KernelPanic("memory map rejected by the sanitiser");
        }
        if (CarveOuts.standard(carveList, kernelStart, kernelEnd, info, infoEnd, modules) != Err.OK
                || CarveOuts.apply(sanitised, carveList, scratch, carved) != Err.OK) {
            throw new KernelPanic("memory map rejected by the carve-outs");
        }
        for (int i = 0; i < carved.count(); i++) {
            Cpu.print("map: [");
            Cpu.printHex(carved.start(i));
            Cpu.print(", ");
            Cpu.printHex(carved.end(i));
            Cpu.print(") type=");
            Cpu.printHex(carved.type(i));
            Cpu.print("\n");
        }
    }

    public MemoryMap carved() {
        return carved;
    }

    public long infoEnd() {
        return infoEnd;
    }

    /** End of the highest range of any RAM type (usable or carved out of usable): the direct map's extent. */
    public long ramEnd() {
        long top = 0;
        for (int i = 0; i < carved.count(); i++) {
            if (DirectMap.isRam(carved.type(i)) && carved.end(i) > top) {
                top = carved.end(i);
            }
        }
        return top;
    }
}
