package dev.modelvet.guard;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Optional;

/**
 * A servlet filter that looks at the first bytes of every request body and answers 415 to
 * serialized-object payloads (Java, pickle, .NET, and their base64/gzip forms) before the
 * application sees them; other requests pass with their body intact.
 */
public final class GuardServletFilter implements Filter {
    private final GuardMetrics metrics = new GuardMetrics();

    public GuardMetrics metrics() {
        return metrics;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest http)) {
            chain.doFilter(req, res);
            return;
        }
        ServletInputStream in = http.getInputStream();
        byte[] head = new byte[SerializedPayloadDetector.PEEK];
        int n = 0;
        int r;
        while (n < head.length && (r = in.read(head, n, head.length - n)) > 0) n += r;
        metrics.checked();
        Optional<SerializedPayloadDetector.Kind> kind = SerializedPayloadDetector.detect(head, n);
        if (kind.isPresent()) {
            metrics.rejected(kind.get().name());
            System.getLogger("dev.modelvet.guard").log(System.Logger.Level.WARNING, "modelvet-guard refused a "
                    + kind.get() + " request body on " + http.getMethod() + " " + http.getRequestURI() + " from " + http.getRemoteAddr());
            if (res instanceof HttpServletResponse hr) hr.sendError(415, "serialized object payloads are not accepted");
            return;
        }
        InputStream replay = new SequenceInputStream(new ByteArrayInputStream(head, 0, n), in);
        chain.doFilter(new HttpServletRequestWrapper(http) {
            @Override
            public ServletInputStream getInputStream() {
                return new ServletInputStream() {
                    private boolean done;

                    @Override
                    public int read() throws IOException {
                        int b = replay.read();
                        done = b < 0;
                        return b;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int k = replay.read(b, off, len);
                        done = k < 0;
                        return k;
                    }

                    @Override
                    public boolean isFinished() {
                        return done;
                    }

                    @Override
                    public boolean isReady() {
                        return true;
                    }

                    @Override
                    public void setReadListener(ReadListener l) {
                        throw new UnsupportedOperationException("async reads are not supported behind modelvet-guard");
                    }
                };
            }
        }, res);
    }
}
