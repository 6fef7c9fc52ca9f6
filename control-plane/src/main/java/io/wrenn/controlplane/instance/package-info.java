/** Which control planes share the database and which of them are alive. */
package io.wrenn.controlplane.instance;
