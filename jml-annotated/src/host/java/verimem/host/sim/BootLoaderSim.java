package verimem.host.sim;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Layout;
import verimem.kernel.memmap.MemoryMap;

/**
 * Builds, in a {@link SimMachine}, the state a multiboot loader plus our boot stub hand to the kernel: long mode
 * with CR3 pointing at the boot stub's page tables, which live in the kernel image's .bss (so inside the
 * KERNEL_IMAGE carve-out of the map) and map
 * - an identity window of physical [0, 1 GiB) with 2 MiB pages (PML4[0] -> PDPT -> PD), and
 * - the kernel image at {@link Layout#KERNEL_BASE} with 4 KiB pages (PML4[511] -> PDPT[510] -> PD[0] -> PT).
 * Then {@link Cpu#install} connects the machine, so kernel code runs on it as it would after the boot stub.
 *
 * The six table frames are the last six frames of the kernel image; the image must be 4 KiB aligned at its start,
 * at most 2 MiB long and lie below 1 GiB (the boot stub's tables must be in the identity window).
 */
public final class BootLoaderSim {
    public static final long IDENTITY_WINDOW = 1L << 30;
    public static final int TABLE_FRAMES = 6;
    private static final long P = 1, W = 2, PS = 128;

    private final SimMachine machine;
    private final long kernelStart;
    private final long kernelEnd;
    private final long pml4;
    private final long[] tables = new long[TABLE_FRAMES];

    private BootLoaderSim(SimMachine machine, long kernelStart, long kernelEnd) {
        this.machine = machine;
        this.kernelStart = kernelStart;
        this.kernelEnd = kernelEnd;
        long firstTable = (kernelEnd / 4096) * 4096 - TABLE_FRAMES * 4096L;
        for (int i = 0; i < TABLE_FRAMES; i++) {
            tables[i] = firstTable + i * 4096L;
        }
        this.pml4 = tables[0];
    }

    /** Hands over a machine for this carved map; RAM reaches up to the highest address the map mentions. */
    public static BootLoaderSim handOver(MemoryMap carved) {
        long kStart = -1, kEnd = -1, top = IDENTITY_WINDOW;
        for (int i = 0; i < carved.count(); i++) {
            if (carved.type(i) == MemoryMap.KERNEL_IMAGE && kStart < 0) {
                kStart = carved.start(i);
                kEnd = carved.end(i);
            }
            top = Math.max(top, carved.end(i));
        }
        if (kStart < 0) {
            throw new IllegalArgumentException("map has no KERNEL_IMAGE carve-out");
        }
        if (kStart % 4096 != 0 || kEnd - kStart > (2L << 20) || kEnd > IDENTITY_WINDOW
                || kEnd - kStart < (TABLE_FRAMES + 1) * 4096L) {
            throw new IllegalArgumentException("kernel image must be aligned, 7 frames .. 2 MiB, below 1 GiB");
        }
        BootLoaderSim sim = new BootLoaderSim(new SimMachine(top), kStart, kEnd);
        sim.build();
        return sim;
    }

    private void build() {
        PhysicalMemory ram = machine.ram();
        long pdptLow = tables[1], pdLow = tables[2], pdptHigh = tables[3], pdHigh = tables[4], ptHigh = tables[5];
        ram.write64(pml4, pdptLow | P | W);
        ram.write64(pdptLow, pdLow | P | W);
        for (int i = 0; i < 512; i++) {
            ram.write64(pdLow + 8L * i, ((long) i << 21) | P | W | PS);
        }
        ram.write64(pml4 + 8L * Layout.KERNEL_SLOT, pdptHigh | P | W);
        ram.write64(pdptHigh + 8L * 510, pdHigh | P | W);
        ram.write64(pdHigh, ptHigh | P | W);
        long frames = (kernelEnd - kernelStart + 4095) / 4096;
        for (long f = 0; f < frames; f++) {
            // the whole image writable and executable: the boot stub does not split text and data
            ram.write64(ptHigh + 8 * f, (kernelStart + f * 4096) | P | W);
        }
        machine.loaderSetCr3(pml4);
        Cpu.install(machine);
    }

    public SimMachine machine() {
        return machine;
    }

    public long pml4() {
        return pml4;
    }

    /** Physical addresses of the boot stub's page tables (PML4 first). */
    public long[] tableFrames() {
        return tables.clone();
    }

    public long kernelStart() {
        return kernelStart;
    }

    public long kernelEnd() {
        return kernelEnd;
    }
}
