"""Index problems, each with a Japanese message that names the fix, and `storage_error`, which tells them
apart: a damaged index, a read-only folder, a full disk and an unreachable or silent Chroma server need
different fixes, so they never share a message."""

from __future__ import annotations

import errno
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Below this much free space, a failed write is taken for a full disk (Chroma reports it only as a failed
# compaction, without the cause).
LOW_SPACE_BYTES = 64 * 1024 * 1024


class IndexError_(RuntimeError):
    """Base class; `str(exc)` is shown to the user as it is."""


class IndexMissingError(IndexError_):
    def __init__(self, where: str) -> None:
        super().__init__(f"索引が見つかりません（{where}）。`assistant index` で作成してください。")


class IndexMismatchError(IndexError_):
    def __init__(self, built_with: str, built_dim: int, wanted: str, wanted_dim: int | None = None) -> None:
        dim = f"、{wanted_dim}次元" if wanted_dim else ""
        super().__init__(
            f"索引は埋め込みモデル「{built_with}」（{built_dim}次元）で作られていますが、現在の設定は「{wanted}」{dim}です。"
            f"`assistant index --rebuild` で作り直すか、ASSISTANT_EMBEDDER={built_with} に戻してください。"
        )


class IndexCorruptError(IndexError_):
    def __init__(self, where: str, detail: str) -> None:
        super().__init__(
            f"索引（{where}）が壊れていて読み込めません（{detail}）。`assistant index --rebuild` で作り直してください"
            "（壊れた索引のフォルダは名前を変えて残します）。"
        )


class IndexReadOnlyError(IndexError_):
    def __init__(self, where: str) -> None:
        super().__init__(
            f"フォルダ（{where}）に書き込めません（読み取り専用か、書き込む権限がありません）。"
            "書き込めるデータフォルダを --data-dir（環境変数 ASSISTANT_DATA_DIR）で指定するか、フォルダの権限を直してください。"
        )


class IndexDiskFullError(IndexError_):
    def __init__(self, where: str, free: int | None, reading: bool = False) -> None:
        room = f"、空き {free / (1024 * 1024):.1f} MB" if free is not None else ""
        self.free = free
        if reading:  # see index/reserve.py: what reading writes, and the room kept for it
            super().__init__(
                f"ディスクの空き容量がないため、索引（{where}）を読み込めません{room}。"
                "索引のデータベース（chroma.sqlite3）は開くたびに記録を書き込み、途中で止まった書き込みの残りも"
                "読むときに反映するため、読むだけでも数 MB の空きが必要です（そのための予備の領域も使い切っています）。"
                "空き容量を増やしてから、もう一度実行してください。"
            )
            return
        super().__init__(
            f"ディスクの空き容量が足りないため、索引（{where}）に書き込めません{room}。"
            "空き容量を増やしてから `assistant index` をもう一度実行してください（途中まで書いた文書はそのとき作り直します）。"
        )


class IndexBusyError(IndexError_):
    def __init__(self, lock: str, waited: float) -> None:
        super().__init__(
            f"別の処理が索引を更新しているため、{waited:.0f} 秒待っても始められませんでした（ロック {lock}）。"
            "その処理が終わってから、もう一度実行してください。"
        )


class ChromaUnavailableError(IndexError_):
    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"Chroma サーバー（{url}）に接続できません: {detail}。サーバーが起動しているか確認してください。")


class ChromaTimeoutError(ChromaUnavailableError):
    def __init__(self, url: str) -> None:
        IndexError_.__init__(
            self,
            f"Chroma サーバー（{url}）が時間内に応答しません。サーバーが止まっていないか確認してください"
            "（応答が戻れば、そのまま続けて使えます）。",
        )


def storage_error(exc: BaseException, where: str, folder: Path | None = None) -> BaseException:
    """The `IndexError_` that says what went wrong with the index storage, or `exc` itself when it is not a
    storage problem (a bug keeps its own type). `folder`: the local index folder, to check it for free space
    and writability (None for a Chroma server)."""
    if isinstance(exc, IndexError_):
        return exc
    try:
        import httpx
    except ImportError:  # pragma: no cover - chromadb depends on it
        httpx = None
    if httpx is not None and isinstance(exc, httpx.TimeoutException):
        return ChromaTimeoutError(where)
    if httpx is not None and isinstance(exc, httpx.TransportError):
        return ChromaUnavailableError(where, type(exc).__name__)
    text = str(exc)
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text or "(code: 13)" in text:
        return IndexDiskFullError(where, _free(folder))
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly database" in text or "(code: 8)" in text:
        return IndexReadOnlyError(where)
    if not _is_storage_failure(exc):
        return exc
    if folder is not None:
        free = _free(folder)
        if free is not None and free < LOW_SPACE_BYTES:
            return IndexDiskFullError(where, free)
        if not _writable(folder):
            return IndexReadOnlyError(where)
    return IndexCorruptError(where, f"{type(exc).__name__}: {text[:200]}")


def _is_storage_failure(exc: BaseException) -> bool:
    """Chroma's own errors and sqlite errors: what a damaged or unwritable store raises."""
    module = type(exc).__module__ or ""
    return module.startswith(("chromadb", "sqlite3")) or type(exc).__name__ in ("DatabaseError", "OperationalError")


def _free(folder: Path | None) -> int | None:
    for path in [folder, *(folder.parents if folder else [])]:
        if path is not None and path.exists():
            try:
                return shutil.disk_usage(path).free
            except OSError:
                return None
    return None


def _writable(folder: Path) -> bool:
    """Whether a file can really be created there (os.access says yes to root even on a read-only mount)."""
    target = next((p for p in [folder, *folder.parents] if p.exists()), None)
    if target is None or not target.is_dir():
        return True
    try:
        with tempfile.TemporaryFile(dir=target):
            return True
    except OSError as exc:
        return exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM)



@contextmanager
def storage_errors(where: str, folder: Path | None = None) -> Iterator[None]:
    """Raise what goes wrong inside as the matching `IndexError_` (see `storage_error`)."""
    try:
        yield
    except Exception as exc:
        converted = storage_error(exc, where, folder)
        if converted is exc:
            raise
        raise converted from exc
