package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.testing.Refusals;
import io.wrenn.fuzz.Fuzz;
import io.wrenn.fuzz.Gen;
import io.wrenn.fuzz.JsonText;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every request body goes through {@link JsonBody}: whatever the bytes, parsing and every typed
 * accessor either give a value or throw a 400 {@link ApiException}; nothing else escapes.
 */
class JsonBodyFuzzTest {

    private static final Set<String> FIELDS = Set.of("a", "b", "n");

    @Test
    void anyBytesParseOrAre400() {
        Gen<byte[]> bodies = Gen.oneOf(JsonText.body(List.of("a", "b", "n")).map(text -> text.getBytes(StandardCharsets.UTF_8)),
                Gen.bytes(512));
        Fuzz.check(500, bodies, body -> {
            JsonBody json;
            try {
                json = JsonBody.parse(body, FIELDS);
            } catch (ApiException e) {
                assertThat(e.code()).isIn(ErrorCode.INVALID_JSON, ErrorCode.INVALID_REQUEST);
                return;
            }
            for (String field : FIELDS) {
                readEveryWay(json, field);
            }
        });
    }

    /** Each accessor on its own, since the first refusal would hide the others. */
    private static void readEveryWay(JsonBody json, String field) {
        Refusals.eachValueOrRefused(List.of(
                () -> json.string(field),
                () -> json.bool(field),
                () -> json.bool(field, true),
                () -> json.integer(field, 1, 1000),
                () -> json.integer(field, Integer.MIN_VALUE, Integer.MAX_VALUE),
                () -> json.stringList(field),
                () -> json.stringMap(field),
                () -> json.object(field, Set.of("enabled")),
                () -> json.node(field),
                () -> json.has(field)), ErrorCode.INVALID_REQUEST);
    }

    @Test
    void anIntegerWithinBoundsIsReturnedAsGiven() {
        Gen<String> numbers = Gen.oneOf(Gen.ints(-10, 6000).map(String::valueOf), Gen.longs().map(String::valueOf),
                Gen.bigIntegers().map(String::valueOf),
                Gen.of("1e3", "1E400", "-0", "5000.0", "4999.5", "1e-400", "123456789012345678901234567890"));
        Fuzz.check(300, numbers, number -> {
            JsonBody json = JsonBody.parse(("{\"n\":" + number + "}").getBytes(StandardCharsets.UTF_8), FIELDS);
            try {
                int value = json.integer("n", -5, 5000).orElseThrow();
                assertThat(value).isBetween(-5, 5000);
                assertThat(new BigDecimal(number)).isEqualByComparingTo(BigDecimal.valueOf(value));
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            }
        });
    }

    @Test
    void deepNestingIsA400NotAStackOverflow() {
        byte[] deep = ("{\"a\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JsonBody.parse(deep, FIELDS)).isInstanceOf(ApiException.class);
    }
}
