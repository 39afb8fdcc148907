"""Bring an index in line with a folder of articles, embedding only what changed."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .chunking import Chunk, chunk_article, chunking_id
from .corpus import CorpusFile, SkippedFile, content_hash, parse_article, printable, read_bytes, scan_folder
from .embeddings import embedder_id, get_embedder
from .settings import DEFAULT_CORPUS, Settings
from .store import FileRecord, Index, ingest_lock

BATCH_CHUNKS = 256  # chunks embedded and written together; one batch is the most a kill can undo


@dataclass
class IngestReport:
    corpus: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    recovered: list[str] = field(default_factory=list)  # half-written by an interrupted run
    repaired: str | None = None  # what the vector store lacked and was embedded again
    rebuilt_because: str | None = None
    embedded_chunks: int = 0
    total_chunks: int = 0
    total_files: int = 0
    seconds: float = 0.0
    FOLD_SKIPPED_OVER = 5  # files sharing a reason beyond which the summary counts them instead of listing them

    def summary(self) -> str:
        lines = []
        if self.rebuilt_because:
            lines.append(f"Rebuilt the index: {self.rebuilt_because}")
        if self.recovered:
            lines.append(f"Repaired {len(self.recovered)} file(s) left half-written by an interrupted run.")
        if self.repaired:
            lines.append(f"Repaired: {self.repaired}.")
        lines.append(
            f"{printable(str(self.corpus))}: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged, {len(self.skipped)} skipped; "
            f"{self.embedded_chunks} chunks embedded; index holds {self.total_files} files, "
            f"{self.total_chunks} chunks; {self.seconds:.1f} s"
        )
        lines += self._skipped_lines()
        return "\n".join(lines)

    def _skipped_lines(self) -> list[str]:
        """One line per skipped file, but one line for each reason that many files share (a folder of
        100,000 articles may hold thousands of PDFs); ``skipped`` itself still names every file."""
        by_reason: dict[str, list[str]] = {}
        for path, reason in sorted(self.skipped):
            by_reason.setdefault(reason, []).append(path)
        lines = []
        for reason, paths in by_reason.items():
            if len(paths) <= self.FOLD_SKIPPED_OVER:
                lines += [f"  skipped {printable(path)}: {printable(reason)}" for path in paths]
                continue
            shown = ", ".join(printable(path) for path in paths[:3])
            lines.append(f"  skipped {len(paths)} files, {printable(reason)}: {shown} and {len(paths) - 3} more")
        return lines


def resolve_corpus(settings: Settings, index: Index, folder: str | Path | None) -> Path:
    """The folder to read: the one given, else the settings', else the index's own, else seeds/."""
    chosen = folder or settings.corpus or index.meta("corpus") or DEFAULT_CORPUS
    return Path(chosen).expanduser().resolve()


def ingest(folder: str | Path | None = None, *, rebuild: bool = False, progress: bool | None = None,
           settings: Settings | None = None, **overrides) -> IngestReport:
    """Makes the index mirror ``folder``: new and changed files embedded, vanished ones dropped."""
    settings = settings or Settings.load(**overrides)
    with ingest_lock(settings.index_dir, settings.index):
        return _ingest(folder, rebuild, progress, settings)


def _ingest(folder: str | Path | None, rebuild: bool, progress: bool | None, settings: Settings) -> IngestReport:
    started = time.perf_counter()
    index = Index(settings)
    try:
        with index.writing():
            report = _update(index, folder, rebuild, progress, settings)
    finally:
        index.close()
    report.seconds = time.perf_counter() - started
    return report


def _update(index: Index, folder: str | Path | None, rebuild: bool, progress: bool | None,
            settings: Settings) -> IngestReport:
    root = resolve_corpus(settings, index, folder)
    report = IngestReport(corpus=root)
    files, skipped_at_scan = scan_folder(root)
    report.skipped += skipped_at_scan
    report.recovered = index.recover()
    signature = {"embedder": embedder_id(settings), "chunking": chunking_id(settings.chunk_size, settings.chunk_overlap)}
    built = index.build_signature()
    if rebuild or (built is not None and built != signature and not index.is_empty()):
        report.rebuilt_because = "asked to" if rebuild else (
            f"it was built with {built['embedder']} / {built['chunking']}, "
            f"now {signature['embedder']} / {signature['chunking']}"
        )
        index.reset()
    report.rebuilt_because = report.rebuilt_because or index.cache_rebuilt
    lacking, missing = index.files_lacking_vectors()
    if index.store_lost and not missing:
        lost_files, missing = index.store_lost
        report.repaired = (f"the vector store lacked {missing} of {missing} chunks ({lost_files} files); "
                           "embedded them again")
    elif missing:
        report.repaired = (f"the vector store lacked {missing} of {sum(r.chunks for r in index.files().values())} "
                           f"chunks ({len(lacking)} files); embedded them again")
    index.set_meta(signature=_json(signature), corpus=str(root))
    _sync(index, settings, files, report, progress, set(lacking))
    index.set_meta(last_ingested=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    report.total_chunks = index.chunk_count()
    report.total_files = len(index.files())
    return report


def _sync(index: Index, settings: Settings, files: list[CorpusFile], report: IngestReport,
          progress: bool | None, stale: set[str]) -> None:
    """``stale``: files to embed again even if unchanged, because the vector store lacks their chunks."""
    from tqdm import tqdm

    known = index.files()
    report.removed = sorted(set(known) - {f.path for f in files})
    index.remove(report.removed)

    embedder = None
    batch: list[tuple[FileRecord, list[Chunk]]] = []
    replace: list[str] = []
    touched: list[tuple[str, int, int]] = []  # unchanged content, new size or mtime

    def flush() -> None:
        nonlocal embedder
        if not batch:
            return
        embedder = embedder or get_embedder(settings)
        texts = [chunk.indexed_text() for _, chunks in batch for chunk in chunks]
        vectors = embedder.embed(texts) if texts else None
        index.write(batch, vectors, replace)
        report.embedded_chunks += len(texts)
        batch.clear()
        replace.clear()

    max_bytes = int(settings.max_file_mb * 1_000_000)
    bar = tqdm(files, desc="Ingesting", unit="file", disable=(not progress) if progress is not None else None,
               file=sys.stderr, dynamic_ncols=True)
    for file in bar:
        previous = known.get(file.path)
        try:
            # Content decides, not size and mtime: `cp -p` and `rsync -t` keep both across an edit.
            data = read_bytes(file, max_bytes)
            if previous and file.path not in stale and previous.sha256 == content_hash(data):
                if (previous.size, previous.mtime_ns) != (file.size, file.mtime_ns):
                    touched.append((file.path, file.size, file.mtime_ns))
                report.unchanged.append(file.path)
                continue
            article = parse_article(file.path, data)
        except SkippedFile as reason:
            report.skipped.append((file.path, str(reason)))
            if previous:
                # Its indexed text is no longer what the file holds: answers must not cite it.
                index.remove([file.path])
                report.removed.append(file.path)
            continue
        chunks = chunk_article(article, settings.chunk_size, settings.chunk_overlap)
        record = FileRecord(file.path, article.sha256, file.size, file.mtime_ns, len(chunks), "done", article.title)
        (report.updated if previous else report.added).append(file.path)
        if previous:
            replace.append(file.path)
        batch.append((record, chunks))
        if sum(len(c) for _, c in batch) >= BATCH_CHUNKS:
            flush()
            bar.set_postfix(chunks=report.embedded_chunks, refresh=False)
    flush()
    index.touch(touched)
    bar.close()


def _json(value: dict) -> str:
    import json

    return json.dumps(value, sort_keys=True)
