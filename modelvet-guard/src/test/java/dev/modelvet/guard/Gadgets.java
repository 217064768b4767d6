package dev.modelvet.guard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import org.apache.commons.collections.Transformer;
import org.apache.commons.collections.functors.ChainedTransformer;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.functors.InvokerTransformer;
import org.apache.commons.collections.keyvalue.TiedMapEntry;
import org.apache.commons.collections.map.LazyMap;

/**
 * A real CommonsCollections6 chain (HashSet -> TiedMapEntry -> LazyMap -> ChainedTransformer ->
 * InvokerTransformer) built with commons-collections 3.1, whose payload calls {@link #trigger()}: a
 * harmless side effect that proves whether gadget code ran.
 */
public final class Gadgets {
    public static volatile boolean triggered;

    private Gadgets() {
    }

    public static void trigger() {
        triggered = true;
    }

    static byte[] commonsCollections6() throws Exception {
        Transformer[] evil = {
                new ConstantTransformer(Gadgets.class),
                new InvokerTransformer("getMethod", new Class[] {String.class, Class[].class}, new Object[] {"trigger", new Class[0]}),
                new InvokerTransformer("invoke", new Class[] {Object.class, Object[].class}, new Object[] {null, new Object[0]})};
        ChainedTransformer chain = new ChainedTransformer(new Transformer[] {new ConstantTransformer(1)});
        Map<Object, Object> lazy = LazyMap.decorate(new HashMap<>(), chain);
        TiedMapEntry entry = new TiedMapEntry(lazy, "key");
        HashSet<Object> set = new HashSet<>();
        set.add(entry);
        lazy.remove("key");
        Field f = ChainedTransformer.class.getDeclaredField("iTransformers");
        f.setAccessible(true);
        f.set(chain, evil);
        triggered = false;
        return serialize(set);
    }

    static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream s = new ObjectOutputStream(out)) {
            s.writeObject(o);
        }
        return out.toByteArray();
    }
}
