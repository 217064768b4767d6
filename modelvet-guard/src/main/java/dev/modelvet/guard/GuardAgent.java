package dev.modelvet.guard;

import java.io.IOException;
import java.io.ObjectInputFilter;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;

/**
 * {@code -javaagent:modelvet-guard.jar[=config.yaml]}: installs the guard's filter factory before
 * {@code main}, so every ObjectInputStream in the JVM (RMI and JMX included) is filtered.
 */
public final class GuardAgent {
    private static volatile GuardFilterFactory installed;

    private GuardAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        install(args);
    }

    public static void agentmain(String args, Instrumentation inst) {
        install(args);
    }

    /** Installs the factory (once per JVM); returns it, or null if another factory was already set. */
    public static synchronized GuardFilterFactory install(String configFile) {
        if (installed != null) return installed;
        GuardFilterFactory f = new GuardFilterFactory(policyFrom(configFile), new GuardMetrics());
        try {
            ObjectInputFilter.Config.setSerialFilterFactory(f);
            installed = f;
            System.getLogger("dev.modelvet.guard").log(System.Logger.Level.INFO, "modelvet-guard installed");
            return f;
        } catch (IllegalStateException e) {
            System.getLogger("dev.modelvet.guard").log(System.Logger.Level.ERROR,
                    "modelvet-guard NOT installed: a serial filter factory is already set (" + e.getMessage() + ")");
            return null;
        }
    }

    /** The installed factory's metrics, or null. */
    public static GuardMetrics metrics() {
        GuardFilterFactory f = installed;
        return f == null ? null : f.guard().metrics();
    }

    static GuardPolicy policyFrom(String configFile) {
        if (configFile == null || configFile.isBlank()) return GuardPolicy.defaults();
        try {
            return GuardPolicy.load(Path.of(configFile));
        } catch (IOException | RuntimeException e) {
            // Fail closed: a broken configuration must not leave the JVM unprotected.
            System.getLogger("dev.modelvet.guard").log(System.Logger.Level.ERROR,
                    "modelvet-guard configuration unusable (" + e.getMessage() + "); using the bundled deny-list");
            return GuardPolicy.defaults();
        }
    }
}
