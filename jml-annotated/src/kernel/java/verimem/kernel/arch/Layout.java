package verimem.kernel.arch;

/**
 * The kernel's virtual address layout (4-level paging, 48-bit). Every region owns whole PML4 slots, so two regions
 * can never hand out the same virtual address: a region's addresses all have its slot number in bits 39..47.
 *
 * Why kmalloc and vmalloc cannot collide (the trap in ../shared/DESIGN.md): kmalloc returns phys + DIRECT_MAP_BASE,
 * which lies in slots 273..400 because the direct map covers at most 64 TiB of physical memory (128 slots of
 * 512 GiB); vmalloc hands out addresses only from slots 402..433. The slot ranges are disjoint constants.
 *
 * Why the heap and MMIO cannot meet: they share one region, the heap growing up from its base and MMIO growing
 * down from its top, and each side refuses to move past the other's mark minus GUARD_GAP, returning
 * Err.NO_VIRTUAL_SPACE instead.
 *
 * | slots    | region                                   |
 * |----------|------------------------------------------|
 * | 0..255   | user space                               |
 * | 273..400 | direct map of physical memory (64 TiB)   |
 * | 402..433 | vmalloc (16 TiB)                         |
 * | 440..443 | kernel heap up / MMIO down (2 TiB)       |
 * | 500      | lazy (demand-paged) kernel regions       |
 * | 505      | kernel stacks, each with a guard page    |
 * | 508      | PMM metadata, guard page either side     |
 * | 510      | recursive slot of the early mapper (1)   |
 * | 511      | kernel image at -2 GiB                   |
 *
 * (1) The early mapper points PML4[510] at the PML4 itself. The VMM does not use it (it reaches every table
 * through the direct map) but keeps it consistent: a self-reference cannot be shared, so each new address space
 * gets PML4[510] = its own PML4, and map/unmap/protect refuse addresses in slot 510. If the boot PML4 has no
 * recursive entry, slot 510 gets an ordinary shared PDPT like every other upper slot.
 */
public final class Layout {
    private Layout() {
    }

    public static final long SLOT_SIZE = 549755813888L; // 512 GiB

    public static final int USER_LAST_SLOT = 255;
    public static final int DIRECT_MAP_SLOT = 273;
    public static final int DIRECT_MAP_SLOTS = 128;
    public static final int VMALLOC_SLOT = 402;
    public static final int VMALLOC_SLOTS = 32;
    public static final int HEAP_MMIO_SLOT = 440;
    public static final int HEAP_MMIO_SLOTS = 4;
    public static final int LAZY_SLOT = 500;
    public static final int STACK_SLOT = 505;
    public static final int PMM_METADATA_SLOT = 508;
    public static final int RECURSIVE_SLOT = 510;
    public static final int KERNEL_SLOT = 511;

    /** 0xFFFF888000000000, the same base Linux uses. */
    public static final long DIRECT_MAP_BASE = -140737488355328L + (DIRECT_MAP_SLOT - 256) * SLOT_SIZE;
    public static final long DIRECT_MAP_SIZE = DIRECT_MAP_SLOTS * SLOT_SIZE;
    public static final long VMALLOC_BASE = -140737488355328L + (VMALLOC_SLOT - 256) * SLOT_SIZE;
    public static final long VMALLOC_SIZE = VMALLOC_SLOTS * SLOT_SIZE;
    public static final long HEAP_MMIO_BASE = -140737488355328L + (HEAP_MMIO_SLOT - 256) * SLOT_SIZE;
    public static final long HEAP_MMIO_SIZE = HEAP_MMIO_SLOTS * SLOT_SIZE;
    public static final long LAZY_BASE = -140737488355328L + (LAZY_SLOT - 256) * SLOT_SIZE;
    public static final long STACK_BASE = -140737488355328L + (STACK_SLOT - 256) * SLOT_SIZE;
    public static final long PMM_METADATA_BASE = -140737488355328L + (PMM_METADATA_SLOT - 256) * SLOT_SIZE;
    public static final long RECURSIVE_BASE = -140737488355328L + (RECURSIVE_SLOT - 256) * SLOT_SIZE;
    /** 0xFFFFFFFF80000000: the kernel image is linked at -2 GiB (mcmodel=kernel). */
    public static final long KERNEL_BASE = -2147483648L;
    /** Unmapped pages kept between heap and MMIO, and around stacks and PMM metadata. */
    public static final long GUARD_GAP = 4096L;

    /*@ public normal_behavior
      @   requires 0 <= pa && pa < DIRECT_MAP_SIZE;
      @   ensures \result == DIRECT_MAP_BASE + pa;
      @*/
    public static /*@ strictly_pure @*/ long directMap(long pa) {
        return DIRECT_MAP_BASE + pa;
    }

    /*@ public normal_behavior
      @   ensures \result == (DIRECT_MAP_BASE <= va && va < DIRECT_MAP_BASE + DIRECT_MAP_SIZE);
      @*/
    public /*@ strictly_pure @*/ static boolean inDirectMap(long va) {
        return DIRECT_MAP_BASE <= va && va < DIRECT_MAP_BASE + DIRECT_MAP_SIZE;
    }

    /*@ public normal_behavior
      @   ensures \result == (VMALLOC_BASE <= va && va < VMALLOC_BASE + VMALLOC_SIZE);
      @*/
    public static boolean inVmalloc(long va) {
        return VMALLOC_BASE <= va && va < VMALLOC_BASE + VMALLOC_SIZE;
    }

    /*@ public normal_behavior
      @   ensures \result == (va < VirtAddr.LOWER_HALF_END && va >= 0);
      @*/
    public static boolean isUser(long va) {
        return va >= 0 && va < VirtAddr.LOWER_HALF_END;
    }
}
