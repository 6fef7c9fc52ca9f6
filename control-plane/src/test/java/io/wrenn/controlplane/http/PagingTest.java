package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PagingTest {

    private static final Paging ROWS = Paging.of("rows", 2, 100, 1000);

    @Test
    void limitDefaultsAndIsBounded() {
        assertThat(ROWS.request(null, null).limit()).isEqualTo(100);
        assertThat(ROWS.request("", null).limit()).isEqualTo(100);
        assertThat(ROWS.request("1000", null).limit()).isEqualTo(1000);
        assertThat(ROWS.request("7", null).fetch()).isEqualTo(8);
        for (String bad : new String[] {"0", "-1", "1001", "ten", "1.5", "99999999999"}) {
            assertThatThrownBy(() -> ROWS.request(bad, null)).as(bad).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                assertThat(e.getMessage()).isEqualTo("'limit' must be an integer between 1 and 1000");
            });
        }
    }

    @Test
    void aPageCarriesTheCursorOfItsLastRowUntilTheLastPage() {
        Paging.PageRequest two = ROWS.request("2", null);
        assertThat(ROWS.page(two, List.of("a", "b"), row -> List.of("1", row)).nextCursor()).isNull();
        Paging.Page<String> page = ROWS.page(two, List.of("a", "b", "c"), row -> List.of("1", row));
        assertThat(page.items()).containsExactly("a", "b");
        Paging.Cursor after = ROWS.request("2", page.nextCursor()).after();
        assertThat(after.number(0)).isEqualTo(1);
        assertThat(after.text(1)).isEqualTo("b");
    }

    @Test
    void cursorsRoundTripTimesToTheMicrosecondAndIdsAndNamesWithColons() {
        Instant at = Instant.parse("2026-11-29T10:00:00.123456Z");
        UUID id = UUID.randomUUID();
        Paging.Cursor cursor = ROWS.request(null, ROWS.encode(List.of(Paging.micros(at), id.toString()))).after();
        assertThat(cursor.instant(0)).isEqualTo(at);
        assertThat(cursor.uuid(1)).isEqualTo(id);
        assertThat(ROWS.request(null, ROWS.encode(List.of("x", "a:b:c"))).after().text(1)).isEqualTo("a:b:c");
    }

    @Test
    void anotherListsCursorAndForgedOnesAreRefused() {
        String foreign = Paging.of("other", 2, 100, 1000).encode(List.of("1", UUID.randomUUID().toString()));
        String oneList = Paging.of("row", 2, 100, 1000).encode(List.of("1", UUID.randomUUID().toString()));
        for (String bad : new String[] {foreign, oneList, "not base64!", plain("rows"), plain("rows:1"), plain(":")}) {
            assertThatThrownBy(() -> ROWS.request(null, bad)).as(bad).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                assertThat(e.getMessage()).isEqualTo("'cursor' is not a cursor this API gave out");
            });
        }
        // Well-formed but holding the wrong types: refused when read, with the same answer.
        Paging.Cursor forged = ROWS.request(null, plain("rows:soon:nobody")).after();
        assertThatThrownBy(() -> forged.instant(0)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> forged.uuid(1)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> ROWS.request(null, plain("rows:1:1-2-3-4-5")).after().uuid(1)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> ROWS.request(null, plain("rows:" + Long.MAX_VALUE + ":x")).after().instant(0))
                .isInstanceOf(ApiException.class);
    }

    @Test
    void otherWireNamesAreUsedInMessages() {
        Paging e2b = ROWS.named("limit", "nextToken");
        assertThatThrownBy(() -> e2b.request(null, "zz")).hasMessage("'nextToken' is not a cursor this API gave out");
    }

    private static String plain(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
