/*
 * kmalloc_baseline.c: hand-written C of heap/Kmalloc.java, same algorithm and layout: up to max_slabs
 * descriptors (frame, kind = size class or LARGE or UNUSED, used = objects in the slab or the order of a large
 * block), a 256-bit slot map per slab (4 words), a linear search for a slab of the class with room, a linear
 * search by address on free. Size classes 16 << c for c = 0..7. No bounds checks; otherwise the same work.
 */
#include "kmalloc_baseline.h"
#include <stdlib.h>

#define CLASSES 8
#define LARGEST_SMALL 2048
#define LARGE (-1)
#define UNUSED (-2)
#define PAGE 4096ll
#define MAX_ORDER 18
#define DIRECT_MAP_BASE ((int64_t)0xFFFF888000000000ull)
#define DIRECT_MAP_SIZE (128ll << 39)
enum { OK = 0, NO_MEMORY = -1, NOT_ALLOCATED = -2, NOT_MANAGED = -3, INVALID_ARGUMENT = -9 };

struct bkmalloc {
    struct bpmm *pmm;
    struct bvmm *owners;
    int32_t n;
    int64_t *frame;
    int32_t *kind;
    int32_t *used;
    uint64_t *slot_map;
    int64_t live_objects;
    int64_t heap_frames;
};

struct bkmalloc *bkmalloc_new(struct bpmm *pmm, struct bvmm *owners, int32_t max_slabs) {
    struct bkmalloc *k = calloc(1, sizeof *k);
    k->pmm = pmm;
    k->owners = owners;
    k->n = max_slabs;
    k->frame = calloc((size_t)max_slabs, sizeof(int64_t));
    k->kind = calloc((size_t)max_slabs, sizeof(int32_t));
    k->used = calloc((size_t)max_slabs, sizeof(int32_t));
    k->slot_map = calloc((size_t)max_slabs * 4, sizeof(uint64_t));
    for (int i = 0; i < max_slabs; i++) {
        k->kind[i] = UNUSED;
    }
    return k;
}

static inline int64_t class_size(int c) { return 16ll << c; }

static inline int class_of(int64_t bytes) {
    int c = 0;
    while (c < CLASSES - 1 && class_size(c) < bytes) {
        c++;
    }
    return c;
}

static int64_t take_slot(struct bkmalloc *k, int d, int c, int slots) {
    for (int s = 0; s < slots; s++) {
        int w = d * 4 + s / 64;
        if (!(k->slot_map[w] & (1ull << (s % 64)))) {
            k->slot_map[w] |= 1ull << (s % 64);
            k->used[d]++;
            k->live_objects++;
            return DIRECT_MAP_BASE + k->frame[d] + s * class_size(c);
        }
    }
    return NO_MEMORY;
}

static int free_descriptor(const struct bkmalloc *k) {
    for (int d = 0; d < k->n; d++) {
        if (k->kind[d] == UNUSED) {
            return d;
        }
    }
    return -1;
}

static int64_t alloc_large(struct bkmalloc *k, int64_t bytes) {
    int64_t pages = (bytes + PAGE - 1) / PAGE;
    int order = 0;
    while ((1ll << order) < pages) {
        order++;
    }
    int d = free_descriptor(k);
    if (d < 0) {
        return NO_MEMORY;
    }
    int64_t f = bpmm_alloc_aligned(k->pmm, order);
    if (f < 0) {
        return NO_MEMORY;
    }
    int64_t n = 1ll << order;
    for (int64_t i = 0; i < n; i++) {
        bvmm_owner_mark(k->owners, f + i * PAGE, 1);
    }
    k->heap_frames += n;
    k->frame[d] = f;
    k->kind[d] = LARGE;
    k->used[d] = order;
    k->live_objects++;
    return DIRECT_MAP_BASE + f;
}

int64_t bkmalloc(struct bkmalloc *k, int64_t bytes) {
    if (bytes <= 0 || bytes > PAGE * (1ll << MAX_ORDER)) {
        return INVALID_ARGUMENT;
    }
    if (bytes > LARGEST_SMALL) {
        return alloc_large(k, bytes);
    }
    int c = class_of(bytes);
    int slots = (int)(PAGE / class_size(c));
    for (int d = 0; d < k->n; d++) {
        if (k->kind[d] == c && k->used[d] < slots) {
            return take_slot(k, d, c, slots);
        }
    }
    int d = free_descriptor(k);
    if (d < 0) {
        return NO_MEMORY;
    }
    int64_t f = bpmm_alloc_frame(k->pmm);
    if (f < 0) {
        return NO_MEMORY;
    }
    bvmm_owner_mark(k->owners, f, 1);
    k->heap_frames++;
    k->frame[d] = f;
    k->kind[d] = c;
    k->used[d] = 0;
    for (int w = 0; w < 4; w++) {
        k->slot_map[d * 4 + w] = 0;
    }
    return take_slot(k, d, c, slots);
}

int64_t bkfree(struct bkmalloc *k, int64_t ptr) {
    if (!(DIRECT_MAP_BASE <= ptr && ptr < DIRECT_MAP_BASE + DIRECT_MAP_SIZE)) {
        return NOT_MANAGED;
    }
    int64_t pa = ptr - DIRECT_MAP_BASE;
    for (int d = 0; d < k->n; d++) {
        if (k->kind[d] == LARGE && k->frame[d] <= pa && pa - k->frame[d] < PAGE * (1ll << k->used[d])) {
            if (pa != k->frame[d]) {
                return NOT_MANAGED;
            }
            int64_t n = 1ll << k->used[d];
            for (int64_t i = 0; i < n; i++) {
                bvmm_owner_mark(k->owners, k->frame[d] + i * PAGE, 0);
            }
            bpmm_free_aligned(k->pmm, k->frame[d], k->used[d]);
            k->heap_frames -= n;
            k->kind[d] = UNUSED;
            k->live_objects--;
            return OK;
        }
        if (k->kind[d] >= 0 && k->frame[d] <= pa && pa - k->frame[d] < PAGE) {
            int64_t size = class_size(k->kind[d]);
            int64_t off = pa - k->frame[d];
            if (off % size != 0) {
                return NOT_MANAGED;
            }
            int s = (int)(off / size);
            int w = d * 4 + s / 64;
            if (!(k->slot_map[w] & (1ull << (s % 64)))) {
                return NOT_ALLOCATED;
            }
            k->slot_map[w] &= ~(1ull << (s % 64));
            k->used[d]--;
            k->live_objects--;
            if (k->used[d] == 0) {
                bvmm_owner_mark(k->owners, k->frame[d], 0);
                bpmm_free_frame(k->pmm, k->frame[d]);
                k->heap_frames--;
                k->kind[d] = UNUSED;
            }
            return OK;
        }
    }
    return NOT_MANAGED;
}
