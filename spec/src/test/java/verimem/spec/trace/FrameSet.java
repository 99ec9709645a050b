package verimem.spec.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** A set of frame numbers as sorted disjoint runs [start, end), written to TLA+ as a union of intervals. */
public final class FrameSet {
    private final TreeMap<Long, Long> runs = new TreeMap<>();
    private long size;

    /** Adds [start, end); runs must be added in increasing order without overlap. */
    public void addRun(long start, long end) {
        if (end <= start) {
            return;
        }
        var last = runs.lastEntry();
        if (last != null && start < last.getValue()) {
            throw new IllegalArgumentException("runs out of order or overlapping at frame " + start);
        }
        if (last != null && start == last.getValue()) {
            runs.put(last.getKey(), end);
        } else {
            runs.put(start, end);
        }
        size += end - start;
    }

    public long size() {
        return size;
    }

    public boolean contains(long f) {
        var e = runs.floorEntry(f);
        return e != null && f < e.getValue();
    }

    public List<long[]> runs() {
        List<long[]> out = new ArrayList<>();
        runs.forEach((s, e) -> out.add(new long[] {s, e}));
        return out;
    }

    /** TLA+ text: {} or (a .. b) \cup (c .. d) ... with inclusive bounds. */
    public String toTla() {
        if (runs.isEmpty()) {
            return "{}";
        }
        StringBuilder sb = new StringBuilder();
        runs.forEach((s, e) -> {
            if (sb.length() > 0) {
                sb.append(" \\cup ");
            }
            sb.append('(').append(TlaText.num(s)).append(" .. ").append(TlaText.num(e - 1)).append(')');
        });
        return sb.toString();
    }
}
