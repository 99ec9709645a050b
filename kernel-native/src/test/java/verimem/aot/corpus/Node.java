package verimem.aot.corpus;

/** A list node for {@link ObjectOps}. */
final class Node {
    private final long value;
    private final Node next;

    Node(long value, Node next) {
        this.value = value;
        this.next = next;
    }

    long value() {
        return value;
    }

    Node next() {
        return next;
    }
}
