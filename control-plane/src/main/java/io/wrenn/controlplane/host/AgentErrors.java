package io.wrenn.controlplane.host;

import io.grpc.Status;
import io.grpc.StatusException;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates a host agent's gRPC status into an API error. The contract promises that status
 * messages are safe to show (no host paths), so user-facing ones are passed on; statuses that
 * mean the agent itself broke get a generic message and a log line instead.
 */
public final class AgentErrors {

    private static final Logger log = LoggerFactory.getLogger(AgentErrors.class);

    private AgentErrors() {
    }

    /**
     * Whether the host may still have done (or still be doing) what a failed call asked:
     * UNAVAILABLE (the call may or may not have reached it) and DEADLINE_EXCEEDED (it may still
     * be working). Any other status is the host's answer, and the host undid its own work.
     */
    public static boolean outcomeUnknown(StatusException e) {
        Status.Code code = e.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
    }

    /** @param notFound the code for NOT_FOUND, which depends on what was looked up */
    public static ApiException toApi(StatusException e, ErrorCode notFound) {
        Status status = e.getStatus();
        String message = status.getDescription() == null ? "" : status.getDescription();
        return switch (status.getCode()) {
            case NOT_FOUND -> new ApiException(notFound, orDefault(message, "not found"));
            case INVALID_ARGUMENT, OUT_OF_RANGE -> new ApiException(ErrorCode.INVALID_REQUEST, orDefault(message, "invalid request"));
            case ALREADY_EXISTS -> new ApiException(ErrorCode.CONFLICT, orDefault(message, "already exists"));
            case PERMISSION_DENIED -> new ApiException(ErrorCode.PERMISSION_DENIED, orDefault(message, "permission denied in the sandbox"));
            case FAILED_PRECONDITION, ABORTED -> new ApiException(ErrorCode.INVALID_STATE, orDefault(message, "wrong state"));
            case RESOURCE_EXHAUSTED -> diskFull(message)
                    ? new ApiException(ErrorCode.DISK_FULL, message)
                    : new ApiException(ErrorCode.NO_HOST_AVAILABLE, orDefault(message, "the host is out of resources"));
            case UNAVAILABLE -> new ApiException(ErrorCode.HOST_UNAVAILABLE, "the host or the sandbox did not answer" + suffix(message));
            case DEADLINE_EXCEEDED -> new ApiException(ErrorCode.HOST_TIMEOUT, "the host did not answer in time");
            case UNIMPLEMENTED -> new ApiException(ErrorCode.NOT_IMPLEMENTED, "not supported by this host");
            case DATA_LOSS -> new ApiException(ErrorCode.DATA_LOSS, orDefault(message, "the saved state is corrupt"));
            default -> {
                log.warn("host agent failed: {}", status);
                yield new ApiException(ErrorCode.HOST_ERROR, "the host agent failed");
            }
        };
    }

    /**
     * A full disk, the host's or the sandbox's own, is named so in the status description
     * (hostagent.proto): not a lack of hosts, and nothing was changed.
     */
    private static boolean diskFull(String message) {
        return message.contains("disk is full") || message.contains("not enough disk space");
    }

    private static String orDefault(String message, String fallback) {
        return message.isBlank() ? fallback : message;
    }

    private static String suffix(String message) {
        return message.isBlank() ? "" : ": " + message;
    }
}
