package io.wrenn.hostagent.rpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.wrenn.hostagent.guest.ConnectStream;
import io.wrenn.hostagent.guest.GuestFilesystem;
import io.wrenn.hostagent.protocol.FileEntry;
import io.wrenn.hostagent.protocol.ListDirRequest;
import io.wrenn.hostagent.protocol.ListDirResponse;
import io.wrenn.hostagent.protocol.MovePathRequest;
import io.wrenn.hostagent.protocol.PathRequest;
import io.wrenn.hostagent.protocol.RemovePathResponse;
import io.wrenn.hostagent.protocol.WatchDirEvent;
import io.wrenn.hostagent.protocol.WatchDirRequest;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.sandbox.SandboxManager;

/** The filesystem RPCs: envd's {@code filesystem.Filesystem} as the request's user (default: the sandbox's). */
final class FilesystemHandler {

    private static final int MAX_DEPTH = 32;

    private final SandboxManager manager;

    FilesystemHandler(SandboxManager manager) {
        this.manager = manager;
    }

    FileEntry stat(PathRequest request) {
        return toProto(guest(request.getSandboxId()).stat(path(request.getPath()), user(request.getSandboxId(), request.getUser())));
    }

    ListDirResponse listDir(ListDirRequest request) {
        if (request.getDepth() > MAX_DEPTH) {
            throw Statuses.invalid("depth is at most " + MAX_DEPTH);
        }
        ListDirResponse.Builder response = ListDirResponse.newBuilder();
        guest(request.getSandboxId()).listDir(path(request.getPath()), Math.max(1, request.getDepth()),
                        user(request.getSandboxId(), request.getUser()))
                .forEach(entry -> response.addEntries(toProto(entry)));
        return response.build();
    }

    FileEntry makeDir(PathRequest request) {
        return toProto(guest(request.getSandboxId()).makeDir(path(request.getPath()), user(request.getSandboxId(), request.getUser())));
    }

    RemovePathResponse remove(PathRequest request) {
        guest(request.getSandboxId()).remove(path(request.getPath()), user(request.getSandboxId(), request.getUser()));
        return RemovePathResponse.getDefaultInstance();
    }

    FileEntry move(MovePathRequest request) {
        return toProto(guest(request.getSandboxId()).move(path(request.getSource()), path(request.getDestination()),
                user(request.getSandboxId(), request.getUser())));
    }

    void watch(WatchDirRequest request, StreamObserver<WatchDirEvent> observer) {
        ServerCallStreamObserver<WatchDirEvent> call = (ServerCallStreamObserver<WatchDirEvent>) observer;
        ReadyGate gate = new ReadyGate(call);
        Thread.ofVirtual().name("watch-" + request.getSandboxId()).start(() -> {
            try (ConnectStream<GuestFilesystem.Change> changes = guest(request.getSandboxId())
                    .watch(path(request.getPath()), request.getRecursive(), user(request.getSandboxId(), request.getUser()))) {
                gate.onCancel(changes::close);
                GuestFilesystem.Change change;
                while ((change = changes.next()) != null) {
                    if (!gate.awaitReady()) {
                        return;
                    }
                    call.onNext(WatchDirEvent.newBuilder().setType(change.type()).setName(change.name()).build());
                }
                call.onCompleted();
            } catch (RuntimeException e) {
                if (!gate.cancelled()) {
                    call.onError(Statuses.toStatus(e));
                }
            }
        });
    }

    private GuestFilesystem guest(String sandboxId) {
        return manager.running(sandboxId).guest().filesystem();
    }

    private String user(String sandboxId, String user) {
        Sandbox sandbox = manager.running(sandboxId);
        return user.isEmpty() ? sandbox.record().defaultUser() : user;
    }

    private static String path(String path) {
        return GuestPaths.requireAbsolute(path);
    }

    static FileEntry toProto(GuestFilesystem.Entry entry) {
        FileEntry.Builder proto = FileEntry.newBuilder()
                .setName(entry.name())
                .setPath(entry.path())
                .setType(entry.type())
                .setSize(entry.size())
                .setMode(entry.mode())
                .setOwner(entry.owner())
                .setGroup(entry.group())
                .setModifiedAtMs(entry.modifiedAtMs());
        if (entry.symlinkTarget() != null) {
            proto.setSymlinkTarget(entry.symlinkTarget());
        }
        return proto.build();
    }
}
