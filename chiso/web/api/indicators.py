"""The DM indicator catalogue (danh mục chỉ số) over the API: list, one indicator with its
versions and lifecycle moves, the catalogue workflow, and catalogue imports.

Reading: any signed-in principal reads the catalogue of their own province (the
catalogue is the province's shared vocabulary); an administrator reads every province.

Lifecycle moves (``POST /api/v1/indicators/{code}/moves``) — who may move an indicator
to which state (quy trình 6 bước):

=====================================================  ==========================================
to state                                               who
=====================================================  ==========================================
needs_identified, candidate, standardised, unified     the head (``head``) of the owner agency
(propose, standardise, review)                         (the indicator's ``owner``), or an admin
approved, in_operation (approve, put in operation)     a leader of the province, or an admin
retired (ngừng sử dụng)                                a leader of the province, or an admin
=====================================================  ==========================================

Officers and viewers move nothing. The lifecycle itself (one step forward, back for
rework, retire, restart) is checked by ``chiso.catalog.lifecycle``; every move records
who, when and a comment, and is audited. Importing a catalogue file is for
administrators only.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field

from chiso.catalog.indicator import LIFECYCLE, Group
from chiso.errors import LoadError
from chiso.store.repo_catalogue import (
    current_catalogue,
    import_catalogue,
    indicator_history,
    indicator_version,
    lifecycle_log,
    move_indicator,
)
from chiso.web.api.access import (
    Principal,
    WebContext,
    can_write_for,
    forbidden,
    province_for,
    require_write,
    signed_in,
    web_context,
)
from chiso.web.api.etag import cached
from chiso.web.api.pagination import Page, page_params, paged
from chiso.web.api.uploads import TOO_LARGE, refused, saved
from chiso.web.errors import CODE, NOT_MODIFIED, UNIT_EXAMPLES, WRITES

router = APIRouter(prefix="/api/v1", tags=["indicators"])

State = Literal["needs_identified", "candidate", "standardised", "unified", "approved", "in_operation",
                "retired"]
#: The early steps: proposed, standardised and reviewed by the owner agency.
EARLY_STATES = frozenset(LIFECYCLE[:4])
#: States a leader (or an administrator) decides.
LEADER_STATES = frozenset({"approved", "in_operation", "retired"})


def _catalogue(ctx: WebContext, province: str):
    with ctx.database.session() as session:
        return current_catalogue(session, province)


def indicator_document(ind) -> dict:
    """An indicator as JSON, with ``live``, and ``public`` and ``composite`` always (the stored
    content leaves them out at their defaults, to keep earlier versions' hashes)."""
    return {**ind.model_dump(mode="json"), "public": ind.public,
            "composite": ind.composite and ind.composite.model_dump(mode="json"), "live": ind.live}


@router.get("/indicators", summary="Danh mục chỉ số / the indicator catalogue", responses=NOT_MODIFIED)
def list_indicators(request: Request,
                    province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES,
                                                   description="default: your province"),
                    field: str | None = Query(None, pattern=CODE, description="field group, e.g. FINANCE"),
                    group: Group | None = Query(None, description="input, process, output, outcome, synthetic"),
                    status: State | None = Query(None, description="lifecycle state"),
                    live: bool | None = Query(None, description="only live (approved, in operation) ones, "
                                                                "or only the others"),
                    page: Page = Depends(page_params), principal: Principal = Depends(signed_in),
                    ctx: WebContext = Depends(web_context)):
    """The latest version of each indicator of the province, filtered; paginated."""
    province = province_for(principal, province, ctx)
    cat = _catalogue(ctx, province)
    items = [i for i in cat.indicators.values()
             if (field is None or i.field == field) and (group is None or i.group == group)
             and (status is None or i.status == status) and (live is None or i.live == live)]
    return paged(request, page, [indicator_document(i) for i in items], province=province,
                 version=cat.version,
                 fields=[{"code": c, **f.model_dump(mode="json")} for c, f in cat.fields.items()])


def _one(ctx: WebContext, province: str, code: str):
    with ctx.database.session() as session:
        return (indicator_version(session, code, province=province),
                indicator_history(session, code, province=province))


@router.get("/indicators/{code}", summary="Một chỉ số / one indicator", responses=NOT_MODIFIED)
def get_indicator(request: Request, code: str = Path(pattern=CODE),
                  province: str | None = Query(None, pattern=CODE),
                  principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """One indicator: its latest version, every version (what changed) and every lifecycle move."""
    province = province_for(principal, province, ctx)
    ind, history = _one(ctx, province, code)
    doc = history.document()
    return cached(request, {"indicator": indicator_document(ind), "versions": doc["versions"],
                            "transitions": doc["transitions"]})


@router.get("/catalogue/lifecycle", summary="Nhật ký quy trình / lifecycle log", responses=NOT_MODIFIED)
def lifecycle(request: Request, province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES),
              page: Page = Depends(page_params),
              principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Every lifecycle move of the province's indicators, oldest first; paginated."""
    province = province_for(principal, province, ctx)
    with ctx.database.session() as session:
        moves = lifecycle_log(session, province)
    return paged(request, page, moves, province=province)


class Move(BaseModel):
    """A lifecycle move: the state to go to and why."""

    to_state: State = Field(description="the lifecycle state to move to")
    comment: str = Field(min_length=1, max_length=2000, pattern=r"\S", description="why (recorded; never empty)")


def check_move(principal: Principal, ind, to_state: str, province: str, ctx: WebContext) -> None:
    """403 unless the principal's role and unit may make this move (see the module docstring)."""
    if principal.role == "admin":
        return
    if to_state in LEADER_STATES:
        if principal.role == "leader" and principal.province_code == province:
            return
        raise forbidden(f"moving {ind.code} to {to_state} needs a leader of province {province} or an "
                        f"administrator; {principal.username} is {principal.role}")
    if principal.role == "head" and can_write_for(principal, ind.owner, ctx.tree):
        return
    owner = ctx.tree.get(ind.owner).name if ind.owner in ctx.tree else ind.owner
    raise forbidden(f"moving {ind.code} to {to_state} needs the head of the owner agency {ind.owner} "
                    f"({owner}) or an administrator; {principal.username} is {principal.role} of "
                    f"{principal.unit_code}")


@router.post("/indicators/{code}/moves", status_code=201, summary="Chuyển bước quy trình / lifecycle move",
             dependencies=[Depends(require_write)], responses=WRITES)
def move(body: Move, code: str = Path(pattern=CODE), province: str | None = Query(None, pattern=CODE),
         principal: Principal = Depends(signed_in),
         ctx: WebContext = Depends(web_context)):
    """Move an indicator to another lifecycle state (propose, review, approve, retire…)."""
    province = province_for(principal, province, ctx)
    with ctx.database.session() as session:
        ind = indicator_version(session, code, province=province)
        check_move(principal, ind, body.to_state, province, ctx)
        done = move_indicator(session, code, body.to_state, by=principal.username, comment=body.comment,
                              province=province)
    ctx.forget_values()  # a live indicator more or less: the panels read from the catalogue
    return {"province": province, "code": code, "version": done.version, "from_state": done.from_state,
            "to_state": done.to_state, "at": done.at.isoformat(), "by": done.by, "comment": done.comment}


@router.post("/catalogue/imports", summary="Nhập danh mục / import a catalogue file",
             dependencies=[Depends(require_write)], responses={**WRITES, **TOO_LARGE})
def import_file(file: UploadFile = File(description="YAML, JSON or XLSX catalogue"),
                province: str | None = Form(None, pattern=CODE, description="the province (default: the file's)"),
                principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Import a catalogue file (administrators): all or nothing; a changed indicator gets a new version."""
    if principal.role != "admin":
        raise forbidden(f"importing a catalogue needs an administrator; {principal.username} is "
                        f"{principal.role}")
    if province is not None:
        province = province_for(principal, province, ctx)
    with saved(file, "catalogue.yaml") as (path, name):
        try:
            with ctx.database.session() as session:
                report = import_catalogue(session, path, by=principal.username, province=province,
                                          units=ctx.tree)
        except LoadError as e:
            return refused(e, f"{name}: refused, nothing was imported", path, name)
    ctx.forget_values()
    return {**report.document(), "file": name, "rows": report.rows()}
