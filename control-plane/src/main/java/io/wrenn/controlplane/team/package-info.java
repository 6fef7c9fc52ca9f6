/** Teams and their members: roles, the last-owner rules, deletion. */
package io.wrenn.controlplane.team;
