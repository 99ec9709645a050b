package verimem.kernel.memmap;

/**
 * Which memory type wins where firmware entries overlap. Linux lets the larger E820 code win; we use an explicit
 * order instead so that unknown codes (7, 12, 20, 128, ...) can never win against nothing less than reserved:
 *
 *   usable &lt; ACPI reclaimable &lt; ACPI NVS &lt; persistent (7) &lt; PRAM (12) &lt; bad &lt; reserved &lt; any other code.
 *
 * Among codes of equal rank (only the unknown ones share a rank) the larger code wins, so the result never
 * depends on the order of the entries.
 */
public final class RegionTypes {
    private RegionTypes() {
    }

    public static final int UNKNOWN_RANK = 7;

    /*@ public normal_behavior
      @   ensures 0 <= \result && \result <= UNKNOWN_RANK;
      @   ensures (\result == 0) == (type == MemoryMap.USABLE);
      @   ensures \result == (type == MemoryMap.USABLE ? 0 : type == MemoryMap.ACPI_RECLAIMABLE ? 1
      @                      : type == MemoryMap.ACPI_NVS ? 2 : type == MemoryMap.PERSISTENT ? 3
      @                      : type == MemoryMap.PRAM ? 4 : type == MemoryMap.BAD ? 5
      @                      : type == MemoryMap.RESERVED ? 6 : UNKNOWN_RANK);
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static int rank(int type) {
        if (type == MemoryMap.USABLE) {
            return 0;
        }
        if (type == MemoryMap.ACPI_RECLAIMABLE) {
            return 1;
        }
        if (type == MemoryMap.ACPI_NVS) {
            return 2;
        }
        if (type == MemoryMap.PERSISTENT) {
            return 3;
        }
        if (type == MemoryMap.PRAM) {
            return 4;
        }
        if (type == MemoryMap.BAD) {
            return 5;
        }
        if (type == MemoryMap.RESERVED) {
            return 6;
        }
        return UNKNOWN_RANK;
    }

    /** True when a region of type a overrides one of type b where both claim the same bytes. */
    /*@ public normal_behavior
      @   ensures \result == (rank(a) > rank(b) || (rank(a) == rank(b) && a > b));
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static boolean moreRestrictive(int a, int b) {
        int ra = rank(a);
        int rb = rank(b);
        return ra > rb || (ra == rb && a > b);
    }

    /** The kernel's own carve-out codes (low memory, kernel image, boot info, modules). */
    /*@ public normal_behavior
      @   ensures \result == (type == MemoryMap.LOW_MEMORY || type == MemoryMap.KERNEL_IMAGE
      @                       || type == MemoryMap.BOOT_INFO || type == MemoryMap.BOOT_MODULE);
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static boolean isCarveOut(int type) {
        return type == MemoryMap.LOW_MEMORY || type == MemoryMap.KERNEL_IMAGE || type == MemoryMap.BOOT_INFO
                || type == MemoryMap.BOOT_MODULE;
    }
}
