package verimem.host.sim;

/**
 * A #PF the simulated MMU raised and no fault handler resolved. Carries CR2 (the address) and the x86 error code:
 * bit 0 P (protection violation, else not present), bit 1 W/R, bit 2 U/S, bit 3 RSVD, bit 4 I/D.
 */
public final class PageFault extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public static final int ERR_PRESENT = 1;
    public static final int ERR_WRITE = 2;
    public static final int ERR_USER = 4;
    public static final int ERR_RESERVED = 8;
    public static final int ERR_FETCH = 16;

    private final long address;
    private final int errorCode;

    public PageFault(long address, int errorCode, String why) {
        super(String.format("#PF at 0x%016x err=%s: %s", address, describe(errorCode), why));
        this.address = address;
        this.errorCode = errorCode;
    }

    public long address() {
        return address;
    }

    public int errorCode() {
        return errorCode;
    }

    public static String describe(int e) {
        return ((e & ERR_PRESENT) != 0 ? "protection" : "not-present")
                + ((e & ERR_WRITE) != 0 ? ",write" : ",read")
                + ((e & ERR_USER) != 0 ? ",user" : ",supervisor")
                + ((e & ERR_RESERVED) != 0 ? ",reserved-bit" : "")
                + ((e & ERR_FETCH) != 0 ? ",fetch" : "");
    }
}
