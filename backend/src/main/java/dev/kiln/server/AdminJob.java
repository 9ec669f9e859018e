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

    /** Where a job is; the last three are final. */
    enum State { QUEUED, RUNNING, DONE, FAILED, CANCELLED }

    final String id;
    final String input;
    private final List<Event> events = new ArrayList<>();
    private boolean closed;
    private State state = State.QUEUED;
    private String message = "queued";

    AdminJob(String id, String input) {
        this.id = id;
        this.input = input;
    }

    /**
     * Records progress; on a cancelled job it throws instead, so packaging (which reports progress as it goes) stops
     * at its next step even where an interrupt does not reach, and leaves nothing behind.
     */
    void progress(ProgressReport r) {
        if (state() == State.CANCELLED) throw new java.util.concurrent.CancellationException("admin job " + id + " was cancelled");
        emit("progress", r);
    }

    /** Marks the job running unless it was cancelled while queued; false then. */
    synchronized boolean start() {
        if (state != State.QUEUED) return false;
        state = State.RUNNING;
        message = "running";
        return true;
    }

    synchronized State state() { return state; }

    synchronized String message() { return message; }

    /** Ends a queued or running job as cancelled (an error event says why); false when it had already ended. */
    synchronized boolean cancel(String why) {
        if (state != State.QUEUED && state != State.RUNNING) return false;
        emit("error", Map.of("message", why));
        state = State.CANCELLED;
        message = why;
        return true;
    }

    void done(ModelCatalog.Loaded loaded) {
        ServedModel m = loaded.model();
        emit("done", Map.of("id", m.id(), "manifest_url", m.manifestUrl(),
                "outcome", loaded.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')));
    }

    void error(String message) { emit("error", Map.of("message", message)); }

    private synchronized void emit(String name, Object data) {
        if (finished()) return;
        if (name.equals("done") || name.equals("error")) {
            state = name.equals("done") ? State.DONE : State.FAILED;
            message = name.equals("done") ? "done" : String.valueOf(((Map<?, ?>) data).get("message"));
        }
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
