/**
 * Sandbox lifecycle: create (with undo), pause, resume, snapshots, destroy, list, re-adoption
 * after restart, the reaper. {@link io.wrenn.hostagent.sandbox.SandboxManager} is the facade;
 * each job is a class of its own sharing one {@code SandboxHost}.
 */
package io.wrenn.hostagent.sandbox;
