package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.prepmm.PrePmm;
import verimem.kernel.vmm.Tables;

/**
 * The kernel image's sections, as physical addresses the linker script exports through the boot glue, and the
 * W^X mapping of the image at Layout.KERNEL_BASE: text read-only and executable, rodata read-only and NX, data and
 * bss writable and NX, all with 4 KiB pages. Nothing else of the 2 MiB blocks the image touches stays mapped there.
 *
 * Why a remap: the boot stub maps the image with writable 2 MiB pages (one PD, no PT: the trusted assembly stays
 * small). remap() builds one PT per 2 MiB block beside the live tables, through the direct map, and only then
 * swaps the block's PD entry to it: one store per block, and both translations of every text and stack page
 * reach the same frame, so the code running from the image never sees a half-built table.
 */
public final class KernelImage {
    public static final long PAGE = 4096L;
    public static final long LARGE = 2097152L;
    /** Most 2 MiB blocks the image may span (16 MiB): the PTs are kept in a fixed array. */
    public static final int MAX_BLOCKS = 8;
    public static final long TEXT = Pte.PRESENT;
    public static final long RODATA = Pte.PRESENT + Pte.NO_EXECUTE;
    public static final long DATA = Pte.PRESENT + Pte.WRITABLE + Pte.NO_EXECUTE;
    private static final long TABLE_FLAGS = Pte.PRESENT + Pte.WRITABLE;
    private static final int KERNEL_PDPT_INDEX = 510; // -2 GiB = PML4[511], PDPT[510]

    private final long start;
    private final long textEnd;
    private final long rodataEnd;
    private final long end;
    private final long[] tables = new long[MAX_BLOCKS];
    private int remapped;

    /** start, textEnd, rodataEnd, end: physical, from _kernel_start, _text_end, _rodata_end, _kernel_end. */
    public KernelImage(long start, long textEnd, long rodataEnd, long end) {
        this.start = start;
        this.textEnd = textEnd;
        this.rodataEnd = rodataEnd;
        this.end = end;
    }

    /**
     * Bounds the remap can honour: start, textEnd and rodataEnd page aligned, start < textEnd <= rodataEnd <= end,
     * the whole image below 1 GiB (the -2 GiB mapping covers one PD) and at most MAX_BLOCKS blocks long.
     */
    public boolean valid() {
        return start >= 0 && start % PAGE == 0 && textEnd % PAGE == 0 && rodataEnd % PAGE == 0 && start < textEnd
                && textEnd <= rodataEnd && rodataEnd <= end && end <= 1073741824L
                && (end - 1) / LARGE - start / LARGE < MAX_BLOCKS;
    }

    /** Leaf flags the image mapping gives the 4 KiB page at physical pa; 0 outside the image (not mapped). */
    public long leafFlags(long pa) {
        if (pa < start || pa >= end) {
            return 0;
        }
        if (pa < textEnd) {
            return TEXT;
        }
        if (pa < rodataEnd) {
            return RODATA;
        }
        return DATA;
    }

    /**
     * Replaces the boot stub's mapping of the image by the W^X one. The PTs are pre-PMM page-table frames (the
     * hand-off check counts them), written through the direct map, which must cover the image and the frames.
     * Err.OK; Err.INVALID_ARGUMENT (bounds, or no PML4[511] -> PDPT[510] -> PD chain in CR3, or done already)
     * and Err.NO_MEMORY change nothing (frames taken so far are given back).
     */
    public long remap(PrePmm pre) {
        if (!valid() || remapped > 0) {
            return Err.INVALID_ARGUMENT;
        }
        long pd = kernelPd();
        if (pd < 0) {
            return Err.INVALID_ARGUMENT;
        }
        int first = (int) (start / LARGE);
        int blocks = (int) ((end - 1) / LARGE) - first + 1;
        for (int b = 0; b < blocks; b++) {
            long pt = pre.allocFrame(PrePmm.PAGE_TABLE);
            if (pt < 0) {
                for (int k = 0; k < b; k++) {
                    if (pre.free(tables[k]) != Err.OK) {
                        throw new KernelPanic("kernel image: could not return a page table");
                    }
                }
                return Err.NO_MEMORY;
            }
            tables[b] = pt;
            long base = (first + b) * LARGE;
            for (int i = 0; i < 512; i++) {
                long pa = base + i * PAGE;
                long flags = leafFlags(pa);
                Tables.write(pt, i, flags == 0 ? 0 : Pte.make(pa, flags));
            }
        }
        for (int b = 0; b < blocks; b++) {
            Tables.write(pd, first + b, Pte.make(tables[b], TABLE_FLAGS));
        }
        Cpu.writeCr3(Cpu.readCr3()); // no global pages yet: the reload drops every stale 2 MiB translation
        remapped = blocks;
        return Err.OK;
    }

    /** Physical address of the PD behind Layout.KERNEL_BASE, or Err.INVALID_ARGUMENT. */
    private static long kernelPd() {
        long pml4 = Pte.frame(Cpu.readCr3());
        long e4 = Tables.read(pml4, Layout.KERNEL_SLOT);
        if (!Pte.isPresent(e4)) {
            return Err.INVALID_ARGUMENT;
        }
        long e3 = Tables.read(Pte.frame(e4), KERNEL_PDPT_INDEX);
        if (!Pte.isPresent(e3) || Pte.has(e3, Pte.BIT_HUGE)) {
            return Err.INVALID_ARGUMENT;
        }
        return Pte.frame(e3);
    }

    /** PT frames remap() linked (one per 2 MiB block of the image), 0 before. */
    public int remappedBlocks() {
        return remapped;
    }

    public long start() {
        return start;
    }

    public long textEnd() {
        return textEnd;
    }

    public long rodataEnd() {
        return rodataEnd;
    }

    public long end() {
        return end;
    }
}
