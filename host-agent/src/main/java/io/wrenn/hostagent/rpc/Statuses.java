package io.wrenn.hostagent.rpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.wrenn.hostagent.guest.GuestException;
import io.wrenn.hostagent.sandbox.SandboxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns failures into gRPC statuses. Our own exceptions carry user-safe messages; anything else
 * is logged here and reported as a bare INTERNAL so that no host path or stack trace leaks.
 */
final class Statuses {

    private static final Logger LOG = LoggerFactory.getLogger(Statuses.class);

    private Statuses() {
    }

    static StatusRuntimeException toStatus(Throwable failure) {
        return switch (failure) {
            case StatusRuntimeException s -> s;
            case SandboxException s -> code(s.kind().name()).withDescription(s.getMessage()).asRuntimeException();
            case GuestException g -> code(g.kind().name()).withDescription(g.getMessage()).asRuntimeException();
            default -> {
                LOG.error("internal error", failure);
                yield Status.INTERNAL.withDescription("internal error").asRuntimeException();
            }
        };
    }

    private static Status code(String kind) {
        return switch (kind) {
            case "NOT_FOUND" -> Status.NOT_FOUND;
            case "INVALID_ARGUMENT" -> Status.INVALID_ARGUMENT;
            case "ALREADY_EXISTS" -> Status.ALREADY_EXISTS;
            case "FAILED_PRECONDITION" -> Status.FAILED_PRECONDITION;
            case "PERMISSION_DENIED" -> Status.PERMISSION_DENIED;
            case "RESOURCE_EXHAUSTED" -> Status.RESOURCE_EXHAUSTED;
            case "UNAVAILABLE" -> Status.UNAVAILABLE;
            case "DATA_LOSS" -> Status.DATA_LOSS;
            default -> Status.INTERNAL;
        };
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
