/* TEMPORARY stand-in for the AOT-compiled Java kernel (build without AOT=...): prints the boot memory map and
 * the kernel image range, runs a self-check of the glue, and triggers a fault when the command line asks for
 * one (verimem.panic=CASE). It carries none of the memory manager; that is Java's job. */
#include "boot.h"

#define MB1_MAGIC 0x2BADB002
#define MB2_MAGIC 0x36D76289
#define MIB (1024L * 1024)
#define MIN_USABLE (16 * MIB)

static const char *cmdline = "";
static int64_t usable_frames;

static int64_t ld32(int64_t a) { return vm_load32(a); }

static void entry(int64_t base, int64_t len, int64_t type) {
    vm_print("mmap: base=");
    vm_print_hex(base);
    vm_print(" len=");
    vm_print_hex(len);
    vm_print(" type=");
    vm_print_dec(type);
    vm_print("\n");
    uint64_t lo = (uint64_t)base < MIB ? MIB : (uint64_t)base, hi = (uint64_t)base + (uint64_t)len;
    lo = (lo + 4095) & ~4095UL;
    hi &= ~4095UL;
    if (type == 1 && hi > lo) usable_frames += (int64_t)((hi - lo) / 4096);
}

static void read_mb2(int64_t info) {
    int64_t end = info + ld32(info);
    vm_print("boot-info: multiboot2 [");
    vm_print_hex(info);
    vm_print(", ");
    vm_print_hex(end);
    vm_print(")\n");
    for (int64_t t = info + 8; t < end; t += (ld32(t + 4) + 7) & ~7L) {
        int64_t type = ld32(t), size = ld32(t + 4);
        if (type == 0) break;
        if (type == 1) cmdline = (const char *)(t + 8);
        if (type == 6)
            for (int64_t e = t + 16; e < t + size; e += ld32(t + 8))
                entry(vm_load64(e), vm_load64(e + 8), ld32(e + 16));
    }
}

static void read_mb1(int64_t info) {
    int64_t flags = ld32(info);
    vm_print("boot-info: multiboot1 at ");
    vm_print_hex(info);
    vm_print("\n");
    if (flags & 4) cmdline = (const char *)ld32(info + 16);
    if (!(flags & 64)) vm_panic("multiboot1: no memory map");
    int64_t addr = ld32(info + 48), end = addr + ld32(info + 44);
    for (int64_t e = addr; e < end; e += ld32(e) + 4)
        entry(vm_load64(e + 4), vm_load64(e + 12), ld32(e + 20));
}

static int cmdline_has(const char *word) {
    for (const char *p = cmdline; *p; p++) {
        int i = 0;
        while (word[i] && p[i] == word[i]) i++;
        if (!word[i] && (p[i] == 0 || p[i] == ' ')) return 1;
    }
    return 0;
}

static void check(int ok, const char *what) {
    if (!ok) vm_panic(what);
}

static void self_check(int64_t kernel_start) {
    static volatile int64_t probe;
    /* The image is mapped twice: at -2 GiB and through the identity window. Both must reach the same frame. */
    int64_t phys = (int64_t)((uint64_t)&probe - KERNEL_VMA);
    vm_store64((int64_t)&probe, 0x1234567890abcdefL);
    check(vm_load64(phys) == 0x1234567890abcdefL, "self-check: identity and kernel mappings disagree");
    vm_store64(phys, -1);
    check(probe == -1 && vm_load32(phys) == 0xFFFFFFFFL && vm_load8(phys) == 0xFF, "self-check: load widths");
    check(kernel_start == 0x100000, "self-check: kernel not loaded at 1 MiB");
    vm_invlpg((int64_t)&probe);
    vm_write_cr3(vm_read_cr3());
    check(probe == -1, "self-check: mapping lost after TLB flush");
    static char arena[256] __attribute__((aligned(8)));
    vm_arena_init(arena, sizeof arena);
    char *a = vm_alloc(10, "self-check"), *b = vm_alloc(100, "self-check");
    check(((uint64_t)a & 7) == 0 && b >= a + 10 && ((uint64_t)b & 7) == 0, "self-check: arena placement");
    memset(a, 7, 10);
    memcpy(b, a, 10);
    check(b[0] == 7 && b[9] == 7 && b[10] == 0, "self-check: mem functions");
}

void placeholder_kernel_main(int64_t magic, int64_t info, int64_t kernel_start, int64_t kernel_end) {
    vm_print("verimem: C placeholder kernel (the Java memory manager is not linked in)\n");
    if (magic == MB2_MAGIC) read_mb2(info);
    else if (magic == MB1_MAGIC) read_mb1(info);
    else vm_panic("bad multiboot magic");
    vm_print("kernel-image: [");
    vm_print_hex(kernel_start);
    vm_print(", ");
    vm_print_hex(kernel_end);
    vm_print(")\ncmdline: ");
    vm_print(cmdline);
    vm_print("\nusable-frames-above-1MiB: ");
    vm_print_dec(usable_frames);
    vm_print("\n");
    self_check(kernel_start);
    vm_print("self-check: passed\n");
    if (cmdline_has("verimem.panic=page-fault")) vm_load64(0x40000000L);    /* first byte past the window */
    if (cmdline_has("verimem.panic=gp")) vm_load64((int64_t)0x8000000000000000UL);  /* non-canonical */
    if (cmdline_has("verimem.panic=ud")) __asm__ volatile("ud2");
    if (cmdline_has("verimem.panic=stack-overflow"))   /* #PF cannot push its frame -> #DF on IST1 */
        __asm__ volatile("mov $0x40001000, %%rsp; push $0" : : : "memory");
    if (cmdline_has("verimem.panic=triple-fault")) {   /* runner self-test: no IDT at all -> reset */
        struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = {0, 0};
        __asm__ volatile("lidt %0; int3" : : "m"(none));
    }
    if (cmdline_has("verimem.panic=hang"))              /* runner self-test: never reach a verdict */
        for (;;) __asm__ volatile("cli; hlt");
    if (usable_frames * 4096 < MIN_USABLE) vm_panic("too little memory");
}
