package verimem.spec.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import verimem.kernel.pmm.Pmm;

/**
 * The recording seam: a test-side wrapper that forwards every call to a PMM and records, after each call, what
 * FrameAllocator's variables need: the operation with its arguments as frame numbers, the result, the free count,
 * and isFree of the frames the call touched (and their neighbours). {@link #module} writes the run as the TLA+
 * module PmmTraceData that FrameAllocatorTrace steps through. Nothing here decides whether a result is right:
 * that is TLC's job.
 */
public final class PmmRecorder implements PmmCalls {
    private static final long FRAME = Pmm.FRAME;

    private final PmmCalls pmm;
    private final FrameSet managed;
    private final FrameSet reserved;
    private final FrameSet initFree;
    private final List<String> events = new ArrayList<>();
    private long maxCountdown;

    /**
     * @param managed  the frames the PMM should manage, computed by the caller from the map (not asked of the PMM)
     * @param reserved the managed frames that must not be free when recording starts
     */
    public PmmRecorder(PmmCalls pmm, FrameSet managed, FrameSet reserved) {
        this.pmm = pmm;
        this.managed = managed;
        this.reserved = reserved;
        this.initFree = freeSetNow();
    }

    public int calls() {
        return events.size();
    }

    /** The PMM's free frames now, read frame by frame through isFree. */
    private FrameSet freeSetNow() {
        FrameSet s = new FrameSet();
        for (long[] r : managed.runs()) {
            long runStart = -1;
            for (long f = r[0]; f < r[1]; f++) {
                boolean free = pmm.isFree(f * FRAME);
                if (free && runStart < 0) {
                    runStart = f;
                } else if (!free && runStart >= 0) {
                    s.addRun(runStart, f);
                    runStart = -1;
                }
            }
            if (runStart >= 0) {
                s.addRun(runStart, r[1]);
            }
        }
        return s;
    }

    private void record(String op, long a, long b, long k, long res, long... touched) {
        TreeSet<Long> isFree = new TreeSet<>();
        TreeSet<Long> notFree = new TreeSet<>();
        for (long f : touched) {
            for (long g = f - 1; g <= f + 1; g++) {
                if (g >= 0) {
                    (pmm.isFree(g * FRAME) ? isFree : notFree).add(g);
                }
            }
        }
        events.add(String.format("[op |-> \"%s\", a |-> %s, b |-> %s, k |-> %s, res |-> %s, nfree |-> %s, "
                        + "isFree |-> %s, notFree |-> %s]", op, TlaText.num(a), TlaText.num(b), TlaText.num(k),
                TlaText.num(res), TlaText.num(pmm.freeFrames()), TlaText.set(isFree), TlaText.set(notFree)));
    }

    /** A result as the spec sees it: a frame number for an address, the error code otherwise. */
    private static long frameOrError(long r) {
        return r >= 0 ? r / FRAME : r;
    }

    @Override
    public long release(long startPa, long endPa) {
        long r = pmm.release(startPa, endPa);
        if (startPa % FRAME != 0 || endPa % FRAME != 0) {
            record("unaligned", 0, 0, 0, r);
        } else {
            long a = startPa / FRAME, b = endPa / FRAME;
            record("release", a, b, 0, r, a, b - 1);
        }
        return r;
    }

    @Override
    public long allocFrame() {
        long r = pmm.allocFrame();
        long f = frameOrError(r);
        if (r >= 0) {
            record("alloc", 0, 0, 0, f, f);
        } else {
            record("alloc", 0, 0, 0, f);
        }
        return r;
    }

    @Override
    public long allocAligned(int order) {
        long r = pmm.allocAligned(order);
        long f = frameOrError(r);
        if (r >= 0) {
            record("allocAligned", 0, 0, order, f, f, f + (1L << order) - 1);
        } else {
            record("allocAligned", 0, 0, order, f);
        }
        return r;
    }

    @Override
    public long freeFrame(long pa) {
        long r = pmm.freeFrame(pa);
        if (pa % FRAME != 0) {
            record("unaligned", 0, 0, 0, r);
        } else {
            record("free", pa / FRAME, 0, 0, r, pa / FRAME);
        }
        return r;
    }

    @Override
    public long freeAligned(long pa, int order) {
        if (pa % FRAME != 0 && (order < 0 || order > Pmm.MAX_ORDER)) {
            throw new IllegalArgumentException("the trace cannot express an unaligned address with a bad order");
        }
        long r = pmm.freeAligned(pa, order);
        if (pa % FRAME != 0) {
            record("unaligned", 0, 0, 0, r);
        } else {
            long f = pa / FRAME;
            long size = order >= 0 && order <= Pmm.MAX_ORDER ? 1L << order : 1;
            record("freeAligned", f, 0, order, r, f, f + size - 1);
        }
        return r;
    }

    @Override
    public void failAfter(long n) {
        pmm.failAfter(n);
        maxCountdown = Math.max(maxCountdown, n);
        record("failAfter", 0, 0, n, 0);
    }

    @Override
    public long freeFrames() {
        return pmm.freeFrames();
    }

    @Override
    public boolean isFree(long pa) {
        return pmm.isFree(pa);
    }

    /** The recorded run as module PmmTraceData; the final free set is read from the PMM now. */
    public String module(String comment) {
        StringBuilder sb = new StringBuilder();
        sb.append("---- MODULE PmmTraceData ----\n");
        sb.append("(* ").append(comment.replace("*)", "* )")).append(" *)\n");
        sb.append("EXTENDS Integers\n");
        sb.append("TraceManaged == ").append(managed.toTla()).append('\n');
        sb.append("TraceReserved == ").append(reserved.toTla()).append('\n');
        sb.append("TraceInitFree == ").append(initFree.toTla()).append('\n');
        sb.append("TraceFinalFree == ").append(freeSetNow().toTla()).append('\n');
        sb.append("TraceMaxOrder == ").append(Pmm.MAX_ORDER).append('\n');
        sb.append("TraceMaxCountdown == ").append(maxCountdown).append('\n');
        sb.append("Trace == <<\n  ").append(String.join(",\n  ", events)).append("\n>>\n====\n");
        return sb.toString();
    }
}
