package verimem.kernel.memmap;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;

/**
 * Reads the multiboot2 boot information structure (through Cpu, by virtual address) into a raw memory map and a
 * list of boot modules. Layout (Multiboot2 specification, section 3.6):
 *
 *   +0 u32 total_size, +4 u32 reserved, then tags, each 8-byte aligned: u32 type, u32 size (header included),
 *   terminated by a tag of type 0 and size 8.
 *   type 6 (memory map): u32 entry_size, u32 entry_version, then entries of entry_size bytes:
 *                        u64 base_addr, u64 length, u32 type, u32 reserved.
 *   type 3 (module):     u32 mod_start, u32 mod_end, NUL-terminated string.
 *
 * Every size is checked against the enclosing size BEFORE anything it covers is read, so a malformed structure is
 * Err.BAD_MEMORY_MAP and never a read outside [info, info + total_size).
 */
public final class Multiboot2 {
    private Multiboot2() {
    }

    public static final int TAG_END = 0;
    public static final int TAG_MODULE = 3;
    public static final int TAG_MMAP = 6;
    /** GRUB's structure is a few KiB; anything above this is garbage, and the bound keeps the walk short. */
    public static final long MAX_INFO_SIZE = 1048576L;
    public static final long MMAP_ENTRY_MIN = 24;

    /**
     * Parses the structure at infoVa. On success returns total_size (&gt; 0; the caller carves
     * [info, info + total_size) out as BOOT_INFO), with mmap holding the raw memory map entries ([base,
     * base + length) with the 64-bit sum kept as is, wrap included, for the sanitiser to judge) and modules the
     * module ranges typed BOOT_MODULE. A structure without a memory-map tag is Err.BAD_MEMORY_MAP.
     */
    /*@ public normal_behavior
      @   requires 0 <= infoVa && infoVa <= Long.MAX_VALUE - 2 * MAX_INFO_SIZE;
      @   requires mmap != null && modules != null && mmap != modules;
      @   requires \invariant_for(mmap) && \invariant_for(modules);
      @   ensures infoVa % 8 != 0 ==> \result == Err.BAD_MEMORY_MAP;
      @   ensures \result == Err.BAD_MEMORY_MAP || (16 <= \result && \result <= MAX_INFO_SIZE);
      @   assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*],
      @              modules.count, modules.starts[*], modules.ends[*], modules.types[*];
      @*/
    public static long parse(long infoVa, MemoryMap mmap, MemoryMap modules) {
        mmap.clear();
        modules.clear();
        if (infoVa % 8 != 0) {
            return Err.BAD_MEMORY_MAP; // the specification requires 8-byte alignment; tag reads rely on it
        }
        long total = u32At(infoVa / 4);
        if (total < 16 || total > MAX_INFO_SIZE) {
            return Err.BAD_MEMORY_MAP;
        }
        return walkTags(infoVa / 8, total, mmap, modules);
    }

    /**
     * Walks the tags of the structure at byte address info8 * 8 of total bytes; returns total when it ends with a
     * well-formed end tag after exactly one memory-map tag. Its own method so that the loop's proof does not carry
     * the heap frame of the header load in parse.
     */
    /*@ private normal_behavior
      @   requires 0 <= info8 && info8 <= (Long.MAX_VALUE - 2 * MAX_INFO_SIZE) / 8;
      @   requires 16 <= total && total <= MAX_INFO_SIZE;
      @   requires mmap != null && modules != null && mmap != modules;
      @   requires \invariant_for(mmap) && \invariant_for(modules);
      @   ensures \result == Err.BAD_MEMORY_MAP || \result == total;
      @   assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*],
      @              modules.count, modules.starts[*], modules.ends[*], modules.types[*];
      @*/
    private static long walkTags(long info8, long total, MemoryMap mmap, MemoryMap modules) {
        boolean sawMmap = false;
        // The offset of the current tag in 8-byte words (tags are 8-byte aligned; the first follows the 8-byte
        // header), so the tag address (info8 + words) * 8 is aligned by construction and bounded linearly.
        long words = 1;
        // Each tag takes at least one word, so the walk ends within total / 8 tags.
        /*@ loop_invariant 1 <= words && words * 8 <= total + 8;
          @ loop_invariant \invariant_for(mmap) && \invariant_for(modules);
          @ decreases total + 8 - words * 8;
          @ assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*],
          @            modules.count, modules.starts[*], modules.ends[*], modules.types[*];
          @*/
        while (words * 8 + 8 <= total) {
            // The tag header in one load, little-endian: u32 type in the low half, u32 size in the high half.
            // A negative header has size >= 2^31, more than total: rejected like any oversized tag.
            long tag8 = info8 + words;
            long header = u64At(tag8);
            if (header < 0) {
                return Err.BAD_MEMORY_MAP;
            }
            long size = header / 4294967296L;
            if (size < 8 || size > total - words * 8) {
                return Err.BAD_MEMORY_MAP;
            }
            long type = header % 4294967296L;
            long next = words + tagWords(size);
            if (type == TAG_END) {
                if (size != 8 || !sawMmap) {
                    return Err.BAD_MEMORY_MAP;
                }
                return total;
            }
            if (readTag(tag8, type, size, sawMmap, mmap, modules) != Err.OK) {
                return Err.BAD_MEMORY_MAP;
            }
            // Non-short-circuit |: one path on to the loop invariant instead of an if with two.
            sawMmap = sawMmap | type == TAG_MMAP;
            words = next;
        }
        return Err.BAD_MEMORY_MAP;
    }

    /**
     * Reads one tag other than the end tag: a memory map (the second one is an error) into mmap, a module into
     * modules; other types are skipped. Its own method so that walkTags' loop proof meets one call per tag.
     */
    /*@ private normal_behavior
      @   requires 8 <= size && size <= MAX_INFO_SIZE;
      @   requires 0 <= tag8 && tag8 <= (Long.MAX_VALUE - MAX_INFO_SIZE) / 8;
      @   requires mmap != null && modules != null && mmap != modules;
      @   requires \invariant_for(mmap) && \invariant_for(modules);
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   ensures \invariant_for(mmap) && \invariant_for(modules);
      @   assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*],
      @              modules.count, modules.starts[*], modules.ends[*], modules.types[*];
      @*/
    private static long readTag(long tag8, long type, long size, boolean sawMmap, MemoryMap mmap,
                                MemoryMap modules) {
        if (type == TAG_MMAP) {
            if (sawMmap) {
                return Err.BAD_MEMORY_MAP;
            }
            return parseMmap(tag8, size, mmap);
        }
        if (type == TAG_MODULE) {
            return parseModule(tag8, size, modules);
        }
        return Err.OK;
    }

    /** Tags start 8-byte aligned: a tag of size bytes and its padding take (size + 7) / 8 words of 8 bytes. */
    /*@ public normal_behavior
      @   requires 0 <= size && size <= MAX_INFO_SIZE;
      @   ensures size <= \result * 8 && \result * 8 <= size + 7;
      @   ensures 0 <= \result && \result <= MAX_INFO_SIZE;
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static long tagWords(long size) {
        return (size + 7) / 8;
    }

    /** The memory-map tag at byte address tag8 * 8 of size bytes: appends its entries to mmap. */
    /*@ public normal_behavior
      @   requires 8 <= size && size <= MAX_INFO_SIZE && mmap != null && \invariant_for(mmap);
      @   requires 0 <= tag8 && tag8 <= (Long.MAX_VALUE - MAX_INFO_SIZE) / 8;
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   ensures \invariant_for(mmap);
      @   assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*];
      @*/
    public static long parseMmap(long tag8, long size, MemoryMap mmap) {
        if (size < 16) {
            return Err.BAD_MEMORY_MAP;
        }
        long entrySize = u32At(tag8 * 2 + 2);
        if (entrySize < MMAP_ENTRY_MIN || entrySize % 8 != 0 || (size - 16) % entrySize != 0) {
            return Err.BAD_MEMORY_MAP;
        }
        // Walk by offset rather than k * entrySize, so every address is bounded linearly (off + entrySize <= size).
        // (size - 16) % entrySize == 0, so this visits exactly the (size - 16) / entrySize entries.
        // Entries in 8-byte words: off (16 plus multiples of entrySize, which is % 8 == 0) is a multiple of 8, so
        // the division is exact.
        /*@ loop_invariant 16 <= off && off <= size && \invariant_for(mmap);
          @ loop_invariant 0 <= tag8 && tag8 <= Long.MAX_VALUE / 8 - 131072;
          @ decreases size - off;
          @ assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*];
          @*/
        for (long off = 16; size - off >= entrySize; off = off + entrySize) {
            if (mmapEntry(tag8 + off / 8, mmap) != Err.OK) {
                return Err.BAD_MEMORY_MAP;
            }
        }
        return Err.OK;
    }

    /**
     * Appends the memory-map entry at byte address e8 * 8 (u64 base, u64 length, u32 type). Its own method so that
     * parseMmap's loop sees one call per entry instead of the loads, each with its own heap frame.
     */
    /*@ private normal_behavior
      @   requires mmap != null && \invariant_for(mmap);
      @   requires 0 <= e8 && e8 <= Long.MAX_VALUE / 8 - 2;
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   ensures \invariant_for(mmap);
      @   assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*];
      @*/
    private static long mmapEntry(long e8, MemoryMap mmap) {
        long base = u64At(e8);
        long length = u64At(e8 + 1);
        long type = u32At(e8 * 2 + 4);
        if (mmap.append(base, base + length, typeCode(type)) != Err.OK) {
            return Err.BAD_MEMORY_MAP;
        }
        return Err.OK;
    }

    /** The module tag at byte address tag8 * 8 of size bytes: adds [mod_start, mod_end) to modules. */
    /*@ public normal_behavior
      @   requires 8 <= size && size <= MAX_INFO_SIZE && modules != null && \invariant_for(modules);
      @   requires 0 <= tag8 && tag8 <= (Long.MAX_VALUE - MAX_INFO_SIZE) / 8;
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   ensures \invariant_for(modules);
      @   assignable modules.count, modules.starts[*], modules.ends[*], modules.types[*];
      @*/
    public static long parseModule(long tag8, long size, MemoryMap modules) {
        if (size < 16) {
            return Err.BAD_MEMORY_MAP;
        }
        long start = u32At(tag8 * 2 + 2);
        long end = u32At(tag8 * 2 + 3);
        if (end < start) {
            return Err.BAD_MEMORY_MAP;
        }
        return modules.add(start, end, MemoryMap.BOOT_MODULE);
    }

    /**
     * A u32 firmware type as an int map type. Codes above 2^31 - 1 cannot be told apart from each other after the
     * narrowing, so they all become RESERVED (not usable, which is what matters). Firmware codes that collide with
     * our own carve-out codes (0x10001..0x10004) become RESERVED too: otherwise a firmware entry would pass for a
     * carve-out of ours and print and rank as one.
     */
    /*@ public normal_behavior
      @   requires 0 <= type && type <= 4294967295L;
      @   ensures type <= 2147483647L && !RegionTypes.isCarveOut((int) type) ==> \result == type;
      @   ensures type > 2147483647L || RegionTypes.isCarveOut((int) type) ==> \result == MemoryMap.RESERVED;
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static int typeCode(long type) {
        if (type > 2147483647L) {
            return MemoryMap.RESERVED;
        }
        if (RegionTypes.isCarveOut((int) type)) {
            return MemoryMap.RESERVED;
        }
        return (int) type;
    }

    /** The u32 at byte address word * 4. */
    /*@ private normal_behavior
      @   requires 0 <= word && word <= Long.MAX_VALUE / 4;
      @   ensures 0 <= \result && \result <= 4294967295L;
      @   assignable \nothing;
      @*/
    private static long u32At(long word) {
        return Cpu.load32(word * 4);
    }

    /** The u64 at byte address word * 8. */
    /*@ private normal_behavior
      @   requires 0 <= word && word <= Long.MAX_VALUE / 8;
      @   assignable \strictly_nothing;
      @*/
    private static long u64At(long word) {
        return Cpu.load64(word * 8);
    }
}
