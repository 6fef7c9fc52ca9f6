/** Sandbox lifecycle: create (with undo), destroy, list, re-adoption after restart, the reaper. */
package io.wrenn.hostagent.sandbox;
