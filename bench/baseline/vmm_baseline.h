/* vmm_baseline.h: hand-written C of the measured VMM paths (see vmm_baseline.c). Err codes as in Java. */
#ifndef BENCH_VMM_BASELINE_H
#define BENCH_VMM_BASELINE_H
#include <stdint.h>
#include "pmm_baseline.h"

enum { BT_MAPPED = 0, BT_NOT_MAPPED = 1, BT_INVALID = 2, BT_NON_CANONICAL = 3 };

/* TranslateResult */
struct btranslation {
    int32_t status;
    int64_t frame, offset, page_size;
    int32_t writable, user, no_execute, global, write_through, cache_disable;
};

struct bvmm;
struct bspace;

/* Vmm(pmm, physLimit) + adoptBootSpace(): the PML4 in CR3 becomes the kernel space. */
struct bvmm *bvmm_new(struct bpmm *pmm, int64_t phys_limit);
int64_t bvmm_table_frames(struct bvmm *v);
struct bspace *bspace_new(struct bvmm *v);
int64_t bspace_create(struct bspace *s);
int64_t bspace_map(struct bspace *s, int64_t va, int64_t pa, int64_t flags, int64_t page_size);
int64_t bspace_unmap(struct bspace *s, int64_t va);
int64_t bspace_translate(struct bspace *s, int64_t va, struct btranslation *out);
/* FrameOwnership.mark (on = 1) / unmark (on = 0) */
int64_t bvmm_owner_mark(struct bvmm *v, int64_t pa, int on);
#endif
