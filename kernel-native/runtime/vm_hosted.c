/*
 * vm_hosted.c: the hosted target. Generated code runs as an ordinary Linux process (tests, ASan/UBSan,
 * callgrind). The simulated RAM is a malloc'ed buffer. While CR3 is 0 it is identity-mapped at virtual address
 * 0 (va == offset); once CR3 is set, every access goes through a software page walk over that RAM (walk()), so
 * page-table code runs hosted. The JVM twin is src/test/java/verimem/aot/FlatMachine.java: same rules.
 * A panic prints its message on stderr and, when a harness armed vm_hosted_catch, jumps back to it;
 * otherwise the process exits with status 70.
 */
#include "vm.h"
#include "vm_hosted.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

jmp_buf vm_hosted_catch;
int vm_hosted_catch_armed;
char vm_hosted_panic_kind[256];

static uint8_t *ram;
static uint64_t ram_size;
static int64_t cr3;

void vm_hosted_init(uint64_t ram_bytes, uint64_t arena_bytes) {
    ram = calloc(1, ram_bytes);
    ram_size = ram_bytes;
    void *arena = calloc(1, arena_bytes);
    if (ram == NULL || arena == NULL) {
        fprintf(stderr, "vm_hosted_init: out of host memory\n");
        exit(71);
    }
    vm_arena_init(arena, arena_bytes);
}

__attribute__((noreturn)) static void panic_with(const char *kind, const char *text) {
    fprintf(stderr, "PANIC: %s\n", text);
    snprintf(vm_hosted_panic_kind, sizeof vm_hosted_panic_kind, "%s", kind);
    if (vm_hosted_catch_armed) {
        vm_hosted_catch_armed = 0;
        longjmp(vm_hosted_catch, 1);
    }
    exit(70);
}

void vm_panic(const char *msg) {
    char kind[256];
    snprintf(kind, sizeof kind, "panic:%s", msg);
    panic_with(kind, msg);
}

void vm_panic_div_zero(const char *site) {
    char text[512];
    snprintf(text, sizeof text, "division by zero in %s", site);
    panic_with("arith", text);
}

void vm_panic_bounds(const char *site, int32_t index, int32_t length) {
    char text[512];
    snprintf(text, sizeof text, "array index %d out of bounds for length %d in %s", index, length, site);
    panic_with("bounds", text);
}

void vm_panic_null(const char *site) {
    char text[512];
    snprintf(text, sizeof text, "null reference in %s", site);
    panic_with("null", text);
}

void vm_panic_negative_size(const char *site, int32_t size) {
    char text[512];
    snprintf(text, sizeof text, "negative array size %d in %s", size, site);
    panic_with("negsize", text);
}

void vm_print(const char *s) {
    fputs(s, stdout);
}

__attribute__((noreturn)) static void fault(int64_t va) {
    char text[128];
    snprintf(text, sizeof text, "hosted RAM access out of range: va 0x%llx", (unsigned long long)va);
    panic_with("fault", text);
}

#define ADDRESS_BITS 0x000FFFFFFFFFF000ULL

/* Present bit at every level; PS at the PDPT (1 GiB) and PD (2 MiB) levels ends the walk; PS in a PML4 entry
   faults. Permissions and accessed/dirty bits are not modelled (supervisor mode; the VMM checks its own flags).
   An access is translated at its first byte. */
static uint64_t walk(int64_t va) {
    if ((va >> 47) != 0 && (va >> 47) != -1) fault(va);
    uint64_t table = (uint64_t)cr3 & ADDRESS_BITS;
    for (int level = 4; level >= 1; level--) {
        int shift = 12 + 9 * (level - 1);
        uint64_t at = table + (((uint64_t)va >> shift) & 511u) * 8u;
        if (at > ram_size - 8u) fault(va);
        uint64_t entry;
        memcpy(&entry, ram + at, 8);
        if ((entry & 1u) == 0 || (level == 4 && (entry & 0x80u) != 0)) fault(va);
        if ((level == 3 || level == 2) && (entry & 0x80u) != 0) {
            uint64_t size = 1ULL << shift;
            return (entry & ADDRESS_BITS & ~(size - 1u)) + ((uint64_t)va & (size - 1u));
        }
        table = entry & ADDRESS_BITS;
    }
    return table + ((uint64_t)va & 4095u);
}

static uint8_t *ram_at(int64_t va, uint64_t size) {
    uint64_t pa = cr3 == 0 ? (uint64_t)va : walk(va);
    if (pa > ram_size || ram_size - pa < size) fault(va);
    return ram + pa;
}

int64_t vm_load64(int64_t va) {
    int64_t v;
    memcpy(&v, ram_at(va, 8), 8);
    return v;
}

void vm_store64(int64_t va, int64_t v) {
    memcpy(ram_at(va, 8), &v, 8);
}

int64_t vm_load32(int64_t va) {
    uint32_t v;
    memcpy(&v, ram_at(va, 4), 4);
    return (int64_t)v;
}

int32_t vm_load8(int64_t va) {
    return (int32_t)*ram_at(va, 1);
}

int64_t vm_read_cr3(void) {
    return cr3;
}

void vm_write_cr3(int64_t v) {
    cr3 = v;
}

void vm_invlpg(int64_t va) {
    (void)va; /* the simulated walk has no TLB: every access walks the tables as they are */
}
