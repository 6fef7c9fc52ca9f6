package io.wrenn.hostagent.rpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.wrenn.hostagent.protocol.WriteFileHeader;
import io.wrenn.hostagent.protocol.WriteFileRequest;
import io.wrenn.hostagent.protocol.WriteFileResponse;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.sandbox.SandboxManager;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code WriteFile}: the header names the file, the data messages stream straight into envd's
 * {@code POST /files} body (see {@link ChunkPipe} for the bound on what is held in memory).
 */
final class WriteFileHandler {

    private final SandboxManager manager;

    WriteFileHandler(SandboxManager manager) {
        this.manager = manager;
    }

    StreamObserver<WriteFileRequest> writeFile(StreamObserver<WriteFileResponse> observer) {
        ServerCallStreamObserver<WriteFileResponse> call = (ServerCallStreamObserver<WriteFileResponse>) observer;
        call.disableAutoRequest();
        call.request(1);
        return new Upload(call);
    }

    private final class Upload implements StreamObserver<WriteFileRequest> {
        private final ServerCallStreamObserver<WriteFileResponse> call;
        private final ChunkPipe pipe;
        private final AtomicBoolean done = new AtomicBoolean();
        private boolean started;

        Upload(ServerCallStreamObserver<WriteFileResponse> call) {
            this.call = call;
            this.pipe = new ChunkPipe(() -> call.request(1));
        }

        @Override
        public void onNext(WriteFileRequest message) {
            if (done.get()) {
                return;
            }
            if (!started) {
                started = true;
                if (!message.hasHeader()) {
                    fail(Statuses.invalid("the first message must be the header"));
                    return;
                }
                start(message.getHeader());
                return;
            }
            if (!message.hasData()) {
                pipe.fail(new IllegalArgumentException("second header"));
                fail(Statuses.invalid("only the first message may be a header"));
                return;
            }
            pipe.offer(message.getData().toByteArray());
        }

        private void start(WriteFileHeader header) {
            Sandbox sandbox;
            String path;
            try {
                path = GuestPaths.requireAbsolute(header.getPath());
                sandbox = manager.running(header.getSandboxId());
            } catch (RuntimeException e) {
                fail(Statuses.toStatus(e));
                return;
            }
            String user = header.getUser().isEmpty() ? sandbox.record().defaultUser() : header.getUser();
            Thread.ofVirtual().name("write-file-" + header.getSandboxId()).start(() -> {
                try {
                    // The host has taken the upload; no byte has reached the guest yet.
                    manager.crashPoint("upload.started");
                    sandbox.guest().writeFile(path, user, () -> pipe);
                    if (!pipe.ended()) {
                        fail(Statuses.invalid("the upload ended early"));
                        return;
                    }
                    if (done.compareAndSet(false, true)) {
                        call.onNext(WriteFileResponse.newBuilder().setBytesWritten(pipe.total()).build());
                        call.onCompleted();
                    }
                } catch (RuntimeException e) {
                    pipe.fail(e);
                    fail(Statuses.toStatus(e));
                }
            });
            call.request(ChunkPipe.WINDOW);
        }

        private void fail(Throwable status) {
            if (done.compareAndSet(false, true)) {
                call.onError(status);
            }
        }

        @Override
        public void onError(Throwable t) {
            // The client cancelled: abort the HTTP upload so envd does not keep a half file open.
            done.set(true);
            pipe.fail(t);
        }

        @Override
        public void onCompleted() {
            if (!started) {
                fail(Statuses.invalid("no header"));
                return;
            }
            pipe.finish();
        }
    }
}
