"""Translate files on a Ray cluster with Ray Data, one output file per input (``--engine ray``).

The pipeline is Ray Data's offline batch inference, as it is meant to be used:

- ``read_binary_files(paths, include_paths=True)``: one row per document;
- ``map_batches(TranslateFiles, compute=ActorPoolStrategy(...))``: each actor
  loads the model once and translates a batch of documents together (their
  sentences share batches, as in the local engine) into the finished output
  text, written by the same writers as the local engine, so outputs are the
  same byte for byte;
- ``write_datasink(output_files_sink(...))``: one atomic output file per input
  (Ray's own writers cannot name files after their inputs).

Nothing is lost. A document that fails (unreadable, no text, anything the
translator raises) becomes an error row: the exception is caught inside the
actor, never let out of the UDF, where Ray would fail the whole job. A worker
that dies is restarted by Ray and its batch redone, a document at a time; a
document during which a worker died twice becomes an error row instead of
being tried again (:class:`Ledger`). The
driver counts written + failed against the inputs.

The translation memory is an SQLite file in WAL mode, which must not be
shared between hosts. The driver copies it to a snapshot in the run's folder
on shared storage (beside the outputs); each actor reads the snapshot and
writes what it translates to a file of its own there; the driver merges those
files into its memory at the end and removes the folder.

Import ray only here: ``tarjama --help`` and the local engine never pay for it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate.engines.ray_workers import Ledger, RayOutcome, RaySettings, TranslateFiles, output_files_sink
from translate.errors import TranslateError, unreadable
from translate.writers import output_name

if TYPE_CHECKING:
    from translate.memory import TranslationMemory

__all__ = ["FileJob", "RayOutcome", "RaySettings", "translate_files"]

logger = logging.getLogger("tarjama")

RUN_FOLDER = ".tarjama-ray"
"""Made in the output folder for a run (memory snapshot and the workers' memory files), removed at the end."""
MAX_FILE_BYTES = 20_000_000
"""Larger inputs are refused before Ray reads them (the local engine's text files have no such need)."""


@dataclass(frozen=True)
class FileJob:
    """One input file and the folder its output goes to (both absolute, on storage every worker sees)."""

    source: Path
    output_folder: Path

    @property
    def name(self) -> str:
        return self.source.name


def translate_files(
    jobs: Sequence[FileJob],
    settings: RaySettings,
    *,
    address: str | None = None,
    actors: int | None = None,
    cpus_per_actor: float | None = None,
    documents_per_batch: int = 16,
    memory: TranslationMemory | None = None,
    progress: bool = False,
) -> RayOutcome:
    """Translate ``jobs`` on Ray (``address``, else ``RAY_ADDRESS``, else a local Ray), one output file each.

    ``settings.run_folder`` is made (for the memory snapshot and the workers'
    memory files) and removed at the end. ``actors`` defaults to as many as
    the cluster's CPUs hold at ``cpus_per_actor`` each (default 4, at most
    the cluster's CPUs less half a CPU, left for reading and writing).
    Returns every input either written or failed; raises
    :class:`TranslateError` only when Ray itself cannot run.
    """
    outcome = RayOutcome()
    pending = []
    for job in jobs:
        problem = _unreadable(job.source)
        if problem:
            outcome.failed.append((str(job.source), problem))
        else:
            pending.append(job)
    if not pending:
        return outcome
    directories: dict[str, str] = {}
    for job in pending:
        if directories.setdefault(str(job.source.parent), str(job.output_folder)) != str(job.output_folder):
            raise TranslateError(f"{job.source.parent}: its files go to two output folders; name the folder once")
    before = {job: _identity(job.output_folder / output_name(job.name, settings.fmt)) for job in pending}
    run_folder = Path(settings.run_folder)
    run_folder.mkdir(parents=True)
    try:
        if memory is not None:
            memory.snapshot(run_folder / "snapshot.sqlite3")
        outcome = _run(
            pending, settings, outcome, directories, address, actors, cpus_per_actor, documents_per_batch, progress
        )
        if memory is not None:
            outcome.remembered = _merge_memories(memory, run_folder)
    finally:
        shutil.rmtree(run_folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            run_folder.parent.rmdir()  # the output folder's .tarjama-ray, if no other run is using it
    _find_lost(pending, settings.fmt, before, outcome)
    return outcome


def _prepare_environment(address: str | None) -> None:
    """Ray reads these when first imported: no usage report, and a Ray of our own stays on this machine."""
    # No report to Ray's servers unless the user asks. This does not stop the cloud-metadata
    # probe of Ray's usage-report module (169.254.169.254, metadata.google.internal), which
    # no setting turns off: _start_ray starts a Ray of our own without that module's process.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if not (address or os.environ.get("RAY_ADDRESS")):
        # A single-node Ray: without this, Ray finds "this node's address" by connecting
        # a socket towards 8.8.8.8 and binds its ports to that address, on the network.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def _start_ray(address: str | None, **options: Any) -> bool:
    """Join Ray (``address``, else ``RAY_ADDRESS``) or start a Ray of our own, on loopback; False if Ray was running.

    ``options`` go to ``ray.init`` (the tests pass ``num_cpus``).
    """
    _prepare_environment(address)
    import ray

    if ray.is_initialized():
        return False
    if address or os.environ.get("RAY_ADDRESS"):
        ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING, **options)
        return True
    # A Ray of our own, on this machine: its ports listen on loopback only, not on the network.
    with _no_usage_stats_process():
        ray.init(
            address=None,
            include_dashboard=False,
            logging_level=logging.WARNING,
            _node_ip_address="127.0.0.1",
            **options,
        )
    return True


@contextlib.contextmanager
def _no_usage_stats_process() -> Iterator[None]:
    """While a Ray of our own starts: no dashboard process when all it would run is Ray's usage report, turned off.

    With ``include_dashboard=False`` Ray (2.60) still starts a dashboard process,
    with one module, the usage report (``services.start_api_server``:
    ``--modules-to-load=UsageStatsHead``). ``UsageStatsHead.run`` first works out
    which cloud it runs on, and only then looks at whether reporting is off
    (``usage_lib.get_cluster_config_to_report``: without
    ``~/ray_bootstrap_config.yaml`` it calls ``get_cloud_from_metadata_requests``,
    HTTP requests to 169.254.169.254 for Azure and AWS and to
    metadata.google.internal, a DNS query, for GCP). No setting skips that, and
    the process runs nothing else worth having with reporting off, so while
    ``ray.init`` runs here ``Node.start_api_server`` starts no process and
    records the empty dashboard address that Ray records with
    ``include_dashboard=False``. A dashboard that is asked for, or usage
    reporting that the user turned on, starts as Ray starts it; a Ray whose
    ``Node`` lacks the method starts unchanged (tests/test_ray_phone_home.py
    would then see the probe).
    """
    try:
        from ray._private.node import Node

        start_api_server = Node.start_api_server
    except (ImportError, AttributeError):
        yield
        return

    def without_usage_stats(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("include_dashboard") is False and os.environ.get("RAY_USAGE_STATS_ENABLED") == "0":
            self._webui_url = ""  # as services.start_api_server returns it without a dashboard
            return None
        return start_api_server(self, *args, **kwargs)

    Node.start_api_server = without_usage_stats  # type: ignore[method-assign]
    try:
        yield
    finally:
        Node.start_api_server = start_api_server  # type: ignore[method-assign]


def _run(
    jobs: list[FileJob],
    settings: RaySettings,
    outcome: RayOutcome,
    directories: dict[str, str],
    address: str | None,
    actors: int | None,
    cpus_per_actor: float | None,
    documents_per_batch: int,
    progress: bool,
) -> RayOutcome:
    started_here = _start_ray(address)
    import ray
    from ray.data import ActorPoolStrategy, DataContext

    try:
        total = float(ray.cluster_resources().get("CPU", 1.0))
        per_actor = cpus_per_actor or min(4.0, max(total - 0.5, 0.5))
        count = actors or max(1, int((total - 0.5) // per_actor))
        # Ray sets OMP_NUM_THREADS in its workers: the thread count is passed explicitly.
        threads = settings.options.threads or max(1, round(per_actor))
        settings = dataclasses.replace(settings, options=dataclasses.replace(settings.options, threads=threads))
        context = DataContext.get_current()
        context.enable_progress_bars = progress
        logger.info("ray: %d actor(s) of %.2g CPU, %d thread(s) each, on %g CPUs", count, per_actor, threads, total)
        ledger = ray.remote(num_cpus=0)(Ledger).remote()
        sink = output_files_sink(directories, settings.fmt)
        dataset = ray.data.read_binary_files([str(job.source) for job in jobs], include_paths=True, num_cpus=0.25)
        dataset = dataset.map_batches(
            TranslateFiles,
            fn_constructor_kwargs={"settings": settings, "ledger": ledger},
            batch_size=documents_per_batch,
            batch_format="numpy",
            compute=ActorPoolStrategy(size=count),
            num_cpus=per_actor,
            # Ray Data restarts a dead worker and retries its batch; the Ledger bounds how often.
        )
        try:
            dataset.write_datasink(sink, ray_remote_args={"num_cpus": 0.25})
        except Exception as exc:
            raise TranslateError(f"the Ray job failed: {_first_line(exc)}") from exc
        done: RayOutcome = sink.outcome
        done.failed[:0] = outcome.failed
        return done
    finally:
        if started_here:
            ray.shutdown()


def _unreadable(path: Path) -> str | None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return str(unreadable(path, exc))
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 1_000_000
        return f"{path}: larger than {limit} MB; split it, or translate it with --engine local"
    return None


def _merge_memories(memory: TranslationMemory, run_folder: Path) -> int:
    added = 0
    for path in sorted(run_folder.glob("memory-*.sqlite3")):
        try:
            added += memory.merge(path)
        except sqlite3.Error as exc:  # a cache: a damaged file costs translations, never the run
            logger.warning("could not merge a worker's translation memory %s: %s", path.name, exc)
    return added


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns


def _find_lost(
    jobs: list[FileJob], fmt: str, before: dict[FileJob, tuple[int, int] | None], outcome: RayOutcome
) -> None:
    """If written + failed falls short of the inputs, report the inputs with neither as failed.

    An output counts as written by this run only if it is not the file that
    was there before (outputs are renamed into place, so a new one is a new file).
    """
    if outcome.written + len(outcome.failed) >= len(jobs):
        return
    failed = {source for source, _ in outcome.failed}
    for job in jobs:
        if str(job.source) in failed:
            continue
        now = _identity(job.output_folder / output_name(job.name, fmt))
        if now is None or now == before[job]:
            message = f"{job.source}: lost by the Ray job (no output and no error); run again with --resume"
            outcome.failed.append((str(job.source), message))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
