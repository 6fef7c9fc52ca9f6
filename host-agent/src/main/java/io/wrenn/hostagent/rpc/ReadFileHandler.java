package io.wrenn.hostagent.rpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.wrenn.hostagent.guest.Download;
import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.protocol.FileInfo;
import io.wrenn.hostagent.protocol.ReadFileRequest;
import io.wrenn.hostagent.protocol.ReadFileResponse;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.sandbox.SandboxManager;
import java.io.IOException;
import java.io.InputStream;

/** {@code ReadFile}: envd's {@code GET /files} relayed in 64 KiB chunks, as fast as the client reads. */
final class ReadFileHandler {

    static final int CHUNK = 64 * 1024;

    private final SandboxManager manager;

    ReadFileHandler(SandboxManager manager) {
        this.manager = manager;
    }

    void readFile(ReadFileRequest request, StreamObserver<ReadFileResponse> observer) {
        ServerCallStreamObserver<ReadFileResponse> call = (ServerCallStreamObserver<ReadFileResponse>) observer;
        ReadyGate gate = new ReadyGate(call);
        Thread.ofVirtual().name("read-file-" + request.getSandboxId()).start(() -> run(request, call, gate));
    }

    private void run(ReadFileRequest request, ServerCallStreamObserver<ReadFileResponse> call, ReadyGate gate) {
        try {
            String path = GuestPaths.requireAbsolute(request.getPath());
            Sandbox sandbox = manager.running(request.getSandboxId());
            String user = request.getUser().isEmpty() ? sandbox.record().defaultUser() : request.getUser();
            GuestConnection envd = sandbox.guest();
            boolean ranged = request.getOffset() > 0 || request.getLength() > 0;
            try (Download download = envd.readFile(path, user, request.getOffset(), request.getLength())) {
                gate.onCancel(download::close);
                // The info carries the whole file's size; a range's own length is the client's to compute.
                long size = !ranged && download.length().isPresent() ? download.length().getAsLong() : envd.filesystem().stat(path, user).size();
                if (!gate.awaitReady()) {
                    return;
                }
                call.onNext(ReadFileResponse.newBuilder().setInfo(FileInfo.newBuilder().setSize(size)).build());
                InputStream body = download.body();
                byte[] buffer = new byte[CHUNK];
                int n;
                while ((n = body.readNBytes(buffer, 0, CHUNK)) > 0) {
                    if (!gate.awaitReady()) {
                        return;
                    }
                    call.onNext(ReadFileResponse.newBuilder().setData(ByteString.copyFrom(buffer, 0, n)).build());
                }
                call.onCompleted();
            }
        } catch (IOException e) {
            if (!gate.cancelled()) {
                call.onError(io.grpc.Status.UNAVAILABLE.withDescription("read file: the guest agent's stream broke off")
                        .asRuntimeException());
            }
        } catch (RuntimeException e) {
            if (!gate.cancelled()) {
                call.onError(Statuses.toStatus(e));
            }
        }
    }
}
