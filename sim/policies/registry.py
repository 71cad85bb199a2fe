"""The registry of policy rules: each rule is one Numba function, known by kind and name.

A rule's code (its position within its kind) is what the kernels read from the parameters;
`sim.policies.dispatch` turns each kind into one compiled switch over the registered rules.
Config choices, `funnelsim keys` and the docs' lever tables read their names from here.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    """A kind of rule: the config key that picks it, the arguments every rule takes, what it returns."""

    name: str
    key: str
    args: tuple[str, ...]
    returns: str
    doc: str  # what a rule of this kind computes (for rule authors)
    title: str  # what the config key chooses (for users)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "routing",
            "policy.routing",
            ("S", "P", "c", "exclude"),
            "int",
            "the rep (index) who gets lead `c`, never `exclude`; -1 if no rep can take it today",
            "how MQLs are assigned to reps",
        ),
        Kind(
            "discipline",
            "policy.discipline",
            ("S", "P", "c", "d"),
            "float",
            "the sort key of due lead `c` in its rep's queue; the lowest key is worked first",
            "which due lead a rep works first",
        ),
        Kind(
            "breach",
            "policy.breach_action",
            ("S", "P", "c", "t"),
            "int",
            "what happens to untouched lead `c` past the SLA at time `t`: KEEP, FIRST, RECYCLE or REASSIGN",
            "what happens to an untouched lead past the SLA",
        ),
        Kind(
            "rejected",
            "policy.handoff.rejected",
            ("S", "P", "c", "t", "d"),
            "none",
            "what becomes of lead `c` that sales reject at time `t`: set its stage and clocks",
            "what happens to a lead sales reject",
        ),
        Kind(
            "timing",
            "policy.handoff.mode",
            ("P", "minute"),
            "float",
            "when sales can see a lead that became an MQL at `minute`",
            "realtime routing or a batched pull from the CRM",
        ),
        Kind(
            "tier",
            "policy.handoff.tier",
            ("n_ae", "n_sdr"),
            "(int, int)",
            "the range [lo, hi) of reps who work leads, given the AEs and SDRs",
            "who works leads: AEs directly, or SDRs who pass SQLs to AEs",
        ),
    )
}


@dataclass
class Rule:
    kind: str
    name: str
    fn: object
    doc: str
    flags: dict = field(default_factory=dict)
    plugin: str = ""  # "module:function" for a rule from outside funnelsim

    @property
    def code(self) -> int:
        return list(RULES[self.kind]).index(self.name)


RULES: dict[str, dict[str, Rule]] = {k: {} for k in KINDS}


def signature_problem(kind: str, fn) -> str:
    """Why `fn` cannot be a rule of `kind` ('' if it can): its arguments must be the kind's."""
    py = getattr(fn, "py_func", fn)
    if not callable(py):
        return "is not a function"
    try:
        params = list(inspect.signature(py).parameters.values())
    except (TypeError, ValueError):
        return "has no readable signature"
    want = KINDS[kind].args
    plain = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(plain) != len(params) or len(plain) != len(want):
        got = ", ".join(p.name for p in params)
        return f"takes ({got}); a {kind} rule takes ({', '.join(want)})"
    return ""


def lead_index_problem(kind: str, fn) -> str:
    """Why `fn` reads a lead-table column with its contact argument ('' if it does not).  Lead clocks
    live in rows of the lead table, `S.next_due[S.lead[c]]`; Numba does not check bounds, so
    `S.next_due[c]` would compile and silently read another lead's clock."""
    want = KINDS[kind].args
    py = getattr(fn, "py_func", fn)
    if "c" not in want:
        return ""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(py)))
        params = list(inspect.signature(py).parameters)
    except (OSError, TypeError, ValueError, SyntaxError):
        return ""  # no source to read (built in a string, say): the compiler is the only check
    from sim.state import LEAD_FIELDS

    s_name, c_name = params[want.index("S")], params[want.index("c")]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == s_name
            and node.value.attr in LEAD_FIELDS
            and isinstance(node.slice, ast.Name)
            and node.slice.id == c_name
        ):
            col = f"{s_name}.{node.value.attr}"
            return (
                f"reads {col}[{c_name}] with the contact id (line {node.lineno} of the function); lead-table "
                f"columns are indexed by the lead's row: {col}[{s_name}.lead[{c_name}]]"
            )
    return ""


def rule(kind: str, name: str, doc: str = "", **flags):
    """Register the decorated compiled function as rule `name` of `kind` (its docstring documents it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown rule kind {kind!r}; one of {', '.join(KINDS)}")

    def register(fn):
        problem = signature_problem(kind, fn)
        if problem:
            raise TypeError(f"{kind} rule {name!r} {problem}")
        text = doc or (inspect.getdoc(getattr(fn, "py_func", fn)) or "").split("\n\n")[0].replace("\n", " ")
        RULES[kind][name] = Rule(kind, name, fn, text, dict(flags))
        return fn

    return register


def names(kind: str) -> tuple[str, ...]:
    """Names of the registered rules of `kind`, in code order."""
    return tuple(RULES[kind])


def code(kind: str, name: str) -> int:
    return list(RULES[kind]).index(name)


def get(kind: str, name: str) -> Rule:
    return RULES[kind][name]
