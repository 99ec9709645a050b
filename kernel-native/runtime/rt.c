/* Runtime glue: COM1 console, panic and QEMU exit (isa-debug-exit at 0xf4), mem* functions, the `new` arena. */
#include "vm.h"

#define COM1 0x3F8
#define DEBUG_EXIT_PORT 0xF4
#define EXIT_SUCCESS_CODE 0x10   /* QEMU exits with (code << 1) | 1 = 33 */
#define EXIT_FAILURE_CODE 0x11   /* = 35 */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

void serial_init(void) {
    outb(COM1 + 1, 0x00);        /* no interrupts: we poll */
    outb(COM1 + 3, 0x80);        /* DLAB on: divisor 1 = 115200 baud */
    outb(COM1 + 0, 0x01);
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);        /* 8N1, DLAB off */
    outb(COM1 + 2, 0xC7);        /* FIFO on, cleared */
}

static void putc_serial(char c) {
    while ((inb(COM1 + 5) & 0x20) == 0) {
    }
    outb(COM1, (uint8_t)c);
}

void vm_print(const char *s) {
    while (*s) putc_serial(*s++);
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
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;   /* also right for INT64_MIN */
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) vm_print("-");
    vm_print(buf + i);
}

static _Noreturn void qemu_exit(uint8_t code) {
    outb(DEBUG_EXIT_PORT, code);
    for (;;) __asm__ volatile("cli; hlt");   /* no isa-debug-exit device (real hardware): stop here */
}

_Noreturn void vm_panic(const char *msg) {
    vm_print("\nPANIC: ");
    vm_print(msg);
    vm_print("\nVERDICT: failure\n");
    qemu_exit(EXIT_FAILURE_CODE);
}

_Noreturn void vm_panic_hex(const char *msg, uint64_t value) {
    vm_print("\nPANIC: ");
    vm_print(msg);
    vm_print(" ");
    vm_print_hex((int64_t)value);
    vm_print("\nVERDICT: failure\n");
    qemu_exit(EXIT_FAILURE_CODE);
}

_Noreturn void vm_exit_success(void) {
    vm_print("VERDICT: success\n");
    qemu_exit(EXIT_SUCCESS_CODE);
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

void *memmove(void *d, const void *s, size_t n) {
    uint8_t *p = d;
    const uint8_t *q = s;
    if (p < q) return memcpy(d, s, n);
    while (n--) p[n] = q[n];
    return d;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q) return *p < *q ? -1 : 1;
    return 0;
}

static uint64_t arena_next, arena_end;

void vm_arena_init(int64_t va, int64_t bytes) {
    if (bytes <= 0 || (uint64_t)va + (uint64_t)bytes < (uint64_t)va) vm_panic("vm_arena_init: bad range");
    arena_next = (uint64_t)va;
    arena_end = (uint64_t)va + (uint64_t)bytes;
}

void *vm_new(int64_t bytes) {
    uint64_t start = (arena_next + 15) & ~15UL;     /* 16-byte aligned objects */
    if (arena_end == 0) vm_panic("new before vm_arena_init");
    if (bytes < 0 || start > arena_end || (uint64_t)bytes > arena_end - start) vm_panic("new: arena exhausted");
    arena_next = start + (uint64_t)bytes;
    return memset((void *)start, 0, (size_t)bytes);
}
