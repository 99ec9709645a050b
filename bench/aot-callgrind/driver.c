/*
 * Callgrind driver for the AOT-compiled PMM (bench/aot-callgrind.sh). Calls the generated functions from a
 * separate translation unit, so gcc cannot inline them into the loop and callgrind's --toggle-collect sees
 * every call. Map: usable [1 MiB, 128 MiB) and [4 GiB, 5 GiB) (a QEMU-like layout with a hole).
 *   lifo:      rounds of 64 allocFrame then 64 freeFrame in reverse order (stays in the hint word)
 *   scattered: every frame allocated, a seeded half freed, then rounds of 64 allocFrame / 64 freeFrame FIFO
 * Prints the number of allocFrame and freeFrame calls of the measured phase; exits 1 on any kernel error.
 */
#include "verimem_aot.h"
#include "vm_hosted.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 2000
#define BATCH 64

static int64_t frames[BATCH];
static long allocs, frees;

/* Measured phase only: the names callgrind toggles on are these two functions. */
__attribute__((noinline)) static void round_trip(void *pmm, int reverse) {
    for (int i = 0; i < BATCH; i++) {
        frames[i] = verimem_kernel_pmm_Pmm_allocFrame(pmm);
        allocs++;
        if (frames[i] < 0) {
            fprintf(stderr, "allocFrame failed: %lld\n", (long long)frames[i]);
            exit(1);
        }
    }
    for (int i = 0; i < BATCH; i++) {
        int64_t r = verimem_kernel_pmm_Pmm_freeFrame(pmm, frames[reverse ? BATCH - 1 - i : i]);
        frees++;
        if (r != 0) {
            fprintf(stderr, "freeFrame failed: %lld\n", (long long)r);
            exit(1);
        }
    }
}

int main(int argc, char **argv) {
    int scattered = argc > 1 && strcmp(argv[1], "scattered") == 0;
    vm_hosted_init(1u << 20, 256u << 20);
    vm_clinit_all();
    void *map = vm_alloc(sizeof(struct verimem_kernel_memmap_MemoryMap), "driver");
    verimem_kernel_memmap_MemoryMap_init(map);
    int64_t ranges[2][2] = {{0x100000, 0x8000000}, {0x100000000LL, 0x140000000LL}};
    for (int i = 0; i < 2; i++) {
        verimem_kernel_memmap_MemoryMap_add(map, ranges[i][0], ranges[i][1], verimem_kernel_memmap_MemoryMap__USABLE);
    }
    void *pmm = vm_alloc(sizeof(struct verimem_kernel_pmm_Pmm), "driver");
    verimem_kernel_pmm_Pmm_init(pmm, map);
    for (int i = 0; i < 2; i++) {
        if (verimem_kernel_pmm_Pmm_release(pmm, ranges[i][0], ranges[i][1]) != 0) return 1;
    }
    if (scattered) {
        int64_t n = verimem_kernel_pmm_Pmm_freeFrames(pmm);
        int64_t *all = malloc((size_t)n * sizeof *all);
        for (int64_t i = 0; i < n; i++) all[i] = verimem_kernel_pmm_Pmm_allocFrame(pmm);
        uint64_t x = 88172645463325252ULL;
        for (int64_t i = 0; i < n; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            if (x & 1) verimem_kernel_pmm_Pmm_freeFrame(pmm, all[i]);
        }
        free(all);
        allocs = frees = 0; /* the set-up calls above are not measured: see --toggle-collect in the script */
    }
    for (int r = 0; r < ROUNDS; r++) round_trip(pmm, !scattered);
    printf("allocFrame %ld freeFrame %ld free %lld\n", allocs, frees,
           (long long)verimem_kernel_pmm_Pmm_freeFrames(pmm));
    return 0;
}
