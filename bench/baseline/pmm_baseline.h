/*
 * pmm_baseline.h: the hand-written C baseline of verimem's PMM (jml-annotated/.../pmm/Pmm.java and
 * SegmentTable.java): the same algorithm and the same data layout, written the way a kernel developer would
 * write it in C: no bounds checks, no null checks, constants as constants, helpers the compiler may inline.
 * The benchmark compares the AOT-generated C against this; the ratio is the cost of going through Java.
 *
 * Same return codes as the Java (verimem.kernel.arch.Err): 0 OK, -1 NO_MEMORY, -2 NOT_ALLOCATED,
 * -3 NOT_MANAGED, -4 MISALIGNED, -9 INVALID_ARGUMENT.
 */
#ifndef BENCH_PMM_BASELINE_H
#define BENCH_PMM_BASELINE_H
#include <stdint.h>

struct bpmm;

/* Builds the PMM over the usable (type 1) entries of a map, every frame reserved. */
struct bpmm *bpmm_new(int n, const int64_t *start, const int64_t *end, const int32_t *type);
int64_t bpmm_release(struct bpmm *p, int64_t start_pa, int64_t end_pa);
int64_t bpmm_alloc_frame(struct bpmm *p);
int64_t bpmm_free_frame(struct bpmm *p, int64_t pa);
int64_t bpmm_alloc_aligned(struct bpmm *p, int32_t order);
int64_t bpmm_free_aligned(struct bpmm *p, int64_t pa, int32_t order);
int64_t bpmm_free_frames(struct bpmm *p);
int64_t bpmm_managed_frames(struct bpmm *p);
/* Counted exactly as Pmm.metadataBytesInUse counts (array headers and object headers included). */
int64_t bpmm_metadata_bytes(struct bpmm *p);
#endif
