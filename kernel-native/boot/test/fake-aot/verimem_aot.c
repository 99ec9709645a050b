/* TEST FIXTURE (see verimem_aot.h): checks that clinit ran first, `new` works, and the arguments arrived. */
#include "verimem_aot.h"
static int64_t initialised;
void vm_clinit_all(void) { initialised = 42; }
void fake_aot_entry(int64_t magic, int64_t info, int64_t kernel_start, int64_t kernel_end) {
    int64_t *obj = vm_alloc(64, "fake_aot_entry");
    if (initialised != 42) vm_panic("fake-aot: vm_clinit_all did not run first");
    if (obj == 0 || obj[7] != 0) vm_panic("fake-aot: vm_alloc did not return zeroed memory");
    if (magic != 0x2BADB002 && magic != 0x36D76289) vm_panic("fake-aot: bad magic");
    if (info == 0 || kernel_start != 0x100000 || kernel_end <= kernel_start) vm_panic("fake-aot: bad arguments");
    vm_print("fake-aot: entry reached with magic=");
    vm_print_hex(magic);
    vm_print("\n");
}
