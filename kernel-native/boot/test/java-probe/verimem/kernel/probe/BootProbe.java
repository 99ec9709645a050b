package verimem.kernel.probe;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.memmap.Multiboot1;
import verimem.kernel.memmap.Multiboot2;

/**
 * TEST PROBE, not the kernel: the smallest Java entry that runs the real memory-map code (multiboot parse,
 * sanitise, carve-outs) through the AOT compiler inside the booted kernel, to test the Java entry seam end to
 * end. It prints the frames left usable after the carve-outs, which ci/boot-java-probe.sh checks independently,
 * and takes one real page fault into Java: it clears the present bit of the early mapping's last 2 MiB page,
 * touches it, and pageFault (the kernel's vm_page_fault) restores the entry so that the load resumes.
 */
public final class BootProbe {
    /** The 2 MiB page at the top of the boot stub's 1 GiB identity window (PML4[0] -> PDPT[0] -> PD[511]). */
    private static final long PROBE_PAGE = 0x3FE00000L;
    private static long savedPdeAddress;
    private static long savedPde;
    private static long faults;

    private BootProbe() {
    }

    /** Physical address of the next-level table an entry points to (flag bits dropped, NX never set here). */
    private static long next(long entry) {
        return entry / 4096 % 1099511627776L * 4096;
    }

    public static boolean pageFault(long cr2, long err) {
        if (savedPdeAddress == 0 || cr2 < PROBE_PAGE || cr2 >= PROBE_PAGE + 2097152L) {
            return false;
        }
        faults = faults + 1;
        Cpu.store64(savedPdeAddress, savedPde);
        Cpu.invlpg(cr2);
        Cpu.print("java: page fault at ");
        Cpu.printHex(cr2);
        Cpu.print(" handled in Java, load resumed\n");
        return true;
    }

    private static void faultRoundTrip() {
        long pdpt = next(Cpu.load64(next(Cpu.readCr3())));
        long pd = next(Cpu.load64(pdpt));
        savedPdeAddress = pd + 511 * 8;
        savedPde = Cpu.load64(savedPdeAddress);
        if (savedPde % 2 != 1) {
            throw new KernelPanic("java probe: probe page not present to begin with");
        }
        Cpu.store64(savedPdeAddress, savedPde - 1);
        Cpu.invlpg(PROBE_PAGE);
        Cpu.load64(PROBE_PAGE + 8);
        if (faults != 1) {
            throw new KernelPanic("java probe: expected exactly one page fault");
        }
        savedPdeAddress = 0;
    }

    public static void main(long magic, long info, long kernelStart, long kernelEnd) {
        MemoryMap raw = new MemoryMap();
        MemoryMap modules = new MemoryMap();
        MemoryMap scratch = new MemoryMap();
        MemoryMap sanitised = new MemoryMap();
        MemoryMap carve = new MemoryMap();
        MemoryMap usable = new MemoryMap();
        long infoEnd = info + 4096;
        if (magic == 0x36D76289L) {
            long total = Multiboot2.parse(info, raw, modules);
            if (total < 0) {
                throw new KernelPanic("java probe: bad multiboot2 info");
            }
            infoEnd = info + total;
        } else if (Multiboot1.parse(info, 0, raw) < 0) {
            throw new KernelPanic("java probe: bad multiboot1 info");
        }
        if (MapSanitiser.sanitise(raw, scratch, sanitised) < 0) {
            throw new KernelPanic("java probe: sanitiser failed");
        }
        if (CarveOuts.standard(carve, kernelStart, kernelEnd, info, infoEnd, modules) < 0) {
            throw new KernelPanic("java probe: carve-outs failed");
        }
        if (CarveOuts.apply(sanitised, carve, scratch, usable) < 0) {
            throw new KernelPanic("java probe: carve-out apply failed");
        }
        Cpu.print("java: boot-info [");
        Cpu.printHex(info);
        Cpu.print(", ");
        Cpu.printHex(infoEnd);
        Cpu.print(")\n");
        long frames = 0;
        for (int i = 0; i < usable.count(); i++) {
            if (usable.type(i) == MemoryMap.USABLE) {
                Cpu.print("java: usable [");
                Cpu.printHex(usable.start(i));
                Cpu.print(", ");
                Cpu.printHex(usable.end(i));
                Cpu.print(")\n");
                frames = frames + (usable.end(i) - usable.start(i)) / 4096;
            }
        }
        Cpu.print("java: frames after carve-outs: ");
        Cpu.printDec(frames);
        Cpu.print("\n");
        faultRoundTrip();
    }
}
