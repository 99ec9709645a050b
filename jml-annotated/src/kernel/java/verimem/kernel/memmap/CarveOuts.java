package verimem.kernel.memmap;

import verimem.kernel.arch.Err;

/**
 * Takes out of usable memory what the kernel must never hand out as a free frame: the low 1 MiB (BIOS data, real
 * mode trampolines, the MP table that Firecracker leaves outside any entry), the kernel image, the boot-info block
 * (GRUB puts it right after the kernel's .bss, so it is easy to hand out by mistake) and the boot modules.
 *
 * Carve-outs are rounded OUTWARD to whole pages, so no usable frame can even partly overlap one. They only
 * re-type usable memory: firmware-reserved bytes keep their firmware type, and holes stay holes.
 */
public final class CarveOuts {
    private CarveOuts() {
    }

    public static final long LOW_MEMORY_END = 1048576L;

    /**
     * Fills list with the standard carve-outs: [0, 1 MiB) as LOW_MEMORY, the kernel image, the boot info, and every
     * entry of modules as BOOT_MODULE. Ranges are [start, end) physical addresses.
     */
    /*@ public normal_behavior
      @   requires list != null && modules != null && list != modules;
      @   requires \invariant_for(list) && \invariant_for(modules);
      @   requires list.starts != modules.starts && list.starts != modules.ends && list.ends != modules.starts
      @            && list.ends != modules.ends && list.types != modules.types;
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   assignable list.count, list.starts[*], list.ends[*], list.types[*];
      @*/
    public static long standard(MemoryMap list, long kernelStart, long kernelEnd, long bootInfoStart,
                                long bootInfoEnd, MemoryMap modules) {
        list.clear();
        list.append(0, LOW_MEMORY_END, MemoryMap.LOW_MEMORY);
        list.append(kernelStart, kernelEnd, MemoryMap.KERNEL_IMAGE);
        list.append(bootInfoStart, bootInfoEnd, MemoryMap.BOOT_INFO);
        return appendModules(list, modules);
    }

    /** Appends every entry of modules to list as BOOT_MODULE (its own method: a loop-only proof stays small). */
    /*@ private normal_behavior
      @   requires list != null && modules != null && list != modules;
      @   requires \invariant_for(list) && \invariant_for(modules);
      @   requires list.starts != modules.starts && list.starts != modules.ends && list.ends != modules.starts
      @            && list.ends != modules.ends && list.types != modules.types;
      @   ensures \invariant_for(list);
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   assignable list.count, list.starts[*], list.ends[*], list.types[*];
      @*/
    private static long appendModules(MemoryMap list, MemoryMap modules) {
        int n = modules.count();
        /*@ loop_invariant 0 <= i && i <= n && n == modules.count;
          @ loop_invariant \invariant_for(list) && \invariant_for(modules);
          @ decreases n - i;
          @ assignable list.count, list.starts[*], list.ends[*], list.types[*];
          @*/
        for (int i = 0; i < n; i++) {
            if (list.append(modules.start(i), modules.end(i), MemoryMap.BOOT_MODULE) != Err.OK) {
                return Err.BAD_MEMORY_MAP;
            }
        }
        return Err.OK;
    }

    /**
     * out = sanitised with every usable byte inside a carve-out re-typed as that carve-out (the first listed wins
     * where carve-outs overlap). Each carve-out must satisfy 0 &lt;= start &lt;= end &lt;= MAX_PHYS
     * (Err.INVALID_ARGUMENT otherwise, out left empty); empty ones are ignored.
     */
    /*@ public normal_behavior
      @   requires sanitised != null && carveOuts != null && scratch != null && out != null;
      @   requires sanitised != scratch && sanitised != out && carveOuts != scratch && carveOuts != out
      @            && scratch != out;
      @   requires \invariant_for(sanitised) && \invariant_for(carveOuts) && \invariant_for(scratch)
      @            && \invariant_for(out);
      @   requires out.starts != sanitised.starts && out.starts != sanitised.ends && out.ends != sanitised.starts
      @            && out.ends != sanitised.ends && out.types != sanitised.types;
      @   requires out.starts != scratch.starts && out.starts != scratch.ends && out.ends != scratch.starts
      @            && out.ends != scratch.ends && out.types != scratch.types;
      @   requires scratch.starts != carveOuts.starts && scratch.starts != carveOuts.ends
      @            && scratch.ends != carveOuts.starts && scratch.ends != carveOuts.ends
      @            && scratch.types != carveOuts.types;
      @   requires scratch.starts != sanitised.starts && scratch.starts != sanitised.ends
      @            && scratch.ends != sanitised.starts && scratch.ends != sanitised.ends
      @            && scratch.types != sanitised.types;
      @   requires MapInvariants.isSanitised(sanitised);
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP || \result == Err.INVALID_ARGUMENT;
      @   ensures \result == Err.OK ==> MapInvariants.isSanitised(out);
      @   ensures \result == Err.INVALID_ARGUMENT ==> out.count == 0;
      @   assignable scratch.count, scratch.starts[*], scratch.ends[*], scratch.types[*],
      @              out.count, out.starts[*], out.ends[*], out.types[*];
      @*/
    public static long apply(MemoryMap sanitised, MemoryMap carveOuts, MemoryMap scratch, MemoryMap out) {
        out.clear();
        long r = roundedOutward(carveOuts, scratch);
        if (r != Err.OK) {
            return r;
        }
        return Sweep.run(sanitised, scratch, true, out);
    }

    /**
     * scratch = the non-empty carve-outs rounded outward to whole pages (its own method: the loop's proof stays
     * small). Err.INVALID_ARGUMENT when one is not inside [0, MAX_PHYS] or ends before it starts.
     */
    /*@ private normal_behavior
      @   requires carveOuts != null && scratch != null && carveOuts != scratch;
      @   requires \invariant_for(carveOuts) && \invariant_for(scratch);
      @   requires scratch.starts != carveOuts.starts && scratch.starts != carveOuts.ends
      @            && scratch.ends != carveOuts.starts && scratch.ends != carveOuts.ends
      @            && scratch.types != carveOuts.types;
      @   ensures \invariant_for(scratch);
      @   ensures \result == Err.OK || \result == Err.INVALID_ARGUMENT;
      @   ensures \result == Err.OK ==> (\forall int k; 0 <= k && k < scratch.count; 0 <= scratch.starts[k]
      @                   && scratch.starts[k] < scratch.ends[k] && scratch.ends[k] <= MapInvariants.MAX_PHYS);
      @   assignable scratch.count, scratch.starts[*], scratch.ends[*], scratch.types[*];
      @*/
    private static long roundedOutward(MemoryMap carveOuts, MemoryMap scratch) {
        scratch.clear();
        int n = carveOuts.count();
        /*@ loop_invariant 0 <= i && i <= n && n == carveOuts.count && scratch.count <= i;
          @ loop_invariant \invariant_for(scratch);
          @ loop_invariant (\forall int k; 0 <= k && k < scratch.count; 0 <= scratch.starts[k]
          @                   && scratch.starts[k] < scratch.ends[k] && scratch.ends[k] <= MapInvariants.MAX_PHYS);
          @ decreases n - i;
          @ assignable scratch.count, scratch.starts[*], scratch.ends[*], scratch.types[*];
          @*/
        for (int i = 0; i < n; i++) {
            long s = carveOuts.start(i);
            long e = carveOuts.end(i);
            if (s < 0 || e < s || e > MapInvariants.MAX_PHYS) {
                return Err.INVALID_ARGUMENT;
            }
            if (e > s) {
                scratch.append(pageDown(s), pageUp(e), carveOuts.type(i));
            }
        }
        return Err.OK;
    }

    /*@ public normal_behavior
      @   requires 0 <= a;
      @   ensures \result == (a / MapInvariants.PAGE) * MapInvariants.PAGE;
      @   ensures 0 <= \result && \result <= a && \result % MapInvariants.PAGE == 0;
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static long pageDown(long a) {
        return (a / MapInvariants.PAGE) * MapInvariants.PAGE;
    }

    /*@ public normal_behavior
      @   requires 0 <= a && a <= MapInvariants.MAX_PHYS;
      @   ensures \result == ((a + MapInvariants.PAGE - 1) / MapInvariants.PAGE) * MapInvariants.PAGE;
      @   ensures a <= \result && \result <= MapInvariants.MAX_PHYS && \result % MapInvariants.PAGE == 0;
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static long pageUp(long a) {
        return ((a + MapInvariants.PAGE - 1) / MapInvariants.PAGE) * MapInvariants.PAGE;
    }
}
