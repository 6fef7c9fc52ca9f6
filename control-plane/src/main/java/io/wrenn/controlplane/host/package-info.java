/** Hosts: their rows, the gRPC channels to their agents, error translation and scheduling. */
package io.wrenn.controlplane.host;
