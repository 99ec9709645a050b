package verimem.host.sim;

/**
 * A software x86-64 MMU: walks the real 4-level page-table format in simulated RAM from CR3. Honours P, W, U,
 * NX and PS (2 MiB in a PD entry, 1 GiB in a PDPT entry), with CR0.WP=1 and EFER.NXE=1 as a kernel runs.
 * Reserved-bit checks cover PS in a PML4 entry and a huge-page frame that is not aligned to its size.
 * It does not set accessed/dirty bits, so page-table contents stay exactly what the kernel wrote.
 */
public final class Mmu {
    private static final long ADDR_MASK = 0x000F_FFFF_FFFF_F000L;
    private static final long P = 1, W = 2, U = 4, PS = 128, G = 256;
    private final PhysicalMemory ram;
    private long walks;

    public Mmu(PhysicalMemory ram) {
        this.ram = ram;
    }

    public long walks() {
        return walks;
    }

    public static boolean canonical(long va) {
        return (va >> 47) == 0 || (va >> 47) == -1;
    }

    /** Walks the tables for va and checks the access; throws {@link PageFault} like the CPU would. */
    public Translation walk(long cr3, long va, Access access, boolean userMode) {
        walks++;
        if (!canonical(va)) {
            // Real hardware raises #GP for a non-canonical address; there is no page fault to handle.
            throw new MachineError("#GP: non-canonical address 0x" + Long.toHexString(va));
        }
        int err = (access == Access.WRITE ? PageFault.ERR_WRITE : 0) | (userMode ? PageFault.ERR_USER : 0)
                | (access == Access.FETCH ? PageFault.ERR_FETCH : 0);
        long table = cr3 & ADDR_MASK;
        boolean writable = true, user = true, nx = false;
        for (int level = 4; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            int idx = (int) ((va >>> shift) & 511);
            long pte = ram.read64(table + idx * 8L);
            if ((pte & P) == 0) {
                throw new PageFault(va, err, "entry not present at level " + level);
            }
            writable &= (pte & W) != 0;
            user &= (pte & U) != 0;
            nx |= pte < 0;
            boolean leaf = level == 1 || (pte & PS) != 0;
            if (level == 4 && (pte & PS) != 0) {
                throw new PageFault(va, err | PageFault.ERR_PRESENT | PageFault.ERR_RESERVED, "PS set in PML4 entry");
            }
            if (leaf) {
                long size = 1L << shift;
                long frame = pte & ADDR_MASK;
                if ((frame & (size - 1)) != 0) {
                    throw new PageFault(va, err | PageFault.ERR_PRESENT | PageFault.ERR_RESERVED,
                            "huge page frame not aligned at level " + level);
                }
                Translation t = new Translation(va & -size, frame, size, writable, user, nx, (pte & G) != 0);
                check(t, va, access, userMode, err);
                return t;
            }
            table = pte & ADDR_MASK;
        }
        throw new AssertionError("unreachable");
    }

    /** The permission check the CPU applies to a translation, from the TLB or from a fresh walk. */
    static void check(Translation t, long va, Access access, boolean userMode, int err) {
        int e = err | PageFault.ERR_PRESENT;
        if (userMode && !t.user()) {
            throw new PageFault(va, e, "user access to supervisor page");
        }
        if (access == Access.WRITE && !t.writable()) {
            throw new PageFault(va, e, "write to read-only page (CR0.WP=1)");
        }
        if (access == Access.FETCH && t.noExecute()) {
            throw new PageFault(va, e, "instruction fetch from no-execute page");
        }
    }
}
