package dev.modelvet.cli;

import dev.modelvet.sign.Keys;
import dev.modelvet.sign.ModelSigner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modelvet verify PATH --signature SIG (--key PUB.pem | --hmac-key-file F)}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verifies a signed model: the signature, then every file's SHA-256; extra or missing files fail.",
                "Exit status: 0 verified; 1 does not verify; 2 unreadable input."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH")
    Path model;

    @Option(names = "--signature", paramLabel = "SIG", description = "bundle (default: <dir>/model.sig or <file>.sig)")
    Path signature;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Key key;

    /** Ignore paths may be given relative to the model folder or as paths inside it. */
    private java.util.List<String> relative(java.util.List<String> given) {
        java.util.List<String> out = new java.util.ArrayList<>();
        Path base = model.toAbsolutePath().normalize();
        for (String g : given) {
            Path p = Path.of(g).toAbsolutePath().normalize();
            out.add(p.startsWith(base) ? base.relativize(p).toString().replace('\\', '/') : g);
        }
        return out;
    }

    static final class Key {
        @Option(names = "--key", paramLabel = "PUB.pem", description = "EC public key, PEM")
        Path publicKey;

        @Option(names = "--hmac-key-file", paramLabel = "FILE")
        Path hmacFile;
    }

    @Option(names = "--ignore", paramLabel = "PATH", description = "a path the signer left out (relative to the model folder); repeatable")
    java.util.List<String> ignores = new java.util.ArrayList<>();

    @Override
    public Integer call() {
        Path sig = signature != null ? signature : ModelSigner.defaultSignaturePath(model);
        try {
            ModelSigner.Verified v = key.publicKey != null
                    ? ModelSigner.verify(model, sig, Keys.publicKey(key.publicKey), null, relative(ignores))
                    : ModelSigner.verify(model, sig, null, SignCommand.secret(key.hmacFile), relative(ignores));
            System.out.println("verified " + model + ": " + v.files() + " files, root sha256 " + v.rootDigest());
            return 0;
        } catch (dev.modelvet.sign.SignatureException e) {
            System.err.println("modelvet verify: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("modelvet verify: " + e.getMessage());
            return ScanCommand.EXIT_ERROR;
        }
    }
}
