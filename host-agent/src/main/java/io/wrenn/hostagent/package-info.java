/**
 * The Wrenn host agent: runs QEMU microVM sandboxes on one machine and serves
 * {@code hostagent.proto}. Entry point: {@link io.wrenn.hostagent.HostAgentServer}.
 */
package io.wrenn.hostagent;
