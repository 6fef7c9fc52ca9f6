package io.wrenn.controlplane.e2b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.ControlPlaneConfig;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.fuzz.Fuzz;
import io.wrenn.fuzz.Gen;
import io.wrenn.fuzz.HostileText;
import io.wrenn.fuzz.JsonText;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The E2B facade's own parsers: the sandbox list query (states, a twice URL-encoded metadata
 * filter, E2B's paging names) and the create body. A value or a 400, and no metadata text the
 * database could not take (NUL).
 */
class E2bInputsFuzzTest {

    /** The four query parameters of a list. */
    private record ListQuery(String state, String metadata, String limit, String nextToken) {
    }

    @Test
    void aListQueryIsValidOr400() {
        Gen<String> texts = Gen.oneOf(Gen.constant(null), HostileText.any(),
                Gen.of("running", "paused", "running,paused", " running ,", "", "1", "100", "101", "0"));
        Gen<String> pair = Gen.combine(HostileText.tricks(), HostileText.any(), (key, value) -> enc(key) + "=" + enc(value));
        Gen<String> metadata = Gen.oneOf(Gen.constant(null), HostileText.any(), HostileText.tricks(),
                pair.list(5).map(pairs -> String.join("&", pairs)),
                pair.list(5).map(pairs -> enc(String.join("&", pairs))));
        Gen<ListQuery> queries = random -> new ListQuery(texts.next(random), metadata.next(random), texts.next(random),
                texts.next(random));
        Fuzz.check(1000, queries, q -> {
            SandboxListQuery query;
            try {
                query = SandboxListQuery.parse(q.state(), q.metadata(), q.limit(), q.nextToken());
                query.page(List.of());
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                return;
            }
            assertThat(query.states()).isNotEmpty().isSubsetOf("running", "paused");
            query.metadata().forEach((key, value) -> {
                assertThat(key).doesNotContain("\0");
                assertThat(value).doesNotContain("\0");
            });
        });
    }

    @Test
    void aCreateBodyIsValidOr400() {
        Gen<String> bodies = JsonText.body(List.of("templateID", "timeout", "metadata", "envVars", "secure", "autoPause",
                "autoPauseMemory", "autoResume", "allow_internet_access", "network", "mcp"));
        Fuzz.check(500, bodies, body -> {
            try {
                E2bCreateBody create = E2bCreateBody.parse(body.getBytes(StandardCharsets.UTF_8), ControlPlaneConfig.Limits.defaults());
                create.wrenn().metadata().forEach((key, value) -> assertThat(key + value).doesNotContain("\0"));
            } catch (ApiException e) {
                assertThat(e.code()).isIn(ErrorCode.INVALID_JSON, ErrorCode.INVALID_REQUEST);
            }
        });
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void aMetadataFilterHoldingNulIsA400() {
        assertThatThrownBy(() -> SandboxListQuery.parse(null, "k%3Da%2500", null, null))
                .isInstanceOf(ApiException.class);
    }
}
