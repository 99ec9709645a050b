/*
 * bench_mem.c: the simulated RAM behind bench/runtime/vm.h, and the slow path of an access: identity when no
 * CR3 is loaded (PMM, VMM and kmalloc benchmarks reach tables only through the direct map), else a 4-level
 * page walk like the CPU's (2 MiB / 1 GiB pages honoured). A miss prints the address and exits: a benchmark
 * that faults is a broken benchmark, not a number.
 */
#include "vm.h"
#include <stdio.h>
#include <stdlib.h>

uint8_t *bench_ram;
uint64_t bench_ram_size;
int64_t bench_cr3;
uint64_t bench_slow_accesses;
uint64_t bench_invlpgs;

void bench_ram_init(uint64_t bytes) {
    bench_ram = calloc(1, bytes);
    if (bench_ram == NULL) {
        fprintf(stderr, "bench: cannot allocate %llu bytes of simulated RAM\n", (unsigned long long)bytes);
        exit(71);
    }
    bench_ram_size = bytes;
    bench_cr3 = 0;
}

__attribute__((noreturn)) void bench_fault(int64_t va, const char *why) {
    fprintf(stderr, "bench: simulated fault at va 0x%llx (%s)\n", (unsigned long long)va, why);
    exit(72);
}

static uint64_t phys64(uint64_t pa) {
    if (pa > bench_ram_size - 8) {
        bench_fault((int64_t)pa, "page table outside the simulated RAM");
    }
    return *(uint64_t *)(bench_ram + pa);
}

__attribute__((noinline)) uint8_t *bench_slow_addr(int64_t va, uint64_t size) {
    bench_slow_accesses++;
    uint64_t pa;
    if (bench_cr3 == 0) {
        pa = (uint64_t)va;
    } else {
        const uint64_t frame_mask = 0x000FFFFFFFFFF000ull;
        uint64_t table = (uint64_t)bench_cr3 & frame_mask;
        uint64_t u = (uint64_t)va;
        pa = 0;
        for (int level = 4; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            uint64_t e = phys64(table + ((u >> shift) & 511) * 8);
            if ((e & 1) == 0) {
                bench_fault(va, "not present");
            }
            if (level == 1 || (level <= 3 && (e & 0x80))) {
                uint64_t page = (1ull << shift) - 1;
                pa = (e & frame_mask & ~page) | (u & page);
                break;
            }
            table = e & frame_mask;
        }
    }
    if (pa > bench_ram_size || bench_ram_size - pa < size) {
        bench_fault(va, "outside the simulated RAM");
    }
    return bench_ram + pa;
}

