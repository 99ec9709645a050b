/* vm_hosted.h: what a hosted harness (a generated test main) needs beyond vm.h. */
#ifndef VERIMEM_VM_HOSTED_H
#define VERIMEM_VM_HOSTED_H
#include <setjmp.h>
#include <stdint.h>

/* Allocates the simulated RAM (mapped at va 0) and the allocation arena. */
void vm_hosted_init(uint64_t ram_bytes, uint64_t arena_bytes);

/* A harness arms the catch before each call: setjmp(vm_hosted_catch) and vm_hosted_catch_armed = 1. After a
   panic, vm_hosted_panic_kind holds "panic:<message>", "arith", "bounds", "null", "negsize" or "fault". */
extern jmp_buf vm_hosted_catch;
extern int vm_hosted_catch_armed;
extern char vm_hosted_panic_kind[256];
#endif
