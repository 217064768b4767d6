package dev.modelvet.guard;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GuardServletFilterTest {

    private static HttpServletRequest request(byte[] body) {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        ServletInputStream sis = new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener l) {
            }
        };
        return (HttpServletRequest) Proxy.newProxyInstance(GuardServletFilterTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                    case "getInputStream" -> sis;
                    case "getMethod" -> "POST";
                    case "getRequestURI" -> "/api/load";
                    case "getRemoteAddr" -> "127.0.0.1";
                    default -> null;
                });
    }

    private static HttpServletResponse response(AtomicInteger status) {
        return (HttpServletResponse) Proxy.newProxyInstance(GuardServletFilterTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> {
                    if (m.getName().equals("sendError")) status.set((Integer) a[0]);
                    return null;
                });
    }

    @Test
    void refusesSerializedBodiesAndPassesOthersIntact() throws Exception {
        GuardServletFilter f = new GuardServletFilter();
        AtomicInteger status = new AtomicInteger();
        AtomicReference<byte[]> seen = new AtomicReference<>();
        FilterChain chain = (req, res) -> seen.set(req.getInputStream().readAllBytes());
        f.doFilter(request(Gadgets.serialize("hello")), response(status), chain);
        assertThat(status.get()).isEqualTo(415);
        assertThat(seen.get()).isNull();

        byte[] json = ("{\"prompt\": \"" + "x".repeat(200) + "\"}").getBytes();
        status.set(0);
        f.doFilter(request(json), response(status), chain);
        assertThat(status.get()).isZero();
        assertThat(seen.get()).isEqualTo(json);
        assertThat(f.metrics().rejectedCount()).isEqualTo(1);
    }
}
