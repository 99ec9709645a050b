/* What the boot glue shares between its files. The runtime API (vm_print, vm_panic, the Cpu intrinsics, the
 * arena) comes from the AOT compiler's kernel-native/runtime/vm.h. */
#ifndef VERIMEM_BOOT_H
#define VERIMEM_BOOT_H
#include "vm.h"

#define KERNEL_VMA 0xFFFFFFFF80000000UL
extern char _kernel_start[], _kernel_end[];    /* from link.ld: the image including .bss */
extern char _text_end[], _rodata_end[];        /* page-aligned section ends: text, then rodata */

void serial_init(void);
void trap_init(void);
__attribute__((noreturn)) void vm_exit_success(void);

/* Page-fault hook: nonzero = handled, resume the faulting instruction. The AOT-compiled VMM provides it;
 * until then a weak default returns 0 and the fault panics with its address. */
int vm_page_fault(uint64_t cr2, uint64_t err);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
#endif
