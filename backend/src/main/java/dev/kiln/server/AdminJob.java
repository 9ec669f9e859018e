package dev.kiln.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One packaging request of the admin API: its events in order, kept so that a client connecting late (or twice)
 * gets all of them. The last event is {@code done} or {@code error}.
 *
 * <pre>
 *   progress  {@link ProgressReport}: phase queued → download (hub ids) → hashing (big files) → packaging
 *   done      {"id": model id, "manifest_url": "/models/&lt;id&gt;/manifest.json", "outcome": packaged | reused package | served as is}
 *   error     {"message": what failed and what to do}
 * </pre>
 */
final class AdminJob {

    /** One server-sent event: its name and its JSON data. */
    record Event(String name, String data) {
        boolean last() { return name.equals("done") || name.equals("error"); }
    }

    final String id;
    final String input;
    private final List<Event> events = new ArrayList<>();
    private boolean closed;

    AdminJob(String id, String input) {
        this.id = id;
        this.input = input;
    }

    void progress(ProgressReport r) { emit("progress", r); }

    void done(ModelCatalog.Loaded loaded) {
        ServedModel m = loaded.model();
        emit("done", Map.of("id", m.id(), "manifest_url", m.manifestUrl(),
                "outcome", loaded.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')));
    }

    void error(String message) { emit("error", Map.of("message", message)); }

    private synchronized void emit(String name, Object data) {
        if (finished()) return;
        events.add(new Event(name, Server.JSON.writeValueAsString(data)));
        notifyAll();
    }

    synchronized boolean finished() { return !events.isEmpty() && events.get(events.size() - 1).last(); }

    /**
     * The event at {@code index}, waiting up to {@code millis} for it; null when none came in time or the server is
     * stopping.
     */
    synchronized Event await(int index, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (index >= events.size() && !closed) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) return null;
            wait(left);
        }
        return index < events.size() ? events.get(index) : null;
    }

    /** Wakes every waiting stream: the server is stopping. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean closed() { return closed; }
}
