package dev.modelvet.guard;

import java.io.IOException;

/** A stream started like a serialized object and was refused before anything read it. */
public final class RejectedPayloadException extends IOException {
    private final SerializedPayloadDetector.Kind kind;

    public RejectedPayloadException(SerializedPayloadDetector.Kind kind) {
        super("modelvet-guard: refused a " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " payload");
        this.kind = kind;
    }

    public SerializedPayloadDetector.Kind kind() {
        return kind;
    }
}
