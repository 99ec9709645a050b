package verimem.host.dmesg;

import verimem.kernel.memmap.MemoryMap;

/** Short, stable names for map types, used by the text, JSON and SVG outputs. */
public final class TypeNames {
    private TypeNames() {
    }

    public static String name(int type) {
        switch (type) {
            case MemoryMap.USABLE: return "usable";
            case MemoryMap.RESERVED: return "reserved";
            case MemoryMap.ACPI_RECLAIMABLE: return "acpi-reclaimable";
            case MemoryMap.ACPI_NVS: return "acpi-nvs";
            case MemoryMap.BAD: return "bad";
            case MemoryMap.PERSISTENT: return "persistent";
            case MemoryMap.PRAM: return "pram";
            case MemoryMap.LOW_MEMORY: return "carve:low-memory";
            case MemoryMap.KERNEL_IMAGE: return "carve:kernel-image";
            case MemoryMap.BOOT_INFO: return "carve:boot-info";
            case MemoryMap.BOOT_MODULE: return "carve:boot-module";
            case DmesgParser.SOFT_RESERVED: return "soft-reserved";
            default: return "type-" + Integer.toUnsignedString(type);
        }
    }
}
