"""An evaluation schema: one copy of a real target in which every evaluated function carries all its generated
alternatives at once, and an environment variable picks which one runs.

Swapping a function into the real backend and rebuilding costs minutes per probe on a large target (RISCV: one
rebuild and 1,449 lit tests, ~3 min); mutation testing's "mutant schemata" remove the rebuild. Each function body
``B`` with alternatives ``A1..An`` becomes

    {
    if (const unsigned vega_swap_v = ::vega_swap::pick(FID); vega_swap_v == 1)
    A1
    else if (vega_swap_v == 2)
    A2
    else
    B
    }

so with ``VEGA_SWAP=FID:k`` the function behaves exactly as if ``Ak`` had been swapped in alone (a body that falls
off its end returns from a void function, as the swapped function would), and with nothing set the backend is the
real one. ``pick`` also appends ``FID`` to the file named by ``VEGA_TRACE`` the first time a process enters the
function, which tells which tests execute which functions: a swap can only change the tests that execute it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .swap import FunctionEdit, locate

PRELUDE_GUARD = "VEGA_SWAP_PRELUDE"


def prelude(count: int) -> str:
    """The switchboard, identical in every file of one schema (an inline function: one instance per program)."""
    return f"""#ifndef {PRELUDE_GUARD}
#define {PRELUDE_GUARD}
// vega-llvm evaluation schema: VEGA_SWAP="FID:K,..." runs alternative K of function FID; VEGA_TRACE=FILE records
// the functions a process enters.
#include <cstdio>
#include <cstdlib>
namespace vega_swap {{
constexpr unsigned FunctionCount = {max(count, 1)};
struct Switchboard {{
  unsigned char Variant[FunctionCount] = {{}};
  unsigned char Seen[FunctionCount] = {{}};
  std::FILE *Trace = nullptr;
  Switchboard() {{
    if (const char *S = std::getenv("VEGA_SWAP")) {{
      for (char *End = nullptr;; S = End + 1) {{
        unsigned long F = std::strtoul(S, &End, 10);
        if (End == S || *End != ':')
          break;
        unsigned long K = std::strtoul(End + 1, &End, 10);
        if (F < FunctionCount)
          Variant[F] = static_cast<unsigned char>(K);
        if (*End != ',')
          break;
      }}
    }}
    if (const char *T = std::getenv("VEGA_TRACE"))
      Trace = std::fopen(T, "a");
  }}
}};
inline unsigned pick(unsigned F) {{
  static Switchboard B;
  if (B.Trace && !B.Seen[F]) {{
    B.Seen[F] = 1;
    std::fprintf(B.Trace, "%u\\n", F);
    std::fflush(B.Trace);
  }}
  return B.Variant[F];
}}
}} // namespace vega_swap
#endif
"""


@dataclass(frozen=True)
class SchemaFunction:
    """One real function of the schema: its number, where it is, and its alternatives (1-based, in order)."""

    fid: int
    id: str  # corpus record id
    path: str  # relative to the target directory
    line: int
    original_body: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Span:
    """Lines of one alternative (k >= 1) or of the original body (k == 0) in a schema file."""

    fid: int
    k: int
    path: str
    first_line: int
    last_line: int


def rewrite_body(fn: SchemaFunction) -> tuple[str, list[tuple[int, int, int]]]:
    """The schema body of ``fn`` and, per alternative and the original (k, first line, last line), lines counted
    from the body's first line (0-based)."""
    parts = ["{\n"]
    spans: list[tuple[int, int, int]] = []
    line = 1
    branches = [(k, body) for k, body in enumerate(fn.alternatives, 1)] + [(0, fn.original_body)]
    for i, (k, body) in enumerate(branches):
        if k == 0:
            head = "else\n" if fn.alternatives else ""
        elif i == 0:
            head = f"if (const unsigned vega_swap_v = ::vega_swap::pick({fn.fid}); vega_swap_v == {k})\n"
        else:
            head = f"else if (vega_swap_v == {k})\n"
        if not fn.alternatives:
            head = f"::vega_swap::pick({fn.fid});\n"
        parts.append(head)
        line += head.count("\n")
        spans.append((k, line, line + body.count("\n")))
        parts.append(body + "\n")
        line += body.count("\n") + 1
    parts.append("}")
    return "".join(parts), spans


def write_schema(real_dir: Path, dest: Path, functions: list[SchemaFunction]) -> list[Span]:
    """Write the schema copy of ``real_dir`` into ``dest`` (files rewritten only when their text changes, so the
    build stays incremental); returns where each alternative landed, for attributing compiler errors."""
    by_file: dict[str, list[SchemaFunction]] = defaultdict(list)
    for fn in functions:
        by_file[fn.path].append(fn)
    count = max((fn.fid for fn in functions), default=0) + 1
    head = prelude(count)
    wanted: dict[Path, str] = {}
    spans: list[Span] = []
    for src in sorted(p for p in real_dir.rglob("*") if p.is_file()):
        rel = src.relative_to(real_dir).as_posix()
        text = src.read_text(encoding="utf-8", errors="surrogateescape")
        fns = by_file.get(rel)
        if fns:
            text, file_spans = _rewrite_file(text, rel, fns, head)
            spans += file_spans
        wanted[dest / rel] = text
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8", errors="surrogateescape") != text:
            path.write_text(text, encoding="utf-8", errors="surrogateescape")
    for path in [p for p in dest.rglob("*") if p.is_file() and p not in wanted]:
        path.unlink()
    return spans


def _rewrite_file(text: str, rel: str, fns: list[SchemaFunction], head: str) -> tuple[str, list[Span]]:
    located = sorted(
        ((locate(text, FunctionEdit(f.id, f.path, f.line, f.original_body, "")), f) for f in fns),
        key=lambda x: x[0],
    )
    out: list[str] = [head]
    line = 1 + head.count("\n")
    pos = 0
    spans: list[Span] = []
    for start, fn in located:
        if start < pos:
            raise ValueError(f"{rel}: overlapping function bodies at {fn.id}")
        before = text[pos:start]
        out.append(before)
        line += before.count("\n")
        body, rel_spans = rewrite_body(fn)
        spans += [Span(fn.fid, k, rel, line + a, line + b) for k, a, b in rel_spans]
        out.append(body)
        line += body.count("\n")
        pos = start + len(fn.original_body)
    out.append(text[pos:])
    return "".join(out), spans


class SpanIndex:
    """Schema spans by resolved file, built once: a failed build of a large target reports tens of thousands of
    errors, each looked up here."""

    def __init__(self, spans: list[Span], dest: Path) -> None:
        self.dest = dest.resolve()
        self.by_file: dict[str, list[Span]] = defaultdict(list)
        for s in spans:
            self.by_file[str((dest / s.path).resolve())].append(s)

    def attribute(self, errors: list[tuple[str, int]]) -> tuple[set[tuple[int, int]], set[str]]:
        """Alternatives ``(fid, k)`` that compiler errors point into, and the files with errors pointing elsewhere
        (relative to the schema root when inside it)."""
        blamed: set[tuple[int, int]] = set()
        unexplained: set[str] = set()
        for file, line in errors:
            resolved = str(Path(file).resolve())
            # The line after an alternative is the schema's next "else": an error there comes from the alternative.
            hit = [s for s in self.by_file.get(resolved, []) if s.first_line <= line <= s.last_line + 1 and s.k > 0]
            if hit:
                blamed.update((s.fid, s.k) for s in hit)
            else:
                try:
                    unexplained.add(Path(resolved).relative_to(self.dest).as_posix())
                except ValueError:
                    unexplained.add(resolved)
        return blamed, unexplained


def attribute(spans: list[Span], dest: Path, errors: list[tuple[str, int]]) -> tuple[set[tuple[int, int]], set[str]]:
    """Alternatives ``(fid, k)`` that compiler errors point into, and the files with errors pointing elsewhere."""
    return SpanIndex(spans, dest).attribute(errors)
