package verimem.kernel.vmm;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.VirtAddr;
import verimem.kernel.pmm.Pmm;

/**
 * Demand paging: lazy regions are reserved without frames; the page-fault entry point maps a zeroed frame on
 * the first touch of a page inside one. A fault anywhere else, a protection fault (the page is present but the
 * access is not allowed) and a fault the PMM cannot serve are refused with a report on the console, and the
 * fault stays a fault. A region belongs to one address space; kernel-half regions belong to the kernel space and
 * so serve every space.
 */
public final class DemandPager {
    /** x86 #PF error code bit 0: the page was present (protection violation). */
    public static final int ERR_PRESENT = 1;

    private static final int REASON_PROTECTION = 1;
    private static final int REASON_OUTSIDE = 2;
    private static final int REASON_NO_FRAME = 3;
    private static final int REASON_NO_TABLE = 4;

    /*@ nullable @*/ private static DemandPager installed;

    /*@ spec_public @*/ private final Vmm vmm;
    /** Owner space id per region; 0 = unused slot (ids start at 1). Ids, not references: the kernel subset has
     *  primitive arrays only. */
    /*@ spec_public @*/ private final long[] owner;
    /*@ spec_public @*/ private final long[] start;
    /*@ spec_public @*/ private final long[] end;
    /*@ spec_public @*/ private final long[] flags;
    /*@ spec_public @*/ private long servedFaults;
    /*@ spec_public @*/ private long refusedFaults;

    /** One slot per region in each of the four arrays. */
    //@ public invariant start.length == owner.length && end.length == owner.length && flags.length == owner.length;

    /*@ public normal_behavior
      @   requires vmm != null && capacity >= 1;
      @   ensures servedFaults == 0 && refusedFaults == 0;
      @*/
    public DemandPager(Vmm vmm, int capacity) {
        this.vmm = vmm;
        owner = new long[capacity];
        start = new long[capacity];
        end = new long[capacity];
        flags = new long[capacity];
    }

    /** Makes p the pager the IDT's #PF entry calls. */
    /*@ public normal_behavior
      @   assignable installed;
      @*/
    public static void install(DemandPager p) {
        installed = p;
    }

    /*@ public normal_behavior
      @   ensures \result == servedFaults;
      @   assignable \nothing;
      @*/
    public long servedFaults() {
        return servedFaults;
    }

    /*@ public normal_behavior
      @   ensures \result == refusedFaults;
      @   assignable \nothing;
      @*/
    public long refusedFaults() {
        return refusedFaults;
    }

    /**
     * Registers [va, va + bytes) of space s as lazy, mapped on demand with `flags`. The range must be page
     * aligned, in the half s may map, unmapped now, and must not overlap another lazy region of s.
     */
    /*@ public normal_behavior
      @   requires s != null && \invariant_for(s);
      @   ensures \result == Err.OK || \result == Err.MISALIGNED || \result == Err.INVALID_ARGUMENT
      @        || \result == Err.NON_CANONICAL || \result == Err.NO_MEMORY || \result == Err.DESTROYED
      @        || \result == Err.ALREADY_MAPPED || \result == Err.WRITE_EXECUTE;
      @   ensures \result == Err.OK ==> !((pageFlags >> verimem.kernel.arch.Pte.BIT_USER) % 2 != 0 && (pageFlags >> verimem.kernel.arch.Pte.BIT_WRITABLE) % 2 != 0
      @                                   && pageFlags >= 0); // !PageFlags.isUserWriteExecute(pageFlags)
      @   ensures \result == Err.OK ==> !((pageFlags >> verimem.kernel.arch.Pte.BIT_WRITABLE) % 2 != 0 && pageFlags >= 0);
      @                                   // !PageFlags.isWriteExecute(pageFlags)
      @*/
    public long addLazy(AddressSpace s, long va, long bytes, long pageFlags) {
        if (s.state() != AddressSpace.LIVE) {
            return Err.DESTROYED;
        }
        long bad = rangeError(s.isKernel(), va, bytes, pageFlags);
        if (bad != Err.OK) {
            return bad;
        }
        long id = s.id();
        long stop = va + bytes; // no wrap: rangeError checked that [va, stop) lies in one canonical half
        int free = freeSlot(id, va, stop);
        if (free == OVERLAP) {
            return Err.INVALID_ARGUMENT;
        }
        if (free < 0) {
            return Err.NO_MEMORY;
        }
        if (anyMapped(s, va, stop)) {
            return Err.ALREADY_MAPPED;
        }
        owner[free] = id;
        start[free] = va;
        end[free] = stop;
        flags[free] = pageFlags;
        return Err.OK;
    }

    /**
     * addLazy's argument checks, in its order of error codes: MISALIGNED, NON_CANONICAL (va or the last byte
     * va + bytes - 1), INVALID_ARGUMENT (flags, the half of a kernel or user space, a range across the halves, user
     * flags in the upper half), WRITE_EXECUTE; else OK. The last byte is checked without computing
     * va + bytes - 1, which could wrap: for a canonical va and bytes > 0 it is canonical exactly when
     * bytes <= LOWER_HALF_END - va, and in va's half exactly when !(va < 0 && bytes > -va).
     */
    /*@ private normal_behavior
      @   ensures \result == Err.OK || \result == Err.MISALIGNED || \result == Err.NON_CANONICAL
      @        || \result == Err.INVALID_ARGUMENT || \result == Err.WRITE_EXECUTE;
      @   ensures \result == Err.OK ==> 0 < bytes && VirtAddr.UPPER_HALF_START <= va
      @                                 && va + bytes <= VirtAddr.LOWER_HALF_END;
      @   ensures \result == Err.OK ==> !((pageFlags >> verimem.kernel.arch.Pte.BIT_WRITABLE) % 2 != 0 && pageFlags >= 0);
      @   assignable \strictly_nothing;
      @*/
    private static long rangeError(boolean kernel, long va, long bytes, long pageFlags) {
        if (bytes <= 0 || va % VirtAddr.PAGE_SIZE != 0 || bytes % VirtAddr.PAGE_SIZE != 0) {
            return Err.MISALIGNED;
        }
        if (!VirtAddr.isCanonical(va) || bytes > VirtAddr.LOWER_HALF_END - va) {
            return Err.NON_CANONICAL;
        }
        if (!validFlags(pageFlags) || kernel != (va < 0) || (va < 0 && bytes > -va)
                || (va < 0 && userFlag(pageFlags))) {
            return Err.INVALID_ARGUMENT;
        }
        if (PageFlags.isWriteExecute(pageFlags)) {
            return Err.WRITE_EXECUTE; // refused now: the fault handler's map would refuse every page later
        }
        return Err.OK;
    }

    /**
     * PageFlags.isValid and PageFlags.isUser for rangeError: their values only pick the error code, so these
     * contracts give none (rangeError's proof then carries none of their division and shift arithmetic).
     */
    /*@ private normal_behavior
      @   assignable \strictly_nothing;
      @*/
    private static boolean validFlags(long pageFlags) {
        return PageFlags.isValid(pageFlags);
    }

    /*@ private normal_behavior
      @   assignable \strictly_nothing;
      @*/
    private static boolean userFlag(long pageFlags) {
        return PageFlags.isUser(pageFlags);
    }

    /** freeSlot's answer when [va, stop) overlaps a region of the same space. */
    private static final int OVERLAP = -2;

    /**
     * Slot for a new region [va, stop) of space id: OVERLAP when it overlaps a lazy region of that space, else the
     * first unused slot, or -1 when every slot is used.
     */
    /*@ private normal_behavior
      @   ensures OVERLAP <= \result && \result < owner.length;
      @   assignable \strictly_nothing;
      @*/
    private int freeSlot(long id, long va, long stop) {
        int free = -1;
        /*@ loop_invariant 0 <= i && i <= owner.length && -1 <= free && free < i;
          @ decreasing owner.length - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < owner.length; i++) {
            if (owner[i] == 0) {
                if (free < 0) {
                    free = i;
                }
            } else if (owner[i] == id && va < end[i] && start[i] < stop) {
                return OVERLAP;
            }
        }
        return free;
    }

    /** True when some page of [va, stop) is mapped (or its walk fails) in s. */
    /*@ private normal_behavior
      @   requires s != null && \invariant_for(s);
      @   requires VirtAddr.UPPER_HALF_START <= va && stop <= VirtAddr.LOWER_HALF_END;
      @   assignable \nothing;
      @*/
    private static boolean anyMapped(AddressSpace s, long va, long stop) {
        TranslateResult tr = new TranslateResult();
        /*@ loop_invariant va <= p && (p == va || p <= VirtAddr.LOWER_HALF_END + VirtAddr.PAGE_SIZE) && \invariant_for(s);
          @ decreasing stop - p + VirtAddr.PAGE_SIZE; // >= 0 also after the last step, when p may pass stop
          @ assignable tr.*;
          @*/
        for (long p = va; p < stop; p = p + VirtAddr.PAGE_SIZE) {
            if (mappedAt(s, p, tr)) {
                return true;
            }
        }
        return false;
    }

    /**
     * anyMapped's step: translate p (canonical or not) and say whether it is anything but NOT_MAPPED. Its own
     * method so anyMapped's loop proof does not carry translate's postcondition (the page-size arithmetic).
     */
    /*@ private normal_behavior
      @   requires s != null && \invariant_for(s) && tr != null;
      @   ensures \invariant_for(s);
      @   assignable tr.*;
      @*/
    private static boolean mappedAt(AddressSpace s, long p, TranslateResult tr) {
        return s.translate(p, tr) != Err.NOT_MAPPED;
    }

    /** Unregisters the region starting at va of s, unmapping the pages it faulted in and freeing their frames. */
    /*@ public normal_behavior
      @   requires s != null && s.vmm == vmm && \invariant_for(s);
      @   requires \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   ensures \result == Err.OK || \result == Err.NOT_MAPPED;
      @*/
    public long removeLazy(AddressSpace s, long va) {
        long id = s.id();
        int r = -1;
        /*@ loop_invariant 0 <= i && i <= owner.length && r == -1;
          @ decreasing owner.length - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < owner.length; i++) {
            if (owner[i] == id && start[i] == va) {
                r = i;
                break;
            }
        }
        if (r < 0) {
            return Err.NOT_MAPPED;
        }
        if (s.state() == AddressSpace.LIVE) {
            unmapRange(s, start[r], end[r]);
        }
        owner[r] = 0;
        return Err.OK;
    }

    /**
     * Unmaps every page of [lo, hi) that is mapped in s and frees its frame. addLazy registers only canonical
     * ranges (within [-2^47, 2^47]), so capping at 2^47 changes nothing for them and p + PAGE_SIZE never wraps.
     */
    /*@ private normal_behavior
      @   requires s != null && s.vmm == vmm && \invariant_for(s);
      @   requires \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   ensures \invariant_for(s) && \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   assignable s.path[*], s.tlbDirty, vmm.kernelEpoch, vmm.current.kernelEpochSeen, vmm.tableFrames,
      @              vmm.owners.bits[*], vmm.owners.vmmTables[*], vmm.pmm.bitmap[*], vmm.pmm.nonEmpty[*],
      @              vmm.pmm.full[*], vmm.pmm.free, vmm.pmm.hint, vmm.pmm.hintBase, vmm.pmm.hintSegment, vmm.pmm.wordFree;
      @*/
    private void unmapRange(AddressSpace s, long lo, long hi) {
        long top = hi < VirtAddr.LOWER_HALF_END ? hi : VirtAddr.LOWER_HALF_END;
        Vmm v = vmm;
        Pmm pm = v.pmm();
        FrameOwnership ow = v.ownership();
        /*@ loop_invariant lo <= p && s.vmm == v && v.pmm == pm && v.owners == ow
          @   && \invariant_for(s) && \invariant_for(v) && \invariant_for(pm) && \invariant_for(ow);
          @ decreasing top - p + VirtAddr.PAGE_SIZE; // >= 0 also after the last step, when p may pass top
          @ assignable s.path[*], s.tlbDirty, v.kernelEpoch, v.current.kernelEpochSeen, v.tableFrames,
          @            ow.bits[*], ow.vmmTables[*], pm.bitmap[*], pm.nonEmpty[*],
          @            pm.full[*], pm.free, pm.hint, pm.hintBase, pm.hintSegment, pm.wordFree;
          @*/
        for (long p = lo; p < top; p = p + VirtAddr.PAGE_SIZE) {
            long f = s.unmap(p);
            if (f >= 0) {
                pm.freeFrame(f);
            }
        }
    }

    /** The #PF entry point the IDT calls: true when the fault was resolved and the access may be retried. */
    /*@ public normal_behavior
      @   requires installed == null || \invariant_for(installed);
      @   ensures \old(installed) == null ==> !\result;
      @*/
    public static boolean handlePageFault(long address, int errorCode) {
        if (installed == null) {
            Cpu.print("#PF with no pager installed at ");
            Cpu.printHex(address);
            Cpu.print("\n");
            return false;
        }
        return installed.handle(address, errorCode);
    }

    /*@ public normal_behavior
      @   ensures \result ==> servedFaults == \old(servedFaults) + 1;
      @   ensures !\result ==> refusedFaults == \old(refusedFaults) + 1;
      @*/
    public boolean handle(long address, int errorCode) {
        if (errorCode % 2 != 0) {
            return refuse(REASON_PROTECTION, address, errorCode);
        }
        AddressSpace target = vmm.current();
        if (address < 0) {
            target = vmm.kernelSpace();
        }
        if (target == null) {
            // Before adoptBootSpace the VMM has no space; no lazy region can exist yet, but the proof needs it said.
            return refuse(REASON_OUTSIDE, address, errorCode);
        }
        int r = -1;
        for (int i = 0; i < owner.length; i++) {
            if (owner[i] != 0 && owner[i] == target.id() && start[i] <= address && address < end[i]) {
                r = i;
            }
        }
        if (r < 0 || target.state() != AddressSpace.LIVE) {
            return refuse(REASON_OUTSIDE, address, errorCode);
        }
        long page = address - (((address % VirtAddr.PAGE_SIZE) + VirtAddr.PAGE_SIZE) % VirtAddr.PAGE_SIZE);
        long f = vmm.pmm().allocFrame();
        if (f < 0) {
            return refuse(REASON_NO_FRAME, address, errorCode);
        }
        Tables.zero(f);
        long m = target.map(page, f, flags[r], VirtAddr.PAGE_SIZE);
        if (m != Err.OK) {
            vmm.pmm().freeFrame(f);
            return refuse(REASON_NO_TABLE, address, errorCode);
        }
        servedFaults = servedFaults + 1;
        return true;
    }

    /** Console output takes literals only (kernel subset), so the reason is a code and each has its literal. */
    private boolean refuse(int reason, long address, int errorCode) {
        if (reason == REASON_PROTECTION) {
            Cpu.print("#PF protection violation (not a lazy page) at ");
        } else if (reason == REASON_OUTSIDE) {
            Cpu.print("#PF outside every lazy region at ");
        } else if (reason == REASON_NO_FRAME) {
            Cpu.print("#PF in a lazy region but no free frame at ");
        } else {
            Cpu.print("#PF in a lazy region but no frame for a page table at ");
        }
        Cpu.printHex(address);
        Cpu.print(" error code ");
        Cpu.printHex(errorCode);
        Cpu.print("\n");
        refusedFaults = refusedFaults + 1;
        return false;
    }
}
