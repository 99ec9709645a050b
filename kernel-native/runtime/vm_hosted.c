/*
 * vm_hosted.c: the hosted target. Generated code runs as an ordinary Linux process (tests, ASan/UBSan,
 * callgrind). The simulated RAM is a malloc'ed buffer identity-mapped at virtual address 0: va == offset.
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

static uint8_t *ram_at(int64_t va, uint64_t size) {
    if (va < 0 || (uint64_t)va > ram_size || ram_size - (uint64_t)va < size) {
        char text[128];
        snprintf(text, sizeof text, "hosted RAM access out of range: va 0x%llx", (unsigned long long)va);
        panic_with("fault", text);
    }
    return ram + va;
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
    (void)va; /* identity-mapped simulated RAM has no TLB */
}
