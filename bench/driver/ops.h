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
void *impl_vmm_new(void *pmm, int64_t phys_limit); /* Vmm + adoptBootSpace */
void *impl_space_new(void *vmm);
void *impl_translation_new(void);
#define SPACE_CREATE(s) verimem_kernel_vmm_AddressSpace_create(s)
#define SPACE_MAP(s, va, pa, f, sz) verimem_kernel_vmm_AddressSpace_map((s), (va), (pa), (f), (sz))
#define SPACE_UNMAP(s, va) verimem_kernel_vmm_AddressSpace_unmap((s), (va))
#define SPACE_TRANSLATE(s, va, tr) verimem_kernel_vmm_AddressSpace_translate((s), (va), (tr))
void *impl_kmalloc_new(void *pmm, void *vmm, int32_t max_slabs); /* with the VMM's FrameOwnership */
#define KMALLOC(k, bytes) verimem_kernel_heap_Kmalloc_kmalloc((k), (bytes))
#define KFREE(k, ptr) verimem_kernel_heap_Kmalloc_kfree((k), (ptr))
#elif defined(BENCH_BASELINE)
#include "vm.h" /* bench/runtime/vm.h: the same simulated RAM and accessors as the generated build */
#include "pmm_baseline.h"
#include "vmm_baseline.h"
#include "kmalloc_baseline.h"
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
#define impl_vmm_new(pmm, limit) ((void *)bvmm_new((pmm), (limit)))
#define impl_space_new(v) ((void *)bspace_new(v))
#define impl_translation_new() calloc(1, sizeof(struct btranslation))
#define SPACE_CREATE(s) bspace_create(s)
#define SPACE_MAP(s, va, pa, f, sz) bspace_map((s), (va), (pa), (f), (sz))
#define SPACE_UNMAP(s, va) bspace_unmap((s), (va))
#define SPACE_TRANSLATE(s, va, tr) bspace_translate((s), (va), (tr))
#define impl_kmalloc_new(pmm, vmm, n) ((void *)bkmalloc_new((pmm), (vmm), (n)))
#define KMALLOC(k, bytes) bkmalloc((k), (bytes))
#define KFREE(k, ptr) bkfree((k), (ptr))
#else
#error "build with -DBENCH_GENERATED or -DBENCH_BASELINE"
#endif
#endif
