package verimem.kernel.vmm;

/**
 * What {@link AddressSpace#translate} found, besides the physical address it returns: the leaf's frame and the
 * offset in it, the page size, and the EFFECTIVE permissions combined over all four levels the way the CPU
 * combines them (writable and user only if every level allows it, no-execute if any level forbids execution).
 * A caller-owned object because the kernel subset has no multiple return values.
 */
public final class TranslateResult {
    public static final int MAPPED = 0;
    public static final int NOT_MAPPED = 1;
    /** A table entry the CPU would reject (PS in a PML4 entry, misaligned huge frame). */
    public static final int INVALID = 2;
    public static final int NON_CANONICAL = 3;

    public int status;
    public long frame;
    public long offset;
    public long pageSize;
    public boolean writable;
    public boolean user;
    public boolean noExecute;
    /** Leaf-only attributes (caching and global are not combined over levels by the CPU). */
    public boolean global;
    public boolean writeThrough;
    public boolean cacheDisable;

    /*@ public normal_behavior
      @   ensures status == NOT_MAPPED && frame == 0 && offset == 0 && pageSize == 0;
      @   assignable \nothing;
      @*/
    public TranslateResult() {
        status = NOT_MAPPED;
    }

    /*@ public normal_behavior
      @   requires 0 <= s && s <= 3;
      @   ensures status == s && frame == 0 && offset == 0 && pageSize == 0;
      @   ensures !writable && !user && !noExecute && !global && !writeThrough && !cacheDisable;
      @   assignable status, frame, offset, pageSize, writable, user, noExecute, global, writeThrough, cacheDisable;
      @*/
    public void reset(int s) {
        status = s;
        frame = 0;
        offset = 0;
        pageSize = 0;
        writable = false;
        user = false;
        noExecute = false;
        global = false;
        writeThrough = false;
        cacheDisable = false;
    }
}
