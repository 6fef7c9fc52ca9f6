/**
 * The SDK's implementation over HTTP and WebSocket: not API, may change in any release. Users
 * program against the interfaces of {@code io.wrenn.sdk}.
 */
package io.wrenn.sdk.internal;
