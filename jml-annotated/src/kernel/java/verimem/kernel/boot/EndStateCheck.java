package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.prepmm.PrePmm;
import verimem.kernel.vmm.Vmm;

/**
 * The frame partition once more, after the self-tests: every frame of every usable range must have exactly one
 * owner among free in the PMM, held by a pre-PMM allocation (boot page tables, PMM metadata), inside the kernel
 * arena, or a page table of the VMM. A frame with no owner is a leak, one with two a double allocation. The
 * counts must also agree with what the PMM and the VMM say about themselves.
 */
public final class EndStateCheck {
    private long usable;
    private long free;
    private long preHeld;
    private long arena;
    private long tables;
    private long violations;
    private long firstViolation = -1;

    /** Walks every usable frame; true when the partition and all counts hold. */
    public boolean run(MemoryMap map, PrePmm pre, Vmm vmm, long arenaStart, long arenaEnd) {
        Pmm pmm = vmm.pmm();
        for (int i = 0; i < map.count(); i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                long end = map.end(i) / Pmm.FRAME * Pmm.FRAME;
                for (long pa = (map.start(i) + Pmm.FRAME - 1) / Pmm.FRAME * Pmm.FRAME; pa < end; pa = pa + Pmm.FRAME) {
                    classify(pa, pre, vmm, arenaStart, arenaEnd);
                }
            }
        }
        boolean ok = violations == 0 && free == pmm.freeFrames() && tables == vmm.tableFrames()
                && arena == (arenaEnd - arenaStart) / Pmm.FRAME && usable == free + preHeld + arena + tables;
        Cpu.print("end-state partition: usable=");
        Cpu.printDec(usable);
        Cpu.print(" free=");
        Cpu.printDec(free);
        Cpu.print(" pre-pmm=");
        Cpu.printDec(preHeld);
        Cpu.print(" arena=");
        Cpu.printDec(arena);
        Cpu.print(" vmm-tables=");
        Cpu.printDec(tables);
        if (ok) {
            Cpu.print(": ok\n");
        } else {
            Cpu.print(": FAILED, ");
            Cpu.printDec(violations);
            Cpu.print(" frames with no owner or two, first at ");
            Cpu.printHex(firstViolation);
            Cpu.print("\n");
        }
        return ok;
    }

    private void classify(long pa, PrePmm pre, Vmm vmm, long arenaStart, long arenaEnd) {
        usable = usable + 1;
        int owners = 0;
        if (vmm.pmm().isFree(pa)) {
            free = free + 1;
            owners = owners + 1;
        }
        if (pre.purposeOf(pa) != PrePmm.NONE) {
            preHeld = preHeld + 1;
            owners = owners + 1;
        }
        if (arenaStart <= pa && pa < arenaEnd) {
            arena = arena + 1;
            owners = owners + 1;
        }
        if (vmm.ownership().isVmmTable(pa)) {
            tables = tables + 1;
            owners = owners + 1;
        }
        if (owners != 1) {
            if (violations == 0) {
                firstViolation = pa;
            }
            violations = violations + 1;
        }
    }
}
