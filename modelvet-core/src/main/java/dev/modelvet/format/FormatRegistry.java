package dev.modelvet.format;

import dev.modelvet.container.CompressedScanner;
import dev.modelvet.container.SevenZipScanner;
import dev.modelvet.container.TarScanner;
import dev.modelvet.container.ZipScanner;
import dev.modelvet.format.dotnet.NrbfScanner;
import dev.modelvet.format.gguf.GgufScanner;
import dev.modelvet.format.javaser.JavaSerializationScanner;
import dev.modelvet.format.jinja.ChatTemplateScanner;
import dev.modelvet.format.keras.Hdf5Scanner;
import dev.modelvet.format.keras.KerasConfigScanner;
import dev.modelvet.format.numpy.NumpyScanner;
import dev.modelvet.format.onnx.OnnxScanner;
import dev.modelvet.format.tensorflow.TensorFlowScanner;
import dev.modelvet.format.pickle.PickleScanner;
import dev.modelvet.format.safetensors.SafetensorsScanner;
import dev.modelvet.format.script.PythonScriptScanner;
import dev.modelvet.format.yaml.YamlScanner;
import dev.modelvet.format.torch.TorchLegacyScanner;
import dev.modelvet.scan.FormatScanner;
import java.util.ArrayList;
import java.util.List;

/**
 * The formats modelvet knows, in detection order. Adding a format is one {@link FormatScanner}
 * and one line here. Every scanner whose detector accepts the content runs, so a polyglot is
 * scanned as each thing it is.
 */
public final class FormatRegistry {
    private FormatRegistry() {
    }

    public static List<FormatScanner> defaultScanners() {
        List<FormatScanner> s = new ArrayList<>();
        s.add(new TorchLegacyScanner());
        s.add(new NumpyScanner());
        s.add(new SafetensorsScanner());
        s.add(new JavaSerializationScanner());
        s.add(new NrbfScanner());
        s.add(new GgufScanner());
        s.add(new Hdf5Scanner());
        s.add(new OnnxScanner());
        s.add(new TensorFlowScanner());
        s.add(new ZipScanner());
        s.add(new TarScanner());
        s.add(new SevenZipScanner());
        s.addAll(CompressedScanner.all());
        s.add(new PickleScanner());
        s.add(new YamlScanner());
        s.add(new dev.modelvet.format.skops.SkopsSchemaScanner());
        s.add(new dev.modelvet.format.script.NativeCodeScanner());
        s.add(new PythonScriptScanner());
        s.add(new ChatTemplateScanner());
        s.add(new KerasConfigScanner());
        return List.copyOf(s);
    }
}
