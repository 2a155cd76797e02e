"""Prometheus metrics, computed at scrape time from the database.

The poller, sender and engine workers are separate processes, possibly on separate
machines, and the web process that answers /metrics is yet another: counters kept in
one process's memory are invisible to it. prometheus_client's multiprocess mode shares a
folder, which only works on one machine. The database is what every role shares, so
everything here is read from it at scrape: states and queue depths from the rows
themselves, render durations from the local engine's job timestamps, and what only a
worker can measure (poll pass durations, GET errors, download durations) from the
counters each worker writes with its heartbeat (``studio.workers.beat``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.apps import apps
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector, CollectorRegistry

from studio.generations.models import Generation, GenerationState
from studio.workers.models import Heartbeat, Role

# Seconds: from a 360p preview on a fast machine to a long HDR render on a slow one.
RENDER_BUCKETS = (1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
FINGERPRINT_CHARS = 8


class StudioCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        yield self.generations_by_state()
        yield self.waiting_per_key()
        yield from self.worker_stats()
        if apps.is_installed("studio.engine"):
            yield self.render_durations()

    @staticmethod
    def generations_by_state() -> GaugeMetricFamily:
        gauge = GaugeMetricFamily(
            "studio_generations", "Generations by state (purged ones excluded).", labels=["state"]
        )
        counts = dict(
            Generation.objects.filter(purged_at__isnull=True)
            .order_by()
            .values("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        # Every state, zeros included, so a series never vanishes from a dashboard.
        for state in GenerationState.values:
            gauge.add_metric([state], counts.get(state, 0))
        return gauge

    @staticmethod
    def waiting_per_key() -> GaugeMetricFamily:
        gauge = GaugeMetricFamily(
            "studio_waiting_generations",
            "Generations waiting to be sent, per generation API and key (by fingerprint).",
            labels=["base_url", "key"],
        )
        rows = (
            Generation.objects.filter(state=GenerationState.WAITING, purged_at__isnull=True)
            .order_by()
            .values("governor__base_url", "governor__fingerprint")
            .annotate(n=Count("id"))
            .values_list("governor__base_url", "governor__fingerprint", "n")
        )
        for base_url, fingerprint, n in rows:
            # A fingerprint's prefix tells keys apart on a dashboard; the key never appears.
            short = fingerprint[:FINGERPRINT_CHARS] if fingerprint else "none"
            gauge.add_metric([base_url or "", short], n)
        return gauge

    @staticmethod
    def worker_stats() -> Iterator[Metric]:
        polls = SummaryMetricFamily(
            "studio_poll_pass_seconds", "Duration of the poller's passes.", labels=[]
        )
        downloads = SummaryMetricFamily(
            "studio_download_seconds", "Duration of the poller's output downloads.", labels=[]
        )
        errors = CounterMetricFamily(
            "studio_poll_get_errors",
            "The poller's failed GETs by HTTP status (none: no answer).",
            labels=["status"],
        )
        pass_count = download_count = 0
        pass_sum = download_sum = 0.0
        by_status: dict[str, float] = {}
        # Rows of ended pollers are summed too: the totals only grow.
        for stats in Heartbeat.objects.filter(role=Role.POLLER).values_list("stats", flat=True):
            stats = stats if isinstance(stats, dict) else {}
            pass_count += int(stats.get("poll_pass_count", 0))
            pass_sum += float(stats.get("poll_pass_sum", 0.0))
            download_count += int(stats.get("download_count", 0))
            download_sum += float(stats.get("download_sum", 0.0))
            for status, n in (stats.get("get_errors") or {}).items():
                by_status[str(status)] = by_status.get(str(status), 0) + float(n)
        polls.add_metric([], pass_count, pass_sum)
        downloads.add_metric([], download_count, download_sum)
        for status, n in sorted(by_status.items()):
            errors.add_metric([status], n)
        yield polls
        yield errors
        yield downloads

    @staticmethod
    def render_durations() -> HistogramMetricFamily:
        engine_generation = apps.get_model("engine", "EngineGeneration")
        took = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
        done = engine_generation.objects.filter(
            state="completed", started_at__isnull=False, finished_at__isnull=False
        ).annotate(took=took)

        buckets = {
            f"le_{i}": Count("id", filter=Q(took__lte=dt.timedelta(seconds=b)))
            for i, b in enumerate(RENDER_BUCKETS)
        }
        row = done.aggregate(total=Count("id"), seconds=Sum("took"), **buckets)
        total = row["total"] or 0
        seconds = row["seconds"].total_seconds() if row["seconds"] else 0.0
        histogram = HistogramMetricFamily(
            "studio_render_seconds", "Duration of the local engine's completed renders."
        )
        histogram.add_metric(
            [],
            [(str(b), row[f"le_{i}"] or 0) for i, b in enumerate(RENDER_BUCKETS)]
            + [("+Inf", total)],
            seconds,
        )
        return histogram


def registry() -> CollectorRegistry:
    """A registry of the studio's metrics alone (no process metrics of this web worker)."""
    found = CollectorRegistry(auto_describe=False)
    found.register(StudioCollector())
    return found
