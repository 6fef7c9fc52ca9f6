package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.testing.Refusals;
import io.wrenn.fuzz.Fuzz;
import io.wrenn.fuzz.Gen;
import io.wrenn.fuzz.HostileText;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * List cursors come back from clients, so they are forged at will: a cursor and a limit either
 * decode to a position whose parts read as their types, or are a 400. A decoded text part never
 * holds NUL, which PostgreSQL's text refuses (a forged one would fail the query: a 500).
 */
class PagingFuzzTest {

    private static final Paging PAGING = Paging.of("snap", 2, 100, 1000);

    @Test
    void anyCursorAndLimitDecodeOrAre400() {
        Gen<String> limits = Gen.oneOf(Gen.constant(null), HostileText.any(), Gen.ints().map(String::valueOf),
                Gen.of("0", "1", "1000", "1001", "+5", "05", " 5", "5 ", "2147483648", "1e2", "٣"));
        Fuzz.check(1000, limits, cursors(), (limit, cursor) -> {
            Paging.PageRequest request;
            try {
                request = PAGING.request(limit, cursor);
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                return;
            }
            assertThat(request.limit()).isBetween(1, 1000);
            if (request.after() == null) {
                return;
            }
            for (int part = 0; part < 2; part++) {
                assertThat(request.after().text(part)).doesNotContain("\0");
                int index = part;
                Refusals.eachValueOrRefused(List.of(() -> request.after().number(index), () -> request.after().uuid(index),
                        () -> request.after().instant(index)), ErrorCode.INVALID_REQUEST);
            }
        });
    }

    @Test
    void aCursorGivenOutReadsBackAsItsKey() {
        // Names as stored: any text PostgreSQL holds (no NUL), colons included.
        Gen<String> names = Gen.oneOf(HostileText.tricks(), Gen.anyChars(40))
                .map(name -> name.replace("\0", "").replaceAll("\\p{Cs}", ""));
        Fuzz.check(300, names, name -> {
            UUID team = UUID.randomUUID();
            String cursor = PAGING.encode(List.of(team.toString(), name));
            Paging.Cursor after = PAGING.request(null, cursor).after();
            assertThat(after.uuid(0)).isEqualTo(team);
            assertThat(after.text(1)).isEqualTo(name);
        });
    }

    private static Gen<String> cursors() {
        Gen<String> plain = Gen.oneOf(HostileText.any(),
                HostileText.tricks().map(rest -> "snap:" + rest),
                Gen.combine(Gen.uuids(), HostileText.tricks(), (id, rest) -> "snap:" + id + ":" + rest),
                Gen.combine(Gen.longs(), Gen.uuids(), (micros, id) -> "snap:" + micros + ":" + id));
        return Gen.oneOf(HostileText.any(), Gen.constant(null),
                plain.map(text -> Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8))),
                plain.map(text -> Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aForgedCursorHoldingNulIsA400() {
        String forged = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("snap:" + UUID.randomUUID() + ":a\0b").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> PAGING.request(null, forged)).isInstanceOf(ApiException.class);
    }
}
