package verimem.host.dmesg;

/** A line that claims to be a firmware memory map line but cannot be read; names the line number and text. */
public final class DmesgFormatException extends Exception {
    private final int lineNumber;

    public DmesgFormatException(int lineNumber, String line, String reason) {
        super("line " + lineNumber + ": " + reason + ": \"" + line + "\"");
        this.lineNumber = lineNumber;
    }

    public int lineNumber() {
        return lineNumber;
    }
}
