/** People's accounts: sign-up, login (throttled), passwords (argon2id), their profile and tokens. */
package io.wrenn.controlplane.account;
