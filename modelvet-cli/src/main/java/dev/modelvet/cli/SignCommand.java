package dev.modelvet.cli;

import dev.modelvet.sign.Keys;
import dev.modelvet.sign.ModelSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modelvet sign PATH (--key KEY.pem | --hmac-key-file F)}. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Signs a model file or folder in the OpenSSF model signing format (OMS v1.0, ECDSA P-256/384/521),",
                "or with a shared HMAC-SHA256 secret. Writes <dir>/model.sig (or <file>.sig) unless -o is given."})
final class SignCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeyChoice key;

    static final class KeyChoice {
        @Option(names = "--key", paramLabel = "KEY.pem", description = "EC private key: PKCS#8 or SEC1 (openssl ecparam -genkey), PEM or DER")
        Path ecKey;

        @Option(names = "--hmac-key-file", paramLabel = "FILE", description = "file holding the shared secret")
        Path hmacFile;
    }

    @Option(names = "--public-key", paramLabel = "PUB.pem", description = "the matching public key, to record its hint in the bundle")
    Path publicKey;

    @Option(names = {"-o", "--output"}, paramLabel = "SIG")
    Path output;

    @Option(names = "--ignore", paramLabel = "PATH", description = "a path (relative to the model folder) to leave out; repeatable")
    List<String> ignores = new ArrayList<>();

    @Override
    public Integer call() {
        Path sig = output != null ? output : ModelSigner.defaultSignaturePath(model);
        try {
            ModelSigner.Signer signer = key.ecKey != null
                    ? new ModelSigner.EcSigner(Keys.privateKey(key.ecKey), publicKey == null ? null : Keys.publicKey(publicKey))
                    : new ModelSigner.HmacSigner(secret(key.hmacFile));
            ModelSigner.sign(model, sig, signer, ignores);
            System.out.println("signed " + model + " -> " + sig);
            return 0;
        } catch (IOException e) {
            System.err.println("modelvet sign: " + e.getMessage());
            return ScanCommand.EXIT_ERROR;
        }
    }

    static byte[] secret(Path file) throws IOException {
        byte[] s = Files.readAllBytes(file);
        int n = s.length;
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
        if (n < 16) throw new IOException(file + ": an HMAC secret needs at least 16 bytes");
        return java.util.Arrays.copyOf(s, n);
    }
}
