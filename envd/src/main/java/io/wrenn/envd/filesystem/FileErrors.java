package io.wrenn.envd.filesystem;

import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a failed file operation means for the client. The kernel's verdict becomes the Connect
 * code (the {@code /files} routes use the code's HTTP status): EACCES and EPERM are
 * {@code permission_denied} (403), ENOENT {@code not_found} (404), ENOSPC
 * {@code resource_exhausted}, ENOTDIR, EISDIR and ELOOP {@code invalid_argument} (400).
 */
public final class FileErrors {
    private FileErrors() {
    }

    public static ConnectException translate(IOException e, Path path) {
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : "";
        return switch (e) {
            case NoSuchFileException n -> ConnectException.notFound("path " + n.getFile() + " does not exist");
            case AccessDeniedException a -> permissionDenied(a.getFile());
            case DirectoryNotEmptyException d -> new ConnectException(Code.FAILED_PRECONDITION, "directory " + d.getFile() + " is not empty");
            case FileAlreadyExistsException x -> new ConnectException(Code.ALREADY_EXISTS, "path " + x.getFile() + " already exists");
            case FileSystemException f when reason.contains("Operation not permitted") -> permissionDenied(f.getFile());
            case FileSystemException f when reason.contains("No space left") ->
                    new ConnectException(Code.RESOURCE_EXHAUSTED, "no space left on device");
            case FileSystemException f when reason.contains("Not a directory") ->
                    ConnectException.invalidArgument("a component of " + path + " is not a directory");
            case FileSystemException f when reason.contains("Is a directory") ->
                    ConnectException.invalidArgument("path " + path + " is a directory");
            case FileSystemException f when reason.contains("Too many levels of symbolic links") ->
                    ConnectException.invalidArgument("too many levels of symbolic links in " + path);
            case FileSystemException f when reason.contains("Read-only file system") ->
                    new ConnectException(Code.FAILED_PRECONDITION, "read-only file system: " + path);
            default -> ConnectException.internal("cannot access " + path + ": " + e.getMessage(), e);
        };
    }

    /** The HTTP status of a translated failure on the plain {@code /files} routes (507 for a full disk, as E2B's envd). */
    public static int httpStatus(ConnectException e) {
        return e.code() == Code.RESOURCE_EXHAUSTED ? 507 : e.code().httpStatus();
    }

    private static ConnectException permissionDenied(String file) {
        return new ConnectException(Code.PERMISSION_DENIED, "permission denied: " + file);
    }
}
