package dev.modelvet.cli;

import dev.modelvet.convert.SafetensorsConverter;
import dev.modelvet.scan.Limits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code modelvet convert IN OUT.safetensors}. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Converts a PyTorch checkpoint (zip or legacy) or NumPy .npy/.npz to safetensors without running it.",
                "The pickle is read by a Java unpickler that accepts only what torch.load(weights_only=True) accepts;",
                "anything else is refused with the name of the offending global or opcode.",
                "",
                "Exit status: 0 converted; 2 refused or unreadable; 3 usage error."})
final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "PyTorch checkpoint or NumPy file")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "safetensors file to write")
    Path output;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        try {
            SafetensorsConverter.Result r = new SafetensorsConverter(Limits.defaults()).convert(input, output);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%s -> %s: %d tensors, %d bytes from %s in %.2f s (%.0f MB/s)%n", input, output,
                    r.tensors(), r.bytes(), r.inputFormat(), s, r.bytes() / 1048576.0 / Math.max(s, 1e-9));
            if (r.sharedStorages() > 0) {
                System.out.println(r.sharedStorages() + " storages were shared between tensors; each tensor was written as its own copy");
            }
            for (String skipped : r.skipped()) System.out.println("not a tensor, left out: " + skipped);
            return 0;
        } catch (IOException e) {
            System.err.println("modelvet convert: " + input + ": " + e.getMessage());
            return ScanCommand.EXIT_ERROR;
        }
    }
}
