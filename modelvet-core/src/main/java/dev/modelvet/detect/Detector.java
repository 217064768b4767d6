package dev.modelvet.detect;

import dev.modelvet.scan.FormatScanner;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks formats from content. Every scanner whose {@link FormatScanner#detect(Head)} accepts the
 * head is returned, in registry order, so a polyglot (a pickle that is also a zip) is scanned as both.
 */
public final class Detector {
    private final List<FormatScanner> scanners;

    public Detector(List<FormatScanner> scanners) {
        this.scanners = List.copyOf(scanners);
    }

    public List<FormatScanner> detect(Head head) {
        List<FormatScanner> matched = new ArrayList<>(2);
        for (FormatScanner s : scanners) {
            boolean hit;
            try {
                hit = s.detect(head);
            } catch (RuntimeException e) {
                hit = false; // a detector must never break a scan; treat as no match
            }
            if (hit) matched.add(s);
        }
        return matched;
    }

    public List<FormatScanner> scanners() {
        return scanners;
    }
}
