package dev.modelvet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder walk leaves version-control history out, at any depth, but scans a folder given as the target itself. */
class VcsSkipTest {
    private static final byte[] EVIL = HexFormat.of().parseHex(
            "80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e");

    @TempDir
    Path dir;

    @Test
    void gitHgSvnFoldersAreSkippedAndTheRestIsScanned() throws Exception {
        for (String vcs : List.of(".git/objects/ab", ".hg/store", "sub/.svn/pristine", "deep/er/.git")) {
            Files.createDirectories(dir.resolve(vcs));
            Files.write(dir.resolve(vcs).resolve("blob"), EVIL);
        }
        Files.createDirectories(dir.resolve("sub/git"));
        Files.write(dir.resolve("sub/git/model.pkl"), EVIL); // "git" without the dot is an ordinary folder
        Files.write(dir.resolve(".gitignore"), EVIL); // a file named like a VCS entry is still scanned
        List<ArtifactResult> failures = new ArrayList<>();
        List<Path> files = Scanner.builder().build().expand(List.of(dir), failures);
        assertThat(failures).isEmpty();
        assertThat(files).containsExactly(dir.resolve(".gitignore"), dir.resolve("sub/git/model.pkl"));
        // Naming the .git folder itself scans it: the user asked for it.
        assertThat(Scanner.builder().build().expand(List.of(dir.resolve(".git")), failures)).hasSize(1);
    }
}
