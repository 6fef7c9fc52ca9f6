package io.wrenn.hostagent.qmp;

/** QMP failed: the socket is gone, QEMU answered with an error, or it did not answer in time. */
public final class QmpException extends RuntimeException {

    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
