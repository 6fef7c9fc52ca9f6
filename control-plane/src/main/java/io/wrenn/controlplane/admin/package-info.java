/** Platform administration: every team, person, sandbox and template; disabling people. */
package io.wrenn.controlplane.admin;
