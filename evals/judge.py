"""Optional LLM-judge faithfulness, only when OPENAI_BASE_URL is set (OpenAI-compatible chat API).

Without OPENAI_BASE_URL nothing here touches the network: `judge_from_env()` returns None and the
report says the metric was skipped. With it, each answer that claims something (answerable, with
citations) is sent with its cited passages; the judge returns the share of the answer's statements
that the passages support (0..1). Model: OPENAI_MODEL (default gpt-4o-mini). Not deterministic, so it
is reported beside the deterministic metrics and never gated.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request

PROMPT = """あなたは厳密な評価者です。以下の「回答」の各文が「出典」の内容だけで裏付けられるかを判定してください。
出典にない情報（数値、固有名詞、推測）を含む文は裏付けなしとします。
JSON だけを返してください: {{"supported": 裏付けのある文の数, "total": 文の総数}}

質問: {question}

出典:
{passages}

回答:
{answer}
"""


class Judge:
    def __init__(self, base_url: str, api_key: str | None, model: str, timeout: float = 60.0) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.api_key = api_key
        self.model = model
        self.timeout = timeout

    def describe(self) -> str:
        return f"LLM judge {self.model} at {self.url}"

    def faithfulness(self, question: str, answer_text: str, passages: list[str]) -> float | None:
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [{"role": "user", "content": PROMPT.format(
                question=question, answer=answer_text,
                passages="\n".join(f"[{i}] {p}" for i, p in enumerate(passages, 1)),
            )}],
        }
        req = urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"), headers={"Content-Type": "application/json"})
        if self.api_key:
            req.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                content = json.loads(resp.read().decode("utf-8"))["choices"][0]["message"]["content"]
            m = re.search(r"\{.*\}", content, re.S)
            verdict = json.loads(m.group(0)) if m else {}
            total = int(verdict.get("total", 0))
            return None if total <= 0 else max(0.0, min(1.0, int(verdict.get("supported", 0)) / total))
        except Exception:  # noqa: BLE001 - a failed judgement is recorded as missing, not as a score
            return None


def judge_from_env() -> Judge | None:
    base = os.environ.get("OPENAI_BASE_URL")
    if not base:
        return None
    return Judge(base, os.environ.get("OPENAI_API_KEY"), os.environ.get("OPENAI_MODEL", "gpt-4o-mini"))
