package io.wrenn.controlplane.sandbox;

import com.google.protobuf.ByteString;
import io.grpc.StatusException;
import io.grpc.stub.BlockingClientCall;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.host.AgentErrors;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.hostagent.protocol.ReadFileRequest;
import io.wrenn.hostagent.protocol.ReadFileResponse;
import io.wrenn.hostagent.protocol.WriteFileHeader;
import io.wrenn.hostagent.protocol.WriteFileRequest;
import io.wrenn.hostagent.protocol.WriteFileResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.UUID;

/**
 * Streams files between an HTTP body and a sandbox in fixed-size chunks, so neither side is
 * ever held whole in memory. gRPC flow control reaches back to the HTTP client: a blocked
 * write to the host stops reading from the caller.
 */
public final class FileTransfer {

    private static final int CHUNK = 64 * 1024;
    /** A transfer as a whole; each chunk is bounded by flow control, not by this. */
    private static final Duration DEADLINE = Duration.ofHours(1);

    private final SandboxService sandboxes;
    private final HostAgents agents;
    private final long maxUploadBytes;

    public FileTransfer(SandboxService sandboxes, HostAgents agents, long maxUploadBytes) {
        this.sandboxes = sandboxes;
        this.agents = agents;
        this.maxUploadBytes = maxUploadBytes;
    }

    /** Writes {@code body} to {@code path} in the sandbox; returns the bytes written. */
    public long write(UUID teamId, String wireId, String path, String user, long contentLength, InputStream body) {
        SandboxService.Placement placement = sandboxes.requireRunning(teamId, wireId);
        if (contentLength > maxUploadBytes) {
            throw tooLarge();
        }
        BlockingClientCall<WriteFileRequest, WriteFileResponse> call = agents.stub(placement.host(), DEADLINE).writeFile();
        boolean done = false;
        try {
            boolean open = call.write(WriteFileRequest.newBuilder().setHeader(WriteFileHeader.newBuilder()
                    .setSandboxId(placement.sandbox().id().toString())
                    .setPath(path)
                    .setUser(user)).build());
            byte[] buffer = new byte[CHUNK];
            long total = 0;
            int n;
            while (open && (n = body.readNBytes(buffer, 0, CHUNK)) > 0) {
                total += n;
                if (total > maxUploadBytes) {
                    throw tooLarge();
                }
                open = call.write(WriteFileRequest.newBuilder().setData(ByteString.copyFrom(buffer, 0, n)).build());
            }
            // If the host closed the call early, read() below reports why.
            call.halfClose();
            WriteFileResponse response = call.read();
            done = true;
            if (response == null) {
                throw new ApiException(ErrorCode.HOST_ERROR, "the host ended the upload without an answer");
            }
            return response.getBytesWritten();
        } catch (StatusException e) {
            done = true;
            throw AgentErrors.toApi(e, ErrorCode.FILE_NOT_FOUND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "interrupted");
        } finally {
            if (!done) {
                // A failed or oversized upload must not leave a half-written file's call open.
                call.cancel("upload aborted", null);
            }
        }
    }

    /**
     * Opens {@code path} for reading; fails with an API error (404 for a missing file) before
     * anything is sent, so the caller can still answer with a proper error.
     */
    Download open(UUID teamId, String wireId, String path, String user) {
        return open(teamId, wireId, path, user, 0, 0);
    }

    /** Like {@link #open(UUID, String, String, String)}, for the bytes from {@code offset}, at most {@code length} (0 = all). */
    Download open(UUID teamId, String wireId, String path, String user, long offset, long length) {
        SandboxService.Placement placement = sandboxes.requireRunning(teamId, wireId);
        BlockingClientCall<?, ReadFileResponse> call = agents.stub(placement.host(), DEADLINE)
                .readFile(ReadFileRequest.newBuilder()
                        .setSandboxId(placement.sandbox().id().toString())
                        .setPath(path)
                        .setUser(user)
                        .setOffset(offset)
                        .setLength(length)
                        .build());
        try {
            ReadFileResponse first = call.read();
            if (first == null || !first.hasInfo()) {
                call.cancel("protocol error", null);
                throw new ApiException(ErrorCode.HOST_ERROR, "the host did not describe the file");
            }
            return new Download(call, first.getInfo().getSize());
        } catch (StatusException e) {
            throw AgentErrors.toApi(e, ErrorCode.FILE_NOT_FOUND);
        } catch (InterruptedException e) {
            call.cancel("interrupted", e);
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "interrupted");
        }
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "files are limited to " + maxUploadBytes + " bytes");
    }

    /** An open download: its size as the host reported it, and its bytes. */
    record Download(BlockingClientCall<?, ReadFileResponse> call, long size) {

        /**
         * Copies the rest of the file to {@code out}. An error now can no longer become an
         * error response (the status line is sent), so it surfaces as a broken transfer.
         */
        void copyTo(OutputStream out) throws IOException {
            boolean complete = false;
            try {
                ReadFileResponse message;
                while ((message = call.read()) != null) {
                    if (message.hasData()) {
                        message.getData().writeTo(out);
                    }
                }
                complete = true;
            } catch (StatusException e) {
                throw new IOException("host failed during download: " + e.getStatus().getCode(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } finally {
                if (!complete) {
                    call.cancel("download aborted", null);
                }
            }
        }
    }
}
