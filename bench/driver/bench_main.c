/*
 * bench_main.c: the benchmark scenarios. Run under callgrind by bench/run.sh:
 *
 *   valgrind --tool=callgrind --instr-atstart=no ./bench-generated [--smoke] [boot map files...]
 *
 * Each measured loop is bracketed by CALLGRIND_ZERO_STATS / CALLGRIND_DUMP_STATS_AT("name|op|n"), then run again
 * with the empty function of the same shape ("name|empty|n"); run.sh reads the dumps and reports
 * (op - empty) / n instructions per call. Set-up runs with instrumentation off (fast). Every result is checked
 * (a failed map, a frame that does not come back, a wrong free count): the run exits non-zero instead of
 * reporting a number for something that did not happen. Lines "INFO name value" carry non-instruction facts
 * (success counts, metadata sizes) to run.sh. Outside valgrind the client requests are no-ops and the driver is
 * a plain functional test of the scenarios.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>
#include "ops.h"
#include "empty.h"

static int smoke;
static int64_t sink;
static char label[256];

static __attribute__((noreturn)) void fail(const char *what, int64_t got) {
    fprintf(stderr, "bench (%s): FAILED: %s (got %lld)\n", IMPL_NAME, what, (long long)got);
    exit(1);
}

static void check(int ok, const char *what, int64_t got) {
    if (!ok) {
        fail(what, got);
    }
}

static void dump(const char *name, const char *kind, long n) {
    snprintf(label, sizeof label, "%s|%s|%ld", name, kind, n);
    CALLGRIND_DUMP_STATS_AT(label);
}

/* MEASURE(name, n, i, real, empty): the loop twice, real then empty-shaped; both results are summed into sink. */
#define MEASURE(name, n, i, REAL, EMPTY)                              \
    do {                                                              \
        int64_t s_ = 0;                                               \
        CALLGRIND_ZERO_STATS;                                         \
        for (long i = 0; i < (long)(n); i++) {                        \
            s_ += (REAL);                                             \
        }                                                             \
        dump((name), "op", (long)(n));                                \
        CALLGRIND_ZERO_STATS;                                         \
        for (long i = 0; i < (long)(n); i++) {                        \
            s_ += (EMPTY);                                            \
        }                                                             \
        dump((name), "empty", (long)(n));                             \
        sink += s_;                                                   \
    } while (0)

static void instr_on(void) { CALLGRIND_START_INSTRUMENTATION; }
static void instr_off(void) { CALLGRIND_STOP_INSTRUMENTATION; }

static void info(const char *name, double v) {
    printf("INFO %s %.10g\n", name, v);
    fflush(stdout);
}

static void progress(const char *what) {
    fprintf(stderr, "[bench %s] %s\n", IMPL_NAME, what);
}

/* xorshift64*: a fixed seed, so every run visits the same frames in the same order. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static void shuffle(int64_t *a, long n) {
    for (long i = n - 1; i > 0; i--) {
        long j = (long)(next_random() % (uint64_t)(i + 1));
        int64_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

#define MIB (1024LL * 1024)
#define GIB (1024LL * MIB)
#define FRAME 4096LL

static void map_add(struct bmap *m, int64_t s, int64_t e, int32_t t) {
    if (m->n >= 256) {
        fail("map has more than 256 entries", m->n);
    }
    m->start[m->n] = s;
    m->end[m->n] = e;
    m->type[m->n] = t;
    m->n++;
}

/* QEMU pc layout for -m bytes (as bench/pmm-jvm): 639 KiB low RAM; RAM below 4 GiB up to 3 GiB when -m >= 3.5 GiB
   (else up to -m) minus the 128 KiB SeaBIOS keeps; the rest from 4 GiB. */
static void qemu_pc_map(struct bmap *m, int64_t bytes) {
    m->n = 0;
    int64_t low = bytes >= 3584 * MIB ? 3 * GIB : bytes;
    map_add(m, 0, 0x9fc00, 1);
    map_add(m, 0x100000, low - 128 * 1024, 1);
    if (bytes > low) {
        map_add(m, 4 * GIB, 4 * GIB + (bytes - low), 1);
    }
}

static void release_all(void *p, const struct bmap *m) {
    for (int i = 0; i < m->n; i++) {
        if (m->type[i] != 1) {
            continue;
        }
        int64_t s = (m->start[i] + FRAME - 1) / FRAME * FRAME;
        int64_t e = m->end[i] / FRAME * FRAME;
        if (e > s) {
            int64_t r = PMM_RELEASE(p, s, e);
            check(r == 0, "release of a usable range", r);
        }
    }
}

/* ---------------------------------------------------------------- PMM ---------------------------------------- */

#define ROUND 1024

static void pmm_init_cost(const char *tag, const struct bmap *m) {
    char name[128];
    snprintf(name, sizeof name, "pmm.init+release.%s", tag);
    void *p = NULL;
    instr_on();
    CALLGRIND_ZERO_STATS;
    p = impl_pmm_new(m);
    release_all(p, m);
    dump(name, "op", 1);
    CALLGRIND_ZERO_STATS;
    dump(name, "empty", 1);
    instr_off();
    int64_t managed = PMM_MANAGED(p);
    check(PMM_FREE_FRAMES(p) == managed && managed > 0, "init: every managed frame free", PMM_FREE_FRAMES(p));
    snprintf(name, sizeof name, "pmm.managed_frames.%s", tag);
    info(name, (double)managed);
    snprintf(name, sizeof name, "pmm.metadata_bits_per_frame.%s", tag);
    info(name, PMM_METADATA_BYTES(p) * 8.0 / (double)managed);
}

static void pmm_scenarios(const char *tag, const struct bmap *m) {
    char name[160];
    progress(tag);
    pmm_init_cost(tag, m);

    void *p = impl_pmm_new(m);
    release_all(p, m);
    int64_t managed = PMM_MANAGED(p);

    /* order-k on contiguous free memory */
    static const int orders[] = {0, 1, 3, 6, 9};
    int64_t blocks[64], scratch[64];
    instr_on();
    for (unsigned k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        int ord = orders[k];
        int cnt = ord >= 9 ? 16 : 64; /* 16 x 2 MiB: fits the 128 MiB machine */
        int64_t before = PMM_FREE_FRAMES(p);
        snprintf(name, sizeof name, "pmm.alloc_order%d.contiguous.%s", ord, tag);
        MEASURE(name, cnt, i, (blocks[i] = PMM_ALLOC_ALIGNED(p, ord)), (scratch[i] = bench_empty_pi(p, ord)));
        for (int i = 0; i < cnt; i++) {
            check(blocks[i] >= 0 && blocks[i] % (FRAME << ord) == 0, "aligned block", blocks[i]);
        }
        check(PMM_FREE_FRAMES(p) == before - cnt * (1LL << ord), "order-k: free count", PMM_FREE_FRAMES(p));
        snprintf(name, sizeof name, "pmm.free_order%d.contiguous.%s", ord, tag);
        MEASURE(name, cnt, i, (scratch[i] = PMM_FREE_ALIGNED(p, blocks[i], ord)),
                (scratch[i] = bench_empty_pli(p, blocks[i], ord)));
        check(PMM_FREE_FRAMES(p) == before, "order-k: all blocks came back", PMM_FREE_FRAMES(p));
    }
    instr_off();

    /* occupancy: allocate everything, then free a random subset: free frames scattered over the whole bitmap */
    int64_t *all = malloc(sizeof(int64_t) * (size_t)managed);
    check(all != NULL, "host memory", 0);
    long n_all = 0;
    for (;;) {
        int64_t f = PMM_ALLOC(p);
        if (f < 0) {
            break;
        }
        all[n_all++] = f;
    }
    check(n_all == managed, "allocating every managed frame", n_all);
    shuffle(all, n_all);
    long freed = 0;
    static const int occupancy[] = {95, 50, 10};
    static const char *orders_name[] = {"lifo", "fifo", "random"};
    int perm[ROUND];
    for (int i = 0; i < ROUND; i++) {
        perm[i] = i;
    }
    for (int i = ROUND - 1; i > 0; i--) {
        int j = (int)(next_random() % (uint64_t)(i + 1));
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    int64_t got[ROUND], res[ROUND];
    for (unsigned o = 0; o < sizeof occupancy / sizeof occupancy[0]; o++) {
        if (smoke && o > 0) {
            break;
        }
        long target_free = (long)((double)managed * (100 - occupancy[o]) / 100.0);
        while (freed < target_free) {
            int64_t r = PMM_FREE(p, all[freed]);
            check(r == 0, "freeing to reach the occupancy", r);
            freed++;
        }
        int64_t base_free = PMM_FREE_FRAMES(p);
        check(base_free == freed, "free count at the occupancy", base_free);
        instr_on();
        for (int ord = 0; ord < 3; ord++) {
            snprintf(name, sizeof name, "pmm.alloc.%s.occ%d.%s", tag, occupancy[o], orders_name[ord]);
            MEASURE(name, ROUND, i, (got[i] = PMM_ALLOC(p)), (res[i] = bench_empty_p(p)));
            for (int i = 0; i < ROUND; i++) {
                check(got[i] >= 0, "alloc at occupancy", got[i]);
            }
            snprintf(name, sizeof name, "pmm.free.%s.occ%d.%s", tag, occupancy[o], orders_name[ord]);
            if (ord == 0) {
                MEASURE(name, ROUND, i, (res[i] = PMM_FREE(p, got[ROUND - 1 - i])),
                        (res[i] = bench_empty_pl(p, got[ROUND - 1 - i])));
            } else if (ord == 1) {
                MEASURE(name, ROUND, i, (res[i] = PMM_FREE(p, got[i])), (res[i] = bench_empty_pl(p, got[i])));
            } else {
                MEASURE(name, ROUND, i, (res[i] = PMM_FREE(p, got[perm[i]])),
                        (res[i] = bench_empty_pl(p, got[perm[i]])));
            }
            check(PMM_FREE_FRAMES(p) == base_free, "every frame of the round came back", PMM_FREE_FRAMES(p));
        }
        /* contiguous allocation in the fragmented state: 2 MiB (order 9) and order 3; a failure is a result
           (NO_MEMORY after a bounded search), its count goes to INFO */
        static const int frag_orders[] = {3, 9};
        for (int k = 0; k < 2; k++) {
            int ord = frag_orders[k];
            int cnt = 8;
            snprintf(name, sizeof name, "pmm.alloc_order%d.%s.occ%d", ord, tag, occupancy[o]);
            MEASURE(name, cnt, i, (got[i] = PMM_ALLOC_ALIGNED(p, ord)), (res[i] = bench_empty_pi(p, ord)));
            int ok = 0;
            for (int i = 0; i < cnt; i++) {
                check(got[i] >= 0 || got[i] == -1, "aligned alloc: a block or NO_MEMORY", got[i]);
                if (got[i] >= 0) {
                    ok++;
                    check(PMM_FREE_ALIGNED(p, got[i], ord) == 0, "aligned free", got[i]);
                }
            }
            snprintf(name, sizeof name, "pmm.alloc_order%d.%s.occ%d.found_of_8", ord, tag, occupancy[o]);
            info(name, ok);
        }
        /* single calls, each its own measurement: report.py keeps the largest ("max of 32 consecutive calls"),
           a lower bound of the worst case that the means above hide */
        if (!smoke) {
            enum { SINGLE = 32 };
            for (int i = 0; i < SINGLE; i++) {
                snprintf(name, sizeof name, "pmm.alloc.%s.occ%d.call%d", tag, occupancy[o], i);
                MEASURE(name, 1, k, (got[i] = PMM_ALLOC(p)), (res[0] = bench_empty_p(p)));
                check(got[i] >= 0, "single alloc", got[i]);
            }
            for (int i = 0; i < SINGLE; i++) {
                snprintf(name, sizeof name, "pmm.free.%s.occ%d.call%d", tag, occupancy[o], i);
                int j = (i * 13) % SINGLE; /* 13 is coprime with 32: every frame once, scattered order */
                MEASURE(name, 1, k, (res[1] = PMM_FREE(p, got[j])), (res[0] = bench_empty_pl(p, got[j])));
                check(res[1] == 0, "single free", res[1]);
            }
        }
        instr_off();
        check(PMM_FREE_FRAMES(p) == base_free, "fragmentation round restored the free count", PMM_FREE_FRAMES(p));
    }
    free(all);
}

#ifdef BENCH_GENERATED
/* ---------------------------------------------------------------- generated-only parts ----------------------- */
void bench_ram_init(uint64_t bytes);
extern uint64_t bench_slow_accesses;
extern uint64_t bench_invlpgs;

static void *new_object(uint64_t size) {
    return vm_alloc(size, "bench");
}

void *impl_pmm_new(const struct bmap *m) {
    void *mm = new_object(sizeof(struct verimem_kernel_memmap_MemoryMap));
    verimem_kernel_memmap_MemoryMap_init(mm);
    for (int i = 0; i < m->n; i++) {
        int64_t r = verimem_kernel_memmap_MemoryMap_add(mm, m->start[i], m->end[i], m->type[i]);
        check(r == 0, "MemoryMap.add", r);
    }
    void *p = new_object(sizeof(struct verimem_kernel_pmm_Pmm));
    verimem_kernel_pmm_Pmm_init(p, mm);
    return p;
}

static void *raw_map_object(const struct bmap *m) {
    void *mm = new_object(sizeof(struct verimem_kernel_memmap_MemoryMap));
    verimem_kernel_memmap_MemoryMap_init(mm);
    for (int i = 0; i < m->n; i++) {
        int64_t r = verimem_kernel_memmap_MemoryMap_add(mm, m->start[i], m->end[i], m->type[i]);
        check(r == 0, "MemoryMap.add", r);
    }
    return mm;
}

static void *new_map(void) {
    void *mm = new_object(sizeof(struct verimem_kernel_memmap_MemoryMap));
    verimem_kernel_memmap_MemoryMap_init(mm);
    return mm;
}

void *impl_kmalloc_new(void *pmm, void *vmm, int32_t max_slabs) {
    void *km = new_object(sizeof(struct verimem_kernel_heap_Kmalloc));
    verimem_kernel_heap_Kmalloc_init(km, pmm, verimem_kernel_vmm_Vmm_ownership(vmm), max_slabs);
    return km;
}

void *impl_vmm_new(void *pmm, int64_t phys_limit) {
    void *vmm = new_object(sizeof(struct verimem_kernel_vmm_Vmm));
    verimem_kernel_vmm_Vmm_init(vmm, pmm, phys_limit, 4096);
    int64_t r = verimem_kernel_vmm_Vmm_adoptBootSpace(vmm);
    check(r == 0, "vmm: adoptBootSpace", r);
    return vmm;
}

void *impl_space_new(void *vmm) {
    void *as = new_object(sizeof(struct verimem_kernel_vmm_AddressSpace));
    verimem_kernel_vmm_AddressSpace_init__Lverimem_kernel_vmm_Vmm_(as, vmm);
    return as;
}

void *impl_translation_new(void) {
    void *tr = new_object(sizeof(struct verimem_kernel_vmm_TranslateResult));
    verimem_kernel_vmm_TranslateResult_init(tr);
    return tr;
}

/* ---------------------------------------------------------------- boot phases on real maps ------------------- */
#define BOOT_RAM (256 * MIB)
#define KERNEL_START (1 * MIB)
#define KERNEL_END (3 * MIB)

/* The loader's tables, as host/sim/BootLoaderSim builds them: 1 GiB identity with 2 MiB pages, the kernel image
   at -2 GiB with 4 KiB pages; six frames at the top of the kernel image. */
static void loader_tables(void) {
    extern uint8_t *bench_ram;
    int64_t t[6];
    for (int i = 0; i < 6; i++) {
        t[i] = KERNEL_END - (6 - i) * FRAME;
    }
#define W64(pa, v) (*(int64_t *)(bench_ram + (pa)) = (v))
    W64(t[0], t[1] | 3);
    W64(t[1], t[2] | 3);
    for (int i = 0; i < 512; i++) {
        W64(t[2] + 8 * i, ((int64_t)i << 21) | 3 | 128);
    }
    W64(t[0] + 8 * 511, t[3] | 3);
    W64(t[3] + 8 * 510, t[4] | 3);
    W64(t[4], t[5] | 3);
    for (int64_t f = 0; f < (KERNEL_END - KERNEL_START) / FRAME; f++) {
        W64(t[5] + 8 * f, (KERNEL_START + f * FRAME) | 3);
    }
#undef W64
    vm_write_cr3(t[0]);
}

static void boot_scenario(const char *tag, const struct bmap *raw_in) {
    char name[160];
    fprintf(stderr, "[bench %s] boot %s\n", IMPL_NAME, tag);
    bench_ram_init(BOOT_RAM);
    void *raw = raw_map_object(raw_in);
    void *scratch = new_map();
    void *sanitised = new_map();
    void *carve = new_map();
    void *fin = new_map();
    void *modules = new_map();
    int64_t r = 0;
    uint64_t slow0;
    instr_on();
    snprintf(name, sizeof name, "boot.sanitise.%s", tag);
    MEASURE(name, 1, i, (r = verimem_kernel_memmap_MapSanitiser_sanitise(raw, scratch, sanitised)),
            bench_empty_ppp(raw, scratch, sanitised));
    check(r == 0, "boot: sanitise", r);
    snprintf(name, sizeof name, "boot.carve_outs.%s", tag);
    MEASURE(name, 1, i,
            (r = verimem_kernel_memmap_CarveOuts_standard(carve, KERNEL_START, KERNEL_END, KERNEL_END,
                                                          KERNEL_END + 16384, modules)
                 + verimem_kernel_memmap_CarveOuts_apply(sanitised, carve, scratch, fin)),
            bench_empty_pppp(sanitised, carve, scratch, fin) + bench_empty_pppp(carve, 0, 0, 0));
    check(r == 0, "boot: carve-outs", r);
    instr_off();
    loader_tables();
    void *boot = new_object(sizeof(struct verimem_kernel_boot_Bootstrap));
    slow0 = bench_slow_accesses;
    instr_on();
    snprintf(name, sizeof name, "boot.bootstrap.%s", tag);
    MEASURE(name, 1, i, (verimem_kernel_boot_Bootstrap_init(boot, fin),
                         r = verimem_kernel_boot_Bootstrap_run(boot)),
            bench_empty_p(boot) + bench_empty_pp(boot, fin));
    instr_off();
    check(r == 0, "boot: bootstrap", r);
    void *pmm = verimem_kernel_boot_Bootstrap_pmm(boot);
    /* Bootstrap.run left `new` pointing at the metadata region, sized for the PMM alone: back to host memory */
    bench_host_arena(256 * MIB);
    /* The PMM's share of the bootstrap, measured apart: a second PMM over the same final map, every usable frame
       released (the hand-off releases the same ranges minus what the pre-PMM handed out). The rest of the
       bootstrap is the pre-PMM, the early mapper, and mapping and zeroing the metadata. */
    struct bmap fin_ranges = {0};
    for (int i = 0; i < verimem_kernel_memmap_MemoryMap_count(fin); i++) {
        map_add(&fin_ranges, verimem_kernel_memmap_MemoryMap_start(fin, i), verimem_kernel_memmap_MemoryMap_end(fin, i),
                verimem_kernel_memmap_MemoryMap_type(fin, i));
    }
    void *second = NULL;
    instr_on();
    snprintf(name, sizeof name, "boot.pmm_init+release.%s", tag);
    CALLGRIND_ZERO_STATS;
    second = impl_pmm_new(&fin_ranges);
    release_all(second, &fin_ranges);
    dump(name, "op", 1);
    CALLGRIND_ZERO_STATS;
    dump(name, "empty", 1);
    instr_off();
    check(PMM_FREE_FRAMES(second) >= PMM_FREE_FRAMES(pmm), "boot: the second PMM holds at least the hand-off's frames",
          PMM_FREE_FRAMES(second));
    snprintf(name, sizeof name, "boot.pmm_free_frames.%s", tag);
    info(name, (double)PMM_FREE_FRAMES(pmm));
    snprintf(name, sizeof name, "boot.usable_frames.%s", tag);
    info(name, (double)verimem_kernel_memmap_MapInvariants_usableFrames(fin));
    snprintf(name, sizeof name, "boot.simulated_page_walks.%s", tag);
    info(name, (double)(bench_slow_accesses - slow0));
    snprintf(name, sizeof name, "boot.metadata_pages.%s", tag);
    info(name, (double)verimem_kernel_boot_Bootstrap_metadataPages(boot));
    snprintf(name, sizeof name, "boot.metadata_bits_per_frame.%s", tag);
    info(name, PMM_METADATA_BYTES(pmm) * 8.0 / (double)PMM_MANAGED(pmm));
    vm_write_cr3(0);
}

/* A map file as run.sh writes it: "start end type" per line, decimal, end exclusive. */
static int read_map(const char *path, struct bmap *m) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    m->n = 0;
    long long s, e;
    int t;
    while (fscanf(f, "%lld %lld %d", &s, &e, &t) == 3) {
        map_add(m, s, e, t);
    }
    fclose(f);
    return m->n;
}
#endif /* BENCH_GENERATED */

/* ---------------------------------------------------------------- VMM and kmalloc (both builds) ------------- */
/* kmalloc / kfree per size class, with the VMM's ownership bitmap */
static void kmalloc_scenarios(void *pmm, void *vmm) {
    int64_t before, res[64], scratch[64];
    progress("kmalloc");
    void *km = impl_kmalloc_new(pmm, vmm, 64);
    static const int64_t sizes[] = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 16384};
    enum { K = 64 };
    int64_t objs[K];
    instr_on();
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int cnt = sizes[s] > 2048 ? 8 : K;
        char name[96];
        before = PMM_FREE_FRAMES(pmm);
        snprintf(name, sizeof name, "kmalloc.%lld", (long long)sizes[s]);
        MEASURE(name, cnt, i, (objs[i] = KMALLOC(km, sizes[s])),
                (scratch[i] = bench_empty_pl(km, sizes[s])));
        for (int i = 0; i < cnt; i++) {
            check((uint64_t)objs[i] >= BENCH_DIRECT_MAP_BASE, "kmalloc gives a direct-map address", objs[i]);
        }
        snprintf(name, sizeof name, "kfree.%lld", (long long)sizes[s]);
        MEASURE(name, cnt, i, (res[i] = KFREE(km, objs[i])),
                (scratch[i] = bench_empty_pl(km, objs[i])));
        for (int i = 0; i < cnt; i++) {
            check(res[i] == 0, "kfree", res[i]);
        }
        check(PMM_FREE_FRAMES(pmm) == before, "kmalloc: every frame back after kfree", PMM_FREE_FRAMES(pmm));
    }
    instr_off();
}


void bench_ram_init(uint64_t bytes);
extern uint64_t bench_invlpgs;
/* VMM on a 64 MiB simulated machine: the PMM manages [2 MiB, 64 MiB); the boot PML4 is the zero frame at 1 MiB. */
#define VMM_RAM (64 * MIB)
#define USER_FLAGS (INT64_MIN + 2 + 4)     /* NO_EXECUTE | WRITABLE | USER (PRESENT implied; W^X) */

static void vmm_scenarios(void) {
    progress("vmm");
    bench_ram_init(VMM_RAM);
    struct bmap m = {0};
    map_add(&m, 1 * MIB, VMM_RAM, 1);
    void *pmm = impl_pmm_new(&m);
    check(PMM_RELEASE(pmm, 2 * MIB, VMM_RAM) == 0, "vmm: release", 0);
    vm_write_cr3(1 * MIB);
    void *vmm = impl_vmm_new(pmm, VMM_RAM);
    int64_t r;
    void *as = impl_space_new(vmm);
    r = SPACE_CREATE(as);
    check(r == 0, "vmm: create", r);
    void *tr = impl_translation_new();

    enum { N = 256 };
    int64_t frames[N], res[N], scratch[N];
    for (int i = 0; i < N; i++) {
        frames[i] = PMM_ALLOC(pmm);
        check(frames[i] >= 0, "vmm: data frame", frames[i]);
    }
    const int64_t va0 = 16 * GIB;       /* one page table, page 0 keeps it alive */
    r = SPACE_MAP(as, va0, frames[0], USER_FLAGS, 4096);
    check(r == 0, "vmm: first map", r);
    int64_t tables0 = PMM_FREE_FRAMES(pmm);

    instr_on();
    MEASURE("vmm.map4k.tables_exist", N - 1, i,
            (res[i] = SPACE_MAP(as, va0 + (i + 1) * FRAME, frames[i + 1], USER_FLAGS, 4096)),
            (scratch[i] = bench_empty_pllll(as, va0 + (i + 1) * FRAME, frames[i + 1], USER_FLAGS, 4096)));
    for (int i = 0; i < N - 1; i++) {
        check(res[i] == 0, "vmm: map 4K in an existing table", res[i]);
    }
    check(PMM_FREE_FRAMES(pmm) == tables0, "vmm: no table allocated", PMM_FREE_FRAMES(pmm));
    MEASURE("vmm.translate4k", N - 1, i,
            (res[i] = SPACE_TRANSLATE(as, va0 + (i + 1) * FRAME + 8, tr)),
            (scratch[i] = bench_empty_plp(as, va0 + (i + 1) * FRAME + 8, tr)));
    for (int i = 0; i < N - 1; i++) {
        check(res[i] == frames[i + 1] + 8, "vmm: translate gives the frame", res[i]);
    }
    MEASURE("vmm.unmap4k.table_stays", N - 1, i,
            (res[i] = SPACE_UNMAP(as, va0 + (i + 1) * FRAME)),
            (scratch[i] = bench_empty_pl(as, va0 + (i + 1) * FRAME)));
    for (int i = 0; i < N - 1; i++) {
        check(res[i] >= 0, "vmm: unmap 4K", res[i]);
    }

    /* a new page table per map (the PD exists): va0 + k * 2 MiB, k >= 1 */
    enum { M = 64 };
    int64_t before = PMM_FREE_FRAMES(pmm);
    MEASURE("vmm.map4k.new_pt", M, i,
            (res[i] = SPACE_MAP(as, va0 + (i + 1) * 2 * MIB, frames[i], USER_FLAGS, 4096)),
            (scratch[i] = bench_empty_pllll(as, va0 + (i + 1) * 2 * MIB, frames[i], USER_FLAGS, 4096)));
    for (int i = 0; i < M; i++) {
        check(res[i] == 0, "vmm: map 4K with a new PT", res[i]);
    }
    check(PMM_FREE_FRAMES(pmm) == before - M, "vmm: one table per map", PMM_FREE_FRAMES(pmm));
    MEASURE("vmm.unmap4k.pt_reclaimed", M, i,
            (res[i] = SPACE_UNMAP(as, va0 + (i + 1) * 2 * MIB)),
            (scratch[i] = bench_empty_pl(as, va0 + (i + 1) * 2 * MIB)));
    check(PMM_FREE_FRAMES(pmm) == before, "vmm: page tables reclaimed", PMM_FREE_FRAMES(pmm));

    /* three new tables per map (PDPT, PD, PT): a fresh PML4 slot each time, slots 1..64 of the lower half */
    before = PMM_FREE_FRAMES(pmm);
    MEASURE("vmm.map4k.new_pdpt_pd_pt", M, i,
            (res[i] = SPACE_MAP(as, (i + 1) * 512 * GIB, frames[i], USER_FLAGS, 4096)),
            (scratch[i] = bench_empty_pllll(as, (i + 1) * 512 * GIB, frames[i], USER_FLAGS, 4096)));
    for (int i = 0; i < M; i++) {
        check(res[i] == 0, "vmm: map 4K with three new tables", res[i]);
    }
    check(PMM_FREE_FRAMES(pmm) == before - 3 * M, "vmm: three tables per map", PMM_FREE_FRAMES(pmm));
    MEASURE("vmm.unmap4k.3_tables_reclaimed", M, i,
            (res[i] = SPACE_UNMAP(as, (i + 1) * 512 * GIB)),
            (scratch[i] = bench_empty_pl(as, (i + 1) * 512 * GIB)));
    check(PMM_FREE_FRAMES(pmm) == before, "vmm: three tables reclaimed per unmap", PMM_FREE_FRAMES(pmm));
    instr_off();

    /* 2 MiB pages: one PD (kept alive by the first one), the same 2 MiB block mapped at M addresses */
    int64_t big = PMM_ALLOC_ALIGNED(pmm, 9);
    check(big >= 0, "vmm: a 2 MiB block", big);
    const int64_t va2 = 32 * GIB;
    r = SPACE_MAP(as, va2, big, USER_FLAGS, 2 * MIB);
    check(r == 0, "vmm: first 2M map", r);
    instr_on();
    MEASURE("vmm.map2m.tables_exist", M, i,
            (res[i] = SPACE_MAP(as, va2 + (i + 1) * 2 * MIB, big, USER_FLAGS, 2 * MIB)),
            (scratch[i] = bench_empty_pllll(as, va2 + (i + 1) * 2 * MIB, big, USER_FLAGS, 2 * MIB)));
    for (int i = 0; i < M; i++) {
        check(res[i] == 0, "vmm: map 2M", res[i]);
    }
    MEASURE("vmm.translate2m", M, i,
            (res[i] = SPACE_TRANSLATE(as, va2 + (i + 1) * 2 * MIB + 4104, tr)),
            (scratch[i] = bench_empty_plp(as, va2 + (i + 1) * 2 * MIB + 4104, tr)));
    for (int i = 0; i < M; i++) {
        check(res[i] == big + 4104, "vmm: translate 2M", res[i]);
    }
    MEASURE("vmm.unmap2m", M, i,
            (res[i] = SPACE_UNMAP(as, va2 + (i + 1) * 2 * MIB)),
            (scratch[i] = bench_empty_pl(as, va2 + (i + 1) * 2 * MIB)));
    for (int i = 0; i < M; i++) {
        check(res[i] >= 0, "vmm: unmap 2M", res[i]);
    }
    instr_off();

    /* address spaces: create / destroy of an empty space, then clone + destroy of a space with n mappings */
    enum { S = 16 };
    void *spaces[S];
    for (int i = 0; i < S; i++) {
        spaces[i] = impl_space_new(vmm);
    }
    before = PMM_FREE_FRAMES(pmm);
    instr_on();
    MEASURE("vmm.space_create", S, i, (res[i] = SPACE_CREATE(spaces[i])),
            (scratch[i] = bench_empty_p(spaces[i])));
    for (int i = 0; i < S; i++) {
        check(res[i] == 0, "vmm: create", res[i]);
    }
#ifdef BENCH_GENERATED
    MEASURE("vmm.space_destroy.empty", S, i, (res[i] = verimem_kernel_vmm_AddressSpace_destroy(spaces[i], 0)),
            (scratch[i] = bench_empty_pi(spaces[i], 0)));
    for (int i = 0; i < S; i++) {
        check(res[i] == 0, "vmm: destroy", res[i]);
    }
    instr_off();
    check(PMM_FREE_FRAMES(pmm) == before, "vmm: create/destroy leaves nothing", PMM_FREE_FRAMES(pmm));

    /* clone = deep copy: every mapped page gets a new frame with a copy of its contents. The source holds
       exactly n 4 KiB pages (page 0 at va0 plus n - 1 more; the 2 MiB page is unmapped first). */
    r = SPACE_UNMAP(as, va2);
    check(r == big, "vmm: unmap of the first 2M page", r);
    check(PMM_FREE_ALIGNED(pmm, big, 9) == 0, "vmm: 2 MiB block back", big);
    static const int counts[] = {1, 64, 256};
    for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        int n = counts[c];
        for (int i = 1; i < n; i++) {
            r = SPACE_MAP(as, va0 + i * FRAME, frames[i], USER_FLAGS, 4096);
            check(r == 0, "vmm: mapping for the clone", r);
        }
        void *dst = impl_space_new(vmm);
        char name[96];
        before = PMM_FREE_FRAMES(pmm);
        instr_on();
        snprintf(name, sizeof name, "vmm.space_clone.%d_pages", n);
        MEASURE(name, 1, i, (res[i] = verimem_kernel_vmm_AddressSpace_cloneInto(as, dst)),
                (scratch[i] = bench_empty_pp(as, dst)));
        check(res[0] == 0, "vmm: clone", res[0]);
        snprintf(name, sizeof name, "vmm.space_destroy.%d_pages_and_frames", n);
        MEASURE(name, 1, i, (res[i] = verimem_kernel_vmm_AddressSpace_destroy(dst, 1)),
                (scratch[i] = bench_empty_pi(dst, 1)));
        check(res[0] == 0, "vmm: destroy of the clone", res[0]);
        instr_off();
        check(PMM_FREE_FRAMES(pmm) == before, "vmm: destroy(true) returned the clone's tables and frames",
              PMM_FREE_FRAMES(pmm));
        for (int i = 1; i < n; i++) {
            r = SPACE_UNMAP(as, va0 + i * FRAME);
            check(r >= 0, "vmm: unmap after the clone", r);
        }
    }
#else
    instr_off();
#endif
    kmalloc_scenarios(pmm, vmm);
    info("vmm.invlpg_calls", (double)bench_invlpgs);
    bench_ram_init(4096); /* drop the VMM machine (the boot phase allocates its own) */
}

#ifdef BENCH_BASELINE
void *impl_pmm_new(const struct bmap *m) {
    return bpmm_new(m->n, m->start, m->end, m->type);
}
#endif

int main(int argc, char **argv) {
    int first_map = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) {
            smoke = 1;
        } else {
            first_map = i;
            break;
        }
    }
#ifdef BENCH_GENERATED
    vm_hosted_init(4096, 512 * MIB);
    bench_ram_init(4096);
    vm_clinit_all();
#endif
    struct bmap m;
    qemu_pc_map(&m, 128 * MIB);
    pmm_scenarios("128M", &m);
    if (!smoke) {
        qemu_pc_map(&m, 8 * GIB);
        pmm_scenarios("8G", &m);
    }
    /* metadata only (no scenarios): the sizes the issue asks about */
    static const int64_t sizes[] = {128 * MIB, 3584 * MIB, 8 * GIB, 64 * GIB};
    static const char *names[] = {"128M", "3.5G", "8G", "64G"};
    for (int i = 0; i < 4; i++) {
        char name[96];
        qemu_pc_map(&m, sizes[i]);
        void *p = impl_pmm_new(&m);
        snprintf(name, sizeof name, "meta.bits_per_frame.qemu%s", names[i]);
        info(name, PMM_METADATA_BYTES(p) * 8.0 / (double)PMM_MANAGED(p));
        snprintf(name, sizeof name, "meta.bytes.qemu%s", names[i]);
        info(name, (double)PMM_METADATA_BYTES(p));
        if (smoke) {
            break;
        }
    }
    vmm_scenarios();
#ifdef BENCH_GENERATED
    for (int i = first_map; i < argc; i++) {
        struct bmap raw;
        if (read_map(argv[i], &raw) <= 0) {
            fail("cannot read map file", i);
        }
        const char *tag = strrchr(argv[i], '/');
        tag = tag ? tag + 1 : argv[i];
        char t[96];
        const char *dot = strrchr(tag, '.');
        snprintf(t, sizeof t, "%.*s", (int)(dot ? dot - tag : (long)strlen(tag)), tag);
        boot_scenario(t, &raw);
    }
#else
    (void)first_map;
#endif
    printf("DONE %s %lld\n", IMPL_NAME, (long long)(sink & 1));
    return 0;
}
