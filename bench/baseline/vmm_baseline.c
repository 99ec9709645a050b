/*
 * vmm_baseline.c: hand-written C of verimem's VMM paths that the benchmark measures (vmm/AddressSpace.java
 * map / unmap / translate / create, vmm/Vmm.java table allocation and adoptBootSpace, vmm/FrameOwnership.java),
 * for lower-half (user) spaces. Same algorithm, same checks in the same order, same data: page tables in the
 * simulated RAM reached through the direct map with the same inline accessors as the generated C
 * (bench/runtime/vm.h), the ownership and VMM-table bitmaps as two arrays of 64-bit words, tables from the
 * baseline PMM. What a C developer would do differently is done: no bounds/null checks, masks instead of the
 * Java's sign-safe modulo arithmetic (Pte.frame, VirtAddr.index), inline helpers.
 * Not covered (generated C only in the table): destroy, clone, protect, the kernel half, PCIDs.
 */
#include "vmm_baseline.h"
#include "vm.h"
#include <stdlib.h>

#define ENTRIES 512
#define PAGE_4K 4096ll
#define PAGE_2M (2ll << 20)
#define PAGE_1G (1ll << 30)
#define PRESENT 1ull
#define WRITABLE 2ull
#define USER 4ull
#define HUGE 128ull
#define GLOBAL 256ull
#define NX (1ull << 63)
#define FRAME_MASK 0x000FFFFFFFFFF000ull
#define PHYS_LIMIT (1ll << 52)
#define RECURSIVE_SLOT 510
#define KERNEL_FIRST_SLOT 256

enum { OK = 0, NO_MEMORY = -1, NON_CANONICAL = -5, ALREADY_MAPPED = -6, NOT_MAPPED = -7, PARENT_HUGE_PAGE = -8,
       INVALID_ARGUMENT = -9, KERNEL_FRAME = -10, DESTROYED = -11, MISALIGNED = -4, WRITE_EXECUTE = -14 };
enum { NEW = 0, LIVE = 1 };
enum { NOT_MANAGED_OWNER = -3 };

struct bvmm {
    struct bpmm *pmm;
    uint64_t *owned;      /* FrameOwnership.bits: kernel-owned frames */
    uint64_t *vmm_tables; /* FrameOwnership.vmmTables: tables this VMM allocated */
    int64_t frames;
    int64_t kernel_pml4;
    int64_t table_frames;
};

struct bspace {
    struct bvmm *vmm;
    int64_t pml4;
    int state;
    int tlb_dirty;
    int64_t path[5];
};

/* ---- tables through the direct map ---- */
static inline uint64_t tread(int64_t table, int i) {
    return (uint64_t)vm_load64((int64_t)(BENCH_DIRECT_MAP_BASE + (uint64_t)table) + i * 8);
}
static inline void twrite(int64_t table, int i, uint64_t e) {
    vm_store64((int64_t)(BENCH_DIRECT_MAP_BASE + (uint64_t)table) + i * 8, (int64_t)e);
}
static inline int idx(int64_t va, int level) { return (int)(((uint64_t)va >> (12 + 9 * (level - 1))) & 511); }
static inline int64_t pte_frame(uint64_t e) { return (int64_t)(e & FRAME_MASK); }
static inline int is_canonical(int64_t va) { return va >= -(1ll << 47) && va < (1ll << 47); }

/* ---- ownership bitmaps ---- */
static inline int bit_get(const uint64_t *m, const struct bvmm *v, int64_t pa) {
    if (pa < 0 || pa / 4096 >= v->frames) {
        return 0;
    }
    uint64_t f = (uint64_t)pa / 4096;
    return (m[f / 64] >> (f % 64)) & 1;
}
static inline void bit_put(uint64_t *m, const struct bvmm *v, int64_t pa, int on) {
    if (pa < 0 || pa / 4096 >= v->frames) {
        return;
    }
    uint64_t f = (uint64_t)pa / 4096;
    if (on) {
        m[f / 64] |= 1ull << (f % 64);
    } else {
        m[f / 64] &= ~(1ull << (f % 64));
    }
}
static int any_kernel(const struct bvmm *v, int64_t pa, int64_t size) {
    for (int64_t p = pa; p < pa + size; p += 4096) {
        if (bit_get(v->owned, v, p)) {
            return 1;
        }
    }
    return 0;
}

static int64_t alloc_table(struct bvmm *v) {
    int64_t f = bpmm_alloc_frame(v->pmm);
    if (f < 0) {
        return NO_MEMORY;
    }
    for (int i = 0; i < ENTRIES; i++) {
        twrite(f, i, 0);
    }
    bit_put(v->owned, v, f, 1);
    bit_put(v->vmm_tables, v, f, 1);
    v->table_frames++;
    return f;
}

static void free_table(struct bvmm *v, int64_t f) {
    if (!bit_get(v->vmm_tables, v, f)) {
        abort(); /* freeing a page table the VMM did not allocate */
    }
    bit_put(v->vmm_tables, v, f, 0);
    bit_put(v->owned, v, f, 0);
    if (bpmm_free_frame(v->pmm, f) != OK) {
        abort();
    }
    v->table_frames--;
}

static int table_is_empty(int64_t t) {
    for (int i = 0; i < ENTRIES; i++) {
        if (tread(t, i) != 0) {
            return 0;
        }
    }
    return 1;
}

static void mark_tables(struct bvmm *v, int64_t table, int level) {
    bit_put(v->owned, v, table, 1);
    if (level == 1) {
        return;
    }
    for (int i = 0; i < ENTRIES; i++) {
        uint64_t e = tread(table, i);
        int self = level == 4 && pte_frame(e) == table;
        if ((e & PRESENT) && !self && (level == 4 || !(e & HUGE))) {
            mark_tables(v, pte_frame(e), level - 1);
        }
    }
}

struct bvmm *bvmm_new(struct bpmm *pmm, int64_t phys_limit) {
    struct bvmm *v = calloc(1, sizeof *v);
    v->pmm = pmm;
    v->frames = phys_limit / 4096;
    v->owned = calloc((size_t)(v->frames + 63) / 64, 8);
    v->vmm_tables = calloc((size_t)(v->frames + 63) / 64, 8);
    /* adoptBootSpace: the PML4 in CR3 becomes the kernel space; every upper slot gets a PDPT */
    int64_t pml4 = pte_frame((uint64_t)vm_read_cr3());
    mark_tables(v, pml4, 4);
    for (int slot = KERNEL_FIRST_SLOT; slot < ENTRIES; slot++) {
        if (!(tread(pml4, slot) & PRESENT)) {
            int64_t f = alloc_table(v);
            if (f < 0) {
                abort(); /* the benchmark machine has room: no rollback path needed here */
            }
            twrite(pml4, slot, (uint64_t)f + PRESENT + WRITABLE);
        }
    }
    v->kernel_pml4 = pml4;
    return v;
}

static int has_recursive_slot(const struct bvmm *v) {
    uint64_t e = tread(v->kernel_pml4, RECURSIVE_SLOT);
    return (e & PRESENT) && pte_frame(e) == v->kernel_pml4;
}

struct bspace *bspace_new(struct bvmm *v) {
    struct bspace *s = calloc(1, sizeof *s);
    s->vmm = v;
    s->state = NEW;
    return s;
}

int64_t bspace_create(struct bspace *s) {
    if (s->state != NEW) {
        return INVALID_ARGUMENT;
    }
    int64_t f = alloc_table(s->vmm);
    if (f < 0) {
        return NO_MEMORY;
    }
    int recursive = has_recursive_slot(s->vmm);
    for (int i = KERNEL_FIRST_SLOT; i < ENTRIES; i++) {
        if (recursive && i == RECURSIVE_SLOT) {
            twrite(f, i, (uint64_t)f + PRESENT + WRITABLE + NX);
        } else {
            twrite(f, i, tread(s->vmm->kernel_pml4, i));
        }
    }
    s->pml4 = f;
    s->state = LIVE;
    s->tlb_dirty = 1;
    return OK;
}

static int valid_flags(int64_t flags) {
    uint64_t low = (uint64_t)flags & ~NX;
    return low < 4096 && (low & ((1u << 5) | (1u << 6) | (1u << 7) | (1u << 9) | (1u << 10) | (1u << 11))) == 0;
}

static int64_t check_half(const struct bspace *s, int64_t va) {
    if (!is_canonical(va)) {
        return NON_CANONICAL;
    }
    if (va < 0) { /* user space: the lower half only */
        return INVALID_ARGUMENT;
    }
    if (idx(va, 4) == RECURSIVE_SLOT && has_recursive_slot(s->vmm)) {
        return INVALID_ARGUMENT;
    }
    return OK;
}

static int is_current(const struct bspace *s) {
    return s->state == LIVE && pte_frame((uint64_t)vm_read_cr3()) == s->pml4;
}

/* Parents of a lower-half leaf must allow write and user, and execution when the leaf allows it. */
static void upgrade_parents(struct bspace *s, int64_t va, int below, int64_t flags) {
    int changed = 0;
    int64_t table = s->pml4;
    for (int level = 4; level > below; level--) {
        int i = idx(va, level);
        uint64_t e = tread(table, i);
        uint64_t n = e | WRITABLE | USER;
        if ((n & NX) && flags >= 0) {
            n &= ~NX;
        }
        if (n != e) {
            twrite(table, i, n);
            changed = 1;
        }
        table = pte_frame(e);
    }
    if (changed) {
        if (is_current(s)) {
            vm_write_cr3(vm_read_cr3());
        } else {
            s->tlb_dirty = 1;
        }
    }
}

int64_t bspace_map(struct bspace *s, int64_t va, int64_t pa, int64_t flags, int64_t page_size) {
    if (s->state != LIVE) {
        return DESTROYED;
    }
    if ((page_size != PAGE_4K && page_size != PAGE_2M && page_size != PAGE_1G) || !valid_flags(flags)) {
        return INVALID_ARGUMENT;
    }
    int64_t half = check_half(s, va);
    if (half != OK) {
        return half;
    }
    if ((flags & USER) && (flags & WRITABLE) && flags >= 0) {
        return WRITE_EXECUTE; /* W^X for user mappings */
    }
    if (va % page_size != 0 || pa < 0 || pa % page_size != 0) {
        return MISALIGNED;
    }
    if (pa > PHYS_LIMIT - page_size) {
        return INVALID_ARGUMENT;
    }
    if (any_kernel(s->vmm, pa, page_size)) {
        return KERNEL_FRAME;
    }
    int leaf = page_size == PAGE_1G ? 3 : page_size == PAGE_2M ? 2 : 1;
    int64_t table = s->pml4;
    int level = 4;
    while (level > leaf) {
        uint64_t e = tread(table, idx(va, level));
        if (!(e & PRESENT)) {
            break;
        }
        if (level < 4 && (e & HUGE)) {
            return PARENT_HUGE_PAGE;
        }
        table = pte_frame(e);
        level--;
    }
    if (level == leaf && (tread(table, idx(va, leaf)) & PRESENT)) {
        return ALREADY_MAPPED;
    }
    int need = level - leaf;
    int64_t n[3] = {0, 0, 0};
    for (int k = 0; k < need; k++) {
        n[k] = alloc_table(s->vmm);
        if (n[k] < 0) {
            while (k-- > 0) {
                free_table(s->vmm, n[k]);
            }
            return NO_MEMORY;
        }
    }
    uint64_t leaf_entry = (uint64_t)pa + ((uint64_t)flags | PRESENT);
    if (leaf > 1) {
        leaf_entry += HUGE;
    }
    const uint64_t pf = PRESENT + WRITABLE + USER;
    upgrade_parents(s, va, level, flags);
    if (need == 0) {
        twrite(table, idx(va, leaf), leaf_entry);
    } else {
        /* fill the new tables bottom-up, link the topmost last: one store makes the mapping appear */
        twrite(n[need - 1], idx(va, leaf), leaf_entry);
        for (int k = need - 1; k >= 1; k--) {
            twrite(n[k - 1], idx(va, level - k), (uint64_t)n[k] + pf);
        }
        twrite(table, idx(va, level), (uint64_t)n[0] + pf);
    }
    return OK;
}

static int64_t find_leaf(struct bspace *s, int64_t va) {
    int64_t table = s->pml4;
    for (int level = 4; level >= 1; level--) {
        s->path[level] = table;
        uint64_t e = tread(table, idx(va, level));
        if (!(e & PRESENT)) {
            return NOT_MAPPED;
        }
        int huge = level > 1 && (e & HUGE);
        if (level == 4 && huge) {
            return INVALID_ARGUMENT;
        }
        if (level == 1 || huge) {
            return level;
        }
        table = pte_frame(e);
    }
    return NOT_MAPPED;
}

static inline int64_t page_size_of(int level) {
    return level == 3 ? PAGE_1G : level == 2 ? PAGE_2M : PAGE_4K;
}

int64_t bspace_unmap(struct bspace *s, int64_t va) {
    if (s->state != LIVE) {
        return DESTROYED;
    }
    int64_t half = check_half(s, va);
    if (half != OK) {
        return half;
    }
    int64_t found = find_leaf(s, va);
    if (found < 0) {
        return found;
    }
    int leaf = (int)found;
    if (va % page_size_of(leaf) != 0) {
        return MISALIGNED;
    }
    int64_t frame = pte_frame(tread(s->path[leaf], idx(va, leaf)));
    twrite(s->path[leaf], idx(va, leaf), 0);
    for (int level = leaf; level <= 3; level++) {
        if (!bit_get(s->vmm->vmm_tables, s->vmm, s->path[level]) || !table_is_empty(s->path[level])) {
            break;
        }
        twrite(s->path[level + 1], idx(va, level + 1), 0);
        free_table(s->vmm, s->path[level]);
    }
    if (is_current(s)) {
        vm_invlpg(va);
    } else {
        s->tlb_dirty = 1;
    }
    return frame;
}

/* TranslateResult.reset: every field cleared, then the status */
static inline void reset(struct btranslation *out, int32_t status) {
    *out = (struct btranslation){0};
    out->status = status;
}

int64_t bspace_translate(struct bspace *s, int64_t va, struct btranslation *out) {
    if (s->state != LIVE) {
        reset(out, BT_NOT_MAPPED);
        return DESTROYED;
    }
    if (!is_canonical(va)) {
        reset(out, BT_NON_CANONICAL);
        return NON_CANONICAL;
    }
    int64_t table = s->pml4;
    int w = 1, u = 1, nx = 0;
    for (int level = 4; level >= 1; level--) {
        uint64_t e = tread(table, idx(va, level));
        if (!(e & PRESENT)) {
            reset(out, BT_NOT_MAPPED);
            return NOT_MAPPED;
        }
        w = w && (e & WRITABLE);
        u = u && (e & USER);
        nx = nx || (e & NX);
        int huge = level > 1 && (e & HUGE);
        if (level == 4 && (e & HUGE)) {
            reset(out, BT_INVALID);
            return INVALID_ARGUMENT;
        }
        if (level == 1 || huge) {
            int64_t size = page_size_of(level);
            int64_t frame = pte_frame(e);
            if (frame % size != 0) {
                reset(out, BT_INVALID);
                return INVALID_ARGUMENT;
            }
            reset(out, BT_MAPPED);
            out->frame = frame;
            out->offset = (int64_t)((uint64_t)va & (uint64_t)(size - 1));
            out->page_size = size;
            out->writable = w;
            out->user = u;
            out->no_execute = nx;
            out->global = (e & GLOBAL) != 0;
            out->write_through = (e & 8) != 0;
            out->cache_disable = (e & 16) != 0;
            return frame + out->offset;
        }
        table = pte_frame(e);
    }
    reset(out, BT_NOT_MAPPED);
    return NOT_MAPPED;
}

int64_t bvmm_table_frames(struct bvmm *v) { return v->table_frames; }

/* FrameOwnership.mark / unmark for the kmalloc baseline (the heap marks its frames kernel-owned). */
int64_t bvmm_owner_mark(struct bvmm *v, int64_t pa, int on) {
    if (pa < 0 || pa / 4096 >= v->frames) {
        return NOT_MANAGED_OWNER;
    }
    bit_put(v->owned, v, pa, on);
    return OK;
}
