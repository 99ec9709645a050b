/* kmalloc_baseline.h: hand-written C of heap/Kmalloc.java (see kmalloc_baseline.c). */
#ifndef BENCH_KMALLOC_BASELINE_H
#define BENCH_KMALLOC_BASELINE_H
#include <stdint.h>
#include "pmm_baseline.h"
#include "vmm_baseline.h"

struct bkmalloc;
struct bkmalloc *bkmalloc_new(struct bpmm *pmm, struct bvmm *owners, int32_t max_slabs);
int64_t bkmalloc(struct bkmalloc *k, int64_t bytes);
int64_t bkfree(struct bkmalloc *k, int64_t ptr);
#endif
