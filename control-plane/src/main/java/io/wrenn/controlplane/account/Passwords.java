package io.wrenn.controlplane.account;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import java.util.UUID;

/**
 * argon2id password hashes (OWASP's parameters: 19 MiB, 2 passes, 1 lane), stored as PHC
 * strings so the parameters travel with each hash and can be raised later.
 */
public final class Passwords {

    private static final Argon2Function ARGON2ID = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID, 19);
    /** Checked when the account does not exist, so that costs the same time as a wrong password. */
    private final String decoy = hash(UUID.randomUUID().toString());

    public String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2ID).getResult();
    }

    /** Whether {@code password} matches {@code hash}; a null hash (no such account, OAuth-only) never matches. */
    public boolean verify(String password, String hash) {
        if (hash == null) {
            Password.check(password, decoy).with(ARGON2ID);
            return false;
        }
        return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
    }
}
