/*
 * bench_arena.c: Cpu.arenaInit for the generated build (the baseline has no `new`). The bootstrap points the
 * allocation hook at the PMM metadata region it just mapped, a kernel virtual address; here that address is
 * translated to the simulated RAM behind it, so the PMM's arrays live where they live in the kernel.
 */
#include "vm.h"
#include <stdio.h>
#include <stdlib.h>
#undef vm_arena_init /* this file calls the runtime's own */

__attribute__((noreturn)) void bench_fault(int64_t va, const char *why);

/* The region [va, va + size) is mapped to one physical run (the bootstrap maps its metadata run page by page, in
   order), so the host memory behind it is contiguous too: checked at its first and last byte. */
void bench_arena_init(void *base, uint64_t size) {
    int64_t va = (int64_t)(uintptr_t)base;
    uint8_t *first = bench_addr(va, 1);
    if (size > 0 && bench_addr(va + (int64_t)size - 1, 1) != first + size - 1) {
        bench_fault(va, "arena region not backed by one physical run");
    }
    vm_arena_init(first, size);
}

void bench_host_arena(uint64_t bytes) {
    void *arena = calloc(1, bytes);
    if (arena == NULL) {
        fprintf(stderr, "bench: cannot allocate a host arena of %llu bytes\n", (unsigned long long)bytes);
        exit(71);
    }
    vm_arena_init(arena, bytes);
}
