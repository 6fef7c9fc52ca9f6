/** Sandbox disks: qcow2 overlays on read-only template images. */
package io.wrenn.hostagent.disk;
