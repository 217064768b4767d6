package dev.modelvet.scan;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A plug-in that judges source code (provided by the modelvet-code module through
 * {@link ServiceLoader}), so that scanning a model repository also reviews the Python it ships.
 */
public interface SourceAnalyzer {

    /** Findings for one source file; {@code language} is "python", "java" or "csharp". */
    List<Finding> analyze(String path, String source, String language);

    /** The first analyzer on the class path, if any. */
    static Optional<SourceAnalyzer> find() {
        return ServiceLoader.load(SourceAnalyzer.class).findFirst();
    }
}
