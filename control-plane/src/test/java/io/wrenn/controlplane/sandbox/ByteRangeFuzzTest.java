package io.wrenn.controlplane.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.fuzz.Fuzz;
import io.wrenn.fuzz.Gen;
import io.wrenn.fuzz.HostileText;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The {@code Range} header of a file download, fuzzed: whatever the header, the parser gives a
 * range inside the file, an empty answer (416), or a 400; nothing else escapes.
 */
class ByteRangeFuzzTest {

    @Test
    void anyHeaderGivesARangeInsideTheFileOrA400() {
        Gen<String> number = Gen.oneOf(Gen.longs().map(String::valueOf), Gen.numeric(25), Gen.constant(""));
        Gen<String> wellShaped = Gen.combine(number, number, (first, last) -> "bytes=" + first + "-" + last);
        Gen<String> headers = Gen.oneOf(wellShaped, HostileText.any(),
                wellShaped.map(h -> h + "," + h), wellShaped.map(h -> " " + h.toUpperCase() + "\t"));
        Fuzz.check(2000, headers, Gen.naturals(), (header, size) -> {
            Optional<ByteRange> range;
            try {
                range = ByteRange.parse(header, size);
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                return;
            }
            range.ifPresent(r -> {
                assertThat(r.first()).isBetween(0L, size - 1);
                assertThat(r.last()).isBetween(r.first(), size - 1);
                assertThat(r.length()).isPositive();
            });
        });
    }

    @Test
    void aSuffixLongerThanTheFileIsTheWholeFile() {
        assertThat(ByteRange.parse("bytes=-99", 10)).contains(new ByteRange(0, 9));
    }
}
