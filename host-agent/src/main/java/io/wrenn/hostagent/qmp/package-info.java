/** QEMU Machine Protocol over a unix socket: commands demultiplexed by id, events to a listener. */
package io.wrenn.hostagent.qmp;
