/*
 * vm_freestanding.c: the kernel target (no libc). Console on COM1 (port 0x3F8); a panic prints its message and
 * leaves QEMU through isa-debug-exit (port 0xf4, exit status (code<<1)|1), then halts if that device is absent.
 * The boot sequence (issue #7) calls vm_arena_init with memory the pre-PMM handed out before any `new` runs.
 */
#include "vm.h"

#define COM1 0x3F8
#define DEBUG_EXIT_PORT 0xf4
#define PANIC_EXIT_CODE 0x31

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void serial_putc(char c) {
    while ((inb(COM1 + 5) & 0x20) == 0) {
        /* wait until the transmit holding register is empty */
    }
    outb(COM1, (uint8_t)c);
}

void vm_print(const char *s) {
    for (; *s != 0; s++) serial_putc(*s);
}

__attribute__((noreturn)) static void halt_forever(void) {
    outb(DEBUG_EXIT_PORT, PANIC_EXIT_CODE);
    for (;;) __asm__ volatile("cli; hlt");
}

void vm_panic(const char *msg) {
    vm_print("\nKERNEL PANIC: ");
    vm_print(msg);
    vm_print("\n");
    halt_forever();
}

void vm_panic_div_zero(const char *site) {
    vm_print("\nKERNEL PANIC: division by zero in ");
    vm_print(site);
    vm_print("\n");
    halt_forever();
}

void vm_panic_bounds(const char *site, int32_t index, int32_t length) {
    vm_print("\nKERNEL PANIC: array index ");
    vm_print_dec(index);
    vm_print(" out of bounds for length ");
    vm_print_dec(length);
    vm_print(" in ");
    vm_print(site);
    vm_print("\n");
    halt_forever();
}

void vm_panic_null(const char *site) {
    vm_print("\nKERNEL PANIC: null reference in ");
    vm_print(site);
    vm_print("\n");
    halt_forever();
}

void vm_panic_negative_size(const char *site, int32_t size) {
    vm_print("\nKERNEL PANIC: negative array size ");
    vm_print_dec(size);
    vm_print(" in ");
    vm_print(site);
    vm_print("\n");
    halt_forever();
}

/* gcc may turn loops (vm_alloc's zeroing, struct copies) into calls to these even with -ffreestanding. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

void *memset(void *dst, int c, size_t n) {
    volatile uint8_t *d = (volatile uint8_t *)dst; /* volatile: stop gcc turning this loop into memset */
    for (size_t i = 0; i < n; i++) d[i] = (uint8_t)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
    volatile uint8_t *d = (volatile uint8_t *)dst;
    const uint8_t *s = (const uint8_t *)src;
    for (size_t i = 0; i < n; i++) d[i] = s[i];
    return dst;
}
