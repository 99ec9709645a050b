package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.vmm.DemandPager;
import verimem.kernel.vmm.Tables;
import verimem.kernel.vmm.Vmm;

/**
 * The kernel proper: the boot glue (kernel-native/boot/kmain.c) calls main once, in long mode on the loader's
 * early mapping, and reports success when it returns. Every stage prints what it did on the serial console:
 * 1. the firmware map, sanitised and carved ({@link BootMaps});
 * 2. the physical bootstrap: recursive slot, direct map (pre-PMM page tables; kernel text and rodata read-only),
 *    the kernel image remapped W^X at -2 GiB ({@link KernelImage}), PMM metadata, PMM hand-off, and the hand-off
 *    check of the frame partition ({@link Bootstrap}, {@link HandOffCheck});
 * 3. the kernel's own allocation arena in PMM frames, the identity window dropped, the VMM adopting the boot
 *    PML4 as the kernel space, the demand pager installed;
 * 4. self-tests of the PMM, the VMM, the heaps, demand paging, API misuse and the kernel image's protection
 *    ({@link ImageProtectionSelfTest}), each ending with exact frame accounting;
 * 5. the frame partition once more, with the VMM's tables and the arena as owners ({@link EndStateCheck}).
 * Any failure panics with a message (the glue prints it and exits QEMU with the failure code).
 *
 * Objects are created in the boot arena (kmain.c) until the PMM exists, then in an arena of PMM frames.
 */
public final class KernelMain {
    /** Fewest usable frames the kernel boots with: PMM metadata, page tables, its arena and the self-tests. */
    public static final long MIN_USABLE_FRAMES = 4096;
    /** Slack in the kernel arena beyond the VMM's two frame bitmaps: the objects and arrays of stage 3 and 4. */
    public static final long ARENA_SLACK = 262144L;
    public static final int PCIDS = 64;

    /** Command-line words of the deliberate-failure cases of `./verimem boot --expect-panic`. */
    private static final byte[] NO_RAM_ABOVE_1M = {'v', 'e', 'r', 'i', 'm', 'e', 'm', '.', 'p', 'a', 'n', 'i', 'c',
        '=', 'n', 'o', '-', 'r', 'a', 'm', '-', 'a', 'b', 'o', 'v', 'e', '-', '1', 'm'};
    private static final byte[] TOUCH_OUTSIDE_LAZY = {'v', 'e', 'r', 'i', 'm', 'e', 'm', '.', 'p', 'a', 'n', 'i',
        'c', '=', 't', 'o', 'u', 'c', 'h', '-', 'o', 'u', 't', 's', 'i', 'd', 'e', '-', 'l', 'a', 'z', 'y'};

    private static final byte[] WRITABLE_TEXT = {'v', 'e', 'r', 'i', 'm', 'e', 'm', '.', 'p', 'a', 'n', 'i', 'c',
        '=', 'w', 'r', 'i', 't', 'a', 'b', 'l', 'e', '-', 't', 'e', 'x', 't'};

    private static final byte[] SOAK = {'v', 'e', 'r', 'i', 'm', 'e', 'm', '.', 's', 'o', 'a', 'k', '='};
    private static final byte[] MMAP = {'v', 'e', 'r', 'i', 'm', 'e', 'm', '.', 'm', 'm', 'a', 'p', '='};
    /** Most soak operations one boot accepts (a typo must not make a boot run for hours). */
    public static final long MAX_SOAK_OPS = 100000000L;

    private KernelMain() {
    }

    /**
     * The #PF hook of the boot glue: true when the access may retry, because it was the image self-test's
     * expected write to kernel text (recovered by that test) or the demand pager resolved it.
     */
    public static boolean pageFault(long cr2, long err) {
        if (ImageProtectionSelfTest.onPageFault(cr2, err)) {
            return true;
        }
        return DemandPager.handlePageFault(cr2, (int) (err % 65536));
    }

    /**
     * Entry from the boot glue: multiboot magic, physical address of the boot info, and the image's physical
     * layout from link.ld: [kernelStart, textEnd) text, [textEnd, rodataEnd) rodata, [rodataEnd, kernelEnd) data
     * and bss.
     */
    public static void main(long magic, long info, long kernelStart, long kernelEnd, long textEnd, long rodataEnd) {
        if (magic != BootMaps.MB1_MAGIC && magic != BootMaps.MB2_MAGIC) {
            throw new KernelPanic("bad multiboot magic");
        }
        Cpu.print("verimem: Java kernel (verimem.kernel.boot.KernelMain, AOT-compiled)\n");
        // Read the command line first: it may lie in a frame the PMM hands out (QEMU's multiboot1 puts it right
        // after the kernel image), and it is reached through the identity window, which goes away in stage 3.
        long cmdline = CommandLine.find(magic, info);
        boolean noRamAbove1m = CommandLine.hasWord(cmdline, NO_RAM_ABOVE_1M);
        boolean touchOutsideLazy = CommandLine.hasWord(cmdline, TOUCH_OUTSIDE_LAZY);
        boolean writableText = CommandLine.hasWord(cmdline, WRITABLE_TEXT); // test of the image self-test
        long soakOps = CommandLine.numberAfter(cmdline, SOAK);
        if (soakOps > MAX_SOAK_OPS) {
            throw new KernelPanic("verimem.soak: too many operations");
        }
        BootMaps maps = new BootMaps();
        long craftedMap = CraftedMap.parse(cmdline, MMAP, maps.crafted());
        if (craftedMap == Err.BAD_MEMORY_MAP) {
            throw new KernelPanic("verimem.mmap: malformed crafted memory map");
        }
        maps.read(magic, info);
        if (craftedMap == Err.OK) {
            maps.useCrafted();
        }
        if (noRamAbove1m) {
            maps.clipRawBelow(1048576L);
        }
        maps.sanitiseAndCarve(info, kernelStart, kernelEnd);
        MemoryMap map = maps.carved();
        long usable = MapInvariants.usableFrames(map);
        Cpu.print("usable frames after carve-outs: ");
        Cpu.printDec(usable);
        Cpu.print("\n");
        if (usable == 0) {
            throw new KernelPanic("no usable RAM above 1 MiB");
        }
        if (usable < MIN_USABLE_FRAMES) {
            throw new KernelPanic("too little memory");
        }

        KernelImage image = new KernelImage(kernelStart, textEnd, rodataEnd, kernelEnd);
        if (!image.valid()) {
            throw new KernelPanic("kernel image: bad section bounds");
        }
        Bootstrap boot = new Bootstrap(map);
        HandOffCheck check = new HandOffCheck();
        DirectMap direct = new DirectMap();
        if (boot.mapper().installRecursiveSlot() != Err.OK) {
            throw new KernelPanic("early mapper: recursive slot refused");
        }
        if (!writableText) {
            direct.readOnly(kernelStart, rodataEnd);
        }
        if (direct.build(map, boot.mapper()) != Err.OK) {
            throw new KernelPanic("direct map: early mapper failed");
        }
        Cpu.print("direct map: ");
        Cpu.printDec(direct.largePages());
        Cpu.print(" x 2 MiB + ");
        Cpu.printDec(direct.smallPages());
        Cpu.print(" x 4 KiB pages at ");
        Cpu.printHex(Layout.DIRECT_MAP_BASE);
        Cpu.print("\n");
        protectImage(image, boot, writableText);
        if (boot.run() != Err.OK) {
            throw new KernelPanic("bootstrap failed");
        }
        Cpu.print("pmm metadata: ");
        Cpu.printDec(boot.metadataPages());
        Cpu.print(" frames at ");
        Cpu.printHex(boot.metadataPhysical());
        Cpu.print(", mapped at ");
        Cpu.printHex(Bootstrap.METADATA_START);
        Cpu.print("\n");
        // The check runs before anything is taken from the PMM: then usable = free + tables + metadata exactly.
        if (boot.checkAndReport(check) != Err.OK) {
            throw new KernelPanic("hand-off check failed");
        }
        Cpu.print("hand-off check: passed: usable=");
        Cpu.printDec(check.usableFrames());
        Cpu.print(" free=");
        Cpu.printDec(check.freeFrames());
        Cpu.print(" page-tables=");
        Cpu.printDec(check.pageTableFrames());
        Cpu.print(" metadata=");
        Cpu.printDec(check.metadataFrames());
        Cpu.print(" early-data=");
        Cpu.printDec(check.earlyDataFrames());
        Cpu.print("\n");
        Pmm pmm = boot.pmm();

        long ramEnd = maps.ramEnd();
        long arenaBytes = 2 * 8 * (ramEnd / Pmm.FRAME / 64 + 2) + ARENA_SLACK;
        int order = 0;
        while ((Pmm.FRAME << order) < arenaBytes) {
            order = order + 1;
        }
        long arena = pmm.allocAligned(order);
        if (arena < 0) {
            throw new KernelPanic("too little memory");
        }
        Cpu.arenaInit(Layout.directMap(arena), Pmm.FRAME << order);
        Cpu.print("kernel arena: ");
        Cpu.printDec(1L << order);
        Cpu.print(" frames at ");
        Cpu.printHex(arena);
        Cpu.print("\n");

        dropIdentityWindow();
        Vmm vmm = new Vmm(pmm, ramEnd, PCIDS);
        long freeBeforeVmm = pmm.freeFrames();
        if (vmm.adoptBootSpace() != Err.OK) {
            throw new KernelPanic("vmm: could not adopt the boot address space");
        }
        if (vmm.ownership().markRange(kernelStart / Pmm.FRAME * Pmm.FRAME, kernelEnd) != Err.OK
                || vmm.ownership().markRange(boot.metadataPhysical(),
                        boot.metadataPhysical() + boot.metadataPages() * Pmm.FRAME) != Err.OK
                || vmm.ownership().markRange(arena, arena + (Pmm.FRAME << order)) != Err.OK) {
            throw new KernelPanic("vmm: could not mark kernel frames");
        }
        Cpu.print("vmm: kernel space = boot PML4 at ");
        Cpu.printHex(vmm.kernelSpace().pml4());
        Cpu.print(", ");
        Cpu.printDec(freeBeforeVmm - pmm.freeFrames());
        Cpu.print(" PDPTs created for the shared kernel half, recursive slot kept: ");
        Cpu.printDec(vmm.hasRecursiveSlot() ? 1 : 0);
        Cpu.print("\n");
        DemandPager pager = new DemandPager(vmm, 8);
        DemandPager.install(pager);
        PhysSelfTest phys = new PhysSelfTest(4096);
        VmmSelfTest virt = new VmmSelfTest(vmm);
        HeapSelfTest heap = new HeapSelfTest(vmm);
        DemandPagingSelfTest lazy = new DemandPagingSelfTest(pager, vmm);
        MisuseSelfTest misuse = new MisuseSelfTest(vmm);
        SoakSelfTest soak = new SoakSelfTest(vmm);
        ImageProtectionSelfTest imageTest = new ImageProtectionSelfTest(image);
        EndStateCheck end = new EndStateCheck();
        long settled = pmm.freeFrames();

        phys.run(pmm, kernelStart, boot.metadataPhysical());
        virt.run(vmm, kernelStart);
        heap.run(vmm);
        lazy.run(vmm, touchOutsideLazy);
        misuse.run(vmm, kernelStart);
        long scratch = pmm.allocFrame();
        if (scratch < 0) {
            throw new KernelPanic("too little memory");
        }
        imageTest.run(scratch);
        if (pmm.freeFrame(scratch) != Err.OK) {
            throw new KernelPanic("self-test failed: image scratch frame");
        }
        if (soakOps > 0) {
            soak.run(vmm, soakOps);
        }
        if (pmm.freeFrames() != settled) {
            throw new KernelPanic("frames leaked by the self-tests");
        }
        Cpu.print("summary: usable=");
        Cpu.printDec(check.usableFrames());
        Cpu.print(" free-after-handoff=");
        Cpu.printDec(check.freeFrames());
        Cpu.print(" free-now=");
        Cpu.printDec(pmm.freeFrames());
        Cpu.print(" (arena ");
        Cpu.printDec(1L << order);
        Cpu.print(", vmm tables ");
        Cpu.printDec(vmm.tableFrames());
        Cpu.print(") page-faults-served=");
        Cpu.printDec(pager.servedFaults());
        Cpu.print("\n");
        if (check.freeFrames() - pmm.freeFrames() != (1L << order) + vmm.tableFrames()) {
            throw new KernelPanic("frame accounting does not add up");
        }
        if (!end.run(map, boot.prePmm(), vmm, arena, arena + (Pmm.FRAME << order))) {
            throw new KernelPanic("end-state frame partition broken");
        }
        Cpu.print("verimem: all checks passed\n");
    }

    /**
     * The kernel image W^X at -2 GiB (the direct map's alias of text and rodata is read-only already), and the
     * console line saying so. writableText (verimem.panic=writable-text) keeps the boot stub's writable mapping so
     * the image self-test can show that it notices.
     */
    private static void protectImage(KernelImage image, Bootstrap boot, boolean writableText) {
        if (writableText) {
            Cpu.print("kernel image: left writable as the boot stub mapped it (verimem.panic=writable-text)\n");
            return;
        }
        if (image.remap(boot.prePmm()) != Err.OK) {
            throw new KernelPanic("kernel image: W^X remap failed");
        }
        Cpu.print("kernel image: text [");
        Cpu.printHex(image.start());
        Cpu.print(", ");
        Cpu.printHex(image.textEnd());
        Cpu.print(") r-x, rodata [");
        Cpu.printHex(image.textEnd());
        Cpu.print(", ");
        Cpu.printHex(image.rodataEnd());
        Cpu.print(") r--, data+bss [");
        Cpu.printHex(image.rodataEnd());
        Cpu.print(", ");
        Cpu.printHex(image.end());
        Cpu.print(") rw- NX, 4 KiB pages at -2 GiB (");
        Cpu.printDec(image.remappedBlocks());
        Cpu.print(" PT); direct map: text and rodata r--\n");
    }

    /**
     * Removes the loader's identity window (PML4 slot 0): from here on physical memory is reached only through
     * the direct map. The CR3 reload flushes the window's translations.
     */
    private static void dropIdentityWindow() {
        long pml4 = Pte.frame(Cpu.readCr3());
        Tables.write(pml4, 0, 0);
        Cpu.writeCr3(Cpu.readCr3());
        Cpu.print("identity window dropped: physical memory only through the direct map now\n");
    }
}
