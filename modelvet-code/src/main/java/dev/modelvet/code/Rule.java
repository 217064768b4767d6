package dev.modelvet.code;

import dev.modelvet.scan.Severity;

/** The code-scanning rules: id, default severity, what is wrong, the safe form, and a reference. */
enum Rule {
    PY_PICKLE("py-pickle-load", Severity.HIGH, "unpickles data: loading runs any code the data names",
            "load only trusted data; for weights use safetensors; for data use JSON", "CWE-502"),
    PY_JOBLIB("py-joblib-load", Severity.HIGH, "joblib.load unpickles the file", "load only files you produced; prefer skops or ONNX", "CWE-502"),
    PY_TORCH_UNSAFE("py-torch-load-unsafe", Severity.HIGH, "torch.load(weights_only=False) unpickles arbitrary objects",
            "use torch.load(..., weights_only=True) or safetensors", "CVE-2025-32434"),
    PY_TORCH_IMPLICIT("py-torch-load-implicit", Severity.MEDIUM,
            "torch.load without weights_only: unsafe before PyTorch 2.6 (and when TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1)",
            "pass weights_only=True explicitly", "https://pytorch.org/docs/stable/generated/torch.load.html"),
    PY_NUMPY("py-numpy-allow-pickle", Severity.HIGH, "numpy.load(allow_pickle=True) unpickles object arrays",
            "keep allow_pickle=False (the default)", "CVE-2019-6446"),
    PY_PANDAS("py-pandas-read-pickle", Severity.HIGH, "pandas.read_pickle unpickles the file", "use parquet, feather or CSV", "CWE-502"),
    PY_SHELVE("py-shelve", Severity.HIGH, "shelve stores values as pickles", "use a database with plain data", "CWE-502"),
    PY_MARSHAL("py-marshal-load", Severity.HIGH, "marshal.load(s) loads code objects", "never load marshal data from outside", "CWE-502"),
    PY_JSONPICKLE("py-jsonpickle-decode", Severity.HIGH, "jsonpickle.decode builds arbitrary objects", "use json.loads", "CWE-502"),
    PY_YAML("py-yaml-load", Severity.HIGH, "yaml.load without a safe Loader builds Python objects from tags",
            "use yaml.safe_load or Loader=yaml.SafeLoader", "CVE-2017-18342"),
    PY_KERAS("py-keras-unsafe-load", Severity.HIGH, "load_model(safe_mode=False) runs Lambda layer bytecode",
            "keep safe_mode=True (the default)", "CVE-2024-3660"),
    PY_REMOTE_CODE("py-trust-remote-code", Severity.HIGH, "trust_remote_code=True imports and runs Python from the model repository",
            "pin a reviewed revision, or avoid trust_remote_code", "https://huggingface.co/docs/transformers/custom_models"),
    PY_SKOPS_TRUSTED("py-skops-trusted", Severity.HIGH,
            "skops.io.load with trusted= loads the types listed (trusted=True, or get_untrusted_types(), means every type the file names)",
            "call skops.io.get_untrusted_types, review the list, and pass only the reviewed names", "CVE-2025-54412"),
    PY_TORCH_HUB("py-torch-hub-load", Severity.HIGH, "torch.hub.load imports and runs hubconf.py from the repository",
            "pin a reviewed commit (owner/repo:sha) with trust_repo=False, or load weights with safetensors", "https://pytorch.org/docs/stable/hub.html"),
    PY_EVAL("py-eval-exec", Severity.HIGH, "eval/exec on a value that is not a literal", "parse the data (json, ast.literal_eval)", "CWE-95"),
    JAVA_OIS("java-objectinputstream", Severity.HIGH, "ObjectInputStream.readObject without an ObjectInputFilter",
            "call setObjectInputFilter with an allow-list before reading (JEP 290/415), or use a data format", "CWE-502"),
    JAVA_XMLDECODER("java-xmldecoder", Severity.HIGH, "XMLDecoder runs method calls written in the XML", "use JAXB or Jackson with plain types", "CWE-502"),
    JAVA_XSTREAM("java-xstream", Severity.HIGH, "XStream.fromXML without an allow-list (allowTypes / addPermission)",
            "xstream.addPermission(NoTypePermission.NONE) then allowTypes(...)", "CVE-2021-39144"),
    JAVA_SNAKEYAML("java-snakeyaml-constructor", Severity.HIGH, "new Yaml() without SafeConstructor instantiates classes named by tags (SnakeYAML 1.x)",
            "new Yaml(new SafeConstructor(new LoaderOptions())), or SnakeYAML 2.x", "CVE-2022-1471"),
    JAVA_JACKSON("java-jackson-default-typing", Severity.HIGH, "Jackson polymorphic typing by class name lets the JSON choose the class",
            "use a PolymorphicTypeValidator allow-list, or JsonTypeInfo.Id.NAME with registered subtypes", "CVE-2017-7525"),
    JAVA_KRYO("java-kryo-unregistered", Severity.HIGH, "Kryo with registration not required deserializes any class",
            "kryo.setRegistrationRequired(true) and register the classes", "CWE-502"),
    JAVA_HESSIAN("java-hessian", Severity.HIGH, "Hessian/Burlap input deserializes arbitrary classes", "use a SerializerFactory with an allow-list", "CVE-2021-43297"),
    CS_BINARYFORMATTER("cs-binaryformatter", Severity.HIGH, "BinaryFormatter (and SoapFormatter, NetDataContractSerializer, LosFormatter, ObjectStateFormatter) is unsafe for any input",
            "use System.Text.Json or DataContractSerializer with known types", "https://aka.ms/binaryformatter"),
    CS_JAVASCRIPTSERIALIZER("cs-javascriptserializer-typeresolver", Severity.HIGH, "JavaScriptSerializer with a type resolver instantiates types named in the JSON",
            "construct it without a JavaScriptTypeResolver", "CWE-502"),
    CS_RUNTIME_TYPE("cs-serializer-runtime-type", Severity.HIGH,
            "XmlSerializer / DataContractSerializer built for a type chosen at run time (Type.GetType of a string): the input picks the type",
            "construct the serializer with typeof(KnownType)", "https://github.com/pwntester/ysoserial.net"),
    CS_JSONNET("cs-jsonnet-typenamehandling", Severity.HIGH, "Json.NET TypeNameHandling other than None lets the JSON choose the type",
            "TypeNameHandling.None, or a SerializationBinder allow-list", "CVE-2017-9424");

    final String id;
    final Severity severity;
    final String message;
    final String fix;
    final String reference;

    Rule(String id, Severity severity, String message, String fix, String reference) {
        this.id = id;
        this.severity = severity;
        this.message = message;
        this.fix = fix;
        this.reference = reference;
    }
}
