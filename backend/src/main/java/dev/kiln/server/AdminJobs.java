package dev.kiln.server;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The admin API's packaging jobs: one worker thread packages them one at a time, in the order they came; each job
 * records its events and state ({@link AdminJob}). The most recent {@link #KEPT} jobs are kept for their event streams.
 *
 * A job runs at most its timeout ({@link #DEFAULT_TIMEOUT}), then is cancelled like {@code DELETE} cancels it: a queued
 * job is dropped; a running one is interrupted and, as a blocked read may ignore interrupts, the worker is replaced so
 * the queue moves on (the old thread is abandoned as a daemon and its result ignored).
 */
final class AdminJobs implements AutoCloseable {

    static final int KEPT = 100;
    /**
     * Long enough to download and package a large model; a job running longer is stuck. The system property
     * {@code kiln.admin.jobTimeoutSeconds} overrides it.
     */
    static final Duration DEFAULT_TIMEOUT = Duration.ofHours(6);

    static Duration configuredTimeout() {
        return Duration.ofSeconds(Long.getLong("kiln.admin.jobTimeoutSeconds", DEFAULT_TIMEOUT.toSeconds()));
    }

    private final ModelCatalog catalog;
    private final Duration timeout;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, AdminJob> jobs = new LinkedHashMap<>();
    private final Map<AdminJob, Future<?>> futures = new LinkedHashMap<>();
    private ExecutorService worker = newWorker();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kiln-admin-watchdog");
        t.setDaemon(true);
        return t;
    });
    private AdminJob running;

    AdminJobs(ModelCatalog catalog, Duration timeout) {
        this.catalog = catalog;
        this.timeout = timeout;
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kiln-admin-packager");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code input} (already checked by {@link AdminApi}); its events start with {@code progress: queued}. */
    synchronized AdminJob submit(String input) {
        byte[] b = new byte[8];
        random.nextBytes(b);
        AdminJob job = new AdminJob(HexFormat.of().formatHex(b), input);
        job.progress(ProgressReport.queued());
        jobs.put(job.id, job);
        while (jobs.size() > KEPT) {
            String oldest = jobs.keySet().iterator().next();
            AdminJob gone = jobs.remove(oldest);
            futures.remove(gone);
            gone.close();
        }
        futures.put(job, worker.submit(() -> run(job)));
        return job;
    }

    synchronized AdminJob job(String id) { return jobs.get(id); }

    /** Cancels a queued or running job (see the class comment); a finished job is left as it is. */
    synchronized void cancel(AdminJob job, String why) {
        if (!job.cancel(why)) return;
        Server.LOG.warn("admin job {}: {}", job.id, why);
        Future<?> f = futures.remove(job);
        if (job != running) {
            if (f != null) f.cancel(false);
            return;
        }
        running = null;
        if (f != null) f.cancel(true);
        // the running job may be blocked where interrupts do not reach: give the queue a fresh worker
        ExecutorService old = worker;
        worker = newWorker();
        old.shutdownNow();
        for (Map.Entry<AdminJob, Future<?>> e : futures.entrySet()) {
            if (e.getKey().state() == AdminJob.State.QUEUED) {
                e.getValue().cancel(false);
                AdminJob queued = e.getKey();
                e.setValue(worker.submit(() -> run(queued)));
            }
        }
    }

    private void run(AdminJob job) {
        synchronized (this) {
            if (!job.start()) return; // cancelled while queued
            running = job;
        }
        var timer = watchdog.schedule(() -> cancel(job, "timed out after " + timeout.toSeconds() + " s: cancelled"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        Server.LOG.info("admin job {}: preparing {}", job.id, job.input);
        try {
            ModelCatalog.Loaded loaded = catalog.load(job.input, job::progress);
            job.done(loaded);
            Server.LOG.info("admin job {}: done, model '{}' at {}", job.id, loaded.model().id(), loaded.model().manifestUrl());
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            job.error(message);
            if (job.state() != AdminJob.State.CANCELLED) Server.LOG.error("admin job {}: {} failed: {}", job.id, job.input, message);
            Server.LOG.debug("admin job " + job.id + " failed", e);
        } catch (Error e) { // out of memory, say: the stream still ends, the worker thread is replaced
            job.error("the server failed: " + e);
            throw e;
        } finally {
            timer.cancel(false);
            synchronized (this) {
                if (running == job) running = null;
                futures.remove(job);
            }
        }
    }

    /** Stops the worker (a job in progress is interrupted) and ends every open event stream. */
    @Override
    public synchronized void close() {
        worker.shutdownNow();
        watchdog.shutdownNow();
        for (AdminJob j : jobs.values()) j.close();
    }
}
