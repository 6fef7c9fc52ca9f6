/** Sandboxes: their rows, lifecycle, one-shot exec, file transfer and REST routes. */
package io.wrenn.controlplane.sandbox;
