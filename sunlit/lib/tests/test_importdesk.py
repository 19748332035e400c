"""The one import driver: a batch runs once; two imports that want the same data at once
cannot both write it; whatever fails, the batch ends "failed" with its reason and nothing
written. A toy room (finance's batch and claim tables, steps of its own) drives it here;
each room's test_import.py proves the same with its real import."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection
from django.utils import timezone, translation

from sunlit.finance.models import ImportBatch, ImportClaim, ImportStatus
from sunlit.lib import importdesk
from sunlit.lib.importdesk import Claim, NotQueued
from sunlit.lib.tabular import ImportRefused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are asserted in English; Chinese is the deployed default."""
    with translation.override("en"):
        yield


class Toy(importdesk.ImportRun[ImportBatch]):
    """Reads one key per line; writes one marker batch per key (so a rollback shows)."""

    action = "toy.import"
    claim_model = ImportClaim
    count_fields = ("vouchers_created",)

    def __init__(self, batch: ImportBatch, *, explode: BaseException | None = None, audit_fails: bool = False) -> None:
        super().__init__(batch, by=None)
        self.explode = explode
        self.audit_fails = audit_fails
        self.keys: list[str] = []
        self.recorded: list[tuple[str, dict[str, object]]] = []
        self.checked = False

    def read(self, encoding: str | None) -> None:
        for number, line in enumerate(self.path.read_text(encoding=encoding or "utf-8").splitlines(), start=1):
            if line == "bad":
                self.problem(number, "key", "not a key")
            self.keys.append(line)

    def claims(self) -> Iterable[Claim]:
        return [Claim(key, f"the toy {key}") for key in self.keys]

    def check(self) -> None:
        self.checked = True

    def write(self) -> None:
        for key in self.keys:
            importdesk.new_batch(ImportBatch, filename=f"marker {key}", default_village="", by=None)
        self.batch.vouchers_created = len(self.keys)
        if self.explode is not None:
            raise self.explode

    def reuse(self, earlier: ImportBatch) -> None:
        self.batch.vouchers_unchanged = earlier.vouchers_created

    def record(self, action: str, detail: dict[str, object]) -> None:
        if self.audit_fails:
            raise RuntimeError("the audit log is full")
        self.recorded.append((action, detail))


def queued(name: str = "toy.csv") -> ImportBatch:
    return importdesk.new_batch(ImportBatch, filename=name, default_village="", by=None)


@pytest.fixture
def toy_file(tmp_path: Path) -> Path:
    path = tmp_path / "toy.csv"
    path.write_text("431382101201/2025\n431382101201/2024\n", encoding="utf-8")
    return path


def markers() -> int:
    return ImportBatch.objects.filter(filename__startswith="marker ").count()


def holding(key: str) -> ImportBatch:
    """Another import, running, that holds `key`."""
    other = queued("other.csv")
    ImportBatch.objects.filter(pk=other.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    ImportClaim.objects.create(key=key, holder=other.pk, claimed_at=timezone.now())
    return other


class TestRunsOnce:
    def test_it_runs_a_queued_batch_once_from_its_stored_file(self) -> None:
        batch = queued()
        batch.file.save("toy.csv", ContentFile(b"a\nb\n"), save=True)
        seen: list[list[str]] = []

        def import_file(*, batch: ImportBatch, by: object, path: Path | None = None, on_progress: object = None) -> str:
            toy = Toy(batch)
            toy.run(path)
            seen.append(toy.keys)
            return "outcome"

        assert importdesk.run_queued(ImportBatch, batch.pk, None, import_file=import_file) == "outcome"
        assert seen == [["a", "b"]]
        batch.refresh_from_db()
        assert (batch.status, batch.vouchers_created, batch.progress) == (ImportStatus.DONE, 2, 100)
        # Delivered again (a worker restarted): the batch has run, nothing runs twice.
        assert importdesk.run_queued(ImportBatch, batch.pk, None, import_file=import_file) is None
        assert len(seen) == 1 and markers() == 2

    def test_it_does_nothing_when_another_worker_claimed_the_batch_first(self, toy_file: Path) -> None:
        batch = queued()
        stale_copy = ImportBatch.objects.get(pk=batch.pk)  # what the second worker loaded
        Toy(batch).run(toy_file)
        loser = Toy(stale_copy)
        with pytest.raises(NotQueued):
            loser.run(toy_file)
        assert loser.keys == [] and markers() == 2
        stale_copy.refresh_from_db()
        assert stale_copy.status == ImportStatus.DONE

    def test_it_reuses_an_earlier_import_of_the_same_bytes(self, toy_file: Path) -> None:
        first = Toy(queued())
        first.run(toy_file)
        again = Toy(queued())
        outcome = again.run(toy_file)
        assert outcome.already_imported and outcome.batch.same_as_id == first.batch.pk
        assert outcome.batch.vouchers_unchanged == 2 and markers() == 2
        assert again.recorded[0][0] == "toy.import"


class TestConflicts:
    def test_it_refuses_what_another_running_import_holds_naming_both(self, toy_file: Path) -> None:
        other = holding("431382101201/2024")
        toy = Toy(queued())
        with pytest.raises(ImportRefused) as refused:
            toy.run(toy_file)
        message = refused.value.problems[0].message
        assert "the toy 431382101201/2024" in message and f"import #{other.pk}" in message
        assert not toy.checked and markers() == 0
        toy.batch.refresh_from_db()
        assert toy.batch.status == ImportStatus.FAILED and toy.batch.problems[0]["message"] == message
        # It took none of its claims, and left the other's alone.
        assert list(ImportClaim.objects.values_list("key", "holder")) == [("431382101201/2024", other.pk)]

    def test_it_takes_over_a_claim_whose_import_is_no_longer_running(self, toy_file: Path) -> None:
        other = holding("431382101201/2024")
        ImportBatch.objects.filter(pk=other.pk).update(status=ImportStatus.FAILED)
        toy = Toy(queued())
        toy.run(toy_file)
        assert toy.batch.status == ImportStatus.DONE and markers() == 2
        assert not ImportClaim.objects.exists(), "claims are released when the import ends"

    def test_it_holds_its_claims_while_it_checks_and_writes(self, toy_file: Path) -> None:
        held: list[list[str]] = []

        class Watching(Toy):
            def check(self) -> None:
                held.append(sorted(ImportClaim.objects.filter(holder=self.batch.pk).values_list("key", flat=True)))

        Watching(queued()).run(toy_file)
        assert held == [["431382101201/2024", "431382101201/2025"]]
        assert not ImportClaim.objects.exists()

    def test_it_claims_a_key_longer_than_the_column_by_its_hash(self, tmp_path: Path) -> None:
        path = tmp_path / "long.csv"
        path.write_text("P" * 150 + "\n", encoding="utf-8")
        held: list[str] = []

        class Watching(Toy):
            def check(self) -> None:
                held.extend(ImportClaim.objects.values_list("key", flat=True))

        Watching(queued()).run(path)
        assert len(held) == 1 and held[0].startswith("sha256:") and markers() == 1

    def test_it_turns_a_collision_the_claims_did_not_cover_into_a_refusal(self, toy_file: Path) -> None:
        toy = Toy(queued(), explode=IntegrityError("UNIQUE constraint failed: welfare_member.id_fingerprint"))
        with pytest.raises(ImportRefused) as refused:
            toy.run(toy_file)
        assert "Another import wrote some of the same records" in refused.value.problems[0].message
        toy.batch.refresh_from_db()
        assert toy.batch.status == ImportStatus.FAILED and markers() == 0


class TestNeverLeftRunning:
    @pytest.mark.parametrize("error", [ZeroDivisionError("division by zero"), KeyboardInterrupt()])
    def test_it_ends_failed_with_the_reason_when_a_step_raises_unexpectedly(
        self, toy_file: Path, error: BaseException
    ) -> None:
        toy = Toy(queued(), explode=error)
        with pytest.raises(type(error)):
            toy.run(toy_file)
        batch = ImportBatch.objects.get(pk=toy.batch.pk)
        assert batch.status == ImportStatus.FAILED and batch.finished_at is not None
        assert type(error).__name__ in batch.problems[0]["message"] and batch.problem_count == 1
        assert batch.vouchers_created == 0, "counts of a rolled-back write are not kept"
        assert markers() == 0, "the write is all or nothing"
        assert not ImportClaim.objects.exists()
        assert toy.recorded[-1][0] == "toy.import_refused"

    def test_it_never_echoes_an_id_number_in_the_reason(self, toy_file: Path) -> None:
        toy = Toy(queued(), explode=ValueError("bad id 43138219900101123X"))
        with pytest.raises(ValueError):
            toy.run(toy_file)
        toy.batch.refresh_from_db()
        message = toy.batch.problems[0]["message"]
        assert "43138219900101123X" not in message and "…123X" in message

    def test_it_ends_failed_even_when_the_refusal_cannot_be_recorded(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.csv"
        path.write_text("bad\n", encoding="utf-8")
        toy = Toy(queued(), audit_fails=True)
        with pytest.raises(RuntimeError, match="audit log is full"):
            toy.run(path)
        batch = ImportBatch.objects.get(pk=toy.batch.pk)
        assert batch.status == ImportStatus.FAILED and batch.problems[0]["message"] == "not a key"

    def test_it_ends_failed_when_the_stored_file_cannot_be_read(self) -> None:
        batch = queued()  # no file was ever stored under it
        with pytest.raises(ImportRefused):
            Toy(batch).run()
        batch.refresh_from_db()
        assert batch.status == ImportStatus.FAILED and batch.problems

    def test_it_ends_batches_whose_worker_was_killed(self) -> None:
        now = timezone.now()
        stalled, busy = queued("stalled.csv"), queued("busy.csv")
        ImportBatch.objects.filter(pk=stalled.pk).update(
            status=ImportStatus.RUNNING, started_at=now - timedelta(hours=7)
        )
        ImportBatch.objects.filter(pk=busy.pk).update(
            status=ImportStatus.RUNNING, started_at=now - timedelta(minutes=5)
        )
        assert importdesk.fail_stalled(ImportBatch, older_than=timedelta(hours=6)) == 1
        stalled.refresh_from_db()
        busy.refresh_from_db()
        assert stalled.status == ImportStatus.FAILED and "stopped without finishing" in stalled.problems[0]["message"]
        assert busy.status == ImportStatus.RUNNING


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two connections at once: SQLite's test database is one connection"
)


@pytest.fixture
def flushable(transactional_db: None) -> Iterator[None]:
    """Let the flush after a test on real connections empty the append-only tables (their
    triggers refuse it to everyone): replica mode skips them for the flushing session."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_runs_a_batch_once_when_two_workers_start_it_together(flushable: None, toy_file: Path) -> None:
    batch = queued()
    start = threading.Barrier(2)
    results: list[str] = []

    def worker() -> None:
        try:
            copy = ImportBatch.objects.get(pk=batch.pk)
            start.wait()
            try:
                Toy(copy).run(toy_file)
                results.append("ran")
            except NotQueued:
                results.append("skipped")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ran", "skipped"] and markers() == 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_imports_of_the_same_data_write_and_refuses_the_other(
    flushable: None, toy_file: Path
) -> None:
    first_holds, second_done = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    class Slow(Toy):
        def check(self) -> None:
            first_holds.set()
            second_done.wait(10)

    def run(name: str, toy: Toy) -> None:
        translation.activate("en")  # a thread starts in the default language
        try:
            toy.run(toy_file)
            outcomes[name] = "done"
        except ImportRefused as refused:
            outcomes[name] = refused.problems[0].message
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first", Slow(queued("a.csv"))))
    first.start()
    assert first_holds.wait(10)
    second_batch = queued("b.csv")
    second = threading.Thread(target=run, args=("second", Toy(second_batch)))
    second.start()
    second.join()
    second_done.set()
    first.join()
    assert outcomes["first"] == "done" and "is importing it" in outcomes["second"]
    assert markers() == 2 and ImportBatch.objects.get(pk=second_batch.pk).status == ImportStatus.FAILED
