/*
 * pmm_baseline.c: hand-written C of the PMM algorithm of Pmm.java / SegmentTable.java (see pmm_baseline.h).
 *
 * Layout (identical to the Java object graph, field for field):
 *   segments: start/end/base frame and first bitmap word per usable range, sorted and merged; a chunk index
 *             (chunk_first_seg) gives the first segment that can hold a frame, so segment_of is O(1) for
 *             typical maps;
 *   bitmap:   one bit per frame of each segment (1 = free), segments padded to whole 64-frame words;
 *   nonempty: a tree of bits above the bitmap (bit = "this word has a free frame"), levels at level_off[l];
 *   full:     one bit per bitmap word ("all 64 frames free"), for 64-frame-aligned blocks;
 *   hint / hint_base: the cached word allocations start from; whole_cursor: where the last whole-word search
 *             succeeded. fail_countdown is the fault-injection hook of the Java, kept so that the two do the
 *             same work per call.
 * What differs, on purpose, because C lets a kernel developer do it: no bounds or null checks, unsigned
 * arithmetic where the Java needs sign fix-ups (lowBits), static inline helpers.
 */
#include "pmm_baseline.h"
#include <stdlib.h>

#define FRAME 4096
#define MAX_ORDER 18
#define MAX_LEVELS 6
#define BASE_CHUNK_SHIFT 18
#define MAX_CHUNKS 1024

enum { OK = 0, NO_MEMORY = -1, NOT_ALLOCATED = -2, NOT_MANAGED = -3, MISALIGNED = -4, INVALID_ARGUMENT = -9 };

struct bpmm {
    /* segment table */
    int64_t *seg_start, *seg_end, *seg_base;
    int32_t *seg_first_word;
    int32_t seg_count, seg_capacity;
    int32_t *chunk_first_seg;
    int32_t chunks;
    int32_t chunk_shift;
    /* bitmap and summaries */
    uint64_t *bitmap;
    int32_t words;
    uint64_t *nonempty;
    int32_t nonempty_words;
    int32_t level_off[MAX_LEVELS + 1];
    int32_t levels;
    uint64_t *full;
    int32_t full_words;
    int64_t free, managed;
    int32_t hint;
    int64_t hint_base;
    int32_t whole_cursor;
    int64_t fail_countdown;
};

static int64_t words_above(int64_t n) { return (n + 63) / 64; }

static int64_t summary_words(int64_t n) {
    int64_t total = 0;
    for (int64_t level = n; level > 1;) {
        level = words_above(level);
        total += level;
    }
    return n == 1 ? 1 : total;
}

static int chunk_shift_for(int64_t end_frame) {
    int shift = BASE_CHUNK_SHIFT;
    while (shift < 62 && (end_frame >> shift) >= MAX_CHUNKS) {
        shift++;
    }
    return shift;
}

/* ---- segment table ---- */

static inline int segment_of(const struct bpmm *p, int64_t f) {
    if (f < 0) {
        return -1;
    }
    int64_t c = f >> p->chunk_shift;
    if (c >= p->chunks) {
        return -1;
    }
    int s = p->chunk_first_seg[c];
    while (s < p->seg_count && p->seg_end[s] <= f) {
        s++;
    }
    return s < p->seg_count && p->seg_start[s] <= f ? s : -1;
}

static inline int segment_of_word(const struct bpmm *p, int w) {
    int lo = 0, hi = p->seg_count - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (p->seg_first_word[mid] <= w) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

static inline int64_t frame_of_word(const struct bpmm *p, int w) {
    int s = segment_of_word(p, w);
    return p->seg_base[s] + (int64_t)(w - p->seg_first_word[s]) * 64;
}

static inline int word_of(const struct bpmm *p, int s, int64_t f) {
    return p->seg_first_word[s] + (int)((f - p->seg_base[s]) / 64);
}

struct bpmm *bpmm_new(int n, const int64_t *start, const int64_t *end, const int32_t *type) {
    struct bpmm *p = calloc(1, sizeof *p);
    p->seg_start = calloc((size_t)n + 1, sizeof(int64_t));
    p->seg_end = calloc((size_t)n + 1, sizeof(int64_t));
    p->seg_base = calloc((size_t)n + 1, sizeof(int64_t));
    p->seg_first_word = calloc((size_t)n + 1, sizeof(int32_t));
    p->seg_capacity = n;
    /* insertion-sort the usable entries by first frame, then merge overlapping/adjacent ones */
    int segs = 0;
    for (int i = 0; i < n; i++) {
        if (type[i] != 1 || start[i] < 0 || end[i] < 0 || start[i] > INT64_MAX - FRAME) {
            continue;
        }
        int64_t s = (start[i] + FRAME - 1) / FRAME, e = end[i] / FRAME;
        if (e <= s) {
            continue;
        }
        int j = segs;
        while (j > 0 && p->seg_start[j - 1] > s) {
            p->seg_start[j] = p->seg_start[j - 1];
            p->seg_end[j] = p->seg_end[j - 1];
            j--;
        }
        p->seg_start[j] = s;
        p->seg_end[j] = e;
        segs++;
    }
    int kept = 0;
    for (int i = 0; i < segs; i++) {
        if (kept > 0 && p->seg_start[i] <= p->seg_end[kept - 1]) {
            if (p->seg_end[i] > p->seg_end[kept - 1]) {
                p->seg_end[kept - 1] = p->seg_end[i];
            }
        } else {
            p->seg_start[kept] = p->seg_start[i];
            p->seg_end[kept] = p->seg_end[i];
            kept++;
        }
    }
    int64_t w = 0, total = 0;
    for (int i = 0; i < kept; i++) {
        p->seg_base[i] = p->seg_start[i] / 64 * 64;
        p->seg_first_word[i] = (int32_t)w;
        w += (p->seg_end[i] - p->seg_base[i] + 63) / 64;
        total += p->seg_end[i] - p->seg_start[i];
    }
    p->seg_count = kept;
    p->words = (int32_t)w;
    p->managed = total;
    int64_t top = kept > 0 ? p->seg_end[kept - 1] : 0;
    p->chunk_shift = chunk_shift_for(top);
    p->chunks = (int32_t)(top >> p->chunk_shift) + 1;
    p->chunk_first_seg = calloc((size_t)p->chunks, sizeof(int32_t));
    for (int c = 0, seg = 0; c < p->chunks; c++) {
        int64_t chunk_start = (int64_t)c << p->chunk_shift;
        while (seg < kept && p->seg_end[seg] <= chunk_start) {
            seg++;
        }
        p->chunk_first_seg[c] = seg;
    }
    /* bitmap and summaries */
    p->bitmap = calloc((size_t)p->words + 1, sizeof(uint64_t));
    p->full_words = (int32_t)words_above(p->words);
    p->full = calloc((size_t)p->full_words + 1, sizeof(uint64_t));
    p->nonempty_words = (int32_t)summary_words(p->words);
    p->nonempty = calloc((size_t)p->nonempty_words + 1, sizeof(uint64_t));
    int lv = 0;
    int64_t nn = p->words, off = 0;
    while (p->words > 0 && (lv == 0 || nn > 1)) {
        lv++;
        if (lv > MAX_LEVELS) {
            abort(); /* bitmap too large for the summary tree */
        }
        nn = words_above(nn);
        p->level_off[lv] = (int32_t)off;
        off += nn;
    }
    p->levels = lv;
    p->hint = 0;
    p->hint_base = p->words > 0 ? frame_of_word(p, 0) : 0;
    return p;
}

int64_t bpmm_free_frames(struct bpmm *p) { return p->free; }
int64_t bpmm_managed_frames(struct bpmm *p) { return p->managed; }

int64_t bpmm_metadata_bytes(struct bpmm *p) {
    int64_t arrays = ((int64_t)p->words + p->nonempty_words + p->full_words) * 8 + (MAX_LEVELS + 1) * 4;
    int64_t segs = (int64_t)p->seg_capacity * 28 + (int64_t)p->chunks * 4 + 5 * 16;
    return arrays + 4 * 16 + 128 + segs;
}

/* ---- summaries ---- */

static inline void mark_nonempty(struct bpmm *p, int w) {
    unsigned idx = (unsigned)w;
    for (int l = 1; l <= p->levels; l++) {
        int pos = p->level_off[l] + (int)(idx / 64);
        uint64_t old = p->nonempty[pos];
        p->nonempty[pos] = old | (1ull << (idx % 64));
        if (old != 0) {
            return;
        }
        idx /= 64;
    }
}

static inline void mark_empty(struct bpmm *p, int w) {
    unsigned idx = (unsigned)w;
    for (int l = 1; l <= p->levels; l++) {
        int pos = p->level_off[l] + (int)(idx / 64);
        uint64_t nw = p->nonempty[pos] & ~(1ull << (idx % 64));
        p->nonempty[pos] = nw;
        if (nw != 0) {
            return;
        }
        idx /= 64;
    }
}

/* The only writer of the bitmap: keeps both summaries in step with word w. */
static inline void store_word(struct bpmm *p, int w, uint64_t old, uint64_t nw) {
    p->bitmap[w] = nw;
    if (old == 0 && nw != 0) {
        mark_nonempty(p, w);
    } else if (old != 0 && nw == 0) {
        mark_empty(p, w);
    }
    if (old != ~0ull && nw == ~0ull) {
        p->full[w / 64] |= 1ull << (w % 64);
    } else if (old == ~0ull && nw != ~0ull) {
        p->full[w / 64] &= ~(1ull << (w % 64));
    }
}

static int find_nonempty_word(const struct bpmm *p) {
    if (p->levels == 0) {
        return -1;
    }
    int idx = 0;
    for (int l = p->levels; l >= 1; l--) {
        uint64_t word = p->nonempty[p->level_off[l] + idx];
        if (word == 0) {
            return -1;
        }
        idx = idx * 64 + __builtin_ctzll(word);
    }
    return idx;
}

static inline int injected_failure(struct bpmm *p) {
    if (p->fail_countdown > 0) {
        p->fail_countdown--;
        return p->fail_countdown == 0;
    }
    return 0;
}

/* ---- single frames ---- */

static int64_t take_one(struct bpmm *p) {
    uint64_t word = p->bitmap[p->hint];
    if (word == 0) {
        int w = find_nonempty_word(p);
        if (w < 0) {
            abort(); /* free count says free, summary says none */
        }
        p->hint = w;
        p->hint_base = frame_of_word(p, w);
        word = p->bitmap[w];
    }
    int b = __builtin_ctzll(word);
    store_word(p, p->hint, word, word & ~(1ull << b));
    p->free--;
    return (p->hint_base + b) * FRAME;
}

int64_t bpmm_alloc_frame(struct bpmm *p) {
    if (injected_failure(p) || p->free == 0) {
        return NO_MEMORY;
    }
    return take_one(p);
}

int64_t bpmm_free_frame(struct bpmm *p, int64_t pa) {
    if (pa % FRAME != 0) {
        return MISALIGNED;
    }
    int64_t f = pa / FRAME;
    int s = segment_of(p, f);
    if (s < 0) {
        return NOT_MANAGED;
    }
    int w = word_of(p, s, f);
    int b = (int)(f % 64);
    uint64_t old = p->bitmap[w];
    if (old & (1ull << b)) {
        return NOT_ALLOCATED;
    }
    store_word(p, w, old, old | (1ull << b));
    p->free++;
    p->hint = w;
    p->hint_base = f - b;
    return OK;
}

/* ---- ranges and aligned blocks ---- */

/* bits [b, b+cnt) set */
static inline uint64_t field(int b, int cnt) {
    return cnt == 64 ? ~0ull : ((1ull << cnt) - 1) << b;
}

static int64_t first_problem(const struct bpmm *p, int64_t first, int64_t last, int64_t free_error) {
    int64_t f = first;
    while (f < last) {
        int s = segment_of(p, f);
        if (s < 0) {
            return NOT_MANAGED;
        }
        int64_t stop = last < p->seg_end[s] ? last : p->seg_end[s];
        while (f < stop) {
            int b = (int)(f % 64);
            int cnt = stop - f < 64 - b ? (int)(stop - f) : 64 - b;
            if (p->bitmap[word_of(p, s, f)] & field(b, cnt)) {
                return free_error;
            }
            f += cnt;
        }
    }
    return OK;
}

static void mark_range(struct bpmm *p, int64_t first, int64_t last, int make_free) {
    int64_t f = first;
    while (f < last) {
        int s = segment_of(p, f);
        if (s < 0) {
            abort(); /* marking a frame that is not managed */
        }
        int64_t stop = last < p->seg_end[s] ? last : p->seg_end[s];
        while (f < stop) {
            int b = (int)(f % 64);
            int cnt = stop - f < 64 - b ? (int)(stop - f) : 64 - b;
            int w = word_of(p, s, f);
            uint64_t old = p->bitmap[w];
            store_word(p, w, old, make_free ? old + field(b, cnt) : old - field(b, cnt));
            p->free += make_free ? cnt : -cnt;
            f += cnt;
        }
    }
}

int64_t bpmm_release(struct bpmm *p, int64_t start_pa, int64_t end_pa) {
    if (start_pa % FRAME != 0 || end_pa % FRAME != 0 || end_pa < start_pa) {
        return MISALIGNED;
    }
    int64_t first = start_pa / FRAME, last = end_pa / FRAME;
    int64_t check = first_problem(p, first, last, INVALID_ARGUMENT);
    if (check != OK) {
        return check;
    }
    mark_range(p, first, last, 1);
    return OK;
}

/* First frame of 2^order (1..5) aligned free frames inside one word; visits only words with a free frame. */
static int64_t find_in_word(const struct bpmm *p, int order) {
    int size = 1 << order;
    uint64_t all_free = (1ull << size) - 1;
    int level1 = (int)words_above(p->words);
    for (int i = 0; i < level1; i++) {
        uint64_t pending = p->nonempty[p->level_off[1] + i];
        while (pending != 0) {
            int b = __builtin_ctzll(pending);
            pending &= pending - 1;
            int w = i * 64 + b;
            uint64_t word = p->bitmap[w];
            for (int pos = __builtin_ctzll(word) / size * size; pos < 64; pos += size) {
                if (((word >> pos) & all_free) == all_free) {
                    return frame_of_word(p, w) + pos;
                }
            }
        }
    }
    return -1;
}

static int64_t first_not_full(const struct bpmm *p, int64_t w, int64_t n) {
    for (int64_t i = w; i < w + n; i++) {
        if (p->bitmap[i] != ~0ull) {
            return i;
        }
    }
    return -1;
}

static int64_t scan_segment(struct bpmm *p, int s, int64_t from, int64_t n) {
    int64_t base_word = p->seg_base[s] / 64;
    int64_t first = p->seg_first_word[s];
    int64_t end_word = first + (p->seg_end[s] - p->seg_base[s]) / 64;
    int64_t w = first + ((base_word + (from - first) + n - 1) / n) * n - base_word;
    while (w + n <= end_word) {
        if (p->full[w / 64] == 0) {
            int64_t next = (w / 64 + 1) * 64;
            w += ((next - w + n - 1) / n) * n;
        } else {
            int64_t bad = first_not_full(p, w, n);
            if (bad < 0) {
                p->whole_cursor = (int32_t)w;
                return p->seg_base[s] + (w - first) * 64;
            }
            w += ((bad - w) / n + 1) * n;
        }
    }
    return -1;
}

static int64_t find_whole_words(struct bpmm *p, int word_order) {
    if (p->words == 0) {
        return -1;
    }
    int64_t n = 1ll << word_order;
    int s0 = segment_of_word(p, p->whole_cursor);
    int64_t r = scan_segment(p, s0, p->whole_cursor, n);
    for (int k = 1; r < 0 && k <= p->seg_count; k++) {
        int s = (s0 + k) % p->seg_count;
        r = scan_segment(p, s, p->seg_first_word[s], n);
    }
    return r;
}

int64_t bpmm_alloc_aligned(struct bpmm *p, int32_t order) {
    if (order < 0 || order > MAX_ORDER) {
        return INVALID_ARGUMENT;
    }
    if (injected_failure(p)) {
        return NO_MEMORY;
    }
    int64_t size = 1ll << order;
    if (p->free < size) {
        return NO_MEMORY;
    }
    if (order == 0) {
        return take_one(p);
    }
    int64_t f = order < 6 ? find_in_word(p, order) : find_whole_words(p, order - 6);
    if (f < 0) {
        return NO_MEMORY;
    }
    mark_range(p, f, f + size, 0);
    return f * FRAME;
}

int64_t bpmm_free_aligned(struct bpmm *p, int64_t pa, int32_t order) {
    if (order < 0 || order > MAX_ORDER) {
        return INVALID_ARGUMENT;
    }
    int64_t size = 1ll << order;
    if (pa < 0 || pa % (size * FRAME) != 0) {
        return MISALIGNED;
    }
    int64_t first = pa / FRAME;
    if (first > INT64_MAX - size) {
        return NOT_MANAGED;
    }
    int64_t check = first_problem(p, first, first + size, NOT_ALLOCATED);
    if (check != OK) {
        return check;
    }
    mark_range(p, first, first + size, 1);
    return OK;
}
