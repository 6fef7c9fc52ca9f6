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
 * credential, a validation error, a crash. The action is the route itself ({@code POST
 * /v1/sandboxes}); the resource is what the handler named through {@link AuditTrail} once it had
 * found it, else the id in the path if the call succeeded (or failed on the resource's state,
 * 409). A call refused earlier (401, 403, 400, 404) names no resource: the id in its path may
 * be another team's, and keeping it would copy that id into the caller's log.
 *
 * <p>A route whose whole change is in the database ({@link DatabaseOnlyRoutes}) runs in one
 * transaction with its audit entry: the handler's statements join it (JDBI hands nested calls on
 * the same thread the open handle), so a change is never committed without its entry, and a call
 * that fails rolls back and leaves only its failure entry. Routes that call a host cannot do that:
 * their state is written before the host call and settled after, each committed on its own so
 * the reconciler sees it; their entry follows the call, as before.
 */
public final class AuditRecorder {

    private static final Logger log = LoggerFactory.getLogger(AuditRecorder.class);

    private final Jdbi jdbi;
    private final AuditLog auditLog;
    private final ClientAddress clientAddress;

    public AuditRecorder(Jdbi jdbi, AuditLog auditLog, ClientAddress clientAddress) {
        this.jdbi = jdbi;
        this.auditLog = auditLog;
        this.clientAddress = clientAddress;
    }

    public Handler wrap(Route route, Handler handler) {
        String action = route.method() + " " + route.path();
        if (DatabaseOnlyRoutes.includes(route)) {
            return ctx -> inOneTransaction(ctx, action, handler);
        }
        return ctx -> {
            int status = 500;
            try {
                handler.handle(ctx);
                status = ctx.status().getCode();
            } catch (ApiException | HttpResponseException e) {
                status = statusOf(e);
                throw e;
            } finally {
                record(ctx, action, status);
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
        Optional<Caller> caller = Authenticator.callerIfKnown(ctx);
        UUID team = Optional.<UUID>ofNullable(ctx.attribute(AuditTrail.TEAM)).orElse(caller.map(Caller::teamId).orElse(null));
        UUID user = caller.map(Caller::userId).orElse(ctx.attribute(AuditTrail.ACTOR));
        UUID key = caller.map(Caller::apiKeyId).orElse(null);
        AuditTrail.Resource resource = status == 404 ? null : resource(ctx, status < 400 || status == 409);
        auditLog.append(team, user, key, action, resource == null ? null : resource.type(),
                resource == null ? null : resource.id(), status < 400, status, clientAddress.of(ctx));
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
