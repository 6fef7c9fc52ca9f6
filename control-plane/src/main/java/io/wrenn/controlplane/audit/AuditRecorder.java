package io.wrenn.controlplane.audit;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.ClientAddress;
import io.wrenn.controlplane.http.Route;
import io.wrenn.controlplane.ids.WireId;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps every mutating route so that its call is recorded whatever happens: success, a refused
 * credential, a validation error, a crash, or the control plane itself stopping during the call.
 * The action is the route itself ({@code POST /v1/sandboxes}); the resource is what the handler
 * named through {@link AuditTrail} once it had found it, else the id in the path if the call
 * succeeded (or failed on the resource's state, 409). A call refused earlier (401, 403, 400, 404)
 * names no resource: the id in its path may be another team's, and keeping it would copy that id
 * into the caller's log. A pending entry names the sandbox, template or build of its path if the
 * database says it is the caller's team's, so that a call lost with its control plane is still
 * found under what it was about.
 *
 * <p>What holds: <b>every change is committed after its call's audit entry</b>, one entry per
 * call. The recorder runs between authentication and the route's handler:
 * <ul>
 *   <li>A call refused by authentication (401, 403) changed nothing; its entry is written after
 *       it.</li>
 *   <li>A route whose whole change is in the database ({@link DatabaseOnlyRoutes}) runs in one
 *       transaction with its audit entry: the handler's statements join it (JDBI hands nested
 *       calls on the same thread the open handle), so a change is never committed without its
 *       entry, and a call that fails rolls back and leaves only its failure entry.</li>
 *   <li>Every other route (it calls a host, or must keep what it wrote when it fails: its state
 *       is written before the host call and settled after, each committed on its own so the
 *       reconciler sees it) has its entry committed as {@code pending} before the handler runs,
 *       naming this control plane ({@link io.wrenn.controlplane.instance.ControlPlaneInstances});
 *       when the handler returns or throws, the same row is settled with its status, outcome and
 *       resource. If the entry cannot be written the handler does not run (500). If this control
 *       plane dies during the call, the reconciler of another (or of its successor) settles the
 *       entry as {@code lost} once it stops beating; a clean stop settles its own at once.</li>
 * </ul>
 */
public final class AuditRecorder {

    private static final Logger log = LoggerFactory.getLogger(AuditRecorder.class);

    private final Jdbi jdbi;
    private final AuditLog auditLog;
    private final ClientAddress clientAddress;
    private final UUID instance;

    /** @param instance this control plane, named by the pending entries it writes */
    public AuditRecorder(Jdbi jdbi, AuditLog auditLog, ClientAddress clientAddress, UUID instance) {
        this.jdbi = jdbi;
        this.auditLog = auditLog;
        this.clientAddress = clientAddress;
        this.instance = instance;
    }

    /**
     * The audited route's handler: {@code authenticate} (which throws to refuse the call), then
     * {@code handler}, each call recorded as described above.
     */
    public Handler wrap(Route route, Handler authenticate, Handler handler) {
        String action = route.method() + " " + route.path();
        if (DatabaseOnlyRoutes.includes(route)) {
            return ctx -> inOneTransaction(ctx, action, c -> {
                authenticate.handle(c);
                handler.handle(c);
            });
        }
        return ctx -> {
            int status = 500;
            Long pending = null;
            try {
                authenticate.handle(ctx);
                // Not caught: without its entry committed, the call makes no change.
                pending = open(ctx, action);
                handler.handle(ctx);
                status = ctx.status().getCode();
            } catch (ApiException | HttpResponseException e) {
                status = statusOf(e);
                throw e;
            } finally {
                if (pending == null) {
                    record(ctx, action, status);
                } else {
                    settle(ctx, action, pending, status);
                }
            }
        };
    }

    private void inOneTransaction(Context ctx, String action, Handler handler) throws Exception {
        boolean recorded = false;
        int status = 500;
        try {
            recorded = jdbi.inTransaction(handle -> {
                handler.handle(ctx);
                int answered = ctx.status().getCode();
                if (answered >= 400) {
                    return false;
                }
                // Inside the transaction, and not caught: if the entry cannot be written, the change is not kept either.
                entry(ctx, action, answered);
                return true;
            });
            status = ctx.status().getCode();
        } catch (ApiException | HttpResponseException e) {
            status = statusOf(e);
            throw e;
        } finally {
            if (!recorded) {
                record(ctx, action, status);
            }
        }
    }

    /** The status an error thrown by a handler is answered with. */
    private static int statusOf(RuntimeException e) {
        return e instanceof ApiException api ? api.code().httpStatus() : ((HttpResponseException) e).getStatus();
    }

    private void record(Context ctx, String action, int status) {
        try {
            entry(ctx, action, status);
        } catch (RuntimeException e) {
            // The call itself already happened; losing its record is logged loudly, not turned into an error.
            log.error("could not record {} in the audit log", action, e);
        }
    }

    private void entry(Context ctx, String action, int status) {
        Who who = who(ctx);
        AuditTrail.Resource resource = resource(ctx, status);
        auditLog.append(who.team(), who.user(), who.key(), action, resource == null ? null : resource.type(),
                resource == null ? null : resource.id(), status < 400, status, clientAddress.of(ctx));
    }

    /** Commits the call's pending entry: who calls, what, on what, from where; no outcome yet. */
    private long open(Context ctx, String action) {
        Who who = who(ctx);
        return auditLog.open(who.team(), who.user(), who.key(), action, clientAddress.of(ctx), instance, inPath(ctx));
    }

    /** The sandbox, template or build the call's path names, if any (not yet known to be the caller's). */
    private static AuditLog.PathResource inPath(Context ctx) {
        for (String value : ctx.pathParamMap().values()) {
            for (WireId kind : AuditLog.PathResource.TABLES.keySet()) {
                Optional<UUID> id = kind.decode(value);
                if (id.isPresent()) {
                    return new AuditLog.PathResource(kind, value, id.get());
                }
            }
        }
        return null;
    }

    /** Settles the pending entry with the call's answer, by the same rules as {@link #entry}. */
    private void settle(Context ctx, String action, long id, int status) {
        try {
            Who who = who(ctx);
            AuditTrail.Resource resource = resource(ctx, status);
            auditLog.settle(id, who.team(), who.user(), who.key(), resource == null ? null : resource.type(),
                    resource == null ? null : resource.id(), status < 400, status);
        } catch (RuntimeException e) {
            // The entry stays pending: a clean stop or, if this control plane dies, the reconciler settles it as lost.
            log.error("could not settle the audit entry {} of {} (answered {})", id, action, status, e);
        }
    }

    /** The team, person and key a call is recorded under, as far as they are known now. */
    private static Who who(Context ctx) {
        Optional<Caller> caller = Authenticator.callerIfKnown(ctx);
        UUID team = Optional.<UUID>ofNullable(ctx.attribute(AuditTrail.TEAM)).orElse(caller.map(Caller::teamId).orElse(null));
        UUID user = caller.map(Caller::userId).orElse(ctx.attribute(AuditTrail.ACTOR));
        UUID key = caller.map(Caller::apiKeyId).orElse(null);
        return new Who(team, user, key);
    }

    private record Who(UUID team, UUID user, UUID key) {
    }

    /** The resource a call answered with {@code status} is recorded under; none on 404. */
    private static AuditTrail.Resource resource(Context ctx, int status) {
        return status == 404 ? null : resource(ctx, status < 400 || status == 409);
    }

    private static AuditTrail.Resource resource(Context ctx, boolean trustPath) {
        AuditTrail.Resource named = ctx.attribute(AuditTrail.RESOURCE);
        if (named != null || !trustPath) {
            return named;
        }
        AuditTrail.Resource found = null;
        for (Map.Entry<String, String> param : ctx.pathParamMap().entrySet()) {
            for (WireId kind : WireId.values()) {
                if (kind.decode(param.getValue()).isPresent()) {
                    found = new AuditTrail.Resource(kind.name().toLowerCase(Locale.ROOT), param.getValue());
                }
            }
        }
        return found;
    }
}
