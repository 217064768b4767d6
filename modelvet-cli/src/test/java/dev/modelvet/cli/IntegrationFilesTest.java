package dev.modelvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The pre-commit hook and the GitHub Actions example run commands this CLI accepts, with the right outcome. */
class IntegrationFilesTest {
    private static final byte[] EVIL = HexFormat.of().parseHex(
            "80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e");

    @TempDir
    Path dir;

    private static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve(".pre-commit-hooks.yaml"))) p = p.getParent();
        return p;
    }

    private static List<String> argsAfterLauncher(String command) {
        List<String> words = new ArrayList<>(Arrays.asList(command.trim().split("\\s+")));
        int i = 0;
        while (!words.get(i).endsWith("bin/modelvet")) i++;
        return new ArrayList<>(words.subList(i + 1, words.size()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void preCommitHookBlocksAMaliciousFile() throws Exception {
        List<Map<String, Object>> hooks = (List<Map<String, Object>>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(root().resolve(".pre-commit-hooks.yaml")));
        Map<String, Object> hook = hooks.get(0);
        assertThat(hook.get("id")).isEqualTo("modelvet");
        Path bad = Files.write(dir.resolve("model.pkl"), EVIL);
        List<String> args = argsAfterLauncher((String) hook.get("entry"));
        args.add("--no-cache");
        args.add(bad.toString());
        assertThat(Main.run(args.toArray(String[]::new))).isEqualTo(1);
        // No name filter: modelvet judges every staged file by content, so these are blocked as well.
        assertThat(hook).doesNotContainKeys("files", "exclude", "exclude_types");
        for (String name : List.of("model.sav", "weights.pkl.z.bin", "checkpoint")) {
            List<String> one = argsAfterLauncher((String) hook.get("entry"));
            one.add("--no-cache");
            one.add(Files.write(dir.resolve(name), EVIL).toString());
            assertThat(Main.run(one.toArray(String[]::new))).as(name).isEqualTo(1);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void githubWorkflowScanStepIsAValidCommand() throws Exception {
        Map<String, Object> wf = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(root().resolve("docs/ci/github-actions.yml")));
        Map<String, Object> job = (Map<String, Object>) ((Map<String, Object>) wf.get("jobs")).get("scan");
        String run = null;
        for (Map<String, Object> step : (List<Map<String, Object>>) job.get("steps")) {
            if ("Scan".equals(step.get("name"))) run = (String) step.get("run");
        }
        assertThat(run).isNotNull();
        List<String> args = argsAfterLauncher(run);
        args.replaceAll(a -> a.equals(".") ? dir.toString() : a.equals("modelvet.sarif") ? dir.resolve("out.sarif").toString() : a);
        args.add("--no-cache");
        Files.write(dir.resolve("bad.pkl"), EVIL);
        assertThat(Main.run(args.toArray(String[]::new))).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("out.sarif"))).contains("\"version\" : \"2.1.0\"");
    }
}
