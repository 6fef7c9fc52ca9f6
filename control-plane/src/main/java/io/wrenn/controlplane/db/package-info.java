/** PostgreSQL: the pool and migrations ({@link io.wrenn.controlplane.db.Database}) and the embedded server. */
package io.wrenn.controlplane.db;
