package io.wrenn.controlplane.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.ControlPlaneConfig;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.template.TemplateStore;
import io.wrenn.controlplane.testing.Refusals;
import io.wrenn.fuzz.Fuzz;
import io.wrenn.fuzz.Gen;
import io.wrenn.fuzz.HostileText;
import io.wrenn.fuzz.JsonText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sandbox routes' inputs, fuzzed: guest paths, upload file names, users, process ids, the
 * status filter and the request bodies. Each is a 400 or a value that keeps its promise: a path
 * is absolute without {@code ..} or NUL, a file name names no directory, and no text bound for
 * the database holds NUL (PostgreSQL refuses it: that would be a 500).
 */
class RequestInputsFuzzTest {

    private static final ControlPlaneConfig.Limits LIMITS = ControlPlaneConfig.Limits.defaults();

    @Test
    void aGuestPathIsAbsoluteWithoutClimbingOrNul() {
        Fuzz.check(1000, paths(), path -> {
            String checked;
            try {
                checked = Inputs.absolutePath("path", path, true);
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                return;
            }
            assertThat(checked).startsWith("/").doesNotContain("\0").hasSizeLessThanOrEqualTo(4096);
            assertThat(Arrays.asList(checked.split("/"))).doesNotContain("..");
        });
    }

    @Test
    void anUploadFileNameNamesNoDirectory() {
        Fuzz.check(1000, paths(), name -> {
            String base;
            try {
                base = Inputs.fileName(name);
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                return;
            }
            assertThat(base).isNotEmpty().isNotIn(".", "..").doesNotContain("/", "\\", "\0");
        });
    }

    @Test
    void usersPidsAndStatusFiltersAreValuesOr400() {
        Gen<String> texts = Gen.oneOf(HostileText.any(), Gen.of("all", "running,paused", "running,", ",", "root",
                "0", "-1", "2147483648", "1"));
        Fuzz.check(500, texts, text -> {
            Refusals.eachValueOrRefused(List.of(() -> Inputs.user("user", text), () -> Inputs.pid(text),
                    () -> SandboxRoutes.statusFilter(text), () -> Inputs.argument("args", text)), ErrorCode.INVALID_REQUEST);
        });
    }

    @Test
    void aCreateBodyIsValidOr400() {
        Gen<String> bodies = JsonText.body(List.of("template", "vcpus", "memory_mb", "disk_size_mb", "timeout_s", "env",
                "metadata", "on_timeout", "network"));
        Fuzz.check(500, bodies, body -> {
            CreateSandboxBody create;
            try {
                create = CreateSandboxBody.parse(body.getBytes(StandardCharsets.UTF_8), LIMITS);
            } catch (ApiException e) {
                assertThat(e.code()).isIn(ErrorCode.INVALID_JSON, ErrorCode.INVALID_REQUEST);
                return;
            }
            assertThat(create.template()).matches(TemplateStore.NAME);
            assertThat(create.timeoutS()).isBetween(1, LIMITS.maxTimeoutS());
            assertStorable(create.metadata());
            assertStorable(create.env());
        });
    }

    @Test
    void execAndPathBodiesAreValidOr400() {
        Gen<String> bodies = JsonText.body(List.of("cmd", "args", "env", "cwd", "user", "timeout_s", "path", "source",
                "destination", "signal"));
        Fuzz.check(500, bodies, body -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            Refusals.eachValueOrRefused(List.of(() -> {
                ExecBody exec = ExecBody.parse(bytes, LIMITS);
                assertThat(exec.cmd()).isNotEmpty().doesNotContain("\0");
                assertThat(exec.cwd()).satisfiesAnyOf(cwd -> assertThat(cwd).isEmpty(), cwd -> assertThat(cwd).startsWith("/"));
            }, () -> {
                PathBody path = PathBody.parse(bytes, false);
                assertThat(path.path()).startsWith("/").doesNotContain("\0");
            }, () -> {
                PathBody move = PathBody.parse(bytes, true);
                assertThat(move.destination()).startsWith("/").doesNotContain("\0");
            }, () -> assertThat(SignalBody.parse(bytes)).isIn("SIGTERM", "SIGKILL")), ErrorCode.INVALID_JSON, ErrorCode.INVALID_REQUEST);
        });
    }

    private static void assertStorable(Map<String, String> map) {
        map.forEach((key, value) -> {
            assertThat(key).doesNotContain("\0");
            assertThat(value).doesNotContain("\0");
        });
    }

    private static Gen<String> paths() {
        Gen<String> segments = Gen.oneOf(Gen.of("..", ".", "", "%2e%2e", "a", "..\0", "\0", "...", ". .", "..\\..", "home",
                "user", "é", "\u202e"), Gen.alpha(3)).list(8).map(parts -> String.join("/", parts));
        return Gen.oneOf(HostileText.any(), segments, segments.map(path -> "/" + path),
                segments.map(path -> "\\" + path.replace('/', '\\')));
    }

    @Test
    void metadataHoldingNulIsA400() {
        for (String body : List.of("{\"template\":\"minimal\",\"metadata\":{\"k\":\"a\\u0000b\"}}",
                "{\"template\":\"minimal\",\"metadata\":{\"k\\u0000\":\"v\"}}")) {
            assertThatThrownBy(() -> CreateSandboxBody.parse(body.getBytes(StandardCharsets.UTF_8), LIMITS))
                    .isInstanceOf(ApiException.class).hasMessageContaining("NUL");
        }
    }
}
