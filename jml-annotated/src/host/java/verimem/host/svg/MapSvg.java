package verimem.host.svg;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verimem.host.dmesg.TypeNames;
import verimem.kernel.memmap.MemoryMap;

/**
 * Draws the physical address space as one horizontal bar: every map entry and every hole between entries is a
 * segment. A linear scale would make a 4 KiB ACPI page invisible next to a 1 TiB hole, so each segment's width is
 * MIN_WIDTH plus a term growing with log2 of its size: tiny regions stay visible, big ones are still bigger.
 * Holes are drawn hatched, carve-outs (the kernel's own types) with a thick outline; a legend names each colour,
 * and every segment carries a tooltip with its exact range.
 */
public final class MapSvg {
    static final double MIN_WIDTH = 6;
    static final double LOG_WIDTH = 7;
    static final double BAR_Y = 40;
    static final double BAR_HEIGHT = 60;
    static final double LEFT = 20;

    private MapSvg() {
    }

    private record Segment(long start, long end, String kind, boolean hole, boolean carve) {
    }

    public static String render(MemoryMap map, String title) {
        List<Segment> segs = segments(map);
        double[] widths = new double[segs.size()];
        double x = LEFT;
        for (int i = 0; i < segs.size(); i++) {
            Segment s = segs.get(i);
            double bytes = s.end - s.start <= 0 ? 1 : (double) (s.end - s.start);
            widths[i] = MIN_WIDTH + LOG_WIDTH * Math.max(0, Math.log(bytes / 4096.0) / Math.log(2));
            x += widths[i];
        }
        double width = x + LEFT;
        Map<String, String> legend = new LinkedHashMap<>();
        StringBuilder body = new StringBuilder();
        x = LEFT;
        for (int i = 0; i < segs.size(); i++) {
            Segment s = segs.get(i);
            String fill = s.hole ? "url(#hole)" : colour(s.kind);
            legend.putIfAbsent(s.hole ? "hole (no entry)" : s.kind, fill);
            body.append(String.format(java.util.Locale.ROOT,
                    "  <rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"%s\""
                            + " stroke-width=\"%s\"><title>%s [0x%x, 0x%x) %s</title></rect>%n",
                    x, BAR_Y, widths[i], BAR_HEIGHT, fill, s.carve ? "#000" : "#555", s.carve ? "2.5" : "0.5",
                    s.hole ? "hole" : escape(s.kind), s.start, s.end, human(s.end - s.start)));
            body.append(String.format(java.util.Locale.ROOT,
                    "  <text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" transform=\"rotate(60 %.1f %.1f)\">0x%x</text>%n",
                    x, BAR_Y + BAR_HEIGHT + 10, x, BAR_Y + BAR_HEIGHT + 10, s.start));
            x += widths[i];
        }
        double legendY = BAR_Y + BAR_HEIGHT + 130;
        StringBuilder leg = new StringBuilder();
        int k = 0;
        for (Map.Entry<String, String> e : legend.entrySet()) {
            double ly = legendY + k * 18;
            leg.append(String.format(java.util.Locale.ROOT,
                    "  <rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\" fill=\"%s\" stroke=\"#555\"/>%n"
                            + "  <text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%s</text>%n",
                    LEFT, ly, e.getValue(), LEFT + 20, ly + 10, escape(e.getKey())));
            k++;
        }
        double height = legendY + k * 18 + 20;
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(java.util.Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\""
                        + " font-family=\"monospace\">%n", Math.max(width, 400), height, Math.max(width, 400), height));
        svg.append("  <defs><pattern id=\"hole\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
                + " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
                + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999\" stroke-width=\"2\"/></pattern></defs>\n");
        svg.append(String.format(java.util.Locale.ROOT,
                "  <text x=\"%.1f\" y=\"20\" font-size=\"14\">%s (segment width: log scale, not linear)</text>%n",
                LEFT, escape(title)));
        svg.append(body).append(leg).append("</svg>\n");
        return svg.toString();
    }

    /** Entries in address order with the holes between them (and before the first) made explicit. */
    private static List<Segment> segments(MemoryMap map) {
        List<Segment> out = new ArrayList<>();
        long cursor = 0;
        for (int i = 0; i < map.count(); i++) {
            long s = map.start(i);
            long e = map.end(i);
            if (Long.compareUnsigned(s, cursor) > 0) {
                out.add(new Segment(cursor, s, "hole", true, false));
            }
            int t = map.type(i);
            boolean carve = t >= MemoryMap.LOW_MEMORY && t <= MemoryMap.BOOT_MODULE;
            out.add(new Segment(s, e, TypeNames.name(t), false, carve));
            if (Long.compareUnsigned(e, cursor) > 0) {
                cursor = e;
            }
        }
        return out;
    }

    static String colour(String kind) {
        switch (kind) {
            case "usable": return "#4caf50";
            case "reserved": return "#9e9e9e";
            case "acpi-reclaimable": return "#ffb300";
            case "acpi-nvs": return "#ef6c00";
            case "bad": return "#b71c1c";
            case "persistent": return "#7e57c2";
            case "pram": return "#5e35b1";
            case "soft-reserved": return "#bdbdbd";
            case "carve:low-memory": return "#29b6f6";
            case "carve:kernel-image": return "#e91e63";
            case "carve:boot-info": return "#f06292";
            case "carve:boot-module": return "#ad1457";
            default: return "#616161";
        }
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
