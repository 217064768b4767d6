package dev.modelvet.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuardTest {
    record Dto(String name, List<Integer> values, Color color) implements Serializable { }

    enum Color { RED }

    @TempDir
    Path dir;

    private static Object read(byte[] b, ObjectInputFilter filter) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            if (filter != null) in.setObjectInputFilter(filter);
            return in.readObject();
        }
    }

    @Test
    void theGadgetChainRunsWithoutTheGuard() throws Exception {
        byte[] payload = Gadgets.commonsCollections6();
        assertThat(Gadgets.triggered).isFalse();
        read(payload, null);
        assertThat(Gadgets.triggered).as("control: the chain is real").isTrue();
    }

    @Test
    void theGuardBlocksItBeforeAnyGadgetCodeRuns() throws Exception {
        byte[] payload = Gadgets.commonsCollections6();
        GuardFilter guard = new GuardFilter(GuardPolicy.defaults(), new GuardMetrics());
        assertThatThrownBy(() -> read(payload, guard)).isInstanceOf(InvalidClassException.class);
        assertThat(Gadgets.triggered).isFalse();
        assertThat(guard.metrics().rejectedCount()).isPositive();
        assertThat(guard.metrics().rejectedByClass().keySet()).anyMatch(k -> k.startsWith("org.apache.commons.collections."));
    }

    @Test
    void benignGraphsPassInDenyAndAllowMode() throws Exception {
        Map<String, Object> m = new HashMap<>();
        m.put("list", new ArrayList<>(List.of(1, 2, 3)));
        m.put("dto", new Dto("a", List.of(1), Color.RED));
        m.put("bytes", new byte[] {1, 2});
        byte[] b = Gadgets.serialize(m);
        assertThat(read(b, new GuardFilter(GuardPolicy.defaults(), new GuardMetrics()))).usingRecursiveComparison().isEqualTo(m);
        GuardPolicy allow = new GuardPolicy(true, GuardPolicy.bundledDeny(), List.of("dev.modelvet.guard.GuardTest$"), 64, 10_000, 1_000_000, 1 << 20);
        assertThat(read(b, new GuardFilter(allow, new GuardMetrics()))).usingRecursiveComparison().isEqualTo(m);
        GuardPolicy strict = new GuardPolicy(true, GuardPolicy.bundledDeny(), List.of(), 64, 10_000, 1_000_000, 1 << 20);
        assertThatThrownBy(() -> read(b, new GuardFilter(strict, new GuardMetrics()))).isInstanceOf(InvalidClassException.class);
    }

    @Test
    void limitsAndTheApplicationsOwnFilterAreHonoured() throws Exception {
        List<Object> deep = new ArrayList<>();
        List<Object> cur = deep;
        for (int i = 0; i < 50; i++) {
            List<Object> next = new ArrayList<>();
            cur.add(next);
            cur = next;
        }
        GuardPolicy shallow = new GuardPolicy(false, List.of(), List.of(), 10, 1000, 1000, 1 << 20);
        assertThatThrownBy(() -> read(Gadgets.serialize(deep), new GuardFilter(shallow, new GuardMetrics())))
                .isInstanceOf(InvalidClassException.class);
        GuardFilterFactory factory = new GuardFilterFactory(GuardPolicy.defaults(), new GuardMetrics());
        ObjectInputFilter app = ObjectInputFilter.Config.createFilter("!java.util.ArrayList");
        ObjectInputFilter merged = factory.apply(null, app);
        assertThatThrownBy(() -> read(Gadgets.serialize(new ArrayList<>(List.of(1))), merged)).isInstanceOf(InvalidClassException.class);
        ObjectInputFilter lenientApp = ObjectInputFilter.Config.createFilter("*");
        assertThatThrownBy(() -> read(Gadgets.commonsCollections6(), factory.apply(null, lenientApp))).isInstanceOf(InvalidClassException.class);
        assertThat(Gadgets.triggered).isFalse();
    }

    @Test
    void configurationFile() throws Exception {
        Path cfg = Files.writeString(dir.resolve("guard.yaml"), "mode: allow\nallow: [com.example.dto.]\nmaxDepth: 12\n");
        GuardPolicy p = GuardPolicy.load(cfg);
        assertThat(p.allowMode()).isTrue();
        assertThat(p.maxDepth()).isEqualTo(12);
        assertThat(p.deny()).contains("org.apache.commons.collections.functors.");
        Files.writeString(cfg, "mod: allow\n");
        assertThatThrownBy(() -> GuardPolicy.load(cfg)).hasMessageContaining("unknown key 'mod'");
    }

    /** The agent, in a child JVM, installs the factory before main: the unmodified victim is protected. */
    @Test
    void agentProtectsAnUnmodifiedService() throws Exception {
        Path payload = Files.write(dir.resolve("payload.ser"), Gadgets.commonsCollections6());
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Premain-Class", GuardAgent.class.getName());
        Path agent = dir.resolve("agent.jar");
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(agent), mf)) {
            j.flush();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        assertThat(run(java, "-cp", cp, VictimMain.class.getName(), payload.toString())).as("without the agent the gadget runs").isEqualTo(4);
        assertThat(run(java, "-javaagent:" + agent, "-cp", cp, VictimMain.class.getName(), payload.toString())).isEqualTo(3);
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    @Test
    void payloadDetectionOnStreams() throws Exception {
        byte[] javaSer = Gadgets.serialize("x");
        assertThatThrownBy(() -> new GuardedInputStream(new ByteArrayInputStream(javaSer)).read()).isInstanceOf(RejectedPayloadException.class);
        byte[] b64 = java.util.Base64.getEncoder().encode(javaSer);
        assertThat(SerializedPayloadDetector.detect(b64, b64.length)).contains(SerializedPayloadDetector.Kind.JAVA_SERIALIZATION);
        byte[] pickle = {(byte) 0x80, 4, (byte) 0x95};
        assertThat(SerializedPayloadDetector.detect(pickle, 3)).contains(SerializedPayloadDetector.Kind.PYTHON_PICKLE);
        byte[] p0 = "cos\nsystem\n(S'id'\ntR.".getBytes();
        assertThat(SerializedPayloadDetector.detect(p0, p0.length)).contains(SerializedPayloadDetector.Kind.PYTHON_PICKLE);
        byte[] nrbf = "AAEAAAD/////AQAAAAAAAAAMAgAAAA".getBytes();
        assertThat(SerializedPayloadDetector.detect(nrbf, nrbf.length)).contains(SerializedPayloadDetector.Kind.DOTNET_BINARYFORMATTER);
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream g = new java.util.zip.GZIPOutputStream(gz)) {
            g.write(javaSer);
        }
        byte[] z = gz.toByteArray();
        assertThat(SerializedPayloadDetector.detect(z, Math.min(z.length, 64))).contains(SerializedPayloadDetector.Kind.JAVA_SERIALIZATION);
        byte[] json = "{\"a\": [1, 2, 3]}".getBytes();
        GuardedInputStream ok = new GuardedInputStream(new ByteArrayInputStream(json));
        assertThat(ok.readAllBytes()).isEqualTo(json);
        assertThat(new File(".")).exists();
    }
}
