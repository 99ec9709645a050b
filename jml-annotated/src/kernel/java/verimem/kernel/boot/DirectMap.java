package verimem.kernel.boot;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.earlymap.EarlyMapper;
import verimem.kernel.memmap.MemoryMap;

/**
 * Builds the direct map (physical address pa at Layout.directMap(pa)) with the early mapper, before the PMM
 * exists, so its page-table frames are pre-PMM allocations that the hand-off check accounts for. The VMM reaches
 * every page table through it afterwards.
 *
 * What is mapped: RAM only, i.e. every range that is usable or was carved out of usable memory (low memory, the
 * kernel image, the boot info, modules); never firmware-reserved ranges or holes. Touching ranges are joined into
 * runs, each run is cut inwards to whole pages, and mapped with 2 MiB pages where a whole aligned 2 MiB lies
 * inside it and with 4 KiB pages at its ragged ends.
 *
 * Everything is writable and NX except the read-only range (the kernel's text and rodata, see readOnly): those
 * pages are mapped read-only (and NX: nothing executes through the direct map), with 4 KiB pages in every 2 MiB
 * block the range touches, so the direct map is no writable alias of kernel text.
 */
public final class DirectMap {
    public static final long FLAGS = Pte.WRITABLE + Pte.NO_EXECUTE;
    public static final long READ_ONLY_FLAGS = Pte.NO_EXECUTE;
    public static final long PAGE = 4096L;
    public static final long LARGE = 2097152L;

    private long smallPages;
    private long largePages;
    private long readOnlyStart;
    private long readOnlyEnd;

    /** Pages of [start, end) (page aligned, physical) are mapped read-only by the next build. */
    public void readOnly(long start, long end) {
        readOnlyStart = start;
        readOnlyEnd = end;
    }

    /** True when [pa, pa + bytes) overlaps the read-only range. */
    private boolean touchesReadOnly(long pa, long bytes) {
        return pa < readOnlyEnd && readOnlyStart < pa + bytes;
    }

    /*@ public normal_behavior
      @   ensures \result == (type == MemoryMap.USABLE || type == MemoryMap.LOW_MEMORY
      @                       || type == MemoryMap.KERNEL_IMAGE || type == MemoryMap.BOOT_INFO
      @                       || type == MemoryMap.BOOT_MODULE);
      @*/
    public static boolean isRam(int type) {
        return type == MemoryMap.USABLE || type == MemoryMap.LOW_MEMORY || type == MemoryMap.KERNEL_IMAGE
                || type == MemoryMap.BOOT_INFO || type == MemoryMap.BOOT_MODULE;
    }

    /** Maps every RAM run of a sanitised (sorted, non-overlapping) map. Err.OK or the early mapper's error. */
    public long build(MemoryMap map, EarlyMapper mapper) {
        int n = map.count();
        int i = 0;
        while (i < n) {
            if (!isRam(map.type(i))) {
                i = i + 1;
            } else {
                long start = map.start(i);
                long end = map.end(i);
                i = i + 1;
                while (i < n && isRam(map.type(i)) && map.start(i) == end) {
                    end = map.end(i);
                    i = i + 1;
                }
                if (end > Layout.DIRECT_MAP_SIZE) {
                    return Err.INVALID_ARGUMENT;
                }
                long r = mapRun((start + PAGE - 1) / PAGE * PAGE, end / PAGE * PAGE, mapper);
                if (r != Err.OK) {
                    return r;
                }
            }
        }
        return Err.OK;
    }

    private long mapRun(long start, long end, EarlyMapper mapper) {
        long pa = start;
        while (pa < end) {
            long r;
            if (pa % LARGE == 0 && end - pa >= LARGE && !touchesReadOnly(pa, LARGE)) {
                r = mapper.map2m(Layout.directMap(pa), pa, FLAGS);
                largePages = largePages + 1;
                pa = pa + LARGE;
            } else {
                r = mapper.map4k(Layout.directMap(pa), pa, touchesReadOnly(pa, PAGE) ? READ_ONLY_FLAGS : FLAGS);
                smallPages = smallPages + 1;
                pa = pa + PAGE;
            }
            if (r != Err.OK) {
                return r;
            }
        }
        return Err.OK;
    }

    public long smallPages() {
        return smallPages;
    }

    public long largePages() {
        return largePages;
    }
}
