package io.wrenn.controlplane.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;

/**
 * People's session tokens: HS256 JWTs carrying the user, the current team and the user's token
 * generation, valid for a short time. A token proves only who it was issued to; membership,
 * role, admin flag and the generation are checked against the database on every request.
 * The header's {@code kid} names the {@link SigningKeys} key that signed it: a token of an
 * unknown or deleted key is refused, and so is one naming no key unless the key of the releases
 * before key ids still verifies (their tokens, until they expire).
 */
public final class Tokens {

    private static final String ISSUER = "wrenn";
    private static final String TEAM = "team";
    private static final String GENERATION = "gen";

    private final SigningKeys keys;
    private final Duration lifetime;
    private final Clock clock;

    public Tokens(SigningKeys keys, Duration lifetime, Clock clock) {
        this.keys = keys;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** What a valid token says. {@code teamId} may be null (a person in no team). */
    public record Claims(UUID userId, UUID teamId, int generation) {
    }

    public record Issued(String token, Instant expiresAt) {
    }

    public Issued issue(UUID userId, UUID teamId, int generation) {
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(userId.toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .jwtID(UUID.randomUUID().toString())
                .claim(GENERATION, generation);
        if (teamId != null) {
            claims.claim(TEAM, teamId.toString());
        }
        SigningKeys.Key key = keys.signing();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.kid()).build(), claims.build());
        try {
            jwt.sign(new MACSigner(key.secret()));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a token failed", e);
        }
        return new Issued(jwt.serialize(), expires);
    }

    /** The claims of {@code token} if it is ours, untampered and unexpired; empty otherwise. */
    public Optional<Claims> verify(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            // Only the algorithm we sign with: never "none", never a public-key algorithm.
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
                return Optional.empty();
            }
            Optional<SigningKeys.Key> key = keyOf(jwt.getHeader().getKeyID());
            if (key.isEmpty() || !jwt.verify(new MACVerifier(key.get().secret()))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            if (!ISSUER.equals(claims.getIssuer()) || expires == null || !expires.toInstant().isAfter(clock.instant())) {
                return Optional.empty();
            }
            String team = claims.getStringClaim(TEAM);
            Long generation = claims.getLongClaim(GENERATION);
            if (claims.getSubject() == null || generation == null) {
                return Optional.empty();
            }
            return Optional.of(new Claims(UUID.fromString(claims.getSubject()),
                    team == null ? null : UUID.fromString(team), generation.intValue()));
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The key a token's {@code kid} names; no kid: the pre-kid key while it is kept. Nobody else may name that one. */
    private Optional<SigningKeys.Key> keyOf(String kid) {
        if (SigningKeys.PRE_KID.equals(kid)) {
            return Optional.empty();
        }
        return keys.verifying(kid == null ? SigningKeys.PRE_KID : kid);
    }
}
