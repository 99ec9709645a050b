/*
 * ops.h: the one seam between the benchmark scenarios (bench_main.c) and the code under measurement. Built with
 * -DBENCH_GENERATED it calls the AOT-generated C (verimem_aot.h); with -DBENCH_BASELINE the hand-written C of
 * bench/baseline/. Both sides take the same argument shapes, so the empty-call calibration is the same too.
 */
#ifndef BENCH_OPS_H
#define BENCH_OPS_H
#include <stdint.h>

/* A memory map as the driver reads it: [start, end) and the MemoryMap type code. */
struct bmap {
    int n;
    int64_t start[256];
    int64_t end[256];
    int32_t type[256];
};

#if defined(BENCH_GENERATED)
#include "verimem_aot.h"
#include "vm_hosted.h"
#define IMPL_NAME "generated"
void *impl_pmm_new(const struct bmap *m);
#define PMM_RELEASE(p, s, e) verimem_kernel_pmm_Pmm_release((p), (s), (e))
#define PMM_ALLOC(p) verimem_kernel_pmm_Pmm_allocFrame(p)
#define PMM_FREE(p, pa) verimem_kernel_pmm_Pmm_freeFrame((p), (pa))
#define PMM_ALLOC_ALIGNED(p, k) verimem_kernel_pmm_Pmm_allocAligned((p), (k))
#define PMM_FREE_ALIGNED(p, pa, k) verimem_kernel_pmm_Pmm_freeAligned((p), (pa), (k))
#define PMM_FREE_FRAMES(p) verimem_kernel_pmm_Pmm_freeFrames(p)
#define PMM_MANAGED(p) verimem_kernel_pmm_Pmm_managedFrames(p)
#define PMM_METADATA_BYTES(p) verimem_kernel_pmm_Pmm_metadataBytesInUse(p)
#elif defined(BENCH_BASELINE)
#include "pmm_baseline.h"
#define IMPL_NAME "baseline"
void *impl_pmm_new(const struct bmap *m);
#define PMM_RELEASE(p, s, e) bpmm_release((p), (s), (e))
#define PMM_ALLOC(p) bpmm_alloc_frame(p)
#define PMM_FREE(p, pa) bpmm_free_frame((p), (pa))
#define PMM_ALLOC_ALIGNED(p, k) bpmm_alloc_aligned((p), (k))
#define PMM_FREE_ALIGNED(p, pa, k) bpmm_free_aligned((p), (pa), (k))
#define PMM_FREE_FRAMES(p) bpmm_free_frames(p)
#define PMM_MANAGED(p) bpmm_managed_frames(p)
#define PMM_METADATA_BYTES(p) bpmm_metadata_bytes(p)
#else
#error "build with -DBENCH_GENERATED or -DBENCH_BASELINE"
#endif
#endif
