"""The corpus record: one function definition of one backend, with its names abstracted and its statement tree."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..atomic import publish


@dataclass
class FunctionRecord:
    """One function definition (see ``vega_llvm.corpus`` for the JSONL schema)."""

    id: str  # "<target>/<path>:<line>", unique in a corpus
    target: str  # directory under lib/Target (PowerPC, not PPC)
    path: str  # file path relative to lib/Target/<target>
    file: str  # file name with the target spelling dropped: AsmBackend.cpp
    qname: str  # qualified name with spellings abstracted: <T>AsmBackend::applyFixup
    name: str  # qualified name as written (without llvm::)
    module: str  # VEGA module: SEL REG OPT SCH EMI ASS DIS other
    spelling: str  # the spelling this function uses for its own target (what <T> stands for in it)
    line: int
    signature: str
    body: str
    has_error: bool
    tree: dict[str, Any] = field(repr=False)

    @property
    def key(self) -> tuple[str, str]:
        """The function-group key: abstracted (file, qualified name)."""
        return (self.file, self.qname)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "FunctionRecord":
        return cls(**d)


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same directory and rename, so readers never see half a file."""
    write_lines_atomic(path, [text], newline=False)


def write_lines_atomic(path: Path, lines: Iterable[str], newline: bool = True) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            publish(fh.fileno())  # not mkstemp's 0600
            for line in lines:
                fh.write(line)
                if newline:
                    fh.write("\n")
                n += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_corpus(path: Path) -> list[FunctionRecord]:
    """Read ``functions.jsonl`` (or a corpus directory holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "functions.jsonl"
    return [FunctionRecord.from_dict(d) for d in read_jsonl(path)]
