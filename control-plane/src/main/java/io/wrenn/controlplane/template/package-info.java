/** Templates: what a sandbox boots from (a base image now, snapshots later). */
package io.wrenn.controlplane.template;
