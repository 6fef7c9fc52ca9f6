/** Forks: running copies of a running sandbox, made from a snapshot of it that the source outlives. */
package io.wrenn.controlplane.fork;
