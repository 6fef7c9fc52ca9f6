/**
 * The Wrenn control plane. {@link io.wrenn.controlplane.ControlPlane} is the entry point and
 * {@link io.wrenn.controlplane.ControlPlaneConfig} its configuration; the sub-packages hold
 * one feature each (http, auth, sandbox, template, host, reconciler, db, ids).
 */
package io.wrenn.controlplane;
