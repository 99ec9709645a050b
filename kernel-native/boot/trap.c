/* Exceptions: a GDT with a TSS (so #DF runs on its own stack even when the kernel stack is gone), the IDT for
 * vectors 0..31, and trap(), which hands page faults to vm_page_fault and turns everything else into a panic. */
#include "boot.h"

struct frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, err, rip, cs, rflags, rsp, ss;
};

struct __attribute__((packed)) tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
};

struct __attribute__((packed)) table_ptr {
    uint16_t limit;
    uint64_t base;
};

extern const uint64_t isr_table[32];
static struct tss tss;
static uint64_t gdt[5];
static uint64_t idt[64];                           /* 32 gates of 16 bytes */
static uint8_t df_stack[16384] __attribute__((aligned(16)));

static const char *const names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range exceeded", "invalid opcode",
    "device not available", "double fault", "coprocessor segment overrun", "invalid TSS",
    "segment not present", "stack-segment fault", "general protection fault", "page fault", "reserved",
    "x87 floating-point error", "alignment check", "machine check", "SIMD floating-point error",
    "virtualization exception", "control protection exception",
};

__attribute__((weak)) int vm_page_fault(uint64_t cr2, uint64_t err) {
    (void)cr2;
    (void)err;
    return 0;
}

void trap(struct frame *f) {
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    if (f->vector == 14 && vm_page_fault(cr2, f->err)) return;
    vm_print("\ntrap: vector=");
    vm_print_dec((int64_t)f->vector);
    vm_print(" err=");
    vm_print_hex((int64_t)f->err);
    vm_print(" rip=");
    vm_print_hex((int64_t)f->rip);
    vm_print(" rsp=");
    vm_print_hex((int64_t)f->rsp);
    vm_print(" cr2=");
    vm_print_hex((int64_t)cr2);
    vm_print("\n");
    if (f->vector == 14) vm_panic("unhandled page fault");
    vm_panic(names[f->vector] ? names[f->vector] : "reserved exception");
}

void trap_init(void) {
    uint64_t t = (uint64_t)&tss;
    tss.ist[0] = (uint64_t)(df_stack + sizeof df_stack);
    tss.iomap_base = sizeof tss;
    gdt[1] = 0x00AF9A000000FFFFUL;                 /* same selectors as the boot GDT: 0x08 code, 0x10 data */
    gdt[2] = 0x00CF92000000FFFFUL;
    gdt[3] = (sizeof tss - 1) | (t & 0xFFFFFF) << 16 | 0x89UL << 40 | ((t >> 24) & 0xFF) << 56;
    gdt[4] = t >> 32;                              /* 0x18: 64-bit available TSS, 16 bytes */
    struct table_ptr g = {sizeof gdt - 1, (uint64_t)gdt};
    __asm__ volatile("lgdt %0; ltr %w1" : : "m"(g), "r"(0x18) : "memory");
    for (int v = 0; v < 32; v++) {
        uint64_t h = isr_table[v];
        uint64_t ist = v == 8 ? 1 : 0;             /* #DF on IST1 */
        idt[2 * v] = (h & 0xFFFF) | 0x08UL << 16 | ist << 32 | 0x8EUL << 40 | ((h >> 16) & 0xFFFF) << 48;
        idt[2 * v + 1] = h >> 32;
    }
    struct table_ptr i = {sizeof idt - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" : : "m"(i) : "memory");
}
