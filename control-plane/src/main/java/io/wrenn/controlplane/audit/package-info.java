/** The audit log: every mutating call, who made it, on what, for which team, from where, and how it ended. */
package io.wrenn.controlplane.audit;
