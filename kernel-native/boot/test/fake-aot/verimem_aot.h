/* TEST FIXTURE, not Java output: the shape of the AOT compiler's verimem_aot.h (vm_clinit_all + an entry with
 * the kernel entry's signature), to test the JAVA_ENTRY build switch in kmain.c end to end. */
#include "vm.h"
void vm_clinit_all(void);
void fake_aot_entry(int64_t magic, int64_t info, int64_t kernel_start, int64_t kernel_end);
