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
 * end. It prints the frames left usable after the carve-outs, which ci/boot-java-probe.sh checks independently.
 */
public final class BootProbe {
    private BootProbe() {
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
    }
}
