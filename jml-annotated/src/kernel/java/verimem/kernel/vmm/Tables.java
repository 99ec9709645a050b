package verimem.kernel.vmm;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Layout;

/**
 * Page-table frames are reached through the direct map: entry i of the table at physical address t.
 */
public final class Tables {
    private Tables() {
    }

    /*@ public normal_behavior
      @   requires 0 <= table && table % 4096 == 0 && table < Layout.DIRECT_MAP_SIZE && 0 <= i && i < 512;
      @   assignable \strictly_nothing;
      @*/
    public static long read(long table, int i) {
        return Cpu.load64(Layout.directMap(table + i * 8L));
    }

    /*@ public normal_behavior
      @   requires 0 <= table && table % 4096 == 0 && table < Layout.DIRECT_MAP_SIZE && 0 <= i && i < 512;
      @   assignable \strictly_nothing;
      @*/
    public static void write(long table, int i, long entry) {
        Cpu.store64(Layout.directMap(table + i * 8L), entry);
    }

    /*@ public normal_behavior
      @   requires 0 <= frame && frame % 4096 == 0 && frame < Layout.DIRECT_MAP_SIZE;
      @   assignable \nothing;
      @*/
    public static void zero(long frame) {
        /*@ loop_invariant 0 <= i && i <= 512;
          @ decreasing 512 - i;
          @ assignable \nothing;
          @*/
        for (int i = 0; i < 512; i++) {
            write(frame, i, 0);
        }
    }

    /*@ public normal_behavior
      @   requires 0 <= table && table % 4096 == 0 && table < Layout.DIRECT_MAP_SIZE;
      @   assignable \nothing;
      @*/
    public static boolean isEmpty(long table) {
        /*@ loop_invariant 0 <= i && i <= 512;
          @ decreasing 512 - i;
          @ assignable \nothing;
          @*/
        for (int i = 0; i < 512; i++) {
            if (read(table, i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Copies one 4 KiB frame to another through the direct map. */
    /*@ public normal_behavior
      @   requires 0 <= from && from % 4096 == 0 && from < Layout.DIRECT_MAP_SIZE;
      @   requires 0 <= to && to % 4096 == 0 && to < Layout.DIRECT_MAP_SIZE;
      @   assignable \nothing;
      @*/
    public static void copyFrame(long from, long to) {
        /*@ loop_invariant 0 <= i && i <= 512;
          @ decreasing 512 - i;
          @ assignable \nothing;
          @*/
        for (int i = 0; i < 512; i++) {
            write(to, i, read(from, i));
        }
    }
}
