package io.wrenn.controlplane.e2b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SandboxListQueryTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00.123456Z");

    @Test
    void metadataIsDecodedAsTheSdkEncodesItAndAllPairsMustMatch() {
        // The SDK: encodeURIComponent on each key and value, URLSearchParams, then the query string.
        String pairs = "role=" + URLEncoder.encode(URLEncoder.encode("a b&c=d", StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                + "&suite=x";
        SandboxListQuery query = SandboxListQuery.parse(null, pairs, null, null);
        assertThat(query.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("role", "a b&c=d", "suite", "x"));

        Sandbox both = sandbox(0, Map.of("role", "a b&c=d", "suite", "x", "extra", "1"));
        Sandbox one = sandbox(1, Map.of("role", "a b&c=d"));
        assertThat(query.page(List.of(both, one)).items()).containsExactly(both);
    }

    @Test
    void pagesRunNewestFirstWithoutRepeatsOrGaps() {
        List<Sandbox> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            all.add(sandbox(i, Map.of()));
        }
        List<UUID> seen = new ArrayList<>();
        String token = null;
        do {
            SandboxListQuery.Page page = SandboxListQuery.parse("running", null, "3", token).page(all);
            page.items().forEach(s -> seen.add(s.id()));
            token = page.nextToken();
        } while (token != null);
        assertThat(seen).containsExactlyElementsOf(all.reversed().stream().map(Sandbox::id).toList());
    }

    @Test
    void stateFiltersAndBadInputIsRefused() {
        assertThat(SandboxListQuery.parse("paused", null, null, null).page(List.of(sandbox(0, Map.of()))).items()).isEmpty();
        assertThatThrownBy(() -> SandboxListQuery.parse("stopped", null, null, null)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> SandboxListQuery.parse(null, null, "0", null)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> SandboxListQuery.parse(null, null, "101", null)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> SandboxListQuery.parse(null, null, null, "not-a-token")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> SandboxListQuery.parse(null, "novalue", null, null)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> SandboxListQuery.parse(null, "a=%zz", null, null)).isInstanceOf(ApiException.class);
    }

    private static Sandbox sandbox(int minutes, Map<String, String> metadata) {
        Instant created = T0.plusSeconds(60L * minutes);
        return new Sandbox(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), "debian",
                SandboxStatus.RUNNING, null, false, 1, 512, 5120, 300, List.of(), metadata, 100L, created, created, created,
                created.plusSeconds(300), null, io.wrenn.controlplane.sandbox.OnTimeout.DESTROY, 0L, null, false, null);
    }
}
