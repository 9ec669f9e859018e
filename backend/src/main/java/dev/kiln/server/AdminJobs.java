package dev.kiln.server;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The admin API's packaging jobs: one worker thread packages them one at a time, in the order they came; each job
 * records its events ({@link AdminJob}). The most recent {@link #KEPT} jobs are kept for their event streams.
 */
final class AdminJobs implements AutoCloseable {

    static final int KEPT = 100;

    private final ModelCatalog catalog;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, AdminJob> jobs = new LinkedHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kiln-admin-packager");
        t.setDaemon(true);
        return t;
    });

    AdminJobs(ModelCatalog catalog) { this.catalog = catalog; }

    /** Queues {@code input} (already checked by {@link AdminApi}); its events start with {@code progress: queued}. */
    synchronized AdminJob submit(String input) {
        byte[] b = new byte[8];
        random.nextBytes(b);
        AdminJob job = new AdminJob(HexFormat.of().formatHex(b), input);
        job.progress(ProgressReport.queued());
        jobs.put(job.id, job);
        while (jobs.size() > KEPT) {
            String oldest = jobs.keySet().iterator().next();
            jobs.remove(oldest).close();
        }
        worker.submit(() -> run(job));
        return job;
    }

    synchronized AdminJob job(String id) { return jobs.get(id); }

    private void run(AdminJob job) {
        Server.LOG.info("admin job {}: preparing {}", job.id, job.input);
        try {
            ModelCatalog.Loaded loaded = catalog.load(job.input, job::progress);
            job.done(loaded);
            Server.LOG.info("admin job {}: done, model '{}' at {}", job.id, loaded.model().id(), loaded.model().manifestUrl());
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            job.error(message);
            Server.LOG.error("admin job {}: {} failed: {}", job.id, job.input, message);
            Server.LOG.debug("admin job " + job.id + " failed", e);
        } catch (Error e) { // out of memory, say: the stream still ends, the worker thread is replaced
            job.error("the server failed: " + e);
            throw e;
        }
    }

    /** Stops the worker (a job in progress is interrupted) and ends every open event stream. */
    @Override
    public synchronized void close() {
        worker.shutdownNow();
        for (AdminJob j : jobs.values()) j.close();
    }
}
