package dev.modelvet.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanMojoTest {
    private static final byte[] EVIL = HexFormat.of().parseHex(
            "80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e");
    private static final byte[] BENIGN = HexFormat.of().parseHex("8004950a000000000000007d948c0161944b01732e");

    @TempDir
    Path dir;

    private ScanMojo mojo(Path resources) {
        ScanMojo m = new ScanMojo();
        m.directories = List.of(resources.toFile());
        m.outputFile = dir.resolve("target/modelvet.sarif").toFile();
        return m;
    }

    @Test
    void failsTheBuildOnADangerousModel() throws Exception {
        Path res = Files.createDirectories(dir.resolve("src/main/resources/models"));
        Files.write(res.resolve("classifier.pkl"), EVIL);
        Files.write(res.resolve("ok.pkl"), BENIGN);
        ScanMojo m = mojo(dir.resolve("src/main/resources"));
        assertThatThrownBy(m::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("dangerous");
        assertThat(m.outputFile).exists();
        assertThat(Files.readString(m.outputFile.toPath())).contains("\"version\" : \"2.1.0\"").contains("pickle-os-command");
    }

    @Test
    void passesOnCleanResourcesAndHonoursSkipAndThreshold() throws Exception {
        Path res = Files.createDirectories(dir.resolve("res"));
        Files.write(res.resolve("ok.pkl"), BENIGN);
        mojo(res).execute();
        Files.write(res.resolve("bad.pkl"), EVIL);
        ScanMojo skipped = mojo(res);
        skipped.skip = true;
        skipped.execute();
        ScanMojo missing = mojo(dir.resolve("does-not-exist"));
        missing.outputFile = dir.resolve("other/modelvet.sarif").toFile();
        missing.execute();
        assertThat(new File(missing.outputFile.getPath())).doesNotExist();
    }
}
