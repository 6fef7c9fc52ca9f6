package io.wrenn.envd.json;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Object value = Json.parse(" {\"s\":\"x\",\"i\":-12,\"f\":1.5e3,\"t\":true,\"n\":null,\"a\":[1,[],{}],\"o\":{\"k\":false}} ");

        var expected = new LinkedHashMap<String, Object>();
        expected.put("s", "x");
        expected.put("i", -12L);
        expected.put("f", new BigDecimal("1.5e3"));
        expected.put("t", true);
        expected.put("n", null);
        expected.put("a", List.of(1L, List.of(), Map.of()));
        expected.put("o", Map.of("k", false));
        assertThat(value).isEqualTo(expected);
    }

    @Test
    void decodesEscapesAndSurrogatePairs() {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""))
                .isEqualTo("a\"b\\c/d\b\f\n\r\té\uD83D\uDE00");
        assertThat(Json.parse("\"😀 raw\"")).isEqualTo("😀 raw");
    }

    @Test
    void writesEscapesAndKeepsNonAsciiText() {
        String text = "q\"b\\ n\n t\t c\u0001 é 😀 \u2028";
        String written = Json.write(text);

        assertThat(written).isEqualTo("\"q\\\"b\\\\ n\\n t\\t c\\u0001 é 😀 \\u2028\"");
        assertThat(Json.parse(written)).isEqualTo(text);
    }

    @Test
    void loneSurrogatesAreEscapedSoTheyRoundTrip() {
        String lone = "x\uD800y";
        String written = Json.write(lone);
        assertThat(written).isEqualTo("\"x\\ud800y\"");
        assertThat(Json.parse(new String(written.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))).isEqualTo(lone);
    }

    @Test
    void roundTripsNestedStructures() {
        var value = new LinkedHashMap<String, Object>();
        value.put("list", List.of("a", 1L, true, Map.of("deep", List.of())));
        value.put("nothing", null);
        assertThat(Json.parse(Json.write(value))).isEqualTo(value);
    }

    @Test
    void largeIntegersAreKept() {
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("18446744073709551615")).isEqualTo(new BigDecimal("18446744073709551615"));
        assertThat(Json.write(Map.of("n", 42, "d", 2.5))).contains("\"n\":42").contains("\"d\":2.5");
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "-", "tru", "\"abc",
                "\"\\x\"", "\"\\u12\"", "\"a\nb\"", "{} x", "{a:1}", "[1 2]")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(JsonException.class);
        }
    }

    @Test
    void rejectsAbsurdNesting() {
        char[] open = new char[10_000];
        Arrays.fill(open, '[');
        assertThatThrownBy(() -> Json.parse(new String(open))).isInstanceOf(JsonException.class);
    }

    @Test
    void jsonObjectReadsProto3Forms() {
        JsonObject o = Json.parseObject(("{\"exit_code\":3,\"size\":\"12345678901\",\"data\":\"aGk\","
                + "\"url\":\"-_8\",\"signal\":\"SIGNAL_SIGKILL\",\"num\":15,\"envs\":{\"A\":\"1\"},\"gone\":null}")
                .getBytes(StandardCharsets.UTF_8));

        assertThat(o.integer("exitCode")).contains(3L);
        assertThat(o.integer("size")).contains(12345678901L);
        assertThat(o.bytes("data")).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("hi"));
        assertThat(o.bytes("url")).hasValueSatisfying(b -> assertThat(b).containsExactly(0xfb, 0xff));
        assertThat(o.enumNumber("signal", Map.of("SIGNAL_SIGKILL", 9))).contains(9);
        assertThat(o.enumNumber("num", Map.of())).contains(15);
        assertThat(o.stringMap("envs")).containsEntry("A", "1");
        assertThat(o.has("gone")).isFalse();
        assertThat(o.string("missing")).isEmpty();
        assertThatThrownBy(() -> o.string("exitCode")).isInstanceOf(JsonException.class);
    }

    @Test
    void emptyBodyIsAnEmptyObject() {
        assertThat(Json.parseObject(new byte[0]).asMap()).isEmpty();
        assertThatThrownBy(() -> Json.parseObject("[]".getBytes())).isInstanceOf(JsonException.class);
    }
}
