package verimem.kernel.vmm;

import verimem.kernel.arch.Bits;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;
import verimem.kernel.pmm.Pmm;

/**
 * One x86-64 address space: a PML4 whose lower half (slots 0..255) is its own and whose upper half is the kernel
 * half shared with every space. Page tables are read and written through the direct map.
 *
 * Which half an operation may touch: a user space maps, unmaps and protects only lower-half addresses; the kernel
 * space (Vmm.kernelSpace()) only upper-half ones, and those appear in every space at once. translate works on any
 * canonical address.
 *
 * TLB invalidation is inside every operation that changes an entry, so a caller cannot forget it: the current
 * space invlpg's the page; a space that is not current is marked dirty and flushes its PCID on its next switch;
 * a kernel-half change is invlpg'ed at once (the current space shares it) and bumps the kernel epoch so the other
 * spaces flush on their next switch.
 *
 * Parent entries are made as permissive as the leaf needs (lower half: P|W|U, upper half: P|W; never NX), so the
 * effective permissions are the leaf's; translate still combines all four levels, as the CPU does.
 *
 * Lifecycle: NEW (constructed, owns nothing) -> create() or cloneInto -> LIVE -> destroy() -> DESTROYED.
 */
public final class AddressSpace {
    public static final int NEW = 0;
    public static final int LIVE = 1;
    public static final int DESTROYED = 2;

    /*@ spec_public @*/ private final Vmm vmm;
    /*@ spec_public @*/ private final boolean kernel;
    /*@ spec_public @*/ private long pml4;
    /*@ spec_public @*/ private int state;
    /*@ spec_public @*/ private int pcid;
    /*@ spec_public @*/ private long pcidGeneration;
    /*@ spec_public @*/ private boolean tlbDirty;
    /*@ spec_public @*/ private long kernelEpochSeen;
    /*@ spec_public @*/ private final long id;
    /** Scratch for walks: path[l] = physical address of the table holding the level-l entry (l = 1..4). */
    /*@ spec_public @*/ private final long[] path = new long[5];

    /** The PML4 (0 while NEW) is a table frame the direct map reaches; path has a slot per level. */
    /*@ public invariant vmm != null && path.length == 5 && NEW <= state && state <= DESTROYED
      @   && 0 <= pml4 && pml4 % 4096 == 0 && pml4 < Layout.DIRECT_MAP_SIZE;
      @*/

    /** A user address space in state NEW; create() or cloneInto gives it tables. */
    /*@ public normal_behavior
      @   requires vmm != null;
      @   ensures state == NEW && !kernel;
      @*/
    public AddressSpace(Vmm vmm) {
        this.vmm = vmm;
        this.kernel = false;
        this.state = NEW;
        this.id = vmm.nextSpaceId();
    }

    /** The kernel space over the boot PML4 (Vmm.adoptBootSpace only). */
    AddressSpace(Vmm vmm, long bootPml4) {
        this.vmm = vmm;
        this.kernel = true;
        this.pml4 = bootPml4;
        this.state = LIVE;
        this.pcid = 0;
        this.id = vmm.nextSpaceId();
    }

    /** Serial number, unique over the VMM's lifetime (the demand pager names spaces by it). */
    /*@ public normal_behavior
      @   ensures \result == id;
      @   assignable \strictly_nothing;
      @*/
    public long id() {
        return id;
    }

    /*@ public normal_behavior
      @   ensures \result == state;
      @   assignable \strictly_nothing;
      @*/
    public int state() {
        return state;
    }

    /*@ public normal_behavior
      @   ensures \result == pml4;
      @   assignable \nothing;
      @*/
    public long pml4() {
        return pml4;
    }

    /*@ public normal_behavior
      @   ensures \result == kernel;
      @   assignable \strictly_nothing;
      @*/
    public boolean isKernel() {
        return kernel;
    }

    /*@ public normal_behavior
      @   ensures \result == pcid;
      @   assignable \nothing;
      @*/
    public int pcid() {
        return pcid;
    }

    /*@ public normal_behavior
      @   ensures \result == (state == LIVE && Pte.exactFrame(Cpu.readCr3()) == pml4);
      @   assignable \strictly_nothing;
      @*/
    public boolean isCurrent() {
        return state == LIVE && Pte.exactFrame(Cpu.readCr3()) == pml4;
    }

    void sawKernelEpoch(long epoch) {
        kernelEpochSeen = epoch;
    }

    /** Gives a NEW space its PML4: empty lower half, the shared kernel half copied from the kernel space. */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NO_MEMORY || \result == Err.INVALID_ARGUMENT;
      @   ensures \result == Err.OK ==> state == LIVE;
      @   ensures \result != Err.OK ==> state == \old(state);
      @*/
    public long create() {
        if (state != NEW || kernel || vmm.kernelSpace() == null) {
            return Err.INVALID_ARGUMENT;
        }
        long f = vmm.allocTable();
        if (f < 0) {
            return Err.NO_MEMORY;
        }
        long master = vmm.kernelPml4();
        boolean recursive = vmm.hasRecursiveSlot();
        for (int i = Vmm.KERNEL_FIRST_SLOT; i < VirtAddr.ENTRIES; i++) {
            if (recursive && i == Layout.RECURSIVE_SLOT) {
                Tables.write(f, i, f + Pte.PRESENT + Pte.WRITABLE + Pte.NO_EXECUTE);
            } else {
                Tables.write(f, i, Tables.read(master, i));
            }
        }
        pml4 = f;
        state = LIVE;
        pcidGeneration = 0;
        tlbDirty = true;
        return Err.OK;
    }

    // ---- argument checks shared by map / unmap / protect ----

    /*@ public normal_behavior
      @   ensures \result == (pageSize == VirtAddr.PAGE_SIZE || pageSize == VirtAddr.LARGE_PAGE_SIZE
      @                       || pageSize == VirtAddr.HUGE_PAGE_SIZE);
      @   assignable \nothing;
      @*/
    public /*@ pure @*/ static boolean isPageSize(long pageSize) {
        return pageSize == VirtAddr.PAGE_SIZE || pageSize == VirtAddr.LARGE_PAGE_SIZE
                || pageSize == VirtAddr.HUGE_PAGE_SIZE;
    }

    /*@ private normal_behavior
      @   ensures \result == (pageSize == VirtAddr.HUGE_PAGE_SIZE ? 3 : (pageSize == VirtAddr.LARGE_PAGE_SIZE ? 2 : 1));
      @   assignable \strictly_nothing;
      @*/
    private static int leafLevel(long pageSize) {
        if (pageSize == VirtAddr.HUGE_PAGE_SIZE) {
            return 3;
        }
        if (pageSize == VirtAddr.LARGE_PAGE_SIZE) {
            return 2;
        }
        return 1;
    }

    /*@ public normal_behavior
      @   requires 1 <= level && level <= 3;
      @   ensures \result == (level == 1 ? 4096L : (level == 2 ? 2097152L : 1073741824L));
      @   assignable \nothing;
      @*/
    public static long pageSizeOf(int level) {
        if (level == 3) {
            return VirtAddr.HUGE_PAGE_SIZE;
        }
        if (level == 2) {
            return VirtAddr.LARGE_PAGE_SIZE;
        }
        return VirtAddr.PAGE_SIZE;
    }

    /**
     * OK when va lies in the half this space may change, else the error. Needs of the Vmm only the kernel PML4's
     * range (for Vmm.recursiveSlotPresent), not its whole invariant.
     */
    /*@ private normal_behavior
      @   requires 0 <= vmm.kernelPml4 && vmm.kernelPml4 % 4096 == 0 && vmm.kernelPml4 < Layout.DIRECT_MAP_SIZE;
      @   ensures \result == Err.OK || \result == Err.NON_CANONICAL || \result == Err.INVALID_ARGUMENT;
      @   ensures \result == Err.NON_CANONICAL <==> !VirtAddr.isCanonical(va);
      @   ensures \result == Err.OK ==> kernel == (va < 0);
      @   assignable \strictly_nothing;
      @*/
    private long checkHalf(long va) {
        if (!VirtAddr.isCanonical(va)) {
            return Err.NON_CANONICAL;
        }
        if (kernel != (va < 0)) {
            return Err.INVALID_ARGUMENT;
        }
        // va's PML4 index is RECURSIVE_SLOT, said as the slot's address range (plain comparisons for KeY)
        if (va >= Layout.RECURSIVE_BASE && va < Layout.RECURSIVE_BASE + Layout.SLOT_SIZE && vmm.recursiveSlotPresent()) {
            return Err.INVALID_ARGUMENT;
        }
        return Err.OK;
    }

    /**
     * VirtAddr.index for a level only known to be 1..4 (the walks' loops): only the range, so a caller's proof
     * does not carry index's four per-level cases through every iteration.
     */
    /*@ private normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures 0 <= \result && \result < 512;
      @   assignable \strictly_nothing;
      @*/
    private static int slotAt(long va, int level) {
        return VirtAddr.index(va, level);
    }

    /** level - 1 for a walk's level (1..4): the contract states it without Java's int wrap-around. */
    /*@ private normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures \result == level - 1;
      @   assignable \strictly_nothing;
      @*/
    private static int levelBelow(int level) {
        return level - 1;
    }

    /*@ private normal_behavior
      @   ensures \result == (va < 0 ? Pte.PRESENT + Pte.WRITABLE : Pte.PRESENT + Pte.WRITABLE + Pte.USER);
      @   assignable \strictly_nothing;
      @*/
    private static long parentFlags(long va) {
        if (va < 0) {
            return Pte.PRESENT + Pte.WRITABLE;
        }
        return Pte.PRESENT + Pte.WRITABLE + Pte.USER;
    }

    /**
     * Maps the page at va (4 KiB, 2 MiB or 1 GiB, per pageSize) to the frame at pa with the given flags (see
     * PageFlags; PRESENT implied). Missing tables are allocated first, all or none, and linked bottom-up with one
     * final store, so NO_MEMORY leaves no table frame behind and no partial mapping. A lower-half mapping of a
     * kernel-owned frame is refused with KERNEL_FRAME; a mapping both writable and executable, in either half,
     * with WRITE_EXECUTE (W^X, see PageFlags.isWriteExecute), before anything is read or allocated.
     */
    /*@ public normal_behavior
      @   requires \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   ensures \result == Err.OK || \result == Err.DESTROYED || \result == Err.INVALID_ARGUMENT
      @        || \result == Err.NON_CANONICAL || \result == Err.MISALIGNED || \result == Err.KERNEL_FRAME
      @        || \result == Err.PARENT_HUGE_PAGE || \result == Err.ALREADY_MAPPED || \result == Err.NO_MEMORY
      @        || \result == Err.WRITE_EXECUTE;
      @   ensures \result == Err.OK ==> !PageFlags.isUserWriteExecute(flags);
      @   ensures \result == Err.OK ==> !PageFlags.isWriteExecute(flags);
      @   ensures (\old(state) == LIVE && isPageSize(pageSize) && PageFlags.isValid(flags) && va >= 0 && !kernel
      @            && VirtAddr.isCanonical(va) && PageFlags.isUserWriteExecute(flags))
      @           ==> \result == Err.WRITE_EXECUTE;
      @   ensures (\old(state) == LIVE && isPageSize(pageSize) && PageFlags.isValid(flags) && !VirtAddr.isCanonical(va))
      @           ==> \result == Err.NON_CANONICAL;
      @   ensures \result == Err.OK ==> \old(state) == LIVE && isPageSize(pageSize) && VirtAddr.isCanonical(va)
      @        && kernel == (va < 0) && va % pageSize == 0 && 0 <= pa && pa % pageSize == 0;
      @   ensures \result != Err.OK ==> vmm.tableFrames == \old(vmm.tableFrames);
      @   ensures \result != Err.OK && \result != Err.NO_MEMORY ==> tlbDirty == \old(tlbDirty)
      @        && vmm.kernelEpoch == \old(vmm.kernelEpoch) && vmm.pmm.free == \old(vmm.pmm.free);
      @   ensures state == \old(state);
      @   ensures \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   assignable tlbDirty, vmm.kernelEpoch, vmm.current.kernelEpochSeen, vmm.tableFrames, vmm.owners.bits[*], vmm.owners.vmmTables[*],
      @              vmm.pmm.bitmap[*], vmm.pmm.nonEmpty[*], vmm.pmm.full[*], vmm.pmm.free,
      @              vmm.pmm.hint, vmm.pmm.hintBase, vmm.pmm.hintSegment, vmm.pmm.failCountdown, vmm.pmm.wordFree, vmm.pmm.sealed,
      @              vmm.pmm.reservedStart[*], vmm.pmm.reservedEnd[*], vmm.pmm.reservedRuns;
      @*/
    public long map(long va, long pa, long flags, long pageSize) {
        if (state != LIVE) {
            return Err.DESTROYED;
        }
        if (!isPageSize(pageSize) || !PageFlags.isValid(flags)) {
            return Err.INVALID_ARGUMENT;
        }
        long half = checkHalf(va);
        if (half != Err.OK) {
            return half;
        }
        if (va < 0 && PageFlags.isUser(flags)) {
            return Err.INVALID_ARGUMENT;
        }
        if (PageFlags.isWriteExecute(flags)) {
            return Err.WRITE_EXECUTE;
        }
        if (va % pageSize != 0 || pa < 0 || pa % pageSize != 0) {
            return Err.MISALIGNED;
        }
        if (pa > Pte.PHYS_LIMIT - pageSize) {
            return Err.INVALID_ARGUMENT;
        }
        if (va >= 0 && vmm.ownership().anyKernel(pa, pageSize)) {
            return Err.KERNEL_FRAME;
        }
        int leaf = leafLevel(pageSize);
        long table = pml4;
        int level = 4;
        while (level > leaf) {
            long e = Tables.read(table, VirtAddr.index(va, level));
            if (!Pte.isPresent(e)) {
                break;
            }
            if (level < 4 && Pte.has(e, Pte.BIT_HUGE)) {
                return Err.PARENT_HUGE_PAGE;
            }
            table = Pte.frame(e);
            if (table >= Layout.DIRECT_MAP_SIZE) {
                return Err.INVALID_ARGUMENT; // a table the direct map cannot reach
            }
            level = level - 1;
        }
        if (level == leaf && Pte.isPresent(Tables.read(table, VirtAddr.index(va, leaf)))) {
            return Err.ALREADY_MAPPED;
        }
        int need = level - leaf;
        long n0 = 0;
        long n1 = 0;
        long n2 = 0;
        if (need >= 1) {
            n0 = vmm.allocTable();
            if (n0 < 0) {
                return Err.NO_MEMORY;
            }
        }
        if (need >= 2) {
            n1 = vmm.allocTable();
            if (n1 < 0) {
                vmm.freeTable(n0);
                return Err.NO_MEMORY;
            }
        }
        if (need >= 3) {
            n2 = vmm.allocTable();
            if (n2 < 0) {
                vmm.freeTable(n1);
                vmm.freeTable(n0);
                return Err.NO_MEMORY;
            }
        }
        // From here on nothing can fail.
        long leafEntry = pa + PageFlags.withPresent(flags);
        if (leaf > 1) {
            leafEntry = leafEntry + Pte.HUGE;
        }
        long pf = parentFlags(va);
        upgradeParents(va, level, flags);
        if (need == 0) {
            Tables.write(table, VirtAddr.index(va, leaf), leafEntry);
        } else {
            long deepest = need == 1 ? n0 : (need == 2 ? n1 : n2);
            Tables.write(deepest, VirtAddr.index(va, leaf), leafEntry);
            if (need == 3) {
                Tables.write(n1, VirtAddr.index(va, level - 2), n2 + pf);
            }
            if (need >= 2) {
                Tables.write(n0, VirtAddr.index(va, level - 1), n1 + pf);
            }
            Tables.write(table, VirtAddr.index(va, level), n0 + pf);
        }
        return Err.OK;
    }

    /**
     * Makes the existing parent entries above level `below` (levels 4 .. below+1 on va's walk) allow what a leaf
     * with `flags` needs: writable, user in the lower half, executable when the leaf is. Tables this VMM creates
     * already allow everything; only tables built by the bootstrap can need this. Widening a parent can leave
     * narrower translations of sibling pages in the TLB, so a widening flushes (current: CR3 reload; else dirty).
     */
    /*@ private normal_behavior
      @   requires 1 <= below && below <= 4 && \invariant_for(vmm);
      @   assignable tlbDirty, vmm.kernelEpoch, vmm.current.kernelEpochSeen;
      @*/
    private void upgradeParents(long va, int below, long flags) {
        boolean changed = false;
        long table = pml4;
        /*@ loop_invariant below <= level && level <= 4 && 0 <= table && table % 4096 == 0 && table < Layout.DIRECT_MAP_SIZE;
          @ decreasing level;
          @ assignable \nothing;
          @*/
        for (int level = 4; level > below; level = levelBelow(level)) {
            int i = slotAt(va, level);
            long e = Tables.read(table, i);
            long n = widened(e, va, flags);
            if (n != e) {
                Tables.write(table, i, n);
                changed = true;
            }
            table = Pte.frame(e);
            if (table >= Layout.DIRECT_MAP_SIZE) {
                break; // not reached: the caller's walk went through the same entries and checked them
            }
        }
        if (changed) {
            flushAll(va);
        }
    }

    /**
     * Parent entry e widened to what a leaf with `flags` below it at va needs: writable, user in the lower half,
     * executable (NX clear) when the leaf is.
     * Its own method so upgradeParents' proof does not carry the bit arithmetic. Exact contract, through the exact
     * helpers withBit and withoutNx (so callers see a small term).
     */
    /*@ private normal_behavior
      @   ensures va >= 0 ==> \result == withoutNx(withBit(withBit(e, Pte.BIT_WRITABLE), Pte.BIT_USER), flags);
      @   ensures va < 0 ==> \result == withoutNx(withBit(e, Pte.BIT_WRITABLE), flags);
      @   assignable \strictly_nothing;
      @*/
    private static long widened(long e, long va, long flags) {
        long n = withBit(e, Pte.BIT_WRITABLE);
        if (va >= 0) {
            n = withBit(n, Pte.BIT_USER);
        }
        return withoutNx(n, flags);
    }

    /** Entry e with flag bit b set (e itself when the bit is already set); setting a clear bit never carries. */
    /*@ private normal_behavior
      @   requires 0 <= b && b <= 62;
      @   ensures \result == ((e >> b) % 2 != 0 ? e : e + (1L << b));
      @*/
    private static /*@ strictly_pure spec_java_math @*/ long withBit(long e, int b) {
        if (Pte.has(e, b)) {
            return e;
        }
        return Bits.withBitSet(e, b);
    }

    /**
     * Entry e with NX (bit 63, the sign) cleared when the leaf's flags are executable (NX clear, flags >= 0):
     * for e < 0, e - Long.MIN_VALUE is e + 2^63, in range.
     */
    /*@ private normal_behavior
      @   ensures \result == (e < 0 && flags >= 0 ? e - Long.MIN_VALUE : e);
      @*/
    private static /*@ strictly_pure spec_java_math @*/ long withoutNx(long e, long flags) {
        if (e < 0 && flags >= 0) {
            return e - Long.MIN_VALUE;
        }
        return e;
    }

    /*@ private normal_behavior
      @   requires \invariant_for(vmm);
      @   assignable tlbDirty, vmm.kernelEpoch, vmm.current.kernelEpochSeen;
      @*/
    private void flushAll(long va) {
        if (va < 0) {
            Cpu.writeCr3(Cpu.readCr3());
            vmm.kernelChanged();
        } else if (isCurrent()) {
            Cpu.writeCr3(Cpu.readCr3());
        } else {
            tlbDirty = true;
        }
    }

    /** After an entry for va was removed or narrowed: the invalidation the caller must never forget. */
    /*@ private normal_behavior
      @   requires \invariant_for(vmm);
      @   assignable tlbDirty, vmm.kernelEpoch, vmm.current.kernelEpochSeen;
      @*/
    private void invalidate(long va) {
        if (va < 0) {
            Cpu.invlpg(va);
            vmm.kernelChanged();
        } else if (isCurrent()) {
            Cpu.invlpg(va);
        } else {
            tlbDirty = true;
        }
    }

    private static final int WALK_ABSENT = 0;
    private static final int WALK_LEAF = 1;
    private static final int WALK_INVALID = 2;
    private static final int WALK_DESCEND = 3;

    /**
     * What findLeaf does with the entry e it read at level: not present (WALK_ABSENT); a leaf (level 1, or PS set
     * at level 2 or 3: WALK_LEAF); PS in a PML4 entry (WALK_INVALID); else go down (WALK_DESCEND). The contract
     * gives only what findLeaf's own contract needs, so its proof does not carry the entry's bit arithmetic.
     */
    /*@ private normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures WALK_ABSENT <= \result && \result <= WALK_DESCEND;
      @   ensures \result == WALK_LEAF ==> level <= 3;
      @   assignable \strictly_nothing;
      @*/
    private static int walkStep(long e, int level) {
        if (!Pte.isPresent(e)) {
            return WALK_ABSENT;
        }
        boolean huge = level > 1 && Pte.has(e, Pte.BIT_HUGE);
        if (level == 4 && huge) {
            return WALK_INVALID;
        }
        if (level == 1 || huge) {
            return WALK_LEAF;
        }
        return WALK_DESCEND;
    }

    /**
     * Walks va to its leaf, filling path[]; returns the leaf's level (1..3), or NOT_MAPPED, or INVALID_ARGUMENT
     * for an entry the CPU would reject (PS in a PML4 entry) or a table the direct map cannot reach.
     */
    /*@ private normal_behavior
      @   ensures \result == Err.NOT_MAPPED || \result == Err.INVALID_ARGUMENT || (1 <= \result && \result <= 3);
      @   ensures 1 <= \result && \result <= 3 ==> (\forall int l; \result <= l && l <= 4;
      @            0 <= path[l] && path[l] % 4096 == 0 && path[l] < Layout.DIRECT_MAP_SIZE);
      @   assignable path[*];
      @*/
    private long findLeaf(long va) {
        long table = pml4;
        // The entry's bit tests are in walkStep and the step down is levelBelow (contract: the plain level - 1): with
        // both inline (and level--) KeY carried the bit arithmetic and the int wrap-around into the quantified path[]
        // invariant and needed 40 s CPU.
        /*@ loop_invariant 0 <= level && level <= 4 && 0 <= table && table % 4096 == 0 && table < Layout.DIRECT_MAP_SIZE
          @   && (\forall int l; level < l && l <= 4; 0 <= path[l] && path[l] % 4096 == 0 && path[l] < Layout.DIRECT_MAP_SIZE);
          @ decreasing level;
          @ assignable path[*];
          @*/
        for (int level = 4; level >= 1; level = levelBelow(level)) {
            path[level] = table;
            long e = Tables.read(table, slotAt(va, level));
            int kind = walkStep(e, level);
            if (kind == WALK_ABSENT) {
                return Err.NOT_MAPPED;
            }
            if (kind == WALK_INVALID) {
                return Err.INVALID_ARGUMENT;
            }
            if (kind == WALK_LEAF) {
                return level;
            }
            table = Pte.frame(e);
            if (table >= Layout.DIRECT_MAP_SIZE) {
                return Err.INVALID_ARGUMENT;
            }
        }
        return Err.NOT_MAPPED;
    }

    /**
     * Removes the mapping of the page starting at va (of whatever size it was mapped with) and returns its frame.
     * Tables that become empty are freed bottom-up (lower half: up to the PDPT; kernel half: up to the PD, the
     * shared PDPTs stay); tables the bootstrap built (not allocated by this VMM) are never freed. The TLB entry is invalidated.
     */
    /*@ public normal_behavior
      @   requires \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   ensures \result >= 0 || \result == Err.DESTROYED || \result == Err.INVALID_ARGUMENT
      @        || \result == Err.NON_CANONICAL || \result == Err.MISALIGNED || \result == Err.NOT_MAPPED;
      @   ensures \result >= 0 ==> \result % 4096 == 0 && \result < Pte.PHYS_LIMIT;
      @   ensures \result >= 0 ==> \old(state) == LIVE && VirtAddr.isCanonical(va) && kernel == (va < 0);
      @   ensures (\old(state) == LIVE && !VirtAddr.isCanonical(va)) ==> \result == Err.NON_CANONICAL;
      @   ensures \result < 0 ==> vmm.tableFrames == \old(vmm.tableFrames) && tlbDirty == \old(tlbDirty)
      @        && vmm.kernelEpoch == \old(vmm.kernelEpoch) && vmm.pmm.free == \old(vmm.pmm.free);
      @   ensures state == \old(state);
      @   ensures \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   assignable path[*], tlbDirty, vmm.kernelEpoch, vmm.current.kernelEpochSeen, vmm.tableFrames, vmm.owners.bits[*], vmm.owners.vmmTables[*],
      @              vmm.pmm.bitmap[*], vmm.pmm.nonEmpty[*], vmm.pmm.full[*], vmm.pmm.free,
      @              vmm.pmm.hint, vmm.pmm.hintBase, vmm.pmm.hintSegment, vmm.pmm.wordFree;
      @*/
    public long unmap(long va) {
        if (state != LIVE) {
            return Err.DESTROYED;
        }
        long half = checkHalf(va);
        if (half != Err.OK) {
            return half;
        }
        long found = findLeaf(va);
        if (found < 0) {
            return found;
        }
        int leaf = (int) found;
        if (va % pageSizeOf(leaf) != 0) {
            return Err.MISALIGNED;
        }
        long frame = Pte.frame(Tables.read(path[leaf], VirtAddr.index(va, leaf)));
        Tables.write(path[leaf], VirtAddr.index(va, leaf), 0);
        int top = va >= 0 ? 3 : 2;
        for (int level = leaf; level <= top; level++) {
            if (!vmm.isReclaimable(path[level]) || !Tables.isEmpty(path[level])) {
                break;
            }
            Tables.write(path[level + 1], VirtAddr.index(va, level + 1), 0);
            vmm.freeTable(path[level]);
        }
        invalidate(va);
        return frame;
    }

    /** Page size (4096, 2 MiB, 1 GiB) of the leaf mapping va, or NOT_MAPPED / INVALID_ARGUMENT / DESTROYED. */
    /*@ public normal_behavior
      @   ensures \result == 4096 || \result == 2097152 || \result == 1073741824 || \result < 0;
      @*/
    public long pageSizeAt(long va) {
        if (state != LIVE) {
            return Err.DESTROYED;
        }
        if (!VirtAddr.isCanonical(va)) {
            return Err.NON_CANONICAL;
        }
        long found = findLeaf(va);
        if (found < 0) {
            return found;
        }
        return pageSizeOf((int) found);
    }

    /**
     * Replaces the flags of the page mapped at va (frame kept); parents widened if needed; TLB invalidated. Turning
     * a page writable and executable (either half) is refused with WRITE_EXECUTE (W^X) and changes nothing.
     */
    /*@ public normal_behavior
      @   requires \invariant_for(vmm);
      @   ensures \result == Err.OK || \result == Err.DESTROYED || \result == Err.INVALID_ARGUMENT
      @        || \result == Err.NON_CANONICAL || \result == Err.MISALIGNED || \result == Err.NOT_MAPPED
      @        || \result == Err.WRITE_EXECUTE;
      @   ensures \result == Err.OK ==> !PageFlags.isUserWriteExecute(flags);
      @   ensures \result == Err.OK ==> !PageFlags.isWriteExecute(flags);
      @   ensures \result == Err.OK ==> \old(state) == LIVE && VirtAddr.isCanonical(va) && kernel == (va < 0);
      @   ensures (\old(state) == LIVE && PageFlags.isValid(flags) && !VirtAddr.isCanonical(va)) ==> \result == Err.NON_CANONICAL;
      @   ensures \result != Err.OK ==> tlbDirty == \old(tlbDirty) && vmm.kernelEpoch == \old(vmm.kernelEpoch);
      @   ensures state == \old(state);
      @   assignable path[*], tlbDirty, vmm.kernelEpoch, vmm.current.kernelEpochSeen;
      @*/
    public long protect(long va, long flags) {
        if (state != LIVE) {
            return Err.DESTROYED;
        }
        if (!PageFlags.isValid(flags)) {
            return Err.INVALID_ARGUMENT;
        }
        long half = checkHalf(va);
        if (half != Err.OK) {
            return half;
        }
        if (va < 0 && PageFlags.isUser(flags)) {
            return Err.INVALID_ARGUMENT;
        }
        if (PageFlags.isWriteExecute(flags)) {
            return Err.WRITE_EXECUTE;
        }
        long found = findLeaf(va);
        if (found < 0) {
            return found;
        }
        int leaf = (int) found;
        if (va % pageSizeOf(leaf) != 0) {
            return Err.MISALIGNED;
        }
        long frame = Pte.frame(Tables.read(path[leaf], VirtAddr.index(va, leaf)));
        long entry = frame + PageFlags.withPresent(flags);
        if (leaf > 1) {
            entry = entry + Pte.HUGE;
        }
        upgradeParents(va, leaf, flags);
        Tables.write(path[leaf], VirtAddr.index(va, leaf), entry);
        invalidate(va);
        return Err.OK;
    }

    /**
     * Translates va: returns the physical address and fills out with the frame, offset, page size and the
     * effective permissions over all levels; or NOT_MAPPED, NON_CANONICAL, INVALID_ARGUMENT (an entry the CPU
     * would reject), DESTROYED, with out.status saying the same.
     */
    /*@ public normal_behavior
      @   requires out != null;
      @   ensures \result >= 0 ==> out.status == TranslateResult.MAPPED && \result == out.frame + out.offset;
      @   ensures \result >= 0 ==> (out.pageSize == 4096 || out.pageSize == 2097152 || out.pageSize == 1073741824)
      @        && out.frame % out.pageSize == 0 && out.offset == ((va % out.pageSize) + out.pageSize) % out.pageSize;
      @   ensures \result < 0 ==> out.status != TranslateResult.MAPPED;
      @   ensures (state == LIVE && !VirtAddr.isCanonical(va))
      @        ==> \result == Err.NON_CANONICAL && out.status == TranslateResult.NON_CANONICAL;
      @   ensures state != LIVE ==> \result == Err.DESTROYED;
      @   assignable out.*;
      @*/
    public long translate(long va, TranslateResult out) {
        if (state != LIVE) {
            out.reset(TranslateResult.NOT_MAPPED);
            return Err.DESTROYED;
        }
        if (!VirtAddr.isCanonical(va)) {
            out.reset(TranslateResult.NON_CANONICAL);
            return Err.NON_CANONICAL;
        }
        long table = pml4;
        boolean w = true;
        boolean u = true;
        boolean nx = false;
        /*@ loop_invariant 0 <= level && level <= 4 && 0 <= table && table % 4096 == 0 && table < Layout.DIRECT_MAP_SIZE;
          @ decreasing level;
          @ assignable out.*;
          @*/
        for (int level = 4; level >= 1; level--) {
            long e = Tables.read(table, VirtAddr.index(va, level));
            if (!Pte.isPresent(e)) {
                out.reset(TranslateResult.NOT_MAPPED);
                return Err.NOT_MAPPED;
            }
            w = w && Pte.has(e, Pte.BIT_WRITABLE);
            u = u && Pte.has(e, Pte.BIT_USER);
            nx = nx || e < 0;
            boolean ps = Pte.has(e, Pte.BIT_HUGE); // at level 1 bit 7 is PAT, not a size bit
            if (level == 4 && ps) {
                out.reset(TranslateResult.INVALID);
                return Err.INVALID_ARGUMENT;
            }
            if (level == 1 || ps) {
                long size = pageSizeOf(level);
                long frame = Pte.frame(e);
                if (frame % size != 0) {
                    out.reset(TranslateResult.INVALID);
                    return Err.INVALID_ARGUMENT;
                }
                out.reset(TranslateResult.MAPPED);
                out.frame = frame;
                out.offset = ((va % size) + size) % size;
                out.pageSize = size;
                out.writable = w;
                out.user = u;
                out.noExecute = nx;
                out.global = Pte.has(e, Pte.BIT_GLOBAL);
                out.writeThrough = Pte.has(e, Pte.BIT_WRITE_THROUGH);
                out.cacheDisable = Pte.has(e, Pte.BIT_CACHE_DISABLE);
                return frame + out.offset;
            }
            table = Pte.frame(e);
            if (table >= Layout.DIRECT_MAP_SIZE) {
                out.reset(TranslateResult.INVALID); // a table the direct map cannot reach
                return Err.INVALID_ARGUMENT;
            }
        }
        out.reset(TranslateResult.NOT_MAPPED);
        return Err.NOT_MAPPED;
    }

    /** identity_map: va == pa, lower half only (the kernel half is never identity mapped). */
    /*@ public normal_behavior
      @   requires \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   ensures \result == Err.OK || \result < 0;
      @*/
    public long identityMap(long pa, long flags, long pageSize) {
        return map(pa, pa, flags, pageSize);
    }

    /**
     * Loads this space into CR3. A PCID of an older generation (or none yet) is replaced by a fresh one, and a
     * fresh PCID, a space changed while not current, or a kernel-half change since the last switch make the CR3
     * write flush this PCID; otherwise bit 63 keeps its TLB entries.
     */
    /*@ public normal_behavior
      @   requires \invariant_for(vmm) && \invariant_for(vmm.pcids) && vmm.pcids.generation < Long.MAX_VALUE;
      @   ensures \result == Err.OK || \result == Err.DESTROYED;
      @   ensures \result == Err.OK <==> \old(state) == LIVE;
      @   ensures \result == Err.OK ==> vmm.current == this;
      @   assignable pcid, pcidGeneration, tlbDirty, kernelEpochSeen, vmm.current, Cpu.cr3,
      @              vmm.pcids.used[*], vmm.pcids.generation, vmm.pcids.rollovers;
      @*/
    public long activate() {
        if (state != LIVE) {
            return Err.DESTROYED;
        }
        // The Vmm is read once, before anything is written (nothing below changes its epoch), so the proof needs
        // its invariant only in the pre-state.
        PcidAllocator ids = vmm.pcids();
        long epoch = vmm.kernelEpoch();
        boolean fresh = false;
        if (!kernel && pcidGeneration != ids.generation()) {
            int p = ids.allocate();
            long g = ids.generation();
            pcid = p;
            pcidGeneration = g;
            fresh = true;
        }
        boolean keep = !fresh && !tlbDirty && kernelEpochSeen == epoch;
        long value = pml4 + pcid;
        if (keep) {
            value = value + Long.MIN_VALUE;
        }
        Cpu.writeCr3(value);
        tlbDirty = false;
        kernelEpochSeen = epoch;
        vmm.setCurrent(this);
        return Err.OK;
    }

    /**
     * Frees every lower-half table frame and the PML4, and, when freeMappedFrames, every mapped frame (2 MiB and
     * 1 GiB leaves as aligned blocks; frames the PMM does not manage, such as device memory, are skipped).
     * The kernel space and the current space cannot be destroyed (switch away first).
     */
    /*@ public normal_behavior
      @   requires \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   ensures \result == Err.OK || \result == Err.DESTROYED || \result == Err.INVALID_ARGUMENT;
      @   ensures \result == Err.OK ==> state == DESTROYED;
      @   ensures \result != Err.OK ==> state == \old(state);
      @   ensures \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @*/
    public long destroy(boolean freeMappedFrames) {
        if (state != LIVE) {
            return Err.DESTROYED;
        }
        if (kernel || isCurrent()) {
            return Err.INVALID_ARGUMENT;
        }
        releaseTables(freeMappedFrames, false);
        return Err.OK;
    }

    /**
     * Frees the lower-half tables, the PML4 (and with freeMappedFrames the mapped frames) and the PCID, and leaves
     * the space NEW (pml4 0) when backToNew, else DESTROYED. The state change is made here, after the PMM calls, so
     * a caller's proof passes the PMM's invariant on unchanged instead of re-proving it after a field write.
     */
    /*@ private normal_behavior
      @   requires \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   ensures backToNew ==> state == NEW && pml4 == 0;
      @   ensures !backToNew ==> state == DESTROYED;
      @   ensures \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   assignable state, pml4, vmm.tableFrames, vmm.owners.bits[*], vmm.owners.vmmTables[*],
      @              vmm.pmm.bitmap[*], vmm.pmm.nonEmpty[*], vmm.pmm.full[*], vmm.pmm.free,
      @              vmm.pmm.hint, vmm.pmm.hintBase, vmm.pmm.hintSegment, vmm.pmm.wordFree, vmm.pcids.used[*];
      @*/
    private void releaseTables(boolean freeMappedFrames, boolean backToNew) {
        for (int i = 0; i < Vmm.KERNEL_FIRST_SLOT; i++) {
            long e = Tables.read(pml4, i);
            if (Pte.isPresent(e)) {
                freeSubtree(Pte.frame(e), 3, freeMappedFrames);
            }
        }
        vmm.freeTable(pml4);
        vmm.pcids().release(pcid, pcidGeneration);
        if (backToNew) {
            state = NEW;
            pml4 = 0;
        } else {
            state = DESTROYED;
        }
    }

    private void freeSubtree(long table, int level, boolean freeMappedFrames) {
        for (int i = 0; i < VirtAddr.ENTRIES; i++) {
            long e = Tables.read(table, i);
            if (Pte.isPresent(e)) {
                if (level == 1 || Pte.has(e, Pte.BIT_HUGE)) {
                    if (freeMappedFrames) {
                        freeData(Pte.frame(e), level);
                    }
                } else {
                    freeSubtree(Pte.frame(e), level - 1, freeMappedFrames);
                }
            }
        }
        vmm.freeTable(table);
    }

    private void freeData(long frame, int level) {
        Pmm pmm = vmm.pmm();
        if (level == 1) {
            pmm.freeFrame(frame);
        } else if (level == 2) {
            pmm.freeAligned(frame, 9);
        } else {
            pmm.freeAligned(frame, 18);
        }
    }

    /**
     * Makes the NEW space dst a copy of this space's lower half: same pages, same flags, each page backed by a
     * NEW frame holding a copy of the contents (copy, not share: each space owns its frames, so destroy(true) of
     * either never frees a frame the other still maps). On NO_MEMORY everything dst got is freed again and dst
     * is NEW as before.
     */
    /*@ public normal_behavior
      @   requires dst != null;
      @   ensures \result == Err.OK || \result == Err.NO_MEMORY || \result == Err.DESTROYED
      @        || \result == Err.INVALID_ARGUMENT;
      @   ensures \result == Err.OK ==> dst.state == LIVE;
      @   ensures \result != Err.OK ==> dst.state == \old(dst.state);
      @*/
    public long cloneInto(AddressSpace dst) {
        if (state != LIVE) {
            return Err.DESTROYED;
        }
        if (dst == this || dst.state != NEW || dst.kernel) {
            return Err.INVALID_ARGUMENT;
        }
        long r = dst.create();
        if (r != Err.OK) {
            return r;
        }
        for (int i = 0; i < Vmm.KERNEL_FIRST_SLOT; i++) {
            long e = Tables.read(pml4, i);
            if (Pte.isPresent(e)) {
                r = cloneSubtree(Pte.frame(e), 3, i * Layout.SLOT_SIZE, dst);
                if (r != Err.OK) {
                    dst.releaseTables(true, true);
                    return r;
                }
            }
        }
        return Err.OK;
    }

    private long cloneSubtree(long table, int level, long base, AddressSpace dst) {
        long span = level == 3 ? VirtAddr.HUGE_PAGE_SIZE : (level == 2 ? VirtAddr.LARGE_PAGE_SIZE : VirtAddr.PAGE_SIZE);
        for (int i = 0; i < VirtAddr.ENTRIES; i++) {
            long e = Tables.read(table, i);
            if (Pte.isPresent(e)) {
                long va = base + i * span;
                if (level == 1 || Pte.has(e, Pte.BIT_HUGE)) {
                    long r = cloneLeaf(e, level, va, dst);
                    if (r != Err.OK) {
                        return r;
                    }
                } else {
                    long r = cloneSubtree(Pte.frame(e), level - 1, va, dst);
                    if (r != Err.OK) {
                        return r;
                    }
                }
            }
        }
        return Err.OK;
    }

    private long cloneLeaf(long e, int level, long va, AddressSpace dst) {
        Pmm pmm = vmm.pmm();
        long size = pageSizeOf(level);
        long copy;
        if (level == 1) {
            copy = pmm.allocFrame();
        } else {
            copy = pmm.allocAligned(level == 2 ? 9 : 18);
        }
        if (copy < 0) {
            return Err.NO_MEMORY;
        }
        long src = Pte.frame(e);
        for (long off = 0; off < size; off = off + VirtAddr.PAGE_SIZE) {
            Tables.copyFrame(src + off, copy + off);
        }
        long r = dst.map(va, copy, leafFlags(e, level), size);
        if (r != Err.OK) {
            freeData(copy, level);
            return r;
        }
        return Err.OK;
    }

    /** The caller-visible flags of a leaf entry: without frame, HUGE, ACCESSED, DIRTY. */
    private static long leafFlags(long e, int level) {
        long f = Pte.flags(e);
        if (Pte.has(f, 5)) {
            f = Bits.withBitCleared(f, 5);
        }
        if (Pte.has(f, 6)) {
            f = Bits.withBitCleared(f, 6);
        }
        if (level > 1 && Pte.has(f, Pte.BIT_HUGE)) {
            f = Bits.withBitCleared(f, Pte.BIT_HUGE);
        }
        return f;
    }
}
