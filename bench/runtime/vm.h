/*
 * bench/runtime/vm.h: the benchmark build of the runtime API. It includes the project's vm.h (hosted flavour)
 * and then redirects the memory intrinsics (Cpu.load64/store64/..., CR3, invlpg) to inline versions, so that a
 * Cpu access in the generated C costs a few instructions, as a plain load does in the kernel, instead of a call
 * into vm_hosted.c with a memcpy. The hand-written C baseline uses the very same accessors, so ratios compare the
 * code around the accesses, not the simulator.
 *
 * The simulated machine: physical RAM is a host buffer. A virtual address in the kernel's direct map
 * (Layout.DIRECT_MAP_BASE + pa) is translated by subtracting the base: 4-5 instructions with the range check.
 * Any other address goes to bench_slow_addr (bench_mem.c): with CR3 = 0 it is identity (va == pa, the hosted
 * convention); with a CR3 it is a 4-level page walk over the tables in the simulated RAM (boot benchmarks: the
 * early mapper reaches its tables through the recursive slot). Counted in the figures; see bench/README.md.
 */
#ifndef VERIMEM_BENCH_VM_H
#define VERIMEM_BENCH_VM_H
#include "../../kernel-native/runtime/vm.h" /* the project runtime, hosted flavour */

/* Layout.DIRECT_MAP_BASE: slot 273 of the upper half */
#define BENCH_DIRECT_MAP_BASE 0xFFFF888000000000ull

extern uint8_t *bench_ram;
extern uint64_t bench_ram_size;
extern int64_t bench_cr3;
extern uint64_t bench_slow_accesses;
extern uint64_t bench_invlpgs;
uint8_t *bench_slow_addr(int64_t va, uint64_t size);

static inline uint8_t *bench_addr(int64_t va, uint64_t size) {
    uint64_t off = (uint64_t)va - BENCH_DIRECT_MAP_BASE;
    if (__builtin_expect(off <= bench_ram_size - size, 1)) {
        return bench_ram + off;
    }
    return bench_slow_addr(va, size);
}
static inline int64_t bench_load64(int64_t va) { return *(volatile int64_t *)bench_addr(va, 8); }
static inline void bench_store64(int64_t va, int64_t v) { *(volatile int64_t *)bench_addr(va, 8) = v; }
static inline int64_t bench_load32(int64_t va) { return (int64_t)*(volatile uint32_t *)bench_addr(va, 4); }
static inline int32_t bench_load8(int64_t va) { return (int32_t)*(volatile uint8_t *)bench_addr(va, 1); }
static inline int64_t bench_read_cr3(void) { return bench_cr3; }
static inline void bench_write_cr3(int64_t v) { bench_cr3 = v; }
/* invlpg is one instruction in the kernel; here a counter increment stands in for it */
static inline void bench_invlpg(int64_t va) { (void)va; bench_invlpgs++; }

/* Ablation only (bench/run.sh's "no null checks" column, never a build anyone runs): a field access or call
   on a reference skips its null check. Checks inside the project vm.h's own inline helpers (vm_elem,
   vm_array_length) stay, so this removes most, not all, null checks. */
#ifdef BENCH_NO_NULL_CHECKS
#define vm_nonnull(o, site) ((void)(site), (o))
#endif

/* Cpu.arenaInit: the bootstrap points `new` at the PMM metadata region it just mapped (a kernel virtual address).
   The bench translates that address to the host memory behind it (bench_mem.c). bench_host_arena gives the
   driver a fresh host arena again afterwards. */
void bench_arena_init(void *base, uint64_t size);
void bench_host_arena(uint64_t bytes);
#define vm_arena_init bench_arena_init

#define vm_load64 bench_load64
#define vm_store64 bench_store64
#define vm_load32 bench_load32
#define vm_load8 bench_load8
#define vm_read_cr3 bench_read_cr3
#define vm_write_cr3 bench_write_cr3
#define vm_invlpg bench_invlpg
#endif
