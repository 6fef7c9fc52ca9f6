package io.wrenn.controlplane.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import java.util.List;

/** For fuzzing: each of several reads of one input gives a value, or is refused with one of the allowed codes. */
public final class Refusals {

    private Refusals() {
    }

    /** Runs each read on its own (the first refusal would hide the others); nothing but an allowed refusal escapes. */
    public static void eachValueOrRefused(List<Runnable> reads, ErrorCode... allowed) {
        for (Runnable read : reads) {
            try {
                read.run();
            } catch (ApiException e) {
                assertThat(e.code()).isIn((Object[]) allowed);
            }
        }
    }
}
