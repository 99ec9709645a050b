package verimem.aot.subset;

/**
 * One construct outside the kernel subset: where it is (class, method, bytecode offset as javap shows it, Java
 * line when known) and why it is rejected. Offset and line are -1 when the violation is about a whole member.
 */
public record Violation(String className, String method, int offset, int line, String reason) {
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(className.replace('/', '.'));
        if (method != null) {
            s.append('.').append(method);
        }
        if (offset >= 0) {
            s.append(" @").append(offset);
        }
        if (line >= 0) {
            s.append(" (line ").append(line).append(')');
        }
        return s.append(": ").append(reason).toString();
    }
}
