package verimem.host.sim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A software TLB that keeps every translation until it is invalidated the way x86 does it: invlpg for one address,
 * a CR3 write for the current PCID's non-global entries (unless bit 63 of the new CR3 asks to keep them). It is
 * unbounded on purpose, so an entry is never evicted by chance: a missing flush always shows as a stale
 * translation in tests. Like the CPU it caches only present translations, and a permission fault on a cached
 * entry drops that entry (SDM 4.10.4.1).
 */
public final class Tlb {
    private record Entry(int pcid, Translation t) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private long hits;
    private long misses;

    public Translation lookup(int pcid, long va) {
        for (Entry e : entries) {
            if ((e.pcid == pcid || e.t.global()) && e.t.covers(va)) {
                hits++;
                return e.t;
            }
        }
        misses++;
        return null;
    }

    public void insert(int pcid, Translation t) {
        entries.add(new Entry(pcid, t));
    }

    /** invlpg: drops entries for va in the current PCID and global ones, of any page size. */
    public void invalidatePage(int pcid, long va) {
        entries.removeIf(e -> (e.pcid == pcid || e.t.global()) && e.t.covers(va));
    }

    /** CR3 write without the no-flush bit: drops the PCID's non-global entries. */
    public void flushPcid(int pcid) {
        entries.removeIf(e -> e.pcid == pcid && !e.t.global());
    }

    /** Toggling CR4.PGE or a full flush: everything goes. */
    public void flushAll() {
        entries.clear();
    }

    void drop(int pcid, long va) {
        invalidatePage(pcid, va);
    }

    public int size() {
        return entries.size();
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    /** Entries that disagree with what a fresh walk of the current tables would give (for diagnostics). */
    public List<String> staleEntries(PhysicalMemory ram, long cr3, int pcid) {
        List<String> stale = new ArrayList<>();
        Mmu probe = new Mmu(ram);
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.pcid != pcid && !e.t.global()) {
                continue;
            }
            Translation fresh;
            try {
                fresh = probe.walk(cr3, e.t.pageVa(), Access.READ, false);
            } catch (PageFault pf) {
                fresh = null;
            }
            if (fresh == null || !fresh.equals(e.t)) {
                stale.add(String.format("va=0x%x cached=%s fresh=%s", e.t.pageVa(), e.t, fresh));
            }
        }
        return stale;
    }
}
