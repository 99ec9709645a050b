package verimem.kernel.memmap;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;

/**
 * Reads the memory map of a multiboot1 information structure (what `qemu -kernel` hands over). The map is present
 * when bit 6 of flags (+0) is set; mmap_length is at +44, mmap_addr (a PHYSICAL address) at +48. Each entry is
 *   u32 size, u64 base_addr, u64 length, u32 type
 * where size counts the bytes after the size field itself, so the next entry is at entry + size + 4. The u64
 * fields sit at offsets 4 and 12, not 8-aligned, so they are read as two 32-bit halves.
 */
public final class Multiboot1 {
    private Multiboot1() {
    }

    public static final int FLAG_MMAP = 6;
    public static final long MAX_MMAP_LENGTH = 65536L;
    public static final long ENTRY_MIN = 20;
    public static final long TWO_POW_32 = 4294967296L;

    /**
     * physToVirt is the offset at which physical memory is visible (0 under an identity map). Returns Err.OK with
     * mmap filled, or Err.BAD_MEMORY_MAP when the flag is clear or an entry is malformed.
     */
    /*@ public normal_behavior
      @   requires infoVa % 4 == 0 && physToVirt % 4 == 0 && mmap != null && \invariant_for(mmap);
      @   requires 0 <= infoVa && 0 <= physToVirt;
      @   requires infoVa <= Long.MAX_VALUE - 64;
      @   requires physToVirt <= Long.MAX_VALUE - 2 * TWO_POW_32;
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*];
      @*/
    public static long parse(long infoVa, long physToVirt, MemoryMap mmap) {
        mmap.clear();
        long flags = u32At(infoVa / 4);
        if ((flags >> FLAG_MMAP) % 2 == 0) {
            return Err.BAD_MEMORY_MAP;
        }
        long length = u32At(infoVa / 4 + 11); // +44
        long addr = u32At(infoVa / 4 + 12); // +48
        if (length > MAX_MMAP_LENGTH || addr % 4 != 0) {
            return Err.BAD_MEMORY_MAP;
        }
        return walk(physToVirt / 4 + addr / 4, length, mmap);
    }

    /**
     * Walks the length bytes of entries from byte address mapWord * 4 on. Its own method so that the loop's proof
     * does not carry the heap frames of the header loads in parse.
     */
    /*@ private normal_behavior
      @   requires mmap != null && \invariant_for(mmap);
      @   requires 0 <= length && length <= MAX_MMAP_LENGTH;
      @   requires 0 <= mapWord && mapWord <= Long.MAX_VALUE / 4 - 1073741824;
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*];
      @*/
    private static long walk(long mapWord, long length, MemoryMap mmap) {
        long offset = 0;
        long maxEntries = length / (ENTRY_MIN + 4) + 1;
        // Entries are addressed in 4-byte words: physToVirt, addr and offset are all multiples of 4 (required,
        // checked, and size % 4 == 0 is checked below), so the divisions are exact, and every field address is
        // word * 4, aligned by construction instead of by modular reasoning about a sum.
        /*@ loop_invariant 0 <= offset && offset <= length && 0 <= k && k <= maxEntries;
          @ loop_invariant \invariant_for(mmap);
          @ decreases maxEntries - k;
          @ assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*];
          @*/
        for (long k = 0; k < maxEntries; k++) {
            if (offset == length) {
                return Err.OK;
            }
            if (length - offset < ENTRY_MIN + 4) {
                return Err.BAD_MEMORY_MAP;
            }
            long step = entry(mapWord + offset / 4, length - offset, mmap);
            if (step < 0) {
                return Err.BAD_MEMORY_MAP;
            }
            offset = offset + step;
        }
        if (offset == length) {
            return Err.OK;
        }
        return Err.BAD_MEMORY_MAP;
    }

    /**
     * Reads the entry at byte address word * 4, with room bytes left in the map, and appends it to mmap. Returns
     * the bytes to step over (size + 4), or -1 when the entry is malformed or mmap is full. Its own method so that
     * parse's loop sees one call per entry instead of the loads, each with its own heap frame.
     */
    /*@ private normal_behavior
      @   requires mmap != null && \invariant_for(mmap);
      @   requires ENTRY_MIN + 4 <= room && room <= MAX_MMAP_LENGTH;
      @   requires 0 <= word && word <= Long.MAX_VALUE / 4 - 1073741824 + MAX_MMAP_LENGTH;
      @   ensures \result == -1 || (ENTRY_MIN + 4 <= \result && \result <= room);
      @   ensures \invariant_for(mmap);
      @   assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*];
      @*/
    private static long entry(long word, long room, MemoryMap mmap) {
        long size = u32At(word);
        if (size < ENTRY_MIN || size % 4 != 0 || size > room - 4) {
            return -1;
        }
        if (appendEntry(word, mmap) != Err.OK) {
            return -1;
        }
        return size + 4;
    }

    /** Appends the entry at byte address word * 4 (u32 size, u64 base, u64 length, u32 type) to mmap. */
    /*@ private normal_behavior
      @   requires mmap != null && \invariant_for(mmap);
      @   requires 0 <= word && word <= Long.MAX_VALUE / 4 - 1073741824 + MAX_MMAP_LENGTH;
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   ensures \invariant_for(mmap);
      @   assignable mmap.count, mmap.starts[*], mmap.ends[*], mmap.types[*];
      @*/
    private static long appendEntry(long word, MemoryMap mmap) {
        long base = u64At(word + 1);
        long len = u64At(word + 3);
        long type = u32At(word + 5);
        if (mmap.append(base, base + len, Multiboot2.typeCode(type)) != Err.OK) {
            return Err.BAD_MEMORY_MAP;
        }
        return Err.OK;
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

    /** The u64 at byte address word * 4, read as two u32 halves (the field is only 4-byte aligned). */
    /*@ private normal_behavior
      @   requires 0 <= word && word < Long.MAX_VALUE / 4;
      @   assignable \nothing;
      @*/
    private static long u64At(long word) {
        return u32At(word) + u32At(word + 1) * TWO_POW_32;
    }
}
