/* FALLBACK for kernel-native/runtime/vm_freestanding.c + vm_common.c (the AOT compiler's runtime), linked only
 * while those are not on this branch: console, panic (same text and exit code), mem functions, the arena. */
#include "boot.h"

#define COM1 0x3F8
#define DEBUG_EXIT_PORT 0xF4
#define PANIC_EXIT_CODE 0x31     /* QEMU exit status (0x31 << 1) | 1 = 99, as the AOT runtime */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

void vm_print(const char *s) {
    for (; *s; s++) {
        while ((inb(COM1 + 5) & 0x20) == 0) {
        }
        outb(COM1, (uint8_t)*s);
    }
}

void vm_print_hex(int64_t v) {
    uint64_t u = (uint64_t)v;
    char buf[19];
    int i = 18;
    buf[i] = 0;
    do {
        buf[--i] = "0123456789abcdef"[u & 15];
        u >>= 4;
    } while (u);
    buf[--i] = 'x';
    buf[--i] = '0';
    vm_print(buf + i);
}

void vm_print_dec(int64_t v) {
    uint64_t u = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;   /* also right for INT64_MIN */
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) buf[--i] = '-';
    vm_print(buf + i);
}

void vm_panic(const char *msg) {
    vm_print("\nKERNEL PANIC: ");
    vm_print(msg);
    vm_print("\n");
    outb(DEBUG_EXIT_PORT, PANIC_EXIT_CODE);
    for (;;) __asm__ volatile("cli; hlt");
}

void *memset(void *d, int c, size_t n) {
    uint8_t *p = d;
    while (n--) *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n) {
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) *p++ = *q++;
    return d;
}

static char *arena_next, *arena_end;

void vm_arena_init(void *base, uint64_t size) {
    arena_next = base;
    arena_end = (char *)base + size;
}

void *vm_alloc(uint64_t size, const char *site) {
    uint64_t rounded = (size + 7) & ~7UL;
    if (arena_next == NULL || (uint64_t)(arena_end - arena_next) < rounded) {
        vm_print(site);
        vm_panic("out of memory in the allocation arena");
    }
    char *p = arena_next;
    arena_next += rounded;
    return memset(p, 0, rounded);
}
