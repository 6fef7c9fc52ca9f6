package io.wrenn.controlplane.e2b;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How far ahead a signed {@code /files} URL may expire, set by the operator. E2B's SDKs sign
 * without an expiry unless their caller asks for one, so by default none is demanded: such a URL
 * still ends with the access token that signed it (a resume, a rotation or the end of the key
 * that fetched the token replaces it). With a maximum, every signed URL must carry
 * {@code signature_expiration} (Unix seconds) at most that far ahead, or it is refused here
 * before any sandbox is looked up or woken.
 *
 * @param max the longest a signed URL may live; zero: no expiry demanded
 */
public record SignedUrlLifetime(Duration max) {

    public static final SignedUrlLifetime UNBOUNDED = new SignedUrlLifetime(Duration.ZERO);

    public SignedUrlLifetime {
        if (Objects.requireNonNull(max, "max is null").isNegative()) {
            throw new IllegalArgumentException("a signed URL's lifetime cannot be negative");
        }
    }

    /** Refuses (401) a URL whose {@code expiration} (the query's text, or null) this lifetime does not allow. */
    public void check(String expiration, Instant now) {
        if (max.isZero()) {
            return;
        }
        if (expiration == null || expiration.isBlank()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "signed URLs must expire here: sign with an expiration of at most "
                    + max.toSeconds() + " seconds (signature_expiration)");
        }
        long at;
        try {
            at = Long.parseLong(expiration);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "signature_expiration must be a Unix time in seconds");
        }
        if (at > now.plus(max).getEpochSecond()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "signature_expiration is more than " + max.toSeconds()
                    + " seconds ahead: sign with a shorter expiration");
        }
    }
}
