/** QEMU microvm processes: command line, start, liveness, stop. */
package io.wrenn.hostagent.vm;
