package verimem.aot.codegen;

/**
 * verimem.kernel.arch.Cpu methods as calls into the runtime API (runtime/vm.h). In the freestanding build these
 * are inline functions (a volatile access, mov to/from CR3, invlpg); in the hosted build they reach the
 * simulated RAM. Cpu's Java bodies (which forward to the host's Machine) are never compiled.
 */
final class Intrinsics {
    private Intrinsics() {
    }

    static String cpu(String name, String[] args) {
        switch (name) {
            case "load64":
                return "vm_load64(" + args[0] + ")";
            case "store64":
                return "vm_store64(" + args[0] + ", " + args[1] + ")";
            case "load32":
                return "vm_load32(" + args[0] + ")";
            case "load8":
                return "vm_load8(" + args[0] + ")";
            case "readCr3":
                return "vm_read_cr3()";
            case "writeCr3":
                return "vm_write_cr3(" + args[0] + ")";
            case "invlpg":
                return "vm_invlpg(" + args[0] + ")";
            case "print":
                return "vm_print(" + args[0] + ")";
            case "printHex":
                return "vm_print_hex(" + args[0] + ")";
            case "printDec":
                return "vm_print_dec(" + args[0] + ")";
            case "arenaInit":
                return "vm_arena_init((void *)(uintptr_t)" + args[0] + ", (uint64_t)" + args[1] + ")";
            default:
                throw new IllegalStateException("Cpu." + name + " is not an intrinsic");
        }
    }
}
