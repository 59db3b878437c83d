/*
 * Refresh the staff jobs on the "Files and long actions" page in place.
 *
 * Each job's cells carry data-staff-job="<id>" and data-job-field. While
 * any job shown is queued or running, the script requests those jobs from
 * the progress view (the script tag's data-progress-url) every two seconds
 * and rewrites their status, progress bar, message and download link. It
 * stops once every job shown has ended.
 */
(function () {
  "use strict";

  const POLL_INTERVAL_MS = 2000;
  const RETRY_INTERVAL_MS = 10000;
  const ACTIVE = new Set(["queued", "running"]);
  const progressUrl = document.currentScript.dataset.progressUrl;

  function cells(jobId, field) {
    return document.querySelectorAll(
      `[data-staff-job="${jobId}"][data-job-field="${field}"]`
    );
  }

  function activeJobIds() {
    const ids = [];
    document
      .querySelectorAll('[data-staff-job][data-job-field="status"]')
      .forEach((cell) => {
        if (ACTIVE.has(cell.dataset.status)) {
          ids.push(cell.dataset.staffJob);
        }
      });
    return [...new Set(ids)];
  }

  function showProgress(cell, job) {
    const bar = cell.querySelector("progress");
    if (job.total > 0) {
      bar.max = job.total;
      bar.value = job.done;
    } else {
      bar.removeAttribute("value");
    }
    cell.querySelector("[data-job-text]").textContent = job.progress_text;
  }

  function showDownload(cell, job) {
    if (!job.download_url) {
      cell.textContent = "-";
      return;
    }
    const link = document.createElement("a");
    link.href = job.download_url;
    link.textContent = job.download_name;
    cell.replaceChildren(link);
  }

  function showJob(job) {
    cells(job.id, "status").forEach((cell) => {
      cell.dataset.status = job.status;
      cell.textContent = job.status_label;
    });
    cells(job.id, "progress").forEach((cell) => showProgress(cell, job));
    cells(job.id, "message").forEach((cell) => {
      cell.textContent = job.message;
    });
    cells(job.id, "download").forEach((cell) => showDownload(cell, job));
  }

  function forgetMissing(polledIds, jobs) {
    // A job the view no longer returns was deleted or is not visible to
    // this user, so stop requesting it.
    const returned = new Set(jobs.map((job) => String(job.id)));
    polledIds
      .filter((id) => !returned.has(id))
      .forEach((id) => {
        cells(id, "status").forEach((cell) => {
          cell.dataset.status = "unknown";
        });
      });
  }

  function poll() {
    const ids = activeJobIds();
    if (ids.length === 0) {
      return;
    }
    const query = ids.map((id) => `id=${encodeURIComponent(id)}`).join("&");
    fetch(`${progressUrl}?${query}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => {
        const type = response.headers.get("Content-Type") || "";
        if (!response.ok || !type.startsWith("application/json")) {
          // Signed out or a server error: try again later, more slowly.
          throw new Error(`progress view returned ${response.status}`);
        }
        return response.json();
      })
      .then((data) => {
        data.jobs.forEach(showJob);
        forgetMissing(ids, data.jobs);
        window.setTimeout(poll, POLL_INTERVAL_MS);
      })
      .catch(() => window.setTimeout(poll, RETRY_INTERVAL_MS));
  }

  document.addEventListener("DOMContentLoaded", () => {
    window.setTimeout(poll, POLL_INTERVAL_MS);
  });
})();
