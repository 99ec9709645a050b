/* FALLBACK, used only while the AOT compiler's runtime (kernel-native/runtime/vm.h) is not on this branch:
 * the subset of that API the boot glue and the C placeholder use, with the same names and signatures. */
#ifndef VERIMEM_VM_H
#define VERIMEM_VM_H
#include <stdint.h>
#include <stddef.h>

__attribute__((noreturn)) void vm_panic(const char *msg);
void vm_arena_init(void *base, uint64_t size);
void *vm_alloc(uint64_t size, const char *site);
void vm_print(const char *s);
void vm_print_hex(int64_t v);
void vm_print_dec(int64_t v);

static inline int64_t vm_load64(int64_t va) { return *(volatile int64_t *)(uintptr_t)va; }
static inline void vm_store64(int64_t va, int64_t v) { *(volatile int64_t *)(uintptr_t)va = v; }
static inline int64_t vm_load32(int64_t va) { return (int64_t)*(volatile uint32_t *)(uintptr_t)va; }
static inline int32_t vm_load8(int64_t va) { return (int32_t)*(volatile uint8_t *)(uintptr_t)va; }
static inline int64_t vm_read_cr3(void) {
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return (int64_t)v;
}
static inline void vm_write_cr3(int64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"((uint64_t)v) : "memory"); }
static inline void vm_invlpg(int64_t va) { __asm__ volatile("invlpg (%0)" : : "r"((uintptr_t)va) : "memory"); }
#endif
