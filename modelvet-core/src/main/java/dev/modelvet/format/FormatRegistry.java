package dev.modelvet.format;

import dev.modelvet.format.pickle.PickleScanner;
import dev.modelvet.scan.FormatScanner;
import java.util.List;

/**
 * The formats modelvet knows, in detection order. Adding a format is one {@link FormatScanner}
 * and one line here.
 */
public final class FormatRegistry {
    private FormatRegistry() {
    }

    public static List<FormatScanner> defaultScanners() {
        return List.of(
                new PickleScanner());
    }
}
