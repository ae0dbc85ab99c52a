"""Uploaded files (tệp tải lên): saved to a private temporary folder under their own name,
read by the domain's file readers, and problems reported under the name the user sent."""
from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

from fastapi import HTTPException, UploadFile
from fastapi.responses import JSONResponse

from chiso.collect.values.reasons import code_of, localise
from chiso.errors import LoadError, Problem
from chiso.files.limits import upload_max_bytes
from chiso.files.reasons import size_text
from chiso.web.errors import declared, status_of

#: What a route taking an upload declares on top of ``WRITES``: 413, a file over
#: ``CHISO_UPLOAD_MAX_BYTES`` (``chiso.files.limits.upload_max_bytes``).
TOO_LARGE = declared(413)


def safe_name(name: str | None, default: str) -> str:
    """The file's base name, without folders or characters a file system may refuse."""
    base = Path((name or "").replace("\\", "/")).name.strip()
    base = re.sub(r"[\x00-\x1f/:*?\"<>|]+", "_", base)
    return base if base and base not in (".", "..") else default


@contextmanager
def saved(upload: UploadFile, default: str) -> Iterator[tuple[Path, str]]:
    """The upload saved as a file: (its path, the name to report); removed afterwards."""
    name = safe_name(upload.filename, default)
    limit = upload_max_bytes()
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"{name}: the file is larger than {size_text(limit)}")
    with tempfile.TemporaryDirectory(prefix="chiso-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path, name


def problems_json(problems: list[Problem], path: Path | None = None, name: str | None = None) -> list[dict]:
    """Problems as JSON (file, row, column, reason, value), the temporary path shown as the
    upload's name, each with its stable ``code`` (None for a reason without one) and its reason
    in Vietnamese (``reason_vi``)."""
    out = []
    for p in problems:
        if path is not None and name is not None and p.file == str(path):
            p = replace(p, file=name)
        item = asdict(p)
        item["code"] = code_of(p.reason, p.column)
        item["reason_vi"] = localise(p.reason, "vi", p.column)
        out.append(item)
    return out


def report(error: LoadError, problems: list[dict]) -> dict:
    """How many problems a refusal has: ``total``, and ``at_least`` when checking stopped early
    (``CHISO_FILE_MAX_PROBLEMS``: the first ones are listed, there are at least ``total``)."""
    return {"total": error.total if error.total is not None else len(problems), "at_least": error.at_least}


def refused(error: LoadError, detail: str, path: Path | None = None, name: str | None = None,
            **extra) -> JSONResponse:
    """The row-level report of a refused file (422, ``status_of`` a ``LoadError``); nothing was written."""
    problems = problems_json(list(error.problems), path, name)
    return JSONResponse({"detail": detail, "status": "refused", **report(error, problems), "problems": problems,
                         **extra}, status_code=status_of(error))
