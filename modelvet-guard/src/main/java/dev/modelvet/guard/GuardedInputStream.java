package dev.modelvet.guard;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Optional;

/**
 * Wraps a request body (or any input) and refuses it on first read if it begins with a serialized
 * object payload; otherwise it is read unchanged.
 */
public final class GuardedInputStream extends PushbackInputStream {
    private boolean checked;

    public GuardedInputStream(InputStream in) {
        super(in, SerializedPayloadDetector.PEEK);
    }

    private void check() throws IOException {
        if (checked) return;
        checked = true;
        byte[] head = new byte[SerializedPayloadDetector.PEEK];
        int n = 0;
        int r;
        while (n < head.length && (r = super.read(head, n, head.length - n)) > 0) n += r;
        Optional<SerializedPayloadDetector.Kind> kind = SerializedPayloadDetector.detect(head, n);
        if (n > 0) unread(head, 0, n);
        if (kind.isPresent()) throw new RejectedPayloadException(kind.get());
    }

    @Override
    public int read() throws IOException {
        check();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        check();
        return super.read(b, off, len);
    }
}
