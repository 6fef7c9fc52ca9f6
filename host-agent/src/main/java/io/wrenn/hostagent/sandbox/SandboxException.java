package io.wrenn.hostagent.sandbox;

/** A sandbox operation failed in a way the caller should hear about; the message is user-safe. */
public final class SandboxException extends RuntimeException {

    public enum Kind { NOT_FOUND, INVALID_ARGUMENT, ALREADY_EXISTS, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, UNAVAILABLE, DATA_LOSS, INTERNAL }

    private final Kind kind;

    public SandboxException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public SandboxException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
