/* The runtime API that AOT-compiled Java calls: the Cpu intrinsics (verimem.kernel.arch.Cpu) as inline C,
 * plus console, panic, exit and the allocation hook for `new`. Freestanding build only. */
#ifndef VERIMEM_VM_H
#define VERIMEM_VM_H
#include <stdint.h>
#include <stddef.h>

static inline int64_t vm_load64(int64_t va) { return *(volatile int64_t *)va; }
static inline void vm_store64(int64_t va, int64_t v) { *(volatile int64_t *)va = v; }
static inline int64_t vm_load32(int64_t va) { return *(volatile uint32_t *)va; }   /* unsigned, as Cpu.load32 */
static inline int32_t vm_load8(int64_t va) { return *(volatile uint8_t *)va; }     /* unsigned, as Cpu.load8 */

static inline int64_t vm_read_cr3(void) {
    int64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void vm_write_cr3(int64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void vm_invlpg(int64_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

void vm_print(const char *s);
void vm_print_hex(int64_t v);
void vm_print_dec(int64_t v);
_Noreturn void vm_panic(const char *msg);
_Noreturn void vm_panic_hex(const char *msg, uint64_t value);
_Noreturn void vm_exit_success(void);

/* `new`: a bump arena the Java boot code places once it has mapped memory for it. Returns zeroed memory. */
void vm_arena_init(int64_t va, int64_t bytes);
void *vm_new(int64_t bytes);

/* Page-fault hook: nonzero = handled, resume the faulting instruction. The AOT-compiled VMM provides it;
 * until then a weak default returns 0 and the fault panics with its address. */
int vm_page_fault(uint64_t cr2, uint64_t err);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Glue internals used by kmain. */
void serial_init(void);
void trap_init(void);
extern char _kernel_start[], _kernel_end[];
#define KERNEL_VMA 0xFFFFFFFF80000000UL
#endif
