/**
 * The Wrenn SDK: {@link io.wrenn.sdk.Wrenn} (a client of one Wrenn), its
 * {@link io.wrenn.sdk.Sandboxes}, and for each {@link io.wrenn.sdk.Sandbox} its
 * {@link io.wrenn.sdk.Commands}, {@link io.wrenn.sdk.Pty} and {@link io.wrenn.sdk.Filesystem}.
 * Failures are {@link io.wrenn.sdk.WrennException}s carrying the server's error code.
 * Java 17 or later; depends on the JDK's HTTP client and Jackson only.
 */
package io.wrenn.sdk;
