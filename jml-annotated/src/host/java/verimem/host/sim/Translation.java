package verimem.host.sim;

/**
 * One successful page walk: the page it covers and the permissions combined over every level, as the CPU
 * computes them (writable and user only if set at every level, no-execute if set at any level).
 */
public record Translation(long pageVa, long pagePa, long pageSize, boolean writable, boolean user,
                          boolean noExecute, boolean global) {
    public long physical(long va) {
        return pagePa + (va - pageVa);
    }

    public boolean covers(long va) {
        return Long.compareUnsigned(va - pageVa, pageSize) < 0;
    }
}
