/* vm_common.c: runtime parts shared by the hosted and the freestanding build (no libc). */
#include "vm.h"

static char *arena_next;
static char *arena_end;

void vm_arena_init(void *base, uint64_t size) {
    arena_next = (char *)base;
    arena_end = (char *)base + size;
}

void *vm_alloc(uint64_t size, const char *site) {
    uint64_t rounded = (size + 7u) & ~(uint64_t)7u;
    if (arena_next == NULL || (uint64_t)(arena_end - arena_next) < rounded) {
        vm_print("allocation arena exhausted at ");
        vm_print(site);
        vm_print("\n");
        vm_panic("out of memory in the allocation arena");
    }
    char *p = arena_next;
    arena_next += rounded;
    for (uint64_t i = 0; i < rounded; i++) {
        p[i] = 0; /* Java default values */
    }
    return p;
}

void *vm_new_array(int32_t length, int32_t elem_size, const char *site) {
    if (length < 0) vm_panic_negative_size(site, length);
    vm_array *a = (vm_array *)vm_alloc(sizeof(vm_array) + (uint64_t)length * (uint64_t)elem_size, site);
    a->length = length;
    a->elem_size = elem_size;
    return a;
}

void vm_print_hex(int64_t v) {
    /* Same text as Java's "0x" + Long.toHexString(v): unsigned, lower case, no leading zeros */
    char buf[19];
    uint64_t u = (uint64_t)v;
    int i = 18;
    buf[i] = 0;
    do {
        uint64_t d = u % 16u;
        buf[--i] = (char)(d < 10u ? '0' + d : 'a' + (d - 10u));
        u /= 16u;
    } while (u != 0u);
    vm_print("0x");
    vm_print(&buf[i]);
}

void vm_print_dec(int64_t v) {
    /* Same text as Long.toString(v); the magnitude is taken unsigned so Long.MIN_VALUE is exact */
    char buf[21];
    uint64_t u = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u != 0u);
    if (v < 0) buf[--i] = '-';
    vm_print(&buf[i]);
}
