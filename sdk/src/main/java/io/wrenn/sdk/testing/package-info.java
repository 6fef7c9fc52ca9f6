/**
 * {@link io.wrenn.sdk.testing.WrennFake}: an in-memory Wrenn for the unit tests of programs
 * that use the SDK. No server, no VMs; same interfaces, same error codes.
 */
package io.wrenn.sdk.testing;
