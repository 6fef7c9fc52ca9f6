/** The reconciler: converges the database with what the hosts really run. */
package io.wrenn.controlplane.reconciler;
