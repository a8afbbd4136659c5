"""Index problems, each with a Japanese message that names the fix."""


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
        super().__init__(f"索引（{where}）を読み込めません: {detail}。`assistant index --rebuild` で作り直してください。")


class ChromaUnavailableError(IndexError_):
    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"Chroma サーバー（{url}）に接続できません: {detail}。サーバーが起動しているか確認してください。")
