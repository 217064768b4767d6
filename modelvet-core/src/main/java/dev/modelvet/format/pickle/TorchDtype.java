package dev.modelvet.format.pickle;

import java.util.HashMap;
import java.util.Map;

/** Tensor element types PyTorch pickles by storage class or dtype name, with their safetensors name. */
public enum TorchDtype {
    F64("F64", 8, "DoubleStorage", "float64", "double"),
    F32("F32", 4, "FloatStorage", "float32", "float"),
    F16("F16", 2, "HalfStorage", "float16", "half"),
    BF16("BF16", 2, "BFloat16Storage", "bfloat16"),
    I64("I64", 8, "LongStorage", "int64", "long"),
    I32("I32", 4, "IntStorage", "int32", "int"),
    I16("I16", 2, "ShortStorage", "int16", "short"),
    I8("I8", 1, "CharStorage", "int8"),
    U8("U8", 1, "ByteStorage", "uint8"),
    U16("U16", 2, null, "uint16"),
    U32("U32", 4, null, "uint32"),
    U64("U64", 8, null, "uint64"),
    BOOL("BOOL", 1, "BoolStorage", "bool"),
    C64("C64", 8, "ComplexFloatStorage", "complex64", "cfloat"),
    F8_E4M3("F8_E4M3", 1, null, "float8_e4m3fn"),
    F8_E5M2("F8_E5M2", 1, null, "float8_e5m2");

    private static final Map<String, TorchDtype> BY_TORCH_NAME = new HashMap<>();

    static {
        for (TorchDtype d : values()) {
            if (d.storageClass != null) BY_TORCH_NAME.put("torch." + d.storageClass, d);
            for (String n : d.dtypeNames) BY_TORCH_NAME.put("torch." + n, d);
        }
    }

    private final String safetensorsName;
    private final int size;
    private final String storageClass;
    private final String[] dtypeNames;

    TorchDtype(String safetensorsName, int size, String storageClass, String... dtypeNames) {
        this.safetensorsName = safetensorsName;
        this.size = size;
        this.storageClass = storageClass;
        this.dtypeNames = dtypeNames;
    }

    public String safetensorsName() {
        return safetensorsName;
    }

    public int size() {
        return size;
    }

    /** For {@code torch.FloatStorage} or {@code torch.float32}; null when unknown or unsupported. */
    static TorchDtype forTorchName(String dotted) {
        return BY_TORCH_NAME.get(dotted);
    }
}
