/* C entry from the boot stub (long mode, early mapping): console, exceptions, then the kernel proper. */
#include "boot.h"

#define COM1 0x3F8
#define DEBUG_EXIT_PORT 0xF4
#define IDENTITY_WINDOW (1UL << 30)  /* entry.S maps [0, 1 GiB) at virtual = physical */
#define SUCCESS_EXIT_CODE 0x10   /* QEMU exit status (0x10 << 1) | 1 = 33: the only success verdict */

#ifdef VERIMEM_JAVA_ENTRY
/* AOT-compiled Java (make AOT=dir JAVA_ENTRY=<C name of the Java entry method>): verimem_aot.h declares the
 * entry and vm_clinit_all. Class initialisers may `new`, so a boot arena in .bss serves until Java sets its own. */
#include "verimem_aot.h"
static char boot_arena[256 * 1024] __attribute__((aligned(16)));
static void kernel_main(int64_t magic, int64_t info, int64_t kernel_start, int64_t kernel_end) {
    vm_arena_init(boot_arena, sizeof boot_arena);
    vm_clinit_all();
    VERIMEM_JAVA_ENTRY(magic, info, kernel_start, kernel_end, (int64_t)((uint64_t)_text_end - KERNEL_VMA),
                       (int64_t)((uint64_t)_rodata_end - KERNEL_VMA));
}
#ifdef VERIMEM_JAVA_PAGE_FAULT
/* make ... JAVA_PAGE_FAULT=<C name of a static boolean m(long cr2, long err)>: page faults go to Java. */
int vm_page_fault(uint64_t cr2, uint64_t err) { return VERIMEM_JAVA_PAGE_FAULT((int64_t)cr2, (int64_t)err) != 0; }
#endif
#else
/* Temporary C stand-in (placeholder_main.c) until the AOT-compiled memory manager is linked in. */
void placeholder_kernel_main(int64_t magic, int64_t info, int64_t kernel_start, int64_t kernel_end);
#define kernel_main placeholder_kernel_main
#endif

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }

void serial_init(void) {
    outb(COM1 + 1, 0x00);        /* no UART interrupts: output is polled */
    outb(COM1 + 3, 0x80);        /* DLAB on: divisor 1 = 115200 baud */
    outb(COM1 + 0, 0x01);
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);        /* 8N1, DLAB off */
    outb(COM1 + 2, 0xC7);        /* FIFO on and cleared */
}

void vm_exit_success(void) {
    vm_print("VERDICT: success\n");
    outb(DEBUG_EXIT_PORT, SUCCESS_EXIT_CODE);
    for (;;) __asm__ volatile("cli; hlt");   /* no isa-debug-exit (real hardware): stop here */
}

/* CR3 writes carry the VMM's PCIDs only when the CPU has PCID (CPUID.1:ECX bit 17); see vm.h. */
uint64_t vm_cr3_write_mask = 0x000FFFFFFFFFF000UL;
static void pcid_init(void) {
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    if (!(c & (1u << 17))) {
        vm_print("cpu: no PCID, every CR3 switch flushes the TLB\n");
        return;
    }
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1UL << 17)) : "memory");   /* CR3[11:0] is 0 here */
    vm_cr3_write_mask = ~0UL;
    vm_print("cpu: PCID enabled\n");
}

void kmain(uint32_t magic, uint64_t info_phys) {
    serial_init();
    trap_init();
    pcid_init();
    vm_print("verimem: long mode, early mapping up\n");
    vm_print("boot: magic=");
    vm_print_hex(magic);
    vm_print(" info=");
    vm_print_hex((int64_t)info_phys);
    vm_print(" kernel=[");
    vm_print_hex((int64_t)((uint64_t)_kernel_start - KERNEL_VMA));
    vm_print(", ");
    vm_print_hex((int64_t)((uint64_t)_kernel_end - KERNEL_VMA));
    vm_print(")\n");
    if (info_phys >= IDENTITY_WINDOW - 4096) vm_panic("boot info outside the early identity window");
    /* THE one call into the kernel proper. Addresses are physical; the boot info is reachable through the
     * 1 GiB identity window. Returning means every check passed. */
    kernel_main(magic, (int64_t)info_phys, (int64_t)((uint64_t)_kernel_start - KERNEL_VMA),
                (int64_t)((uint64_t)_kernel_end - KERNEL_VMA));
    vm_exit_success();
}
