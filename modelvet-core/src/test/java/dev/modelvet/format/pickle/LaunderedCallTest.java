package dev.modelvet.format.pickle;

import static dev.modelvet.format.pickle.Scans.scan;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Severity;
import dev.modelvet.scan.Verdict;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11 item 3: a callable only passed as data to an allow-listed callee that will call it
 * ({@code defaultdict(f)}, {@code LambdaLR(opt, lr_lambda=f)}, module hooks) is judged as called. Before,
 * each of these was MEDIUM ("referenced") and exited 0.
 */
class LaunderedCallTest {
    /** A function of a module that is on neither list: MEDIUM when only named, HIGH when called. */
    private static final UnaryOperator<Pickles> EVIL = p -> p.stackGlobal("evilpkg.tools", "run");

    private static void assertCalled(byte[] pickle) {
        ArtifactResult r = scan(pickle);
        assertThat(r.findings()).as("%s", r.findings()).anyMatch(f -> f.severity().atLeast(Severity.HIGH)
                && (f.evidence().startsWith("evilpkg.tools.run <- ") || f.evidence().contains("evilpkg.tools.Runner")));
    }

    private static Pickles callOf(String module, String name) {
        return Pickles.proto(4).stackGlobal(module, name);
    }

    @Test
    void onlyReferencedStaysMedium() {
        byte[] named = EVIL.apply(Pickles.proto(4)).stop().bytes();
        assertThat(scan(named).maxSeverity()).isEqualTo(Severity.MEDIUM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"collections.defaultdict", "functools.partial", "builtins.map", "builtins.filter", "builtins.iter",
            "itertools.starmap", "itertools.takewhile", "atexit.register", "torch.overrides.handle_torch_function",
            "torch.nn.functional.handle_torch_function", "torchvision.transforms.transforms.Lambda",
            "stable_baselines3.common.vec_env.DummyVecEnv"})
    void firstArgumentCalled(String callee) {
        int dot = callee.lastIndexOf('.');
        byte[] p = EVIL.apply(callOf(callee.substring(0, dot), callee.substring(dot + 1))).op(')').op(0x86).reduce().stop().bytes();
        assertCalled(p);
    }

    @Test
    void secondArgumentCalled() {
        // weakref.finalize(obj, f), itertools.accumulate(it, f), contextvars.Context.run(ctx, f), LambdaLR(opt, f)
        for (String[] c : new String[][] {{"weakref", "finalize"}, {"itertools", "accumulate"}, {"contextvars", "Context.run"},
                {"torch.optim.lr_scheduler", "LambdaLR"}, {"torch.optim.lr_scheduler", "MultiplicativeLR"}}) {
            byte[] p = EVIL.apply(callOf(c[0], c[1]).op(')')).op(0x86).reduce().stop().bytes();
            assertCalled(p);
        }
    }

    @Test
    void keywordArgumentThroughNewobjEx() {
        // LambdaLR.__new__(LambdaLR, opt, lr_lambda=f) as NEWOBJ_EX: cls, args tuple, kwargs dict
        byte[] p = EVIL.apply(callOf("torch.optim.lr_scheduler", "LambdaLR").op(')').tuple1().op('}').sbu("lr_lambda"))
                .op('s').op(0x92).stop().bytes();
        assertCalled(p);
        byte[] viaCopyreg = EVIL.apply(callOf("copyreg", "__newobj_ex__").stackGlobal("torch.optim.lr_scheduler", "LambdaLR")
                .op(')').op('}').sbu("lr_lambda")).op('s').raw(0x87).reduce().stop().bytes();
        assertCalled(viaCopyreg);
    }

    @Test
    void stateKeysOfAllowedClasses() {
        // torch.save(scheduler): NEWOBJ LambdaLR, BUILD {'lr_lambdas': [f]}; sklearn FunctionTransformer {'func': f}
        byte[] lambdas = EVIL.apply(callOf("torch.optim.lr_scheduler", "LambdaLR").op(')').op(0x81).op('}').sbu("lr_lambdas")
                .op(']')).op('a').op('s').op('b').stop().bytes();
        assertCalled(lambdas);
        byte[] transformer = EVIL.apply(callOf("sklearn.preprocessing._function_transformer", "FunctionTransformer").op(')').op(0x81)
                .op('}').sbu("func")).op('s').op('b').stop().bytes();
        assertCalled(transformer);
    }

    @Test
    void partialSetstateTuple() {
        // functools.partial pickles as partial.__new__(partial, f) + BUILD (f, args, kwds, dict); here only the state names f
        byte[] p = EVIL.apply(callOf("functools", "partial").stackGlobal("builtins", "len").tuple1().op(0x81).op('('))
                .op(')').op('}').op('N').op('t').op('b').stop().bytes();
        assertCalled(p);
    }

    @Test
    void moduleForwardHookInAnOrderedDictFilledBySetitems() {
        // torch.nn.Linear with state {'_forward_hooks': OrderedDict() + SETITEMS {0: f}}
        byte[] p = EVIL.apply(callOf("torch.nn.modules.linear", "Linear").op(')').op(0x81).op('}').sbu("_forward_hooks")
                .stackGlobal("collections", "OrderedDict").op(')').reduce().op('(').binint1(0)).op('u').op('s').op('b').stop().bytes();
        assertCalled(p);
    }

    @Test
    void hookBehindManyBenignItemsIsStillFound() {
        Pickles p = callOf("torch.optim.lr_scheduler", "LambdaLR").op(')').op(0x81).op('}').sbu("lr_lambdas").op(']').op('(');
        for (int i = 0; i < 200; i++) p.stackGlobal("torch.nn.functional", "relu");
        assertCalled(EVIL.apply(p).op('e').op('s').op('b').stop().bytes());
    }

    @Test
    void nestedWrappers() {
        // defaultdict(partial(f)): the partial is allowed data, and what it wraps is called by it
        byte[] p = EVIL.apply(callOf("collections", "defaultdict").stackGlobal("functools", "partial")).tuple1().reduce().tuple1()
                .reduce().stop().bytes();
        assertCalled(p);
    }

    @Test
    void objectOfUnknownClassPassedAsCallable() {
        // LambdaLR(opt, Runner()): calling the object runs Runner.__call__
        byte[] p = callOf("torch.optim.lr_scheduler", "LambdaLR").op(')').stackGlobal("evilpkg.tools", "Runner").op(')').op(0x81)
                .op(0x86).reduce().stop().bytes();
        ArtifactResult r = scan(p);
        assertThat(r.findings()).anyMatch(f -> f.ruleId().equals("pickle-laundered-call") && f.severity() == Severity.HIGH);
    }

    @Test
    void deniedCallableKeepsItsRule() {
        byte[] p = callOf("collections", "defaultdict").stackGlobal("os", "system").tuple1().reduce().stop().bytes();
        assertThat(scan(p).maxSeverity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void allowListedCallablesAndUncalledParametersStayClean() {
        byte[] factory = callOf("collections", "defaultdict").stackGlobal("builtins", "list").tuple1().reduce().stop().bytes();
        assertThat(scan(factory).verdict()).isEqualTo(Verdict.CLEAN);
        byte[] relu = callOf("torch.optim.lr_scheduler", "LambdaLR").op(')').stackGlobal("torch.nn.functional", "relu").op(0x86)
                .reduce().stop().bytes();
        assertThat(scan(relu).verdict()).isEqualTo(Verdict.CLEAN);
        byte[] emptyHooks = callOf("torch.nn.modules.linear", "Linear").op(')').op(0x81).op('}').sbu("_forward_hooks")
                .stackGlobal("collections", "OrderedDict").op(')').reduce().op('s').op('b').stop().bytes();
        assertThat(scan(emptyHooks).verdict()).isEqualTo(Verdict.CLEAN);
        // an unknown global under a state key nothing calls stays "referenced"
        byte[] other = EVIL.apply(callOf("torch.nn.modules.linear", "Linear").op(')').op(0x81).op('}').sbu("note")).op('s').op('b')
                .stop().bytes();
        assertThat(scan(other).maxSeverity()).isEqualTo(Severity.MEDIUM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"statsmodels.tools.parallel:Pool", "stable_baselines3.common.vec_env:SubprocVecEnv",
            "ultralytics.data.loaders:LoadStreams", "transformers.trainer:Thread"})
    void processStartingClassesUnderAllowedPatternsAreDenied(String global) {
        String[] g = global.split(":");
        byte[] p = callOf(g[0], g[1]).op(')').reduce().stop().bytes();
        assertThat(scan(p).findings()).anyMatch(f -> f.ruleId().equals("pickle-process-in-allowed-package") && f.severity() == Severity.HIGH);
    }
}
