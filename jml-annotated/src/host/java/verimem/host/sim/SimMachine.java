package verimem.host.sim;

import verimem.kernel.arch.Machine;

/**
 * The simulated x86-64 machine the kernel code runs on under JUnit: physical RAM, CR3, the MMU and a TLB.
 * Every kernel load and store goes TLB -> page walk -> permission check, so an access to an unmapped page, a
 * write through a read-only mapping or a use of a stale translation behaves as on hardware.
 *
 * A page fault first goes to the installed {@link FaultHandler} (the kernel's #PF entry), and the access is
 * retried once if the handler says it resolved the fault, as the CPU re-executes the faulting instruction. A
 * fault raised while the handler runs is a double fault: a {@link MachineError}.
 */
public final class SimMachine implements Machine {
    /** The kernel's page-fault entry point, as the IDT would call it. */
    @FunctionalInterface
    public interface FaultHandler {
        boolean onPageFault(long address, int errorCode);
    }

    private static final long NO_FLUSH = Long.MIN_VALUE;
    private final PhysicalMemory ram;
    private final Mmu mmu;
    private final Tlb tlb = new Tlb();
    private final StringBuilder console = new StringBuilder();
    private long cr3;
    private boolean echo;
    private FaultHandler faultHandler;
    private boolean inFaultHandler;
    private long loads;
    private long stores;
    private long faults;

    public SimMachine(long ramBytes) {
        this.ram = new PhysicalMemory(ramBytes);
        this.mmu = new Mmu(ram);
    }

    public PhysicalMemory ram() {
        return ram;
    }

    public Tlb tlb() {
        return tlb;
    }

    public Mmu mmu() {
        return mmu;
    }

    public void setFaultHandler(FaultHandler h) {
        this.faultHandler = h;
    }

    /** Copy console output to System.out as well. */
    public void setEcho(boolean echo) {
        this.echo = echo;
    }

    public String console() {
        return console.toString();
    }

    public long loads() {
        return loads;
    }

    public long stores() {
        return stores;
    }

    public long faults() {
        return faults;
    }

    public int pcid() {
        return (int) (cr3 & 0xFFF);
    }

    /** Translation the CPU would use for this access right now (TLB first), taking page faults on the way. */
    public long translate(long va, Access access, boolean userMode) {
        try {
            return translateOnce(va, access, userMode);
        } catch (PageFault pf) {
            faults++;
            if (faultHandler == null) {
                throw pf;
            }
            if (inFaultHandler) {
                throw new MachineError("double fault: " + pf.getMessage());
            }
            boolean resolved;
            inFaultHandler = true;
            try {
                resolved = faultHandler.onPageFault(pf.address(), pf.errorCode());
            } finally {
                inFaultHandler = false;
            }
            if (!resolved) {
                throw pf;
            }
            return translateOnce(va, access, userMode);
        }
    }

    private long translateOnce(long va, Access access, boolean userMode) {
        int pcid = pcid();
        Translation t = tlb.lookup(pcid, va);
        if (t != null) {
            try {
                Mmu.check(t, va, access, userMode, errorBits(access, userMode));
                return t.physical(va);
            } catch (PageFault pf) {
                tlb.drop(pcid, va);
                throw pf;
            }
        }
        t = mmu.walk(cr3, va, access, userMode);
        tlb.insert(pcid, t);
        return t.physical(va);
    }

    private static int errorBits(Access access, boolean userMode) {
        return (access == Access.WRITE ? PageFault.ERR_WRITE : 0) | (userMode ? PageFault.ERR_USER : 0)
                | (access == Access.FETCH ? PageFault.ERR_FETCH : 0);
    }

    // ---- Machine: what kernel code sees (supervisor mode) ----

    @Override
    public long load64(long va) {
        loads++;
        return ram.read64(translate(va, Access.READ, false));
    }

    @Override
    public void store64(long va, long value) {
        stores++;
        ram.write64(translate(va, Access.WRITE, false), value);
    }

    @Override
    public int load32(long va) {
        loads++;
        return ram.read32(translate(va, Access.READ, false));
    }

    @Override
    public int load8(long va) {
        loads++;
        return ram.read8(translate(va, Access.READ, false));
    }

    @Override
    public long readCr3() {
        return cr3;
    }

    /** mov cr3: bit 63 set keeps the new PCID's TLB entries (CR4.PCIDE=1); the bit itself is not stored. */
    @Override
    public void writeCr3(long value) {
        boolean keep = (value & NO_FLUSH) != 0;
        cr3 = value & ~NO_FLUSH;
        if (!keep) {
            tlb.flushPcid(pcid());
        }
    }

    @Override
    public void invlpg(long va) {
        tlb.invalidatePage(pcid(), va);
    }

    @Override
    public void print(String literal) {
        emit(literal);
    }

    @Override
    public void printHex(long value) {
        emit("0x" + Long.toHexString(value));
    }

    @Override
    public void printDec(long value) {
        emit(Long.toString(value));
    }

    private void emit(String s) {
        console.append(s);
        if (echo) {
            System.out.print(s);
        }
    }

    // ---- host-side probes for tests (not reachable from kernel code) ----

    /** A user-mode (CPL 3) access, for isolation tests. */
    public long userLoad64(long va) {
        return ram.read64(translate(va, Access.READ, true));
    }

    public void userStore64(long va, long value) {
        ram.write64(translate(va, Access.WRITE, true), value);
    }

    /** An instruction fetch at va, user or supervisor, for W^X tests. */
    public void fetch(long va, boolean userMode) {
        translate(va, Access.FETCH, userMode);
    }

    /** What a fresh walk of the current tables says, ignoring the TLB; null when not mapped. */
    public Translation walkNow(long va) {
        try {
            return mmu.walk(cr3, va, Access.READ, false);
        } catch (PageFault pf) {
            return null;
        }
    }

    /** Sets CR3 without touching the TLB, as a boot loader hands over (tests use it to build initial state). */
    public void loaderSetCr3(long value) {
        cr3 = value;
        tlb.flushAll();
    }
}
